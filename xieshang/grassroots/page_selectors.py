"""Reads the demand screens need beyond `selectors.py`. Each starts from a queryset the app's selectors made
(`selectors.demands_visible_to`), so who may see what stays in one place.

- `demand_rows(qs)`: a list's rows with their place and unit (one query for a page, whatever its size).
- `with_due(rows)`: each row's `late` and `days_left` (working days to its due date; the calendar is read
  once per committee and cached).
- `filtered(qs, params, committee)`: the filters of a demand list (lists.FILTERS), the text through core
  search (kind "demand").
- `state_counts(qs)`: how many demands in each state and how many are late, in one query.
- `personal_data_visible(user, demand)`: whether the page shows the citizen's name and phone.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xieshang.core import calendar, clock
from xieshang.core import search as core_search

from . import selectors
from .models import Demand, DemandState
from .workflow import DEMAND_GROUPS

PERSONAL_RELATIONS = {"keeper", "unit", "staff", "leader"}


def demand_rows(qs: QuerySet[Demand]) -> QuerySet[Demand]:
    return qs.select_related("place", "unit").defer("answer", "citizen_comment", "decline_reason", "public_summary")


def with_due(rows, today=None) -> list[Demand]:
    today = today or clock.today()
    rows = list(rows)
    for row in rows:
        open_ = row.state in DEMAND_GROUPS["open"]
        row.late = bool(open_ and row.due_on and row.due_on < today)
        row.days_left = (calendar.working_days_between(today, row.due_on, row.committee_id)
                         if open_ and row.due_on else None)
        row.days_late = max(1, -row.days_left) if row.late and row.days_left is not None else 0
    return rows


def late_q(today=None) -> Q:
    return Q(state__in=DEMAND_GROUPS["open"], due_on__lt=today or clock.today())


def filtered(qs: QuerySet[Demand], params: dict, committee) -> QuerySet[Demand]:
    for key, lookup in (("state", "state"), ("place", "place_id"), ("county", "place__county"), ("unit", "unit_id"),
                        ("category", "category"), ("source", "source"), ("year", "received_on__year")):
        if params.get(key):
            qs = qs.filter(**{lookup: params[key]})
    if params.get("late"):
        qs = qs.filter(late_q())
    if params.get("q"):
        qs = core_search.filter_by_text(qs, "demand", params["q"], committee=committee)
    return qs


def state_counts(qs: QuerySet[Demand]) -> dict:
    """{"states": [(state, label, count)], "late": n, "total": n} in one query."""
    counts = qs.aggregate(
        total=Count("pk"), late=Count("pk", filter=late_q()),
        **{f"n_{value}": Count("pk", filter=Q(state=value)) for value in DemandState.values},
    )
    return {
        "states": [(value, label, counts[f"n_{value}"]) for value, label in DemandState.choices],
        "late": counts["late"], "total": counts["total"],
    }


def personal_data_visible(user, demand: Demand) -> bool:
    return bool(selectors.demand_relations(user, demand) & PERSONAL_RELATIONS)


def timeline_of(demand: Demand) -> list:
    """The demand's audit events, oldest first, with the app's labels (the caller may see the demand)."""
    from xieshang.core import audit

    labels = dict(DemandState.choices)
    events = list(audit.timeline(demand))
    for event in events:
        event.label = selectors.demand_event_label(event.action) or event.action
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    return events


def deadlines_of(demand: Demand) -> list:
    """The demand's deadlines (to accept, to answer) with their label, working days left and whether late."""
    from xieshang.core import deadlines as dl

    from .declarations import _deadline_kinds

    today = clock.today()
    kinds = {k.name: k.label for k in _deadline_kinds()}
    rows = list(dl.deadlines_of(demand))
    for row in rows:
        row.label = kinds.get(row.kind, row.kind)
        row.days_left = dl.working_days_left(row, today) if row.is_open else None
        row.late = bool(row.is_open and row.due_on < today)
    return rows
