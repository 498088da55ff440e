"""The official papers of the line to the Party committee, built only from core's Word blocks and written in
Chinese whatever the interface language:

- `report_docx(report)`: the report to the Party committee (请示报告) in the official layout — red header, the
  document number and the signer (签发人: the approving leader), the title, the addressee (中共…委员会：), the
  text, the committee's signature and date, and the copy line.
- `register_docx(committee, year)`: the year's register of reports (请示报告登记簿): one row per report with its
  kind, number, dates and the Party committee's instruction, then the counts by kind.
The year's register as Excel is the register list's export (lists.REPORTS, `?format=xlsx`).
The caller has checked that the user may see them (selectors: office and leaders only).
"""

from __future__ import annotations

from django.utils import translation

from xieshang.core import documents as blocks
from xieshang.core.models import PartyCommittee

from .models import PartyReport, ReportKind, ReportState

KIND_SHORT = {ReportKind.IMMEDIATE: "及时报", ReportKind.PERIODIC: "定期报", ReportKind.SPECIAL: "专项报"}


def _state(value) -> str:
    with translation.override("zh-hans"):
        return str(ReportState(value).label) if value in ReportState.values else value


def party_name(committee) -> str:
    """The addressee: the committee's Party committee (中共昌吉回族自治州委员会), else a generic name."""
    row = PartyCommittee.objects.filter(committee=committee).order_by("pk").first()
    return row.name if row is not None else f"中共{(committee.short_name or committee.name).replace('政协', '')}委员会"


def report_docx(report: PartyReport) -> bytes:
    committee = report.committee
    doc = blocks.new_document()
    blocks.red_header(doc, committee.name, "文件", rule=False)
    signer = report.approved_by.display_name if report.approved_by_id else ""
    blocks.document_number(doc, report.document_number or f"（登记号 {report.register_number}）", signer=signer,
                           rule=True)
    blocks.blank(doc)
    blocks.title(doc, report.title)
    blocks.salutation(doc, f"{party_name(committee)}：")
    blocks.body(doc, report.body)
    blocks.signature(doc, committee.name, report.sent_on or report.approved_on or report.created_at.date())
    if report.instruction:
        blocks.blank(doc)
        blocks.heading(doc, "附：批示情况")
        blocks.body(doc, f"{report.instruction_by}（{blocks.chinese_date(report.instruction_on)}）：{report.instruction}")
    blocks.cc_line(doc, "报送", [party_name(committee)], top_rule=True)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def report_filename(report: PartyReport) -> str:
    return f"请示报告_{report.register_number}.docx"


def _table(doc, widths_mm, head, rows):
    from docx.shared import Mm

    table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = "Table Grid"
    for values, is_head in ((head, True), *((r, False) for r in rows)):
        cells = table.add_row().cells
        for cell, width, text in zip(cells, widths_mm, values, strict=True):
            cell.width = Mm(width)
            blocks.table_cell(cell, str(text), bold=is_head, center=is_head, size=blocks.XIAOSI, doc=doc)
    return table


def register_rows(committee, year: int):
    return list(PartyReport.objects.filter(committee=committee, year=year).exclude(state=ReportState.WITHDRAWN)
                .select_related("approved_by").order_by("number"))


def register_docx(committee, year: int) -> bytes:
    rows = register_rows(committee, year)
    doc = blocks.new_document()
    blocks.red_header(doc, committee.name, "", rule=True)
    blocks.title(doc, f"{year}年度向党委请示报告登记簿")
    _table(doc, (12, 18, 52, 28, 22, 22, 32), ("序号", "类别", "标题", "文号", "报送日期", "状态", "批示情况"), [
        (r.number, KIND_SHORT.get(r.kind, r.kind), r.title, r.document_number,
         blocks.chinese_date(r.sent_on) if r.sent_on else "", _state(r.state),
         f"{r.instruction_by}：{r.instruction}" if r.instruction else "")
        for r in rows])
    blocks.blank(doc)
    counts = {k: sum(1 for r in rows if r.kind == k) for k in ReportKind.values}
    answered = sum(1 for r in rows if r.state == ReportState.ANSWERED)
    blocks.body(doc, f"全年登记请示报告{len(rows)}件，其中重要事项及时报{counts['immediate']}件、工作进展定期报"
                     f"{counts['periodic']}件、重要建言专项报{counts['special']}件；已获批示{answered}件。")
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def register_filename(year: int) -> str:
    return f"请示报告登记簿_{year}年.docx"
