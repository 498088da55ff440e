"""Excel export of the proposal statistics (the figures and the three breakdowns, one sheet each)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .proposal_stats import FIGURES, RATES


def _sheet(workbook, title, headers, rows, widths=None):
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])
    sheet.append(headers)
    for index in range(1, len(headers) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3EDE4")
        sheet.column_dimensions[get_column_letter(index)].width = (widths or {}).get(index, 14)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    return sheet


def statistics_workbook(stats: dict, scope_label: str, committee_name: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    overview = [(str(FIGURES[key].label), stats[key]) for key in OVERVIEW_FIGURES]
    for key, label in RATES.items():
        overview.append((str(label), stats[f"{key}_display"]))
    sheet = _sheet(workbook, _("Overview"), [_("Figure"), _("Value")], overview, {1: 28, 2: 14})
    sheet.insert_rows(1, 2)
    sheet.cell(row=1, column=1, value=f"{committee_name} · {scope_label}")
    _sheet(
        workbook, _("By handling unit"),
        [_("Handling unit"), _("Assignments"), _("As sole, lead or split unit"), _("As co-handling unit"),
         _("Replies"), _("Replied on time"), "A", "B", "C", _("Satisfied or basically satisfied"),
         _("Dissatisfied"), _("Reply rate"), _("On-time reply rate"), _("Satisfaction rate")],
        [(u["unit"], u["assignments"], u["answering"], u["co"], u["replies"], u["on_time"], u["outcome_a"],
          u["outcome_b"], u["outcome_c"], u["satisfied"] + u["basically_satisfied"], u["dissatisfied"],
          u["reply_rate_display"], u["on_time_reply_rate_display"], u["satisfaction_rate_display"])
         for u in stats["by_unit"]],
        {1: 30},
    )
    for title, first, rows in (
        (_("By category"), _("Category"), stats["by_category"]),
        (_("By sector"), _("Sector"), stats["by_sector"]),
    ):
        _sheet(workbook, title, [first, _("Received"), _("Registered"), _("Replied"), _("Reply rate")],
               [(r["label"], r["received"], r["registered"], r["replied"], r["reply_rate_display"]) for r in rows],
               {1: 24})
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


OVERVIEW_FIGURES = (
    "received", "under_review", "registered", "merged", "converted", "rejected", "withdrawn", "replied",
    "key", "excellent", "replies", "outcome_a", "outcome_b", "outcome_c", "on_time", "evaluated",
    "satisfied", "basically_satisfied", "dissatisfied", "not_evaluated",
)
