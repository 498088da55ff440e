"""Grassroots consultation statistics (基层协商统计): places, activities and citizens' demands of a committee's
year, computed from the records with a fixed number of aggregate queries (eight, whatever the number of rows).

Read by the command `xieshang stats grassroots --committee changji --year 2024 [--json]`.

Scope
-----
Places are counted as they stand now (the registry of places keeps no history): every `Place` of the
committee whose liaison station or studio is active. Activities count in the year of their date; demands in
the year they were received (`received_on`), whatever happened to them later — a demand of December
answered in January counts as answered in the year it was received. Without a year, all years.

Figures (keys of the JSON)
--------------------------
stations            委员联络站: places of kind "station".
studios             委员工作室: places of kind "member_studio".
sector_studios      界别委员工作室: places of kind "sector_studio" (each on a special committee).
places              all three; public_places: those shown on the public portal.
activities          协商议事活动 held: activities of either kind (consultation activity or reception day)
                    dated in the year and held (state held or closed); cancelled and planned ones are not.
consultations / reception_days
                    the held activities of each kind (they add up to `activities`).
cancelled           activities dated in the year and cancelled.
attendances         members marked present at the held activities (one per member and activity).
citizens            citizens present at the held activities (the sum of the recorded counts).
outcomes / outcomes_done
                    outcome-list lines (成果清单) of the held activities / those marked done.
demands_received    诉求: demands received in the year (every source, every state).
demands_answered    received in the year and now answered or closed with an answer (states answered, closed:
                    `workflow.DEMAND_GROUPS["answered"]`; every closed demand was answered first).
demands_declined    received in the year and declined (with a reason the citizen sees).
demands_open        received in the year and not yet answered: received, accepted, referred to a unit or
                    carried on as a member's draft (`DEMAND_GROUPS["open"]`).
demands_overdue     among the open ones, those whose due date (`due_on`, the open deadline's) is before today.
answered_by_units   answered demands whose (last) answer came from a handling unit; the rest the place answered.
answered_on_time    answered demands whose (last) answer was given on or before the due date in force then
                    (`Demand.answered_late` is false).
reopened            demands reopened once by a citizen not satisfied with the first answer.
satisfied / unsatisfied / unconfirmed
                    closed demands by the citizen's verdict (unconfirmed: closed after the quiet period).
converted           demands carried on as a member's proposal or opinion report draft.
published           demands whose answer is published on the portal.
from_portal / from_keepers / from_members
                    demands received by source (public portal, recorded by a keeper, recorded by a member).
answer_rate         答复率 = demands_answered / demands_received (0–1, None when nothing was received).
on_time_rate        按时答复率 = answered_on_time / demands_answered (None when nothing was answered).
satisfaction_rate   满意率 = satisfied / (satisfied + unsatisfied): among the verdicts given (None without any).
Each rate has a `<rate>_display` (e.g. "93.5%").

Breakdown
---------
by_county           per county or city (the place's `county`), in the order of the places: stations, studios,
                    sector_studios, activities, demands_received, demands_answered, answered_on_time,
                    answer_rate, on_time_rate.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from xieshang.core import clock
from xieshang.core.formats import percent
from xieshang.grassroots.models import (
    Activity, ActivityKind, ActivityMember, ActivityState, Attendance, Demand, DemandSource, Outcome, OutcomeState,
    Place, PlaceKind, Satisfaction,
)
from xieshang.grassroots.workflow import ACTIVITY_GROUPS, DEMAND_GROUPS

FIGURES = {
    "stations": _("Liaison stations"),
    "studios": _("Member studios"),
    "sector_studios": _("Sector studios"),
    "places": _("Places"),
    "public_places": _("Places shown on the portal"),
    "activities": _("Activities held"),
    "consultations": _("Consultation activities held"),
    "reception_days": _("Reception days held"),
    "cancelled": _("Activities cancelled"),
    "attendances": _("Members present (attendances)"),
    "citizens": _("Citizens present"),
    "outcomes": _("Outcomes listed"),
    "outcomes_done": _("Outcomes done"),
    "demands_received": _("Demands received"),
    "demands_answered": _("Demands answered"),
    "demands_declined": _("Demands declined"),
    "demands_open": _("Demands still open"),
    "demands_overdue": _("Open demands past their due date"),
    "answered_by_units": _("Answered by handling units"),
    "answered_on_time": _("Answered on time"),
    "reopened": _("Reopened by the citizen"),
    "satisfied": _("Citizen satisfied"),
    "unsatisfied": _("Citizen not satisfied"),
    "unconfirmed": _("Closed without confirmation"),
    "converted": _("Carried on as a member's draft"),
    "published": _("Answers published"),
    "from_portal": _("Received from the portal"),
    "from_keepers": _("Recorded by keepers"),
    "from_members": _("Recorded by members"),
}
RATES = {
    "answer_rate": _("Answer rate (answered / received)"),
    "on_time_rate": _("On-time rate (answered on time / answered)"),
    "satisfaction_rate": _("Satisfaction rate (satisfied / verdicts)"),
}
HELD = tuple(ACTIVITY_GROUPS["held"])


def _year(value):
    return int(value) if value not in (None, "") else None


def places_scope(committee) -> QuerySet[Place]:
    """The committee's places whose station or studio is active."""
    return Place.objects.filter(committee=committee).filter(
        Q(station__is_active=True) | Q(studio__is_active=True))


def activities_scope(committee, year=None) -> QuerySet[Activity]:
    qs = Activity.objects.filter(committee=committee)
    return qs.filter(date__year=year) if year is not None else qs


def demands_scope(committee, year=None) -> QuerySet[Demand]:
    qs = Demand.objects.filter(committee=committee)
    return qs.filter(received_on__year=year) if year is not None else qs


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _place_counts() -> dict:
    return {
        "stations": Count("pk", filter=Q(kind=PlaceKind.STATION)),
        "studios": Count("pk", filter=Q(kind=PlaceKind.MEMBER_STUDIO)),
        "sector_studios": Count("pk", filter=Q(kind=PlaceKind.SECTOR_STUDIO)),
    }


def _demand_counts(today: datetime.date) -> dict:
    answered = Q(state__in=DEMAND_GROUPS["answered"])
    open_ = Q(state__in=DEMAND_GROUPS["open"])
    return {
        "demands_received": Count("pk"),
        "demands_answered": Count("pk", filter=answered),
        "answered_on_time": Count("pk", filter=answered & Q(answered_late=False)),
    }, {
        "demands_declined": Count("pk", filter=Q(state__in=DEMAND_GROUPS["final"] - DEMAND_GROUPS["answered"])),
        "demands_open": Count("pk", filter=open_),
        "demands_overdue": Count("pk", filter=open_ & Q(due_on__lt=today)),
        "answered_by_units": Count("pk", filter=answered & Q(answered_by_unit__isnull=False)),
        "reopened": Count("pk", filter=Q(reopened__gt=0)),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "unsatisfied": Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
        "unconfirmed": Count("pk", filter=Q(satisfaction=Satisfaction.UNCONFIRMED)),
        "converted": Count("pk", filter=Q(proposal__isnull=False) | Q(opinion__isnull=False)),
        "published": Count("pk", filter=Q(public=True)),
        "from_portal": Count("pk", filter=Q(source=DemandSource.PORTAL)),
        "from_keepers": Count("pk", filter=Q(source=DemandSource.KEEPER)),
        "from_members": Count("pk", filter=Q(source=DemandSource.MEMBER)),
    }


def grassroots_statistics(committee, *, year=None, today: datetime.date | None = None) -> dict:
    """Every figure of the module docstring for one committee (and year). JSON-serialisable."""
    year = _year(year)
    today = today or clock.today()
    places = places_scope(committee)
    totals = places.aggregate(**_place_counts(), places=Count("pk"), public_places=Count("pk", filter=Q(public=True)))
    activities = activities_scope(committee, year)
    totals.update(activities.aggregate(
        activities=Count("pk", filter=Q(state__in=HELD)),
        consultations=Count("pk", filter=Q(state__in=HELD, kind=ActivityKind.CONSULTATION)),
        reception_days=Count("pk", filter=Q(state__in=HELD, kind=ActivityKind.RECEPTION_DAY)),
        cancelled=Count("pk", filter=Q(state=ActivityState.CANCELLED)),
        citizens=Coalesce(Sum("citizens_count", filter=Q(state__in=HELD)), 0),
    ))
    held = activities.filter(state__in=HELD)
    totals["attendances"] = ActivityMember.objects.filter(activity__in=held, status=Attendance.PRESENT).count()
    totals.update(Outcome.objects.filter(activity__in=held).aggregate(
        outcomes=Count("pk"), outcomes_done=Count("pk", filter=Q(state=OutcomeState.DONE))))
    main, more = _demand_counts(today)
    totals.update(demands_scope(committee, year).aggregate(**main, **more))

    stats: dict = {"committee": committee.code, "year": year, **totals}
    for key, num, den in (("answer_rate", "demands_answered", "demands_received"),
                          ("on_time_rate", "answered_on_time", "demands_answered")):
        stats[key] = _rate(totals[num], totals[den])
        stats[f"{key}_display"] = percent(totals[num], totals[den])
    verdicts = totals["satisfied"] + totals["unsatisfied"]
    stats["satisfaction_rate"] = _rate(totals["satisfied"], verdicts)
    stats["satisfaction_rate_display"] = percent(totals["satisfied"], verdicts)
    stats["by_county"] = _by_county(committee, year, places, main)
    return stats


def _by_county(committee, year, places, demand_counts: dict) -> list[dict]:
    order: dict[str, int] = {}
    rows: dict[str, dict] = {}
    for row in places.values("county").annotate(**_place_counts(), first=Min("sort_order")).order_by("county"):
        order[row["county"]] = row["first"] or 0
        rows[row["county"]] = {"county": row["county"], "stations": row["stations"], "studios": row["studios"],
                               "sector_studios": row["sector_studios"], "activities": 0, "demands_received": 0,
                               "demands_answered": 0, "answered_on_time": 0}
    for row in (activities_scope(committee, year).filter(state__in=HELD, place__isnull=False)
                .values(county=F("place__county")).annotate(n=Count("pk")).order_by()):
        rows.setdefault(row["county"], _empty(row["county"]))["activities"] = row["n"]
    for row in (demands_scope(committee, year).values(county=F("place__county")).annotate(**demand_counts)
                .order_by()):
        target = rows.setdefault(row["county"], _empty(row["county"]))
        for key in demand_counts:
            target[key] = row[key]
    out = []
    for county in sorted(rows, key=lambda c: (order.get(c, 10**9), c)):
        r = rows[county]
        r["answer_rate"] = _rate(r["demands_answered"], r["demands_received"])
        r["on_time_rate"] = _rate(r["answered_on_time"], r["demands_answered"])
        out.append(r)
    return out


def _empty(county: str) -> dict:
    return {"county": county, "stations": 0, "studios": 0, "sector_studios": 0, "activities": 0,
            "demands_received": 0, "demands_answered": 0, "answered_on_time": 0}


# --- The command (`xieshang stats grassroots`) --------------------------------------------------------------


def print_grassroots_statistics(stdout, committee, year=None, *, as_json: bool = False) -> dict:
    """Write the statistics to `stdout`: one JSON object (`as_json`), or a table of figures, rates and the
    breakdown by county. Returns the statistics."""
    import json

    from django.utils.translation import gettext

    from .management.commands.stats import _pad, _width

    stats = grassroots_statistics(committee, year=year)
    if as_json:
        stdout.write(json.dumps(stats, ensure_ascii=False, indent=2, default=str))
        return stats
    subject = gettext("Grassroots consultation")
    stdout.write(f"{committee.name} · {year or gettext('All years')} · {subject}")
    rows = [(str(label), str(stats[key])) for key, label in FIGURES.items()]
    rows += [(str(label), stats[f"{key}_display"]) for key, label in RATES.items()]
    width = max(_width(label) for label, _v in rows)
    for label, value in rows:
        stdout.write(f"  {_pad(label, width)}  {value:>6}")
    if stats["by_county"]:
        stdout.write("")
        heads = " / ".join(gettext(h) for h in ("Liaison stations", "Member studios", "Sector studios",
                                                "Activities held", "Demands received", "Demands answered",
                                                "Answered on time"))
        by_county = gettext("By county or city")
        stdout.write(f"{by_county} ({heads})")
        county_width = max(_width(r["county"]) for r in stats["by_county"])
        for r in stats["by_county"]:
            stdout.write(f"  {_pad(r['county'], county_width)}  {r['stations']:>4} {r['studios']:>4}"
                         f" {r['sector_studios']:>4} {r['activities']:>5} {r['demands_received']:>5}"
                         f" {r['demands_answered']:>5} {r['answered_on_time']:>5}")
    return stats
