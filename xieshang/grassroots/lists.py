"""The demand lists, each defined once (xieshang.core.lists.ListDef): the page's table head, sort links,
sort and page-size choices, and its Excel export (`?format=xlsx`, the same filtered rows) read the same
definition.

- BOARD    the keeper's station board (the demands of my places; what is late first)
- INBOX    a handling unit's demands to answer
- DEMANDS  every demand of the committee (office staff and leaders)
- MINE     the demands a member recorded

Rows come from `page_selectors.demand_rows` (place and unit joined) and carry `late` and `days_left`
(`page_selectors.with_due`). The citizen's name and phone are never a column.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy

from xieshang.core import clock
from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort, sorts_both_ways

from .workflow import DEMAND_GROUPS



def _late_rank():
    """0 for a late open demand, 1 for one still open, 2 for the rest (answered, declined, closed)."""
    today = clock.today()
    return {"late_rank": Case(
        When(Q(state__in=DEMAND_GROUPS["open"], due_on__lt=today), then=Value(0)),
        When(state__in=DEMAND_GROUPS["open"], then=Value(1)),
        default=Value(2), output_field=IntegerField(),
    )}




SORTS = (
    Sort("late", gettext_lazy("Late first, then by due date"), ("late_rank", "due_on", "received_on", "id"),
         annotate=_late_rank),
    *sorts_both_ways(
        ("received", gettext_lazy("Received on"), ("received_on",)),
        ("due", gettext_lazy("Due date"), ("due_on",)),
        ("state", gettext_lazy("State"), ("state",)),
        ("place", gettext_lazy("Place"), ("place__name",)),
        ("code", gettext_lazy("Tracking code"), ("tracking_code",)),
    ),
)


def excerpt(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n] + "…"


def _late_text(row, labels) -> str:
    return str(labels.get("late", gettext_lazy("late"))) if getattr(row, "late", False) else ""


COLUMNS = (
    Column("code", gettext_lazy("Tracking code"), sort="code", value=lambda r, labels: r.tracking_code),
    Column("text", gettext_lazy("Demand"), value=lambda r, labels: r.text),
    Column("place", gettext_lazy("Place"), sort="place", value=lambda r, labels: r.place.name),
    Column("county", gettext_lazy("County or city"), value=lambda r, labels: r.place.county),
    Column("category", gettext_lazy("Category"), value=lambda r, labels: r.get_category_display()),
    Column("source", gettext_lazy("Source"), value=lambda r, labels: r.get_source_display()),
    Column("state", gettext_lazy("State"), sort="state", value=lambda r, labels: r.get_state_display()),
    Column("unit", gettext_lazy("Handling unit"), value=lambda r, labels: r.unit.name if r.unit_id else ""),
    Column("received_on", gettext_lazy("Received on"), sort="received", value=lambda r, labels: r.received_on,
           kind="date"),
    Column("due_on", gettext_lazy("Due date"), sort="due", value=lambda r, labels: r.due_on, kind="date"),
    Column("days_left", gettext_lazy("Working days left"), numeric=True,
           value=lambda r, labels: getattr(r, "days_left", None)),
    Column("late", gettext_lazy("Late"), value=_late_text),
    Column("answered_on", gettext_lazy("Answered on"), value=lambda r, labels: r.answered_on, kind="date"),
    Column("reopened", gettext_lazy("Reopened"), numeric=True, value=lambda r, labels: r.reopened),
)
FILTERS = (
    Filter("q", gettext_lazy("Search"), "text"),
    Filter("state", gettext_lazy("State"), "choice"),
    Filter("place", gettext_lazy("Place"), "int"),
    Filter("county", gettext_lazy("County or city"), "choice"),
    Filter("unit", gettext_lazy("Handling unit"), "int"),
    Filter("category", gettext_lazy("Category"), "choice"),
    Filter("source", gettext_lazy("Source"), "choice"),
    Filter("year", gettext_lazy("Year"), "int"),
    Filter("late", gettext_lazy("Late only"), "flag"),
)


def _demands(name, title, page, export, default_sort) -> ListDef:
    return ListDef(
        name=name, columns=COLUMNS, sorts=SORTS, default_sort=default_sort, filters=FILTERS,
        layouts={"page": Layout(page), "export": Layout(export, title=title)}, default_page_size=20,
    )


BOARD = _demands(
    "station-board", gettext_lazy("Station board"),
    ("code", "text", "category", "state", "unit", "received_on", "due_on", "days_left"),
    ("code", "text", "place", "category", "source", "state", "unit", "received_on", "due_on", "days_left", "late",
     "answered_on"),
    "late",
)
INBOX = _demands(
    "demand-inbox", gettext_lazy("Citizens' demands to answer"),
    ("code", "text", "place", "category", "received_on", "due_on", "days_left"),
    ("code", "text", "place", "county", "category", "state", "received_on", "due_on", "days_left", "late",
     "answered_on"),
    "late",
)
DEMANDS = _demands(
    "demands", gettext_lazy("Citizens' demands"),
    ("code", "text", "place", "category", "source", "state", "unit", "received_on", "due_on", "days_left"),
    ("code", "text", "place", "county", "category", "source", "state", "unit", "received_on", "due_on",
     "days_left", "late", "answered_on", "reopened"),
    "-received",
)
MINE = _demands(
    "my-demands", gettext_lazy("Demands I recorded"),
    ("code", "text", "place", "state", "received_on", "answered_on"),
    ("code", "text", "place", "category", "state", "unit", "received_on", "due_on", "answered_on"),
    "-received",
)


