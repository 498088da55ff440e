"""The app's lists, each defined once (xieshang.core.lists.ListDef: the page's table head, sorts, page sizes and its
Excel export read the same definition): INSPECTIONS, SUPERVISION, SUPERVISORS."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xieshang.core import search
from xieshang.core.formats import cn_date
from xieshang.core.lists import Column, Filter, Layout, ListDef, sorts_both_ways


def _name(obj) -> str:
    return obj.name if obj is not None else ""


def _leader_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


_INSPECTION_COLUMNS = (
    Column("month", _("Planned month"), sort="month", numeric=True, value=lambda i, labels: i.planned_month),
    Column("title", _("Topic"), sort="title", value=lambda i, labels: i.title),
    Column("kind", _("Kind"), sort="kind", value=lambda i, labels: i.get_kind_display()),
    Column("year", _("Year"), numeric=True, value=lambda i, labels: i.year),
    Column("special_committee", _("Sponsoring special committee"), value=lambda i, labels: _name(i.special_committee)),
    Column("lead_leader", _("Lead leader"), value=lambda i, labels: _leader_name(i.lead_leader)),
    Column("state", _("State"), sort="state", value=lambda i, labels: i.get_state_display()),
    Column("team", _("Team"), numeric=True, value=lambda i, labels: i.n_team),
    Column("visits", _("Visits"), numeric=True, value=lambda i, labels: i.n_visits),
    Column("recommendations", _("Recommendations"), numeric=True, value=lambda i, labels: i.n_recommendations),
    Column("answered", _("Answered"), numeric=True, value=lambda i, labels: i.n_answered),
    Column("sent_on", _("Report sent on"), value=lambda i, labels: cn_date(i.report_sent_on) if i.report_sent_on else ""),
)

_FILTERS = (Filter("q", _("Search"), "text"), Filter("year", _("Year"), "int"), Filter("state", _("State"), "choice"),
            Filter("special_committee", _("Special committee"), "int"))

INSPECTIONS = ListDef(
    name="inspections",
    columns=_INSPECTION_COLUMNS,
    sorts=sorts_both_ways(("month", _("Planned month"), ("year", "planned_month")), ("title", _("Topic"), ("title",)),
                 ("kind", _("Kind"), ("kind",)), ("state", _("State"), ("state",))),
    default_sort="-month",
    filters=(*_FILTERS, Filter("kind", _("Kind"), "choice")),
    layouts={
        "page": Layout(("month", "title", "kind", "state", "team", "recommendations", "answered")),
        "export": Layout(tuple(c.key for c in _INSPECTION_COLUMNS), title=_("Inspections and research")),
    },
    default_page_size=20,
)

_SUPERVISION_COLUMNS = (
    Column("year", _("Year"), sort="year", numeric=True, value=lambda s, labels: s.year),
    Column("title", _("Topic"), sort="title", value=lambda s, labels: s.title),
    Column("body", _("Body supervised"), sort="body", value=lambda s, labels: s.body),
    Column("special_committee", _("Sponsoring special committee"), value=lambda s, labels: _name(s.special_committee)),
    Column("state", _("State"), sort="state", value=lambda s, labels: s.get_state_display()),
    Column("team", _("Team"), numeric=True, value=lambda s, labels: s.n_team),
    Column("recommendations", _("Recommendations"), numeric=True, value=lambda s, labels: s.n_recommendations),
    Column("answered", _("Answered"), numeric=True, value=lambda s, labels: s.n_answered),
    Column("reported_on", _("Reported on"), value=lambda s, labels: cn_date(s.reported_on) if s.reported_on else ""),
)

SUPERVISION = ListDef(
    name="supervision",
    columns=_SUPERVISION_COLUMNS,
    sorts=sorts_both_ways(("year", _("Year"), ("year",)), ("title", _("Topic"), ("title",)), ("body", _("Body supervised"), ("body",)),
                 ("state", _("State"), ("state",))),
    default_sort="-year",
    filters=_FILTERS,
    layouts={
        "page": Layout(("year", "title", "body", "state", "team", "recommendations", "reported_on")),
        "export": Layout(tuple(c.key for c in _SUPERVISION_COLUMNS), title=_("Democratic supervision")),
    },
    default_page_size=20,
)

_SUPERVISOR_COLUMNS = (
    Column("member", _("Member"), sort="member", value=lambda s, labels: s.member.name),
    Column("unit", _("Body"), sort="unit", value=lambda s, labels: s.unit.name),
    Column("term_start", _("Term starts"), sort="term_start", value=lambda s, labels: cn_date(s.term_start)),
    Column("term_end", _("Term ends"), sort="term_end", value=lambda s, labels: cn_date(s.term_end)),
    Column("reports", _("Reports"), numeric=True, value=lambda s, labels: s.n_reports),
    Column("note", _("Note"), value=lambda s, labels: s.note),
)

SUPERVISORS = ListDef(
    name="supervisors",
    columns=_SUPERVISOR_COLUMNS,
    sorts=sorts_both_ways(("member", _("Member"), ("member__name",)), ("unit", _("Body"), ("unit__name",)),
                 ("term_start", _("Term starts"), ("term_start",)), ("term_end", _("Term ends"), ("term_end",))),
    default_sort="-term_start",
    filters=(Filter("q", _("Search"), "text"), Filter("current", _("Current terms only"), "choice")),
    layouts={
        "page": Layout(("member", "unit", "term_start", "term_end", "reports")),
        "export": Layout(tuple(c.key for c in _SUPERVISOR_COLUMNS), title=_("Special supervisors")),
    },
    default_page_size=20,
)


def filter_inspections(qs, params: dict):
    if params.get("q"):  # the search index (kind "inspection", search.py), inside `qs`
        qs = search.filter_by_text(qs, "inspection", params["q"])
    for key in ("year", "kind", "state"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("special_committee"):
        qs = qs.filter(special_committee_id=params["special_committee"])
    return qs


def filter_supervision(qs, params: dict):
    if params.get("q"):  # the search index (kind "supervision", search.py), inside `qs`
        qs = search.filter_by_text(qs, "supervision", params["q"])
    for key in ("year", "state"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("special_committee"):
        qs = qs.filter(special_committee_id=params["special_committee"])
    return qs


def filter_supervisors(qs, params: dict, today):
    if params.get("q"):
        qs = qs.filter(Q(member__name__icontains=params["q"]) | Q(unit__name__icontains=params["q"]))
    if params.get("current") == "1":
        qs = qs.filter(term_start__lte=today, term_end__gte=today)
    return qs
