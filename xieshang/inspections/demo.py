"""Demo inspections, research and democratic supervision (昌吉州政协): `load(demo, stdout=None)`, called by
`xieshang demo` (declared in declarations.py).

What it makes (texts written for this project; a fixed seed, so every run writes the same):

* 2024, the seed's year: the research and inspection themes of the work review — 数字农业发展推进情况,
  the deep processing of the leading farm industries (番茄, 粮油, 葡萄酒), 硅基、铝基新材料产业, 普惠托育服务体系建设,
  医养康养融合发展 — 7 items (5 research, 1 study tour, 1 inspection), each with a team of members, visits,
  findings, a report with three recommendations sent to 州委、州政府 and every recommendation answered; two
  democratic supervision items; special supervisors appointed to three bodies that asked for one, with their
  half-yearly reports. Every supervision item that reported has two or three recommendations to the body
  supervised, answered when it is closed.
* 2025, complete on the same pattern (5 items, 2 supervision items).
* 2026 up to today (the demo clock: 2026-12-05), in progress: items closed, one report sent with an answer still
  open, one report drafted, one under way, one planned for December, one cancelled; a supervision item reported
  and one under way.
* Each year's plan approved by the chairpersons' meeting and then the Party committee (dates and document numbers),
  and every report sent to 州委、州政府 kept as a file of its item (the Word report, as the office files it).

Every step goes through the services with the clock set to its moment (core.demo_kit.clock), so states, versions,
audit events, deadlines and duty facts are the application's own (the inspections' services notify nobody; the
answers' deadline reminders come from the scheduler's job, not from the loader). Idempotent: a year that already has
inspections of the committee is left alone.
"""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from xieshang.core import clock as core_clock
from xieshang.core.documents import DOCX
from xieshang.core.demo_kit import at, clock
from xieshang.core.models import HandlingUnit, Member, Role, RoleAssignment, SpecialCommittee

from . import documents, selectors, services
from .models import FilePurpose, Inspection, PlanApproval, SpecialSupervisor

SEED = 1415

# (kind, month, topic, places, recommendations) — the 2024 themes of the work review
YEARS = {
    2024: [
        ("research", 3, "自治州数字农业发展推进情况调研", ["昌吉市", "呼图壁县"],
         ["加快建设全州农业大数据平台，打通涉农数据壁垒。", "扶持一批数字农业示范园区和智慧农场。",
          "加强基层农技人员数字技能培训。"]),
        ("research", 4, "番茄加工产业深加工调研", ["玛纳斯县", "昌吉市"],
         ["引导番茄加工企业向番茄红素等高附加值产品延伸。", "稳定原料种植面积，推广订单农业。",
          "支持企业开拓中亚和欧洲市场。"]),
        ("research", 5, "粮油加工产业深加工调研", ["奇台县", "吉木萨尔县"],
         ["培育粮油加工龙头企业，提高精深加工比重。", "打造区域公用品牌，提升产品溢价。",
          "完善仓储物流设施，降低流通成本。"]),
        ("study_visit", 6, "葡萄酒产业深加工考察", ["玛纳斯县", "呼图壁县"],
         ["推进酒庄与文旅融合，发展葡萄酒主题旅游。", "加强产区标准化和质量追溯体系建设。",
          "加大专业人才引进和培养力度。"]),
        ("research", 7, "硅基、铝基新材料产业发展调研", ["准东开发区", "阜康市"],
         ["延伸硅基、铝基产业链，引进下游精深加工项目。", "强化能耗和环保约束，推动绿色低碳发展。",
          "建立产业创新平台，加强产学研合作。"]),
        ("inspection", 9, "普惠托育服务体系建设视察", ["昌吉市", "阜康市"],
         ["加大普惠托位供给，支持用人单位办托。", "落实托育机构建设补助和运营补贴。",
          "加强托育从业人员培训和持证上岗。"]),
        ("research", 10, "医养康养融合发展调研", ["昌吉市", "木垒县"],
         ["推动医疗机构与养老机构签约合作全覆盖。", "发展社区嵌入式医养结合服务。",
          "完善长期护理保障政策。"]),
    ],
    2025: [
        ("research", 3, "设施农业提质增效调研", ["呼图壁县", "玛纳斯县"],
         ["推广节水节能型温室。", "完善设施农业用地保障。", "培育设施农业经营主体。"]),
        ("research", 5, "新型储能产业发展调研", ["准东开发区", "昌吉市"],
         ["完善储能项目规划布局。", "争取储能参与电力市场政策。", "引进储能装备制造企业。"]),
        ("study_visit", 6, "文旅融合发展考察", ["奇台县", "吉木萨尔县"],
         ["串联精品旅游线路。", "提升旅游公共服务设施。", "打造特色文旅品牌。"]),
        ("inspection", 8, "农村人居环境整治视察", ["木垒县", "阜康市"],
         ["健全村庄保洁长效机制。", "推进农村改厕后续管护。", "加大生活污水治理投入。"]),
        ("inspection", 10, "职业教育产教融合视察", ["昌吉市"],
         ["深化校企合作订单培养。", "建设共享型实训基地。", "完善产教融合激励政策。"]),
    ],
    2026: [
        ("research", 3, "高标准农田建设管护调研", ["奇台县"], ["明确管护主体责任。", "落实管护资金。"]),
        ("inspection", 4, "中小学教育资源配置视察", ["昌吉市", "呼图壁县"], ["优化学校布局。", "补齐城区学位缺口。"]),
        ("research", 6, "冬季清洁供暖保障调研", ["阜康市"], ["推进热源多元化。", "加强老旧管网改造。"]),
        ("study_visit", 8, "数字政府建设考察", ["昌吉市"], ["推进政务数据共享。", "提升“一网通办”水平。"]),
        ("research", 10, "基层医疗服务能力调研", ["玛纳斯县", "木垒县"], ["加强乡村医生队伍建设。"]),
        ("inspection", 11, "城市更新和老旧小区改造视察", ["昌吉市"], ["完善改造资金分担机制。"]),
        ("research", 12, "水资源节约集约利用调研", ["吉木萨尔县"], []),
    ],
}
# 2026: how far each item goes (in the order above); the rest of the years are closed
CURRENT = ["closed", "closed", "report_sent", "report_drafted", "under_way", "cancelled", "planned"]

SUPERVISION = {
    2024: [("农业面源污染防治工作民主监督", "州生态环境局"), ("普惠托育政策落实情况民主监督", "州卫生健康委员会")],
    2025: [("优化营商环境政策落实情况民主监督", "州发展和改革委员会"), ("养老服务补贴发放情况民主监督", "州民政局")],
    2026: [("医养结合机构服务质量民主监督", "州卫生健康委员会"), ("农村饮水安全工程运行管护民主监督", "州水利局")],
}
SUPERVISION_CURRENT = ["reported", "under_way"]

FINDINGS = ("{kind}组先后深入{places}，召开座谈会听取有关部门和企业情况介绍，实地查看项目建设和运营情况。"
            "\n总体看，{topic}取得积极进展，但仍存在统筹规划不足、要素保障不够、政策落实不到位等问题。")
REPORT = ("按照年度工作计划，州政协组织部分委员围绕{topic}开展{kind}。现将有关情况报告如下。"
          "\n一、基本情况\n{findings}\n二、意见建议\n针对上述问题，提出以下建议，供州委、州政府决策参考。")
ANSWERS = ["已采纳，列入{year}年度重点工作，由牵头部门制定落实方案。", "已部分采纳，结合财力状况分步推进。",
           "已采纳，相关政策已印发实施。", "暂不具备条件，已纳入下一阶段研究。"]
# the recommendations (意见建议) of a supervision item's report, to the body supervised
SUPERVISION_RECS = ["建议{body}建立问题清单和整改台账，明确责任单位和整改时限，逐项对账销号。",
                    "建议{body}加大资金统筹力度，及时足额拨付，防止基层因资金不到位影响政策落实。",
                    "建议{body}健全定期督查和通报制度，每半年向州政协书面通报整改进展。"]
KIND_WORD = {"research": "调研", "study_visit": "考察", "inspection": "视察"}


class _Loader:
    def __init__(self, demo):
        self.committee = demo["committee"]
        self.staff = demo["users"]["staff"] if "staff" in demo["users"] else next(
            ra.user for ra in RoleAssignment.objects.filter(committee=self.committee, role=Role.STAFF))
        self.members = list(Member.objects.filter(committee=self.committee, is_active=True).order_by("pk"))
        self.leaders = list(dict.fromkeys(RoleAssignment.objects.filter(committee=self.committee, role=Role.LEADER)
                                          .order_by("user_id").values_list("user_id", flat=True)))
        self.specials = list(SpecialCommittee.objects.filter(committee=self.committee).order_by("sort_order", "pk"))
        self.units = list(HandlingUnit.objects.filter(committee=self.committee, is_active=True).order_by("pk"))
        self.steps = 0

    def moment(self, day: datetime.date, minutes: int = 600):
        return clock(at(day, minutes))

    def act(self, obj, action, day, data=None, machine="inspection"):
        with self.moment(day):
            if machine == "inspection":
                services.inspection_act(actor=self.staff, inspection=obj, action=action, data=data or {})
            else:
                services.supervision_act(actor=self.staff, item=obj, action=action, data=data or {})
        obj.refresh_from_db()
        self.steps += 1

    def team(self, rnd, n=5) -> dict:
        chosen = rnd.sample(self.members, min(n, len(self.members)))
        return {"leaders": [chosen[0].pk], "members": [m.pk for m in chosen[1:]]}

    def inspection(self, year, index, row, until, today):
        kind, month, topic, places, recs = row
        rnd = random.Random(SEED + year * 100 + index)
        with self.moment(datetime.date(year, 1, 6)):
            obj = services.inspection_create(actor=self.staff, committee=self.committee, data={
                "kind": kind, "title": topic, "year": year, "planned_month": month,
                "purpose": f"了解{topic.removesuffix('调研').removesuffix('考察').removesuffix('视察')}情况，提出意见建议。",
                "lead_leader": self.leaders[index % len(self.leaders)] if self.leaders else None,
                "special_committee": self.specials[index % len(self.specials)].pk if self.specials else None})
        team = self.team(rnd)
        self.act(obj, "set_team", datetime.date(year, 1, 6), team)
        if until == "planned":
            return obj
        if until == "cancelled":
            self.act(obj, "cancel", datetime.date(year, month, 1), {"reason": "因州委工作安排调整，本次视察取消，相关内容并入下一年度计划。"})
            return obj
        start = datetime.date(year, month, 3)
        self.act(obj, "start", start)
        for n, place in enumerate(places):
            day = start + datetime.timedelta(days=1 + 2 * n)
            self.act(obj, "add_visit", day, {"date": day.isoformat(), "place": place,
                                             "units": f"{place}有关部门、企业和乡镇"})
        findings = FINDINGS.format(kind=KIND_WORD[kind], places="、".join(places), topic=topic.removesuffix(KIND_WORD[kind]))
        self.act(obj, "record_findings", start + datetime.timedelta(days=10), {"findings": findings})
        if until == "under_way":
            return obj
        for text in recs:
            self.act(obj, "add_recommendation", start + datetime.timedelta(days=12),
                     {"text": text, "recipient": "州政府" if rnd.random() < 0.7 else "州委"})
        self.act(obj, "draft_report", start + datetime.timedelta(days=18), {
            "report_title": f"关于{topic.removesuffix(KIND_WORD[kind])}的{KIND_WORD[kind]}报告",
            "report_text": REPORT.format(topic=topic.removesuffix(KIND_WORD[kind]), kind=KIND_WORD[kind], findings=findings),
            "author": team["members"][0] if team["members"] else team["leaders"][0]})
        if until == "report_drafted":
            return obj
        sent = start + datetime.timedelta(days=25)
        self.act(obj, "send_report", sent, {"recipients": "州委、州政府", "sent_on": sent.isoformat()})
        self.file_report(obj, sent)
        for k, rec in enumerate(obj.recommendations.order_by("number")):
            day = sent + datetime.timedelta(days=30 + 10 * k)
            if until == "report_sent" and k > 0 or day > today:
                break
            answer = ANSWERS[rnd.randrange(len(ANSWERS))]
            self.act(obj, "answer", day, {"recommendation": rec.pk, "answer": answer.format(year=year + 1),
                                          "answered_on": day.isoformat(), "adopted": not answer.startswith("暂不")})
        if until == "closed":
            self.act(obj, "close", sent + datetime.timedelta(days=70))
        return obj

    def file_report(self, obj, day):
        """The report as sent, kept as the item's file (purpose "report"), as the office uploads it."""
        data = documents.report_docx(obj, selectors.team_of(obj), list(obj.visits.all()),
                                     selectors.recommendations_of(obj))
        upload = SimpleUploadedFile(documents.report_filename(obj), data, content_type=DOCX)
        with self.moment(day, 660):
            services.attachment_add(actor=self.staff, obj=obj, file=upload, purpose=FilePurpose.REPORT)
        self.steps += 1

    def approval(self, year, today):
        """The year's plan: approved by the chairpersons' meeting in January, by the Party committee a fortnight later
        (the record is then final); a year whose Party approval would lie ahead of today keeps the first one only."""
        chair, party = datetime.date(year, 1, 3), datetime.date(year, 1, 17)
        data = {"chair_approved_on": chair.isoformat(), "chair_document": f"昌州政协主席会议纪要〔{year}〕1号"}
        with self.moment(chair):
            services.plan_approval_record(actor=self.staff, committee=self.committee, year=year, data=data)
        self.steps += 1
        if party > today:
            return
        data |= {"party_approved_on": party.isoformat(), "party_document": f"昌州党办发〔{year}〕{3 + year % 7}号"}
        with self.moment(party):
            services.plan_approval_record(actor=self.staff, committee=self.committee, year=year, data=data)
        self.steps += 1

    def supervision(self, year, index, row, until):
        title, body = row
        rnd = random.Random(SEED + year * 10 + index)
        with self.moment(datetime.date(year, 1, 8)):
            item = services.supervision_create(actor=self.staff, committee=self.committee, data={
                "title": title, "body": body, "year": year,
                "purpose": f"围绕{title.removesuffix('民主监督')}，组织委员开展监督性视察和座谈。",
                "special_committee": self.specials[(index + 2) % len(self.specials)].pk if self.specials else None})
        start = datetime.date(year, 5 + 3 * index, 10)
        self.act(item, "set_team", datetime.date(year, 1, 8), self.team(rnd, 4), machine="supervision")
        self.act(item, "start", start, machine="supervision")
        self.act(item, "record_findings", start + datetime.timedelta(days=7),
                 {"findings": f"{body}对照政策要求逐项推进，总体落实较好，但基层执行不平衡、资金拨付不及时的问题仍然存在。"},
                 machine="supervision")
        if until == "under_way":
            return item
        recipient = body[:60]
        for text in SUPERVISION_RECS[:2 + index % 2]:  # two or three recommendations
            self.act(item, "add_recommendation", start + datetime.timedelta(days=12),
                     {"text": text.format(body=body), "recipient": recipient}, machine="supervision")
        reported = start + datetime.timedelta(days=20)
        self.act(item, "report", reported,
                 {"report_text": f"关于{title.removesuffix('民主监督')}的民主监督报告：建议{body}建立问题清单，明确整改时限，定期向州政协通报进展。"},
                 machine="supervision")
        if until == "reported":
            return item
        for k, rec in enumerate(item.recommendations.order_by("number")):
            day = reported + datetime.timedelta(days=20 + 10 * k)
            self.act(item, "answer", day, {"recommendation": rec.pk, "answered_on": day.isoformat(), "adopted": True,
                                           "answer": f"{body}已采纳，制定整改方案并按期落实。"}, machine="supervision")
        self.act(item, "close", start + datetime.timedelta(days=60),
                 {"follow_up": f"{body}已制定整改方案，逐项销号，并书面反馈州政协。"}, machine="supervision")
        return item

    def supervisors(self, today):
        rnd = random.Random(SEED)
        made = 0
        for n, unit in enumerate(self.units[:4]):
            member = rnd.choice(self.members)
            start = datetime.date(2024, 3, 1)
            with self.moment(datetime.date(2024, 2, 20)):
                row = services.supervisor_appoint(actor=self.staff, committee=self.committee, data={
                    "member": member.pk, "unit": unit.pk, "requested_on": "2024-02-01",
                    "term_start": start.isoformat(), "term_end": "2027-02-28",
                    "note": f"应{unit.name}邀请推荐担任特邀监督员。"})
            made += 1
            day = datetime.date(2024, 6, 28)
            while day <= today:
                with self.moment(day):
                    services.supervisor_report_add(actor=self.staff, supervisor=row, data={
                        "date": day.isoformat(), "title": f"{day.year}年{'上' if day.month <= 6 else '下'}半年特邀监督工作报告",
                        "text": f"本半年参加{unit.name}行风评议和政策落实情况检查，提出改进意见{2 + n}条，已反馈该单位。"})
                self.steps += 1
                day = datetime.date(day.year, 12, 20) if day.month <= 6 else datetime.date(day.year + 1, 6, 28)
        return made

    def run(self, today) -> list[str]:
        lines = []
        for year, rows in YEARS.items():
            if year > today.year:
                continue
            if Inspection.objects.filter(committee=self.committee, year=year).exists():
                lines.append(f"  inspections {year}: already there")
                continue
            current = year == today.year
            if datetime.date(year, 1, 3) <= today and not PlanApproval.objects.filter(
                    committee=self.committee, year=year).exists():
                self.approval(year, today)
            for index, row in enumerate(rows):
                self.inspection(year, index, row, CURRENT[index] if current else "closed", today)
            for index, row in enumerate(SUPERVISION.get(year, [])):
                self.supervision(year, index, row, SUPERVISION_CURRENT[index] if current else "closed")
            lines.append(f"  inspections {year}: {len(rows)} items, {len(SUPERVISION.get(year, []))} supervision items")
        if not SpecialSupervisor.objects.filter(committee=self.committee).exists() and self.units and self.members:
            lines.append(f"  special supervisors: {self.supervisors(today)} appointed")
        return lines


def load(demo: dict, stdout=None) -> dict:
    """Create the demo inspections, supervision items and special supervisors of 2024–2026."""
    today = core_clock.today()
    loader = _Loader(demo)
    if not loader.members:
        return {}
    lines = loader.run(today)
    if stdout is not None:
        stdout.write("Demo inspections and democratic supervision:\n" + "\n".join(lines)
                     + f"\n  ({loader.steps} steps through the services)\n")
    return {}
