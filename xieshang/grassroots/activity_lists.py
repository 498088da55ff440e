"""The activity and place lists, each defined once (xieshang.core.lists.ListDef: the page's table head, sorts,
page sizes and its Excel export read the same definition), and the year's figures of places and counties
that the places page, a place's page, the overview and the yearly record share.

- ACTIVITIES  consultation activities and reception days the user may see (filters: kind, state, place,
              county, special committee, year, month, text)
- PLACES      every place of the committee by county, with its keepers, residents, rota and figures

The figures of a year (`year_figures`) count, per place:
  activities   consultation activities held (held or closed) with a date in the year
  receptions   reception days held in the year
  received     demands received in the year
  answered     of those, the ones answered now (answered or closed: workflow.DEMAND_GROUPS["answered"]; one
               reopened by the citizen is open again), as `xieshang stats grassroots` counts them
  on_time      of those answered, the ones answered by their due date
and the rates: answer rate = answered / received, on-time rate = on_time / answered. A fixed number of queries
whatever the number of places.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from xieshang.core.formats import cn_date, percent
from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort, sorts_both_ways
from xieshang.core.models import Role, RoleAssignment

from . import workflow as wf
from .models import Activity, ActivityKind, Attendance, Demand, PlaceMember



def organiser_name(a) -> str:
    return a.place.name if a.place_id else (a.special_committee.name if a.special_committee_id else "")


_ACTIVITY_COLUMNS = (
    Column("date", _("Date"), sort="date", value=lambda a, labels: cn_date(a.date)),
    Column("topic", _("Topic"), sort="topic", value=lambda a, labels: a.topic),
    Column("kind", _("Kind"), sort="kind", value=lambda a, labels: a.get_kind_display()),
    Column("organiser", _("Place or special committee"), sort="organiser", value=lambda a, labels: organiser_name(a)),
    Column("county", _("County or city"), value=lambda a, labels: a.place.county if a.place_id else ""),
    Column("state", _("State"), sort="state", value=lambda a, labels: a.get_state_display()),
    Column("invited", _("Members invited"), numeric=True, value=lambda a, labels: a.invited_count),
    Column("present", _("Members present"), numeric=True, value=lambda a, labels: a.present_count),
    Column("citizens", _("Citizens present"), sort="citizens", numeric=True, value=lambda a, labels: a.citizens_count),
    Column("outcomes", _("Outcomes"), numeric=True, value=lambda a, labels: a.outcome_count),
    Column("demands", _("Demands raised"), numeric=True, value=lambda a, labels: a.demand_count),
)

ACTIVITIES = ListDef(
    name="activities",
    columns=_ACTIVITY_COLUMNS,
    sorts=sorts_both_ways(("date", _("Date"), ("date", "start_time")), ("topic", _("Topic"), ("topic",)),
                 ("kind", _("Kind"), ("kind",)), ("organiser", _("Place or special committee"),
                                                  ("place__name", "special_committee__name")),
                 ("state", _("State"), ("state",)), ("citizens", _("Citizens present"), ("citizens_count",))),
    default_sort="-date",
    filters=(Filter("q", _("Search"), "text"), Filter("kind", _("Kind"), "choice"), Filter("state", _("State"), "choice"),
             Filter("place", _("Place"), "int"), Filter("county", _("County or city"), "choice"),
             Filter("special_committee", _("Special committee"), "int"), Filter("year", _("Year"), "int"),
             Filter("month", _("Month"), "int")),
    layouts={
        "page": Layout(("date", "topic", "kind", "organiser", "state", "present", "citizens", "outcomes")),
        "export": Layout(tuple(c.key for c in _ACTIVITY_COLUMNS), title=_("Consultation activities")),
    },
    default_page_size=20,
)


def filter_activities(qs, params: dict):
    """The list's filters on the selector's rows (activities_visible_to)."""
    if params.get("q"):
        qs = qs.filter(Q(topic__icontains=params["q"]) | Q(location__icontains=params["q"]))
    for key, field in (("kind", "kind"), ("state", "state"), ("place", "place_id"), ("county", "place__county"),
                       ("special_committee", "special_committee_id"), ("year", "date__year"),
                       ("month", "date__month")):
        if params.get(key):
            qs = qs.filter(**{field: params[key]})
    return qs


def with_counts(visible):
    """The rows of a list with what it shows (the organiser, the counts): the visible ids, then one query."""
    return Activity.objects.filter(pk__in=visible.values("pk")).select_related("place", "special_committee").annotate(
        invited_count=Count("participants", distinct=True),
        present_count=Count("participants", filter=Q(participants__status=Attendance.PRESENT), distinct=True),
        outcome_count=Count("outcomes", distinct=True),
        demand_count=Count("demands", distinct=True),
    )


# --- Places and their figures ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Figures:
    activities: int = 0
    receptions: int = 0
    received: int = 0
    answered: int = 0
    on_time: int = 0
    places: int = 0
    stations: int = 0
    studios: int = 0

    def add(self, other: Figures) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    @property
    def answer_rate(self) -> str:
        return percent(self.answered, self.received)

    @property
    def on_time_rate(self) -> str:
        return percent(self.on_time, self.answered)

    @property
    def answer_share(self) -> int:
        """The answer rate rounded to 5 (the bar's width class: .meter > .w-NN)."""
        return 5 * round(20 * self.answered / self.received) if self.received else 0

    @property
    def on_time_share(self) -> int:
        return 5 * round(20 * self.on_time / self.answered) if self.answered else 0


def year_figures(committee, year: int, place_ids=None) -> dict:
    """{place id (None: a special committee's activities): Figures} for `year`: two queries."""
    cid = getattr(committee, "pk", committee)
    activities = Activity.objects.filter(committee_id=cid, date__year=year, state__in=wf.ACTIVITY_GROUPS["held"])
    demands = Demand.objects.filter(committee_id=cid, received_on__year=year)
    if place_ids is not None:
        activities = activities.filter(place_id__in=place_ids)
        demands = demands.filter(place_id__in=place_ids)
    out: dict = {}
    for row in activities.values("place_id").annotate(
            consultations=Count("pk", filter=Q(kind=ActivityKind.CONSULTATION)),
            receptions=Count("pk", filter=Q(kind=ActivityKind.RECEPTION_DAY))).order_by():
        f = out.setdefault(row["place_id"], Figures())
        f.activities, f.receptions = row["consultations"], row["receptions"]
    answered = Q(state__in=wf.DEMAND_GROUPS["answered"])  # not one reopened since (it keeps its answered_on)
    for row in demands.values("place_id").annotate(
            received=Count("pk"), answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered & Q(answered_late=False))).order_by():
        f = out.setdefault(row["place_id"], Figures())
        f.received, f.answered, f.on_time = row["received"], row["answered"], row["on_time"]
    return out


def keepers_by_place(committee, places) -> dict:
    """{place id: [user, …]}: the users whose station role is bound to each place's station or studio (one query)."""
    by_station = {p.station_id: p.pk for p in places if p.station_id}
    by_studio = {p.studio_id: p.pk for p in places if p.studio_id}
    out: dict = {}
    rows = RoleAssignment.objects.filter(committee=committee, role=Role.STATION, user__is_active=True).filter(
        Q(liaison_station_id__in=by_station) | Q(studio_id__in=by_studio)).select_related("user").order_by("id")
    for ra in rows:
        place_id = by_station.get(ra.liaison_station_id) or by_studio.get(ra.studio_id)
        out.setdefault(place_id, []).append(ra.user)
    return out


def residents_by_place(places) -> dict:
    out: dict = {}
    for row in PlaceMember.objects.filter(place__in=[p.pk for p in places]).select_related("member").order_by(
            "member__name", "id"):
        out.setdefault(row.place_id, []).append(row.member)
    return out


def place_rows(committee, places, year: int) -> list:
    """The places with `keepers`, `residents` and `figures` (the year's) on each: four queries."""
    places = list(places)
    keepers = keepers_by_place(committee, places)
    residents = residents_by_place(places)
    figures = year_figures(committee, year, [p.pk for p in places])
    for p in places:
        p.keepers = keepers.get(p.pk, [])
        p.resident_members = residents.get(p.pk, [])
        p.figures = figures.get(p.pk) or Figures()
    return places


def by_county(places) -> list[dict]:
    """[{"county", "places", "figures" (the sum)}] in the order the places come (their county order)."""
    groups: dict = {}
    for p in places:
        group = groups.setdefault(p.county, {"county": p.county, "places": [], "figures": Figures()})
        group["places"].append(p)
        f = dataclasses.replace(p.figures, places=1, stations=int(p.kind == "station"),
                                studios=int(p.kind != "station"))
        group["figures"].add(f)
    return list(groups.values())


def _names(people) -> str:
    return "、".join(getattr(x, "display_name", None) or getattr(x, "name", "") for x in people)


_PLACE_COLUMNS = (
    Column("county", _("County or city"), value=lambda p, labels: p.county),
    Column("name", _("Name"), value=lambda p, labels: p.name),
    Column("kind", _("Kind"), value=lambda p, labels: p.get_kind_display()),
    Column("township", _("Township or street"), value=lambda p, labels: p.township),
    Column("keepers", _("Keepers"), value=lambda p, labels: _names(p.keepers)),
    Column("residents", _("Resident members"), value=lambda p, labels: _names(p.resident_members)),
    Column("rota", _("Reception days of the month"), value=lambda p, labels: p.reception_days),
    Column("activities", _("Activities held"), numeric=True, value=lambda p, labels: p.figures.activities),
    Column("receptions", _("Reception days held"), numeric=True, value=lambda p, labels: p.figures.receptions),
    Column("received", _("Demands received"), numeric=True, value=lambda p, labels: p.figures.received),
    Column("answered", _("Demands answered"), numeric=True, value=lambda p, labels: p.figures.answered),
    Column("answer_rate", _("Answer rate"), value=lambda p, labels: p.figures.answer_rate),
    Column("on_time_rate", _("On-time rate"), value=lambda p, labels: p.figures.on_time_rate),
)

PLACES = ListDef(
    name="places", columns=_PLACE_COLUMNS,
    sorts=(Sort("county", _("County or city"), ("county", "sort_order", "name", "id")),), default_sort="county",
    layouts={"export": Layout(tuple(c.key for c in _PLACE_COLUMNS), title=_("Stations and studios"))},
)


# --- The page or its Excel file ----------------------------------------------------------------------------------------


