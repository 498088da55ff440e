"""Excel export of the proposal statistics (the figures and the three breakdowns, one sheet each), written
through core.exports (title row, frozen header, counts as numbers, rates as numbers shown as percentages)."""

from __future__ import annotations


from django.utils.translation import gettext as _

from .proposal_stats import FIGURES, RATES


def _sheet(workbook, title, headers, rows, widths=None, *, heading=None, kinds=None):
    """One sheet of a statistics workbook through core.exports.write_table: the title row (`heading`, else
    the sheet's title), the header (frozen), the rows; the first column text, the others numbers unless
    `kinds` says ("percent" for a rate: a fraction shown as 92.5%). `widths`: {column number: width}."""
    from xieshang.core.exports import Col, write_table

    sheet = workbook.create_sheet(_sheet_name(title))
    kinds = kinds or {}
    columns = [Col(h, kinds.get(i, "text" if i == 1 else "number"), (widths or {}).get(i))
               for i, h in enumerate(headers, start=1)]
    write_table(sheet, title=heading or title, columns=columns, rows=rows)
    return sheet


def _sheet_name(title) -> str:
    text = "".join(ch for ch in str(title) if ch not in "[]:*?/\\").strip()
    return text[:31] or "Sheet"


def overview_rows(stats: dict, figures, figure_keys, rates) -> list:
    """The overview's rows: each figure a number, each rate a number shown as a percentage (none: empty)."""
    from xieshang.core.exports import Typed

    rows = [(str(figures[key].label), Typed(stats[key], "number")) for key in figure_keys]
    rows += [(str(label), Typed(stats[key], "percent")) for key, label in rates.items()]
    return rows


def statistics_workbook(stats: dict, scope_label: str, committee_name: str) -> bytes:
    from openpyxl import Workbook

    from xieshang.core.exports import workbook_bytes

    workbook = Workbook()
    workbook.remove(workbook.active)
    heading = f"{committee_name} · {scope_label}"
    _sheet(workbook, _("Overview"), [_("Figure"), _("Value")], overview_rows(stats, FIGURES, OVERVIEW_FIGURES, RATES),
           {1: 28, 2: 14}, heading=heading)
    _sheet(
        workbook, _("By handling unit"),
        [_("Handling unit"), _("Assignments"), _("As sole, lead or split unit"), _("As co-handling unit"),
         _("Replies"), _("Replied on time"), "A", "B", "C", _("Satisfied or basically satisfied"),
         _("Dissatisfied"), _("Reply rate"), _("On-time reply rate"), _("Satisfaction rate")],
        [(u["unit"], u["assignments"], u["answering"], u["co"], u["replies"], u["on_time"], u["outcome_a"],
          u["outcome_b"], u["outcome_c"], u["satisfied"] + u["basically_satisfied"], u["dissatisfied"],
          u["reply_rate"], u["on_time_reply_rate"], u["satisfaction_rate"])
         for u in stats["by_unit"]],
        heading=f"{heading} · {_('By handling unit')}", kinds={12: "percent", 13: "percent", 14: "percent"},
    )
    for title, first, rows in (
        (_("By category"), _("Category"), stats["by_category"]),
        (_("By sector"), _("Sector"), stats["by_sector"]),
    ):
        _sheet(workbook, title, [first, _("Received"), _("Registered"), _("Replied"), _("Reply rate")],
               [(r["label"], r["received"], r["registered"], r["replied"], r["reply_rate"]) for r in rows],
               heading=f"{heading} · {title}", kinds={5: "percent"})
    return workbook_bytes(workbook)


OVERVIEW_FIGURES = (
    "received", "under_review", "registered", "merged", "converted", "rejected", "withdrawn", "replied",
    "key", "excellent", "replies", "outcome_a", "outcome_b", "outcome_c", "on_time", "evaluated",
    "satisfied", "basically_satisfied", "dissatisfied", "not_evaluated",
)
