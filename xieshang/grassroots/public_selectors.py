"""Reads of the public portal's grassroots pages and the public API (no account): the one place that decides
what of places, activities and demands the public may see.

Public are: the places marked `public`; their answer record (received, answered, on-time rate of a year);
activities whose notice is out (published) at a public place, from today on; demands marked `public` by their
place (the public summary, the answer, the place and the dates — never the original text); and one demand by
its tracking code (state, holder, due date, answer, decline reason, satisfaction). Never the citizen's name
or phone: the demand rows read here load only the fields listed in PUBLIC_DEMAND_FIELDS, and mobile numbers
written inside an answer are masked.
"""

from __future__ import annotations

import dataclasses
import datetime
from itertools import groupby

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xieshang.core import clock
from xieshang.core.errors import NotFound
from xieshang.portal.selectors import mask_phones

from . import selectors as sel
from . import workflow
from .models import Activity, ActivityState, Demand, DemandState, Place
from .services import normalise_code

# What a public page or answer may read of a demand (never text, citizen_name, phone, citizen_comment).
PUBLIC_DEMAND_FIELDS = (
    "id", "committee_id", "place_id", "unit_id", "tracking_code", "state", "category", "received_on", "due_on",
    "answer", "answered_on", "decline_reason", "satisfaction", "reopened", "public", "public_summary", "closed_on",
    "version",
)
PLACE_FIELDS = (
    "id", "committee_id", "kind", "name", "county", "township", "address", "reception_days", "on_duty",
    "opening_hours", "phone", "public", "sort_order",
)


def rota_label(place: Place) -> str:
    """The reception rota as people say it: 每月10日、20日 (en: "Days 10, 20 of each month")."""
    days = place.rota_days()
    if not days:
        return ""
    shown = pgettext("list of days of the month", ", ").join(
        pgettext("day of the month", "%(day)d") % {"day": d} for d in days)
    return _("Days %(days)s of each month") % {"days": shown}


@dataclasses.dataclass
class Figures:
    received: int = 0
    answered: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> int | None:
        """Per cent of this year's answers given in time (None: nothing answered yet)."""
        return round(100 * self.on_time / self.answered) if self.answered else None


FIGURES_SECONDS = 300  # the public figures may be five minutes old: the directory is the page a TV spot sends people to


def place_figures(committee_id: int, year: int) -> dict[int, Figures]:
    """Each place's answer record of `year` ({place id: Figures}): one grouped query over the demands received in
    the year, kept FIGURES_SECONDS in the shared cache under one key per committee
    and year (the only way out is the expiry)."""
    from django.core.cache import cache

    key = f"xieshang:grassroots:figures:{committee_id}:{year}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    # one year rule, as the statistics (reports/grassroots_stats.py): the demands received in the year, and how
    # many of those are answered (answered or closed with an answer), and how many of those in time
    answered = Q(state__in=workflow.DEMAND_GROUPS["answered"], answered_on__isnull=False)
    rows = (Demand.objects.filter(committee_id=committee_id, received_on__range=(start, end)).order_by()
            .values("place_id").annotate(n=Count("pk"), answered=Count("pk", filter=answered),
                                         on_time=Count("pk", filter=answered & Q(answered_late=False))))
    figures = {row["place_id"]: Figures(row["n"], row["answered"], row["on_time"]) for row in rows}
    cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _with_figures(places: QuerySet[Place], year: int) -> list[Place]:
    rows = list(places.only(*PLACE_FIELDS))
    figures = place_figures(rows[0].committee_id, year) if rows else {}
    for place in rows:
        place.figures = figures.get(place.pk, Figures())
        place.rota = rota_label(place)
    return rows


def directory(committee, year: int | None = None) -> list[tuple[str, list[Place]]]:
    """Every public place of the committee with its answer record of `year` (this year), grouped by county:
    [(county, [place …]) …]. One query."""
    year = year or clock.today().year
    places = _with_figures(sel.public_places(committee).select_related(None).order_by("county", "sort_order", "name"),
                           year)
    return [(county, list(group)) for county, group in groupby(places, key=lambda p: p.county)]


def totals(groups) -> Figures:
    total = Figures()
    for _county, places in groups:
        for place in places:
            total.received += place.figures.received
            total.answered += place.figures.answered
            total.on_time += place.figures.on_time
    return total


def public_place_get(committee, pk) -> Place:
    """A public place of the committee with its figures of this year; NotFound for any other (hidden or missing)."""
    from xieshang.core.workflow import as_id

    pk = as_id(pk)
    places = sel.public_places(committee).select_related(None).filter(pk=pk)
    rows = _with_figures(places, clock.today().year) if pk else []
    if not rows:
        raise NotFound()
    return rows[0]


def upcoming_activities(committee, *, place=None, today: datetime.date | None = None) -> QuerySet[Activity]:
    """Activities whose notice is out, at a public place, from today on (soonest first)."""
    today = today or clock.today()
    qs = (Activity.objects.filter(committee_id=getattr(committee, "pk", committee), state=ActivityState.PUBLISHED,
                                  date__gte=today, place__public=True)
          .select_related("place").only("id", "kind", "topic", "notice", "date", "start_time", "location", "state",
                                        "place__id", "place__name", "place__county", "place__address")
          .order_by("date", "start_time", "id"))
    if place is not None:
        qs = qs.filter(place=place)
    return qs


def published_answers(committee, *, place=None) -> QuerySet[Demand]:
    """Demands their place published (public summary and answer), latest answer first; never the original text,
    the name or the phone (only PUBLIC_DEMAND_FIELDS are read)."""
    qs = (Demand.objects.filter(committee_id=getattr(committee, "pk", committee), public=True,
                                state__in=workflow.DEMAND_GROUPS["answered"], place__public=True)
          .select_related("place").only(*PUBLIC_DEMAND_FIELDS, "place__id", "place__name", "place__county")
          .order_by("-answered_on", "-id"))
    if place is not None:
        qs = qs.filter(place=place)
    return qs


def public_answer_text(demand: Demand) -> str:
    return mask_phones(demand.answer)


MISSES_PER_ADDRESS_HOUR = 30  # wrong tracking codes from one address before it must wait


def demand_by_code(code, address: str | None = None) -> Demand:
    """The demand a citizen follows by its tracking code (spaces, dashes, lower case accepted). A wrong code is
    NotFound, the same as a missing one. Only PUBLIC_DEMAND_FIELDS are read.

    With the caller's `address`: wrong codes are counted per address, and an address with
    MISSES_PER_ADDRESS_HOUR of them this hour is refused (Invalid "rate_limited") — codes cannot be tried in bulk."""
    from django.utils.translation import gettext as _

    from xieshang.core import limits
    from xieshang.core.errors import Invalid

    if address is not None and limits.exceeded("track-miss", address, limit=MISSES_PER_ADDRESS_HOUR):
        raise Invalid(_("Too many wrong tracking codes from your connection in the last hour. Please try again "
                        "later."), detail="rate_limited")
    code = normalise_code(code)
    demand = (Demand.objects.filter(tracking_code=code).select_related("place", "unit")
              .only(*PUBLIC_DEMAND_FIELDS, "place__id", "place__name", "place__public", "unit__id", "unit__name")
              .first()) if len(code) >= 6 else None
    if demand is None:
        if address is not None:
            limits.count("track-miss", address)
        raise NotFound()
    return demand


def tracking_view(demand: Demand) -> dict:
    """What the tracking page and `GET /api/v1/public/demands/{code}` show of a demand."""
    return {
        "tracking_code": demand.tracking_code,
        "state": demand.state,
        "state_label": str(demand.get_state_display()),
        "place": demand.place.name,
        "holder": sel.holder_of(demand) or "",
        "received_on": demand.received_on,
        "due_on": demand.due_on if demand.state in workflow.DEMAND_GROUPS["open"] else None,
        "answer": public_answer_text(demand) if demand.state in workflow.DEMAND_GROUPS["answered"] else "",
        "answered_on": demand.answered_on if demand.state in workflow.DEMAND_GROUPS["answered"] else None,
        "decline_reason": mask_phones(demand.decline_reason) if demand.state == DemandState.DECLINED else "",
        "satisfaction": demand.satisfaction or "",
        "satisfaction_label": str(demand.get_satisfaction_display()) if demand.satisfaction else "",
        "can_confirm": demand.state == DemandState.ANSWERED,
        "reopened": bool(demand.reopened),
    }


def demands_of_phone(phone: str) -> QuerySet[Demand]:
    """A confirmed phone's demands (follow all my demands), newest first; only public fields are read."""
    return (Demand.objects.filter(phone=phone).select_related("place")
            .only(*PUBLIC_DEMAND_FIELDS, "place__id", "place__name").order_by("-received_on", "-id"))
