"""The year's consultation plan (年度协商工作计划) as a Word file in the official layout (GB/T 9704,
docs/documents.md), built from xieshang.core.documents' blocks; always in Chinese. Who may download it: the
office and leaders (the view asks plan_selectors)."""

from __future__ import annotations

from xieshang.core import clock
from xieshang.core import documents as blocks

from .documents import FORM
from .models import ConsultationPlan, ConsultationTopic, MeetingForm, PlanState, TopicState

ORDER = ("plenary_thematic", "standing_thematic", "thematic", "sector", "counterpart", "proposal_handling", "grassroots")
NUMERALS = "一二三四五六七八九十"


def plan_docx(plan: ConsultationPlan) -> bytes:
    org = getattr(plan.committee, "name", "") or ""
    topics = list(ConsultationTopic.objects.filter(plan=plan, state__in=[TopicState.SHORTLISTED, TopicState.APPROVED,
                                                                         TopicState.SCHEDULED])
                  .select_related("sponsor", "meeting").order_by("month", "id"))
    doc = blocks.new_document()
    blocks.red_header(doc, org, "文件", rule=True)
    if plan.party_document:
        blocks.document_number(doc, plan.party_document)
    blocks.title(doc, f"{org}{plan.year}年度协商工作计划")
    if plan.state == PlanState.DRAFT:
        blocks.body(doc, "（草案）")
    lead = (f"根据州党委年度协商计划要求，经广泛征集各民主党派、工商联、无党派人士、各人民团体、各专门委员会和委员意见，"
            f"制定{plan.year}年度协商工作计划如下。")
    if plan.chair_approved_on:
        lead += f"本计划经{blocks.chinese_date(plan.chair_approved_on)}主席会议审议通过（{plan.chair_document}）"
        if plan.party_approved_on:
            lead += f"，报经州党委{blocks.chinese_date(plan.party_approved_on)}同意（{plan.party_document}）"
        lead += "。"
    blocks.body(doc, lead)
    n = 0
    for form in ORDER:
        rows = [t for t in topics if t.form == form]
        if not rows:
            continue
        blocks.heading(doc, f"{NUMERALS[n]}、{FORM.get(form, MeetingForm(form).label)}")
        n += 1
        for i, t in enumerate(rows, 1):
            when = (f"{blocks.chinese_date(t.meeting.start_on)}" if t.meeting_id else f"{t.month}月")
            sponsor = f"；牵头：{t.sponsor.name}" if t.sponsor_id else ""
            blocks.body(doc, f"{i}. {t.title}（时间：{when}{sponsor}）")
    if not topics:
        blocks.body(doc, "（尚无列入计划的议题。）")
    blocks.signature(doc, org, plan.party_approved_on or plan.chair_approved_on or clock.today())
    blocks.cc_line(doc, "报送", ["州委", "州政府"], top_rule=True)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def plan_filename(plan: ConsultationPlan) -> str:
    return f"协商工作计划_{plan.year}.docx"
