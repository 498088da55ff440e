"""The official papers of the app, as Word files in the official layout (GB/T 9704, docs/documents.md), built only
from xieshang.core.documents' blocks; always in Chinese:

- the year's inspection and research plan (年度视察调研计划): the approval line (主席会议审议通过, 党委批准, with
  their dates and document numbers, as recorded), a table by planned month;
- an inspection's report (视察/考察/调研报告): the situation found, the recommendations, the recipients.

Who may download them is the callers' decision through selectors (the plan: the office and leaders; a report:
whoever may see the inspection)."""

from __future__ import annotations

from xieshang.core import clock
from xieshang.core import documents as blocks

from .models import Inspection, InspectionKind, PlanApproval

KIND = {InspectionKind.INSPECTION: "视察", InspectionKind.STUDY_VISIT: "考察", InspectionKind.RESEARCH: "调研"}
NUMERALS = "一二三四五六七八九十"


def _org(committee) -> str:
    return getattr(committee, "name", "") or ""


def approval_line(approval: PlanApproval | None) -> str:
    """本计划经…主席会议审议通过（文号），…经党委批准（文号）。 — what is recorded; "" when nothing is."""
    if approval is None:
        return ""
    line = f"本计划经{blocks.chinese_date(approval.chair_approved_on)}主席会议审议通过（{approval.chair_document}）"
    if approval.party_approved_on:
        line += f"，{blocks.chinese_date(approval.party_approved_on)}经党委批准（{approval.party_document}）"
    return line + "。"


def plan_docx(committee, year: int, rows: list[Inspection], approval: PlanApproval | None = None) -> bytes:
    """The year's plan: the approval line when recorded, one table row per inspection (month, kind, topic, sponsor,
    lead leader), cancelled ones left out; `rows` in the plan's order (the caller's selector)."""
    org = _org(committee)
    doc = blocks.new_document()
    blocks.red_header(doc, org, "办公室", rule=True)
    blocks.title(doc, f"{org}{year}年度视察考察调研工作计划")
    if approval is not None:
        blocks.body(doc, approval_line(approval))
    blocks.body(doc, f"根据年度协商工作安排，{year}年共安排视察、考察、调研{len(rows)}项，具体如下：")
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("月份", "形式", "题目", "牵头专委会", "牵头领导"), strict=True):
        blocks.table_cell(cell, text, bold=True, center=True, doc=doc)
    for r in rows:
        leader = (r.lead_leader.get_full_name() or r.lead_leader.username) if r.lead_leader_id else ""
        values = (f"{r.planned_month}月", KIND.get(r.kind, ""), r.title,
                  r.special_committee.name if r.special_committee_id else "", leader)
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            blocks.table_cell(cell, text, center=i in (0, 1), doc=doc)
    signed = (approval.party_approved_on or approval.chair_approved_on) if approval is not None else None
    blocks.signature(doc, f"{org}办公室", signed or clock.today())
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def plan_filename(year: int) -> str:
    return f"视察调研计划_{year}.docx"


def report_docx(inspection: Inspection, team: list, visits: list, recommendations: list) -> bytes:
    org = _org(inspection.committee)
    kind = KIND.get(inspection.kind, "视察")
    doc = blocks.new_document()
    blocks.red_header(doc, org, "", rule=True)
    blocks.title(doc, inspection.report_title or f"关于{inspection.title}的{kind}报告")
    if inspection.recipients:
        blocks.salutation(doc, inspection.recipients + "：")
    leaders = "、".join(t.member.name for t in team if t.role == "leader")
    names = "、".join(t.member.name for t in team)
    intro = f"按照{inspection.year}年度工作计划，{org}"
    if inspection.special_committee_id:
        intro += f"由{inspection.special_committee.name}牵头，"
    intro += f"组织{kind}组围绕“{inspection.title}”开展{kind}"
    if visits:
        places = "、".join(dict.fromkeys(v.place for v in visits))
        intro += f"，先后深入{places}等地"
    blocks.body(doc, intro + "。" + (f"{kind}组组长：{leaders}；成员：{names}。" if names else ""))
    n = 0
    if visits:
        blocks.heading(doc, f"{NUMERALS[n]}、{kind}日程")
        n += 1
        for v in visits:
            blocks.body(doc, f"{blocks.chinese_date(v.date)}，{v.place}" + (f"：{v.units}" if v.units else "") + "。")
    if inspection.findings:
        blocks.heading(doc, f"{NUMERALS[n]}、基本情况和存在的问题")
        n += 1
        blocks.body(doc, inspection.findings)
    if inspection.report_text:
        blocks.heading(doc, f"{NUMERALS[n]}、报告正文")
        n += 1
        blocks.body(doc, inspection.report_text)
    if recommendations:
        blocks.heading(doc, f"{NUMERALS[n]}、意见建议")
        for rec in recommendations:
            blocks.body(doc, f"（{rec.number}）{rec.text}")
    blocks.signature(doc, org, inspection.report_sent_on or clock.today())
    recipients = [p for p in inspection.recipients.replace("，", "、").replace(",", "、").split("、") if p.strip()]
    if recipients:
        blocks.cc_line(doc, "报送", recipients, top_rule=True)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def report_filename(inspection: Inspection) -> str:
    return f"{KIND.get(inspection.kind, '视察')}报告_{inspection.year}_{inspection.pk}.docx"
