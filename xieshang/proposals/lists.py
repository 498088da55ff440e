"""The proposal list, defined once (xieshang.core.lists): the staff list page (its table head and sort
links, its sort and page-size choices), GET /api/v1/proposals (the `sort` values) and the Excel exports
(the page's export, the API's export and the background ones) all read `PROPOSALS`.

Layouts: "page" (the staff list's table), "export" (the staff list's Excel export and background
exports from the pages) and "export_api" (the columns of GET /api/v1/proposals/export.xlsx, kept for
its clients). The export's `value`s read `xieshang.proposals.exports._Row` with the labels of
`exports._labels()`.
"""

from __future__ import annotations

import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort


def _next_due() -> dict:
    from .selectors import _next_due_subquery

    return {"next_due": _next_due_subquery()}


def _units(p, labels, separator) -> str:
    return separator.join(f"{name}（{labels['role'].get(role, role)}）" for name, role, *_rest in p.assignments)


def _reply_due(p) -> datetime.date | None:
    return min((due for _name, _role, due, *_rest in p.assignments if due), default=None)


def _per_unit(p, values) -> str:
    """One value per replying unit of the latest round: the value alone for one unit, 单位：值；… for several."""
    pairs = [(unit, value) for unit, value in values if value]
    if len(pairs) == 1:
        return pairs[0][1]
    return "；".join(f"{unit}：{value}" for unit, value in pairs)


def _outcomes(p, labels) -> str:
    return _per_unit(p, [(unit, labels["outcome"].get(outcome, outcome)) for _r, unit, outcome, _v in p.replies])


def _verdicts(p, labels) -> str:
    return _per_unit(p, [(unit, labels["verdict"].get(verdict, verdict) if verdict else "")
                         for _r, unit, _o, verdict in p.replies])


# The columns offices ask for beyond the list's own (both exports end with them): 附议人, 答复类别, 评价,
# 答复日期, 办理期限, 超期天数 (a number).
OFFICE_COLUMNS = (
    Column("cosigners", _("Co-signers"), value=lambda p, labels: "、".join(p.cosigners)),
    Column("outcome", _("Outcome"), value=_outcomes),
    Column("verdict", _("Verdict"), value=_verdicts),
    Column("replied_on", _("Reply date"), value=lambda p, labels: _local_date(p.replied_at)),
    Column("handling_due", _("Handling due"), value=lambda p, labels: _reply_due(p)),
    Column("overdue_days", _("Overdue days"), value=lambda p, labels: p.overdue_days, numeric=True),
)


def _local_date(value) -> datetime.date | None:
    return timezone.localtime(value).date() if value else None


def _local_naive(value) -> datetime.datetime | None:
    """A moment as the local wall-clock time (Excel has no time zones)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _choice(field):
    return lambda p, labels: labels[field].get(getattr(p, field), getattr(p, field))


def _yes_no(field):
    return lambda p, labels: labels["yes"] if getattr(p, field) else labels["no"]


PROPOSALS = ListDef(
    name="proposals",
    columns=(
        Column("number", _("Number"), sort="number", value=lambda p, labels: p.number or ""),
        Column("title", _("Subject"), sort="title", value=lambda p, labels: p.title),
        Column("state", _("State"), sort="state", value=_choice("state")),
        Column("kind", _("Proposal kind"), value=_choice("kind")),
        Column("category", _("Category"), value=_choice("category")),
        Column("proposer", _("Proposer"), value=lambda p, labels: p.proposer_name),
        Column("sector", _("Sector"), value=lambda p, labels: p.sector_name),
        Column("units", _("Handling units"), value=lambda p, labels: _units(p, labels, "；")),
        Column("reply_due", _("Reply due"), sort="due_date", value=lambda p, labels: _reply_due(p) or ""),
        Column("key", _("Key proposal"), value=_yes_no("is_key")),
        Column("excellent", _("Excellent proposal"), value=_yes_no("is_excellent")),
        Column("submitted_on", _("Submitted on"), value=lambda p, labels: _local_date(p.submitted_at) or ""),
    ),
    sorts=(
        Sort("-created_at", _("Newest first"), ("-created_at", "-id")),
        # unnumbered proposals (not registered yet) after the numbered ones, on every database
        Sort("number", _("Number, ascending"), (F("session__year").asc(), F("sequence").asc(nulls_last=True), "id")),
        Sort("-number", _("Number, descending"),
             (F("session__year").desc(), F("sequence").desc(nulls_last=True), "-id")),
        Sort("title", _("Subject"), ("title", "id")),
        Sort("due_date", _("Reply due"), (F("next_due").asc(nulls_last=True), "id"), annotate=_next_due),
        Sort("state", _("State"), ("state", "-created_at", "-id")),
    ),
    default_sort="-created_at",
    filters=(
        Filter("q", _("Search")),
        Filter("session", _("Plenary session"), "int"),
        Filter("year", _("Year"), "int"),
        Filter("state", _("State"), "choice"),
        Filter("category", _("Category"), "choice"),
        Filter("unit", _("Handling unit"), "int"),
        Filter("sector", _("Sector"), "choice"),
        Filter("key", _("Key proposals only"), "flag"),
        Filter("overdue", _("Overdue only"), "flag"),
    ),
    layouts={
        "page": Layout(("number", "title", "proposer", "category", "state", "units", "reply_due")),
        "export": Layout(("number", "title", "state", "kind", "category", "proposer", "sector", "units",
                          "key", "excellent", "submitted_on", *OFFICE_COLUMNS), title=_("Proposals")),
        "export_api": Layout((
            "number", "title", "proposer", "sector", "category",
            Column("kind", _("Kind"), value=_choice("kind")),
            "state",
            Column("units", _("Handling units"), value=lambda p, labels: _units(p, labels, "、")),
            Column("next_due", _("Reply due"), value=lambda p, labels: p.next_due),
            Column("key", _("Key proposal"), value=lambda p, labels: labels["yes"] if p.is_key else ""),
            Column("submitted_at", _("Submitted at"), value=lambda p, labels: _local_naive(p.submitted_at)),
            Column("registered_at", _("Registered at"), value=lambda p, labels: _local_naive(p.registered_at)),
            Column("created_at", _("Created at"), value=lambda p, labels: _local_naive(p.created_at)),
            *OFFICE_COLUMNS,
        ), title=_("Proposal list")),
    },
    page_sizes=(10, 20, 50, 100),
    default_page_size=50,
)
