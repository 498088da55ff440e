"""Demo consultation work (协商) of 昌吉州政协: `load(demo, stdout=None)`, called by `xieshang demo` (declared in
declarations.py: `Declarations.demo_loaders`; runs after grassroots and before members, whose scores read the
attendance facts written here).

What it makes, for 2024 and 2025 (complete) and 2026 (in progress; the demo's today is 2026-12-05):
* The year's plan (年度协商计划): the call for topics in November of the year before, topics from the democratic
  parties, 工商联, 无党派人士 and the people's organisations (entered by the office), the special committees and
  members (in their own name); the office shortlists them by month, merges some into others and declines some
  with a reason; the chairpersons' meeting passes the plan in January, the Party committee approves it a
  fortnight later (dates and document numbers). 2024 on the seed's themes (铸牢中华民族共同体意识·青少年筑基,
  法治昌吉, 普惠托育, 农业面源污染防治 and 传统媒体与新媒体融合 as sector consultations, 提案办理对口协商 …).
* Each approved topic scheduled as a consultation meeting of its form, notified, held with attendance (a few
  on leave or absent), speeches and written statements, minutes, the outcome report (成果报送) to 州委、州政府 with
  their feedback, closed — every form at least once a year. 2026: the December meetings are planned or notified.
* The plenary session (全体会议, five half-days, in January) with attendance for every member (a few on
  approved leave, a few absent, some present for part of the half-days), speeches and written statements; four
  standing committee meetings (常委会议) and ten chairpersons' meetings (主席会议) a year.
* The 2027 call for topics, open until 2026-12-20, with the first topics received (the office has work).

Everything goes through the services with the clock set to each step's moment (core.demo_kit.clock), so the
audit events, deadlines and duty facts are the services' own; the attendance of a meeting is one call of
`attendance_record_many` (the duty facts through core.duty). Nobody is notified about history: notices are kept
only for the last weeks before the demo's today. Deterministic (a fixed seed). Idempotent: a year whose plan
exists is left alone.

Texts are written for this project.
"""

from __future__ import annotations

import contextlib
import datetime
import random

from xieshang.core import clock as core_clock
from xieshang.core.demo_kit import at, clock, history
from xieshang.core.models import Member, Organization, SpecialCommittee

from . import plan_services, services
from .models import ConsultationPlan, ConsultationTopic, Meeting, MeetingKind, Presence

SEED = 14
TODAY = datetime.date(2026, 12, 5)
NOTIFY_FROM = datetime.date(2026, 11, 1)  # history before this day notifies nobody

# (title, form, sponsor, source, who, month, outcome) — source: org | sc | member (who: a name, or a username);
# outcome: "plan", "decline:<reason>", "merge:<index of the topic it goes into>", "withdraw".
ECO, AGR, ENV, EDU, LAW, CUL, ETH, PROP = ("经济委员会", "农业和农村委员会", "人口资源环境委员会", "教科卫体委员会",
                                           "社会和法制委员会", "文化文史和学习委员会", "民族和宗教委员会", "提案委员会")
TOPICS = {
    2024: [
        ("实施青少年筑基工程，推动铸牢中华民族共同体意识教育贯穿大中小幼各学段", "thematic", ETH, "sc", ETH, 5, "plan"),
        ("推进法治昌吉、法治政府、法治社会一体建设", "standing_thematic", LAW, "org", "民盟昌吉州委员会", 9, "plan"),
        ("加快普惠托育服务体系建设，破解“一小”难题", "thematic", EDU, "org", "农工党昌吉州委员会", 7, "plan"),
        ("加强农业面源污染防治，守护绿色发展底色", "sector", AGR, "org", "九三学社昌吉州委员会", 6, "plan"),
        ("推动传统媒体与新媒体融合发展，壮大主流舆论", "sector", CUL, "member", "member", 8, "plan"),
        ("重点提案办理对口协商：提案人与承办单位面对面", "proposal_handling", PROP, "sc", PROP, 4, "plan"),
        ("延伸番茄、粮油、葡萄酒产业链，做强优势农产品深加工", "counterpart", ECO, "org", "昌吉州工商业联合会", 10, "plan"),
        ("依法管理宗教事务，加强宗教工作“三支队伍”建设", "counterpart", ETH, "org", "无党派人士", 6, "plan"),
        ("推进医养康养融合发展，办好社区嵌入式养老", "grassroots", EDU, "org", "民进昌吉州委员会", 9, "plan"),
        ("聚焦“典范地州”目标，凝聚高质量发展合力", "plenary_thematic", ECO, "org", "民建昌吉州委员会", 2, "plan"),
        ("发展普惠托育，减轻双职工家庭育儿负担", "thematic", EDU, "org", "昌吉州妇女联合会", 7, "merge:2"),
        ("关注青少年心理健康，筑牢成长根基", "thematic", EDU, "org", "共青团昌吉州委员会", 5, "merge:0"),
        ("推进数字农业发展，建设智慧农田", "thematic", AGR, "member", 3, 6,
         "decline:已列入州政协年度调研计划，由农业和农村委员会开展专题调研，调研成果报州党委、州政府。"),
        ("凝侨心聚侨力，引导华人华侨投身“典范地州”建设", "thematic", ETH, "org", "致公党昌吉州支部", 11,
         "decline:以“凝侨心聚侨力”专题活动形式开展，不列入年度协商计划。"),
        ("缓解老城区停车难问题", "grassroots", LAW, "member", 11, 5, "decline:事项较为具体，建议以提案形式提出，由提案委员会跟踪办理。"),
        ("硅基、铝基新材料产业链招商与配套", "counterpart", ECO, "member", 21, 11, "withdraw"),
    ],
    2025: [
        ("推动新型工业化，培育硅基铝基新材料产业集群", "standing_thematic", ECO, "org", "民建昌吉州委员会", 6, "plan"),
        ("发展庭院经济，促进农民增收", "thematic", AGR, "sc", AGR, 5, "plan"),
        ("加强天山北坡水资源节约集约利用", "sector", ENV, "org", "九三学社昌吉州委员会", 7, "plan"),
        ("县域医共体建设与基层医疗服务能力提升", "thematic", EDU, "org", "农工党昌吉州委员会", 8, "plan"),
        ("重点提案办理对口协商：优化营商环境", "proposal_handling", PROP, "sc", PROP, 4, "plan"),
        ("文旅融合发展，擦亮“天山北坡”旅游品牌", "counterpart", CUL, "org", "昌吉州工商业联合会", 9, "plan"),
        ("深化“有事昌商量·邀你建吉言”，推进基层协商提质增效", "grassroots", LAW, "member", "member", 10, "plan"),
        ("铸牢中华民族共同体意识，促进各民族广泛交往交流交融", "plenary_thematic", ETH, "org", "无党派人士", 3, "plan"),
        ("职业教育与产业需求对接", "sector", EDU, "org", "民进昌吉州委员会", 11, "plan"),
        ("发展乡村旅游，建设美丽乡村", "counterpart", CUL, "member", 31, 9, "merge:5"),
        ("新能源汽车充电设施建设", "thematic", ECO, "member", "member", 6,
         "decline:相关部门已列入年度民生实事，建议通过社情民意信息渠道反映具体问题。"),
        ("规范校外培训机构管理", "thematic", EDU, "org", "共青团昌吉州委员会", 8, "decline:已由州教育部门开展专项治理，暂不列入协商计划。"),
    ],
    2026: [
        ("服务全国统一大市场建设，打造向西开放物流枢纽", "standing_thematic", ECO, "org", "民建昌吉州委员会", 6, "plan"),
        ("推进高标准农田建设与种业振兴", "thematic", AGR, "sc", AGR, 5, "plan"),
        ("加强“一老一小”服务，建设儿童友好城市", "thematic", EDU, "org", "昌吉州妇女联合会", 7, "plan"),
        ("推进城乡生活垃圾分类与资源化利用", "sector", ENV, "org", "九三学社昌吉州委员会", 8, "plan"),
        ("重点提案办理对口协商：乡村振兴", "proposal_handling", PROP, "sc", PROP, 4, "plan"),
        ("非遗保护传承与文创产业发展", "counterpart", CUL, "org", "民进昌吉州委员会", 9, "plan"),
        ("物业服务与老旧小区改造", "grassroots", LAW, "member", 41, 10, "plan"),
        ("提升民营企业融资便利度", "plenary_thematic", ECO, "org", "昌吉州工商业联合会", 3, "plan"),
        ("推动公共法律服务体系向基层延伸", "counterpart", LAW, "org", "民盟昌吉州委员会", 11, "plan"),
        ("加强冬季供热保障和管网改造", "sector", ENV, "member", "member", 12, "plan"),
        ("中小学课后服务提质", "thematic", EDU, "org", "共青团昌吉州委员会", 12, "plan"),
        ("加强社区养老服务", "thematic", EDU, "member", 51, 7, "merge:2"),
        ("发展低空经济", "thematic", ECO, "member", 61, 10, "decline:条件尚不成熟，建议先由经济委员会开展调研。"),
    ],
}
# The 2027 call: topics received so far (the office decides them).
TOPICS_2027 = [
    ("推进天山北坡城市群协同发展", "standing_thematic", ECO, "org", "民建昌吉州委员会"),
    ("加强耕地保护和盐碱地综合利用", "sector", AGR, "org", "九三学社昌吉州委员会"),
    ("推动托育服务与学前教育衔接", "thematic", EDU, "member", "member"),
    ("完善社区矛盾纠纷多元化解机制", "grassroots", LAW, "sc", LAW),
]

REASONS = ("这是全州经济社会发展中的重点难点问题，群众关注度高。", "州党委、州政府已作出部署，需要凝聚各方共识、推动落实。",
           "我们在调研中发现，政策落地还有“最后一公里”问题，需要协商推动。", "相关部门工作基础较好，协商有条件取得实效。")
FEEDBACK = ("州委主要领导批示：成果很有参考价值，请相关部门认真研究吸收。", "州政府已将协商建议纳入年度重点工作安排，分解到有关部门落实。",
            "有关部门已制定落实方案，部分建议已转化为政策措施。")


def _step(day: datetime.date, minute: int = 600):
    """The clock at `day` (10:00 by default), quiet before the last weeks."""
    stack = contextlib.ExitStack()
    stack.enter_context(clock(at(day, minute)))
    stack.enter_context(history(day < NOTIFY_FROM))
    return stack


class Loader:
    def __init__(self, demo):
        self.committee = demo["committee"]
        self.staff = demo["users"]["staff"]
        self.rng = random.Random(SEED)
        members = list(Member.objects.filter(committee=self.committee, is_active=True).select_related("user")
                       .order_by("id"))
        self.members = members
        self.by_user = {m.user.username: m for m in members if m.user_id}
        self.standing = [m for m in members if m.is_standing_committee_member]
        leader = self.by_user.get("leader")
        self.chairs = ([leader] if leader else []) + [m for m in self.standing if m is not leader][:7]
        self.orgs = {o.name: o for o in Organization.objects.filter(committee=self.committee)}
        self.scs = {s.name: s for s in SpecialCommittee.objects.filter(committee=self.committee)}
        self.count = {"topics": 0, "meetings": 0, "attendance": 0}
        by_id = {m.pk: m for m in members}
        self.sc_members: dict[int, list[Member]] = {}
        for m, sc in Member.special_committees.through.objects.filter(member__committee=self.committee).order_by(
                "member_id").values_list("member_id", "specialcommittee_id"):
            if m in by_id:
                self.sc_members.setdefault(sc, []).append(by_id[m])

    # --- the plan ---------------------------------------------------------------------------------------------

    def _member(self, who) -> Member:
        return self.by_user[who] if isinstance(who, str) else self.members[who % len(self.members)]

    def _submit(self, year, spec, day):
        title, form, sponsor, source, who = spec[:5]
        data = {"title": title, "form": form, "sponsor": self.scs[sponsor].pk, "year": year,
                "reason": f"{title}。{self.rng.choice(REASONS)}建议围绕这一议题开展协商，提出务实管用的对策建议。"}
        actor = self.staff
        if source == "member":
            member = self._member(who)
            actor, data["source"] = member.user, "member"
        elif source == "org":
            data.update(source="organization", organization=self.orgs[who].pk)
        else:
            data.update(source="special_committee", special_committee=self.scs[who].pk)
        with _step(day, 540 + self.rng.randrange(400)):
            topic = plan_services.topic_submit(actor=actor, committee=self.committee, data=data)
        self.count["topics"] += 1
        return topic

    def plan(self, year: int, specs) -> list:
        call_day = datetime.date(year - 1, 11, 10)
        with _step(call_day):
            plan = plan_services.plan_create(actor=self.staff, committee=self.committee, data={
                "year": year, "deadline": datetime.date(year - 1, 12, 10),
                "text": f"请各民主党派、工商联、无党派人士、各人民团体、各专门委员会和全体委员围绕州党委中心工作和"
                        f"群众关切，提出{year}年度重点协商议题建议，于{year - 1}年12月10日前报送州政协办公室。"})
        topics = [self._submit(year, spec, call_day + datetime.timedelta(days=5 + i)) for i, spec in enumerate(specs)]
        decide = datetime.date(year - 1, 12, 18)
        for topic, spec in zip(topics, specs, strict=True):
            outcome, month = spec[6], spec[5]
            with _step(decide):
                if outcome == "plan":
                    plan_services.topic_shortlist(actor=self.staff, topic=topic, month=month)
                elif outcome.startswith("decline:"):
                    plan_services.topic_decline(actor=self.staff, topic=topic, reason=outcome.split(":", 1)[1])
                elif outcome == "withdraw":
                    plan_services.topic_withdraw(actor=topic.submitted_by, topic=topic)
        for topic, spec in zip(topics, specs, strict=True):
            if spec[6].startswith("merge:"):
                with _step(decide, 700):
                    plan_services.topics_merge(actor=self.staff, into=topics[int(spec[6].split(":")[1])], topics=[topic])
        with _step(datetime.date(year, 1, 12)):
            plan_services.plan_approve_chair(actor=self.staff, plan=plan, date=datetime.date(year, 1, 12),
                                             document=f"州政协主席会议纪要〔{year}〕1号")
        with _step(datetime.date(year, 1, 26)):
            plan_services.plan_approve_party(actor=self.staff, plan=plan, date=datetime.date(year, 1, 26),
                                             document=f"昌州党办〔{year}〕{7 + year % 10}号")
        return [t for t in ConsultationTopic.objects.filter(plan=plan, state="approved").order_by("month", "id")]

    # --- meetings -------------------------------------------------------------------------------------------

    def _day_in(self, year, month, lo=8, hi=26) -> datetime.date:
        day = datetime.date(year, month, self.rng.randint(lo, hi))
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    def _invited(self, meeting) -> list[Member]:
        ids = set(meeting.invitations.values_list("member_id", flat=True))
        return [m for m in self.members if m.pk in ids]

    def run(self, meeting: Meeting, *, leaves=0, absences=0, partial=0, speeches=(3, 1), outcome=True) -> None:
        """Notice, materials, leave, held, attendance, speeches, minutes, outcome report and feedback, closed — as
        far as the demo's today allows."""
        start, end = meeting.start_on, meeting.end_on
        if start - datetime.timedelta(days=21) > TODAY:
            return
        with _step(min(start - datetime.timedelta(days=21), TODAY), 560):
            services.meeting_notify(actor=self.staff, meeting=meeting)
        with _step(min(start - datetime.timedelta(days=14), TODAY), 580):
            services.meeting_act(actor=self.staff, meeting=meeting, action="send_materials")
        invited = self._invited(meeting)
        rng = self.rng
        picked = rng.sample(invited, min(len(invited), leaves + absences + partial)) if invited else []
        on_leave, absent, part = picked[:leaves], picked[leaves:leaves + absences], picked[leaves + absences:]
        for i, m in enumerate(on_leave):
            if start - datetime.timedelta(days=3) > TODAY:
                break
            with _step(start - datetime.timedelta(days=5 - i % 3), 620 + i):
                row = services.leave_request(actor=m.user, meeting=meeting,
                                             reason=rng.choice(("因公出差，无法参会。", "身体不适，需住院治疗。",
                                                                "单位有紧急任务，无法脱身。")))
            with _step(start - datetime.timedelta(days=2), 640 + i):
                services.leave_decide(actor=self.staff, leave=row, approve=True, answer="同意。")
        if start > TODAY:
            return
        with _step(start, 510):
            services.meeting_hold(actor=self.staff, meeting=meeting)
            leave_ids, absent_ids, part_ids = ({m.pk for m in on_leave}, {m.pk for m in absent}, {m.pk for m in part})
            rows = []
            for m in invited:
                if m.pk in leave_ids:
                    continue  # their approved leave is their row already
                status = Presence.ABSENT if m.pk in absent_ids else Presence.PRESENT
                half = meeting.half_days
                if m.pk in part_ids and half > 1:
                    half = rng.randint(1, half - 1)
                rows.append({"member": m.pk, "status": status, "half_days": half})  # absent: the half-days missed
            self.count["attendance"] += services.attendance_record_many(actor=self.staff, meeting=meeting, rows=rows)
            present = [m for m in invited if m.pk not in leave_ids | absent_ids]
            oral, written = speeches
            for i, m in enumerate(rng.sample(present, min(len(present), oral + written))):
                kind = "oral" if i < oral else "written"
                services.speech_add(actor=self.staff, meeting=meeting, data={
                    "member": m.pk, "kind": kind,
                    "title": f"{'发言' if kind == 'oral' else '书面发言'}：关于{meeting.title[:40]}的几点建议",
                    "text": "围绕会议议题，结合本界别群众意见和调研情况，提出了具体建议。"})
        if end + datetime.timedelta(days=3) > TODAY:
            return
        with _step(end + datetime.timedelta(days=3)):
            services.meeting_send_minutes(actor=self.staff, meeting=meeting,
                                          minutes=f"{meeting.title}于{start:%Y年%m月%d日}召开。会议听取了有关情况通报，"
                                                  "与会委员围绕议题充分协商讨论，形成了协商意见。")
        if outcome and end + datetime.timedelta(days=6) <= TODAY:
            with _step(end + datetime.timedelta(days=6)):
                report = services.outcome_report_add(actor=self.staff, meeting=meeting, data={
                    "title": f"关于“{meeting.title[:60]}”的协商成果报告",
                    "text": f"州政协围绕{meeting.title}开展协商。委员们认为，各有关方面工作取得积极成效，同时还存在一些短板。"
                            "建议：一是加强统筹协调，完善工作机制；二是加大政策支持和要素保障；三是强化督促落实，"
                            "定期评估成效。", "recipients": ["州委", "州政府"]})
            if end + datetime.timedelta(days=30) <= TODAY:
                first = report.recipients.order_by("id").first()
                with _step(end + datetime.timedelta(days=30)):
                    services.feedback_record(actor=self.staff, meeting=meeting, data={
                        "recipient": first.pk, "feedback": rng.choice(FEEDBACK)})
        if end + datetime.timedelta(days=8) <= TODAY:
            with _step(end + datetime.timedelta(days=8)):
                services.meeting_close(actor=self.staff, meeting=meeting)

    def meeting(self, kind, title, start, *, half_days=1, members=(), days=1, place="州政协三楼会议室", **run):
        with _step(start - datetime.timedelta(days=35)):
            meeting = services.meeting_create(actor=self.staff, committee=self.committee, data={
                "kind": kind, "title": title, "start_on": start, "end_on": start + datetime.timedelta(days=days - 1),
                "half_days": half_days, "place": place, "members": [m.pk for m in members],
                "notice": "请各位委员按时参会，会前认真阅读会议材料。"})
        self.count["meetings"] += 1
        self.run(meeting, outcome=False, **run)  # the outcome report (成果报送) is the consultation meetings'
        return meeting

    def schedule(self, topic) -> None:
        start = self._day_in(topic.year, topic.month)
        if topic.year == TODAY.year and topic.month == 12:
            start = datetime.date(2026, 12, 15 if topic.form == "sector" else 22)
        sponsor_members = self.sc_members.get(topic.sponsor_id, self.standing)
        members = []
        if topic.form not in ("plenary_thematic", "standing_thematic"):
            members = [m.pk for m in self.rng.sample(sponsor_members, min(24, len(sponsor_members)))]
        with _step(min(start - datetime.timedelta(days=40), TODAY)):
            topic = plan_services.topic_schedule(actor=self.staff, topic=topic, data={
                "start_on": start, "half_days": 1, "place": "州政协三楼会议室", "members": members})
        self.count["meetings"] += 1
        big = topic.form in ("plenary_thematic", "standing_thematic")
        self.run(topic.meeting, leaves=3 if big else 1, absences=2 if big else 1, speeches=(5, 3) if big else (4, 1))

    def year(self, year: int) -> None:
        approved = self.plan(year, TOPICS[year])
        plenary = datetime.date(year, 1, {2024: 8, 2025: 6, 2026: 7}[year])
        self.meeting(MeetingKind.PLENARY, f"政协昌吉州第十三届委员会第{year - 2021}次会议", plenary, half_days=5, days=3,
                     place="昌吉州人民会堂", leaves=6, absences=3, partial=8, speeches=(8, 14))
        for month in (3, 6, 9, 12):
            self.meeting(MeetingKind.STANDING, f"政协昌吉州第十三届委员会常务委员会第{(year - 2023) * 4 + month // 3}次会议",
                         datetime.date(year, month, 18 if month == 12 else self._day_in(year, month, 14, 20).day),
                         half_days=2, leaves=2, absences=1, partial=2, speeches=(4, 3))
        for i, month in enumerate((1, 2, 3, 4, 5, 7, 8, 10, 11, 12)):
            day = datetime.date(year, month, 10) if month == 12 else self._day_in(year, month, 3, 12)
            if month == 1:
                day = datetime.date(year, 1, 12)
            self.meeting(MeetingKind.CHAIRPERSONS, f"{year}年第{i + 1}次主席会议", day, members=self.chairs,
                         place="州政协二楼会议室", speeches=(0, 0))
        for topic in approved:
            self.schedule(topic)

    def next_call(self) -> None:
        with _step(datetime.date(2026, 11, 20)):
            plan_services.plan_create(actor=self.staff, committee=self.committee, data={
                "year": 2027, "deadline": datetime.date(2026, 12, 20),
                "text": "请各参加单位、各专门委员会和全体委员提出2027年度重点协商议题建议，于2026年12月20日前报送。"})
        for i, (title, form, sponsor, source, who) in enumerate(TOPICS_2027):
            self._submit(2027, (title, form, sponsor, source, who), datetime.date(2026, 11, 24 + i * 2))


def load(demo, stdout=None):
    committee = demo["committee"]
    done = set(ConsultationPlan.objects.filter(committee=committee).values_list("year", flat=True))
    if {2024, 2025, 2026, 2027} <= done:
        return None
    loader = Loader(demo)
    fixed = core_clock.now() if core_clock.is_fixed() else None
    for year in (2024, 2025, 2026):
        if year not in done:
            loader.year(year)
    if 2027 not in done:
        loader.next_call()
    core_clock.set_to(fixed)
    if stdout is not None:
        stdout.write(f"consultation: {loader.count['topics']} topics, {loader.count['meetings']} meetings, "
                     f"{loader.count['attendance']} attendance rows\n")
    return None

