"""Demo of the line to the Party committee (昌吉州政协): `load(demo, stdout=None)`, called by `xieshang demo`
(declared in declarations.py; runs after the proposals', opinions' and grassroots loaders).

What it makes (texts written for this project, combined with a fixed seed: every run writes the same):

* 2024, the seed's year: 52 reports to the 州委 sent in the year (21 immediate, 17 periodic, 14 special; a few
  returned for revision once; 46 answered with the Party committee's instruction); 29 working rules made or
  revised (5 made — among them 《关于加强和改进民主监督工作的实施意见》 — and 24 revised, among them
  《政协昌吉回族自治州委员会视察考察调研相关组织协调工作办法》), the other rules made 2021–2023; 12 tasks
  assigned by the 州委 (一机制三清单, 重点信访案件化解, 包联县市现场指导 …), all done, one after its
  due date; 44 contact visits by the chair and three vice-chairs to 139 entrepreneurs and 16 experts (and a
  few grassroots workers and villages) bringing back 43 suggestions: 6 carried into proposals, 4 into
  citizens' demands, 2 into opinion reports (linked to that year's proposals, demands and reports the other
  loaders wrote), 3 into assigned tasks, the rest kept for reference.
* 2025, complete, on the same pattern (48 reports, 8 rules, 10 tasks, 30 visits, 32 suggestions).
* 2026 up to today (the demo clock: 2026-12-05), in progress: reports in every state (drafts, awaiting the
  leader's approval, returned, approved, sent, answered), tasks open (some overdue), visits with open
  suggestions, one of them already turned into a proposal draft of the leader (马建平) through the services.

How: every step goes through the services with the clock set to its moment (core.demo_kit.clock), so the
numbers, audit events, deadlines and notices are the application's own — notices only for the last NOTIFY_DAYS:
older history notifies nobody (core.demo_kit.history). Linking a history suggestion to an
existing proposal, demand or opinion report of its year is written directly (with its audit event), since
those were made by the other loaders. Idempotent: a year that already has reports of the committee is left
alone.
"""

from __future__ import annotations

import contextlib
import datetime
import random

from xieshang.core import audit
from xieshang.core.demo_kit import at, clock, history
from xieshang.core.models import Member, Role, RoleAssignment, SpecialCommittee, User

from . import services
from .models import PartyReport, Suggestion, WorkingRule

SEED = 1414

LEADERS = [("demo_chair", "王志远", "主席"), ("demo_vice1", "李文华", "副主席"), ("demo_vice2", "赵新民", "副主席")]

THEMES = ["高标准农田建设", "优化营商环境", "乡村振兴重点帮扶", "新能源产业发展", "文旅融合发展", "中小学教育资源配置",
          "基层医疗服务能力", "生态环境保护", "民族团结进步创建", "城市更新和老旧小区改造", "冬季供暖保障",
          "农产品精深加工", "就业创业服务", "数字政府建设", "水资源节约集约利用", "养老服务体系建设",
          "重点提案办理", "社情民意信息工作", "委员履职管理", "专题协商成果转化"]
REPORT_FORMS = {
    "immediate": ["关于{t}中出现新情况的紧急报告", "关于{t}有关问题的请示", "关于{t}重要情况的报告"],
    "periodic": ["关于{t}工作进展情况的报告", "关于{t}阶段性工作情况的报告", "关于第{q}季度{t}工作情况的报告"],
    "special": ["关于{t}的专题建议", "关于进一步推进{t}的建议报告", "关于{t}协商成果的专项报告"],
}
BODY = ("按照州委关于重大事项请示报告的要求，州政协围绕{t}开展了调研和协商，听取了有关部门、企业和群众的意见。"
        "\n一、基本情况。{t}总体进展平稳，但仍存在统筹不够、政策落实不到位等问题。"
        "\n二、意见建议。建议进一步压实责任，完善工作机制，加强部门协同，推动问题逐项解决。"
        "\n妥否，请批示。")
INSTRUCTIONS = ["同意。请州政府有关部门认真研究吸纳，抓好落实。", "已阅。政协的建议很有针对性，请相关部门结合实际推进。",
                "同意所报意见，请州政协继续跟踪问效。", "很好。请按程序推进，并及时报告进展。"]
INSTRUCTED_BY = ["州委书记", "州委副书记", "州委常委、统战部部长"]

OLD_RULES = [
    "政协昌吉回族自治州委员会视察考察调研相关组织协调工作办法", "州政协党组理论学习中心组学习制度", "州政协委员履职管理办法",
    "州政协党的工作全覆盖实施办法", "州政协常务委员会会议议事规则", "州政协主席会议议事规则", "州政协专门委员会工作通则",
    "州政协提案工作条例实施细则", "州政协重点提案遴选和督办办法", "州政协社情民意信息工作办法", "州政协协商议事活动规则",
    "州政协委员联络站工作规范", "州政协委员工作室管理办法", "州政协机关公文处理办法", "州政协重大事项请示报告制度",
    "州政协年度协商计划制定办法", "州政协专题协商会议工作规程", "州政协界别协商工作办法", "州政协对口协商工作办法",
    "州政协提案办理协商工作办法", "州政协委员学习培训制度", "州政协委员述职工作办法", "州政协机关干部考核办法",
    "州政协文史资料征集工作办法", "州政协特邀监督员工作办法", "州政协联系界别群众工作制度", "州政协机关财务管理制度",
    "州政协新闻宣传工作办法",
]
NEW_RULES = {
    2024: ["关于加强和改进民主监督工作的实施意见", "州政协主席会议成员联系走访代表人士制度", "州政协委员履职积分实施细则",
           "州政协数字化履职平台使用管理办法", "州政协“协商在一线”工作机制"],
    2025: ["州政协协商成果采纳落实反馈办法", "州政协委员履职档案管理办法"],
    2026: ["州政协界别活动组规则"],
}
REVISED = {2024: 24, 2025: 6, 2026: 3}
MEETINGS = ["十三届州政协主席会议", "十三届州政协常委会会议", "州政协党组会议"]

TASKS = {
    2024: ["落实“一机制三清单”工作", "重点信访案件化解（阜康市）", "重点信访案件化解（玛纳斯县）", "重点信访案件化解（奇台县）",
           "包联县市现场指导（吉木萨尔县）", "包联县市现场指导（木垒县）", "重点企业纾困帮扶", "乡村社区矛盾纠纷排查化解",
           "民族团结进步创建示范州复验迎检", "优化营商环境专项监督", "冬春季安全生产督导", "自治州成立70周年相关工作"],
    2025: ["落实“一机制三清单”年度任务", "重点信访案件化解（昌吉市）", "重点信访案件化解（呼图壁县）", "包联县市现场指导（阜康市）",
           "重点项目建设协调服务", "乡村振兴驻村工作督导", "民营经济高质量发展调研", "河湖长制落实情况监督",
           "招商引资环境评议", "防汛抗旱工作督导"],
    2026: ["落实“一机制三清单”工作", "重点信访案件化解（玛纳斯县）", "包联县市现场指导（奇台县）", "重点企业纾困帮扶",
           "优化营商环境专项监督", "民生实事项目落实督导", "冬季供暖保障督导", "农村人居环境整治督导", "产业园区发展调研"],
}
SOURCES = ["州委办公室交办单", "州委会议纪要", "州委主要领导批示件", "州委督查室督办函"]

FIRMS = ["新材料", "食品加工", "现代农业", "光伏发电", "物流", "装备制造", "乳制品", "文化旅游", "建材", "生物科技",
         "电子商务", "纺织服装"]
EXPERT_FIELDS = ["农业技术", "水利工程", "医疗卫生", "教育", "生态环境", "城乡规划", "新能源", "财税金融"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["建国", "志强", "海燕", "文军", "玉兰", "红梅", "新华", "立新", "德明", "秀英", "国庆", "晓东", "丽娟", "永红",
         "振华", "春生", "学军", "桂芳", "宏伟", "静"]
SUGGESTIONS = [
    "建议设立中小企业应急转贷资金，缓解企业短期资金周转困难。", "建议简化工业项目审批流程，推行并联审批和容缺受理。",
    "建议加强职业院校与园区企业合作，定向培养技术工人。", "建议完善园区道路、供水和污水处理等配套设施。",
    "建议对新能源企业用地、用电给予更有力的政策支持。", "建议搭建农产品产销对接平台，帮助企业拓展内地市场。",
    "建议落实涉企收费清单制度，清理不合理收费。", "建议加大对科技型中小企业研发费用的补助力度。",
    "建议优化冬季供暖期间工业企业用气保障。", "建议建立政企常态化沟通机制，定期召开企业家座谈会。",
    "建议推动冷链物流基地建设，降低农产品流通损耗。", "建议引进和留住高层次人才，完善住房和子女入学保障。",
    "建议加快高标准农田建设配套水利设施。", "建议加强基层医疗机构人才队伍建设。", "建议统筹城乡教育资源，改善乡村学校办学条件。",
    "建议加强农村人居环境整治长效管护。", "建议支持文旅企业开发冬季旅游产品。", "建议规范拖欠中小企业账款清理工作。",
    "建议加大对返乡创业人员的金融支持。", "建议完善企业用工保障和社会保险服务。", "建议加快推进数字政务服务向乡镇延伸。",
    "建议加强水资源节约利用的技术推广。",
]
PLACES = ["昌吉高新区", "准东经济技术开发区", "阜康产业园", "玛纳斯工业园", "呼图壁县", "奇台县", "吉木萨尔县", "木垒县",
          "昌吉市", "阜康市"]
NOTED = "已汇总报送州委、州政府参阅，并纳入年度协商议题征集。"
NOTIFY_DAYS = 35  # history older than this notifies nobody; the last weeks notify as the application does

# (year, reports sent, answered among them, visits, suggestions, entrepreneurs, experts)
YEARS = {2024: (52, 46, 44, 43, 139, 16), 2025: (48, 42, 30, 32, 108, 14), 2026: (40, 30, 26, 30, 96, 12)}
REPORT_KINDS = {2024: (21, 17, 14), 2025: (19, 16, 13), 2026: (16, 13, 11)}
CONVERSIONS = {2024: ("proposal",) * 6 + ("demand",) * 4 + ("opinion",) * 2 + ("task",) * 3,
               2025: ("proposal",) * 5 + ("demand",) * 3 + ("opinion",) * 2 + ("task",) * 2,
               2026: ("proposal",) * 3 + ("demand",) * 2 + ("opinion",) * 1 + ("task",) * 2}


class Ctx:
    def __init__(self, demo, today):
        self.committee = demo["committee"]
        self.staff = demo["users"]["staff"]
        self.leader = demo["users"]["leader"]
        self.today = today
        self.rng = random.Random(SEED)
        self.leaders = [self.leader, *self._leaders()]
        self.specials = list(SpecialCommittee.objects.filter(committee=self.committee))

    def _leaders(self):
        out = []
        for username, name, title in LEADERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, full_name=name)
                user.set_unusable_password()
                user.save()
            RoleAssignment.objects.get_or_create(user=user, committee=self.committee, role=Role.LEADER,
                                                 handling_unit=None)
            out.append(user)
        return out

    def moment(self, day, minutes=600):
        return at(min(day, self.today), minutes)

    def step(self, day, minutes=600):
        """The clock at `day` (never after today); a step more than NOTIFY_DAYS before today notifies nobody."""
        stack = contextlib.ExitStack()
        stack.enter_context(clock(self.moment(day, minutes)))
        stack.enter_context(history(day < self.today - datetime.timedelta(days=NOTIFY_DAYS)))
        return stack


def _day(year, rng, start=(1, 3), end=(12, 10)):
    a, b = datetime.date(year, *start), datetime.date(year, *end)
    return a + datetime.timedelta(days=rng.randint(0, (b - a).days))


def _reports(ctx: Ctx, year: int) -> int:
    rng = ctx.rng
    sent, answered, *_rest = YEARS[year]
    kinds = [k for k, n in zip(("immediate", "periodic", "special"), REPORT_KINDS[year], strict=True) for _ in range(n)]
    rng.shuffle(kinds)
    current = year == ctx.today.year
    last = min(datetime.date(year, 12, 12), ctx.today - datetime.timedelta(days=25)) if current else \
        datetime.date(year, 12, 12)
    days = sorted(_day(year, rng, end=(last.month, last.day)) for _ in kinds)
    answered_at = set(rng.sample(range(len(kinds)), answered))
    steps = 0
    for i, (kind, day) in enumerate(zip(kinds, days, strict=True)):
        theme = THEMES[(i * 7 + year) % len(THEMES)]
        title = rng.choice(REPORT_FORMS[kind]).format(t=theme, q="一二三四"[min(3, (day.month - 1) // 3)])
        with ctx.step(day, 540):
            report = services.report_create(actor=ctx.staff, committee=ctx.committee,
                                            data={"kind": kind, "title": title, "body": BODY.format(t=theme)})
        approver = ctx.leaders[i % len(ctx.leaders)]
        d = day + datetime.timedelta(days=1)
        walk = [("submit", ctx.staff, {}, d)]
        if i % 9 == 4:
            walk += [("return", approver, {"reason": "请补充相关数据，进一步精炼建议。"}, d + datetime.timedelta(days=1)),
                     ("update", ctx.staff, {"kind": kind, "title": title, "body": BODY.format(t=theme) + "\n（已按要求补充数据。）"},
                      d + datetime.timedelta(days=2)),
                     ("submit", ctx.staff, {}, d + datetime.timedelta(days=2))]
            d += datetime.timedelta(days=2)
        sent_on = d + datetime.timedelta(days=2)
        walk += [("approve", approver, {}, d + datetime.timedelta(days=1)),
                 ("send", ctx.staff, {"document_number": f"昌州政协报〔{year}〕{i + 1}号", "sent_on": sent_on.isoformat()},
                  sent_on)]
        if i in answered_at:
            on = sent_on + datetime.timedelta(days=rng.randint(3, 18))
            if not current or on < ctx.today:
                walk.append(("record_instruction", ctx.staff, {
                    "instruction_by": rng.choice(INSTRUCTED_BY), "instruction_on": on.isoformat(),
                    "text": rng.choice(INSTRUCTIONS)}, on))
        for action, actor, data, when in walk:
            if when > ctx.today:
                break
            with ctx.step(when, 600 + steps % 300):
                services.report_act(actor=actor, report=report, action=action, data=data)
            steps += 1
    if year == ctx.today.year:  # work in progress: a draft, one with the leader, one returned
        for n, (kind, stop) in enumerate((("special", "draft"), ("immediate", "submit"), ("periodic", "return"),
                                          ("special", "approve"))):
            day = ctx.today - datetime.timedelta(days=4 - n)
            theme = THEMES[n + 3]
            with ctx.step(day, 560):
                report = services.report_create(actor=ctx.staff, committee=ctx.committee, data={
                    "kind": kind, "title": REPORT_FORMS[kind][0].format(t=theme, q="四"),
                    "body": BODY.format(t=theme)})
                if stop != "draft":
                    services.report_submit(actor=ctx.staff, report=report)
                if stop == "return":
                    services.report_return(actor=ctx.leader, report=report, reason="请补充近三年的对比数据。")
                if stop == "approve":
                    services.report_approve(actor=ctx.leader, report=report)
    return steps


def _rules(ctx: Ctx, year: int) -> tuple[int, int]:
    rng = ctx.rng
    if year == min(YEARS):  # the register as it stood: the rules made 2021–2023
        for i, title in enumerate(OLD_RULES):
            made = datetime.date(2021 + i % 3, 1 + (i * 5) % 12, 5 + i % 20)
            with ctx.step(made):
                services.rule_create(actor=ctx.staff, committee=ctx.committee, data={
                    "title": title, "meeting": MEETINGS[i % 3], "adopted_on": made.isoformat(),
                    "note": "经会议研究通过。"})
    last = ctx.today - datetime.timedelta(days=3) if year == ctx.today.year else datetime.date(year, 12, 20)
    for title in NEW_RULES[year]:
        day = _day(year, rng, end=(last.month, last.day))
        with ctx.step(day):
            services.rule_create(actor=ctx.staff, committee=ctx.committee, data={
                "title": title, "meeting": rng.choice(MEETINGS), "adopted_on": day.isoformat(),
                "note": "新制定。"})
    rules = list(WorkingRule.objects.filter(committee=ctx.committee, title__in=OLD_RULES).order_by("pk"))
    chosen = rules[:1] + rng.sample(rules[1:], REVISED[year] - 1)
    for rule in chosen:
        day = _day(year, rng, start=(2, 1), end=(last.month, last.day))
        with ctx.step(day):
            services.rule_revise(actor=ctx.staff, rule=rule, data={
                "date": day.isoformat(), "meeting": rng.choice(MEETINGS),
                "note": "根据新形势新要求修订完善。"})
    return len(NEW_RULES[year]), len(chosen)


def _tasks(ctx: Ctx, year: int) -> int:
    rng = ctx.rng
    current = year == ctx.today.year
    for i, title in enumerate(TASKS[year]):
        day = datetime.date(year, 1 + (i * 11) // len(TASKS[year]), 8 + i % 15)
        due = day + datetime.timedelta(days=rng.randint(40, 90))
        owner = ({"owner_kind": "special_committee", "special_committee": ctx.specials[i % len(ctx.specials)].pk}
                 if ctx.specials and i % 3 == 1 else {"owner_kind": "office"})
        with ctx.step(day):
            task = services.task_create(actor=ctx.staff, committee=ctx.committee, data={
                "title": title, "source_document": f"{SOURCES[i % 4]}〔{year}〕{i + 3}号",
                "content": f"按照州委部署，由州政协牵头负责{title}，明确责任人和时间节点，按月报告进展。",
                "due_on": due.isoformat(), **owner})
        note_day = day + datetime.timedelta(days=20)
        done_day = due - datetime.timedelta(days=rng.randint(0, 10))
        if i == len(TASKS[year]) - 1 and not current:
            done_day = due + datetime.timedelta(days=rng.randint(5, 30))  # one finished late (into the next year)
        if current and i >= len(TASKS[year]) - 4:
            done_day = None  # still open this year
        if note_day <= ctx.today:
            with ctx.step(note_day):
                services.task_act(actor=ctx.staff, task=task, action="note",
                                  data={"text": "已召开专题会议部署，明确责任分工，正在推进。"})
        if done_day and done_day <= ctx.today:
            with ctx.step(max(done_day, note_day)):
                services.task_act(actor=ctx.staff, task=task, action="complete",
                                  data={"result": "任务已按要求完成，情况已书面报告州委。"})
    return len(TASKS[year])


def _people(rng, entrepreneurs: int, experts: int, visits: int):
    """Each visit's people: the entrepreneurs spread over most visits, the experts over a few."""
    expert_visits = max(1, experts // 2)
    firm_visits = visits - expert_visits
    plan = []
    for v in range(visits):
        people = []
        if v < firm_visits:
            n = entrepreneurs // firm_visits + (1 if v < entrepreneurs % firm_visits else 0)
            firm = FIRMS[(v + rng.randint(0, 11)) % len(FIRMS)]
            people = [{"kind": "entrepreneur", "name": _name(rng), "affiliation": f"某{firm}企业负责人"} for _ in range(n)]
            if v % 7 == 3:
                people.append({"kind": "grassroots_worker", "name": _name(rng), "affiliation": "园区管委会干部"})
        else:
            k = v - firm_visits
            n = experts // expert_visits + (1 if k < experts % expert_visits else 0)
            people = [{"kind": "expert", "name": _name(rng), "affiliation": f"{rng.choice(EXPERT_FIELDS)}领域专家"}
                      for _ in range(n)]
            if k % 3 == 0:
                people.append({"kind": "village", "name": f"{rng.choice(PLACES)}某村", "affiliation": "村委会"})
        plan.append(people)
    return plan


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _visits(ctx: Ctx, year: int) -> tuple[int, int]:
    rng = ctx.rng
    _sent, _answered, visits, suggestions, entrepreneurs, experts = YEARS[year]
    current = year == ctx.today.year
    last = ctx.today - datetime.timedelta(days=2) if current else datetime.date(year, 12, 15)
    days = sorted(_day(year, rng, start=(2, 20), end=(last.month, last.day)) for _ in range(visits))
    people = _people(rng, entrepreneurs, experts, visits)
    per_visit = [suggestions // visits + (1 if v < suggestions % visits else 0) for v in range(visits)]
    rows = []
    for v, (day, met) in enumerate(zip(days, people, strict=True)):
        leader = ctx.leaders[v % len(ctx.leaders)]
        kind = met[0]["kind"]
        subject = ("走访非公有制经济代表人士，了解企业经营发展情况" if kind == "entrepreneur"
                   else "联系专家人才，听取意见建议")
        texts = [SUGGESTIONS[(v * 3 + j + year) % len(SUGGESTIONS)] for j in range(per_visit[v])]
        with ctx.step(day, 900):
            visit = services.visit_create(actor=ctx.staff, committee=ctx.committee, data={
                "leader": leader.pk, "date": day.isoformat(), "place": rng.choice(PLACES),
                "subject": subject, "heard": "座谈中，大家反映了融资、用工、用地和政策落实等方面的困难和诉求。",
                "people": met, "suggestions": texts})
        rows.extend((s, day) for s in visit.suggestions.order_by("id"))
    _follow_up(ctx, year, rows)
    return visits, len(rows)


def _existing(year):
    from xieshang.grassroots.models import Demand
    from xieshang.opinions.models import OpinionReport
    from xieshang.proposals.models import Proposal

    return {
        "proposal": list(Proposal.objects.filter(session__year=year).exclude(state="draft").order_by("pk")[:40]),
        "demand": list(Demand.objects.filter(received_on__year=year).order_by("pk")[:40]),
        "opinion": list(OpinionReport.objects.filter(year=year).exclude(state="draft").order_by("pk")[:40]),
    }


def _follow_up(ctx: Ctx, year: int, rows) -> None:
    """What became of the year's suggestions: the conversions of CONVERSIONS, the rest kept for reference (the
    current year: the last ones still open)."""
    from django.contrib.contenttypes.models import ContentType  # noqa: F401  (kept: audit records the type)

    rng = ctx.rng
    current = year == ctx.today.year
    targets = CONVERSIONS[year]
    picks = rng.sample(range(len(rows)), len(targets))
    existing = None if current else _existing(year)
    used: dict[str, int] = {}
    converted = set()
    for index, to in zip(picks, targets, strict=True):
        suggestion, day = rows[index]
        when = day + datetime.timedelta(days=rng.randint(3, 12))
        when = min(when, ctx.today - datetime.timedelta(days=1))
        if to == "task" or current:
            data = {"to": to}
            if to == "task":
                data.update(owner_kind="office", due_on=(when + datetime.timedelta(days=45)).isoformat())
            if to == "demand":
                from xieshang.grassroots.models import Place

                place = Place.objects.filter(committee=ctx.committee).order_by("pk").first()
                if place is None:  # no grassroots places (a demo without that loader): kept for reference
                    continue
                data["place"] = place.pk
            if to in ("proposal", "opinion"):
                leader_member = Member.objects.filter(committee=ctx.committee, user=suggestion.visit.leader).first()
                if leader_member is None:
                    member = Member.objects.filter(committee=ctx.committee, user__isnull=False,
                                                   is_active=True).order_by("pk").first()
                    data["member"] = member.pk
            actor = suggestion.visit.leader if to != "demand" else ctx.staff
            with ctx.step(when, 960):
                services.suggestion_convert(actor=actor, suggestion=suggestion, **data)
                if to == "task" and not current:
                    task = Suggestion.objects.get(pk=suggestion.pk).task
                    services.task_act(actor=ctx.staff, task=task, action="complete",
                                      data={"result": "已协调有关部门研究落实，并向企业反馈。"})
            converted.add(index)
            continue
        pool = existing.get(to) or []
        if not pool:  # the other loaders did not run: kept for reference
            continue
        converted.add(index)
        target = pool[used.get(to, 0) % len(pool)]
        used[to] = used.get(to, 0) + 1
        with ctx.step(when, 960):
            Suggestion.objects.filter(pk=suggestion.pk).update(
                state="converted", target_kind=to, converted_on=when, version=suggestion.version + 1,
                **{to: target})
            audit.record(actor=ctx.staff, action="visit_suggestion.convert", obj=suggestion, committee=ctx.committee,
                         from_state="open", to_state="converted", payload={"to": to, to: target.pk, "linked": True})
    rest = [rows[i][0] for i in range(len(rows)) if i not in converted]
    keep_open = rest[-8:] if current else []
    for suggestion in rest:
        if suggestion in keep_open:
            continue
        with ctx.step(min(suggestion.visit.date + datetime.timedelta(days=10),
                          ctx.today - datetime.timedelta(days=1)), 970):
            services.suggestion_act(actor=ctx.staff, suggestion=suggestion, action="note", data={"note": NOTED})


def load(demo: dict, stdout=None) -> dict:
    from django.utils import timezone

    from xieshang.core import clock as core_clock

    today = timezone.localtime(core_clock.now()).date()
    ctx = Ctx(demo, today)
    lines = []
    for year in sorted(YEARS):
        if year > today.year:
            continue
        if PartyReport.objects.filter(committee=ctx.committee, year=year).exists():
            lines.append(f"  liaison {year}: already there")
            continue
        steps = _reports(ctx, year)
        made, revised = _rules(ctx, year)
        tasks = _tasks(ctx, year)
        visits, suggestions = _visits(ctx, year)
        lines.append(f"  liaison {year}: reports ({steps} steps), rules {made} made / {revised} revised, {tasks} tasks, "
                     f"{visits} visits, {suggestions} suggestions — through the services")
    if stdout is not None:
        stdout.write("Demo line to the Party committee:\n" + "\n".join(lines) + "\n")
    return {}
