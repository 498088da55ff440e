"""The place screens (站点: liaison stations and studios): the directory by county with each place's keepers,
residents, rota and year's figures; one place; the office's form; a member's "my stations"; the overview of
staff and leaders (per county: places, activities held, demands received and answered, the rates, a bar chart
in HTML and CSS). Every page makes a fixed number of queries whatever the number of places.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xieshang.core import clock
from xieshang.core.errors import NotFound
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import docx_response, require_roles, screen, xlsx_response
from xieshang.core.selectors import member_of, roles_of

from . import documents, selectors, services, workflow
from .activity_forms import PlaceFilterForm, PlaceForm, member_options
from .activity_views import submitted
from .activity_lists import PLACES, Figures, by_county, place_rows, year_figures
from .models import ActivityKind, ActivityMember, Place, PlaceMember
from .selectors import OFFICE_ROLES, READER_ROLES


def _year(request) -> int:
    value = request.GET.get("year") or ""
    years = documents.years_of()
    return int(value) if value.isascii() and value.isdigit() and int(value) in years else years[0]


def may_have_record(user, place) -> bool:
    """The yearly record: staff, administrators, leaders and the place's keepers."""
    return bool(roles_of(user, place.committee_id) & READER_ROLES) or place.pk in selectors.place_ids_of(
        user, place.committee_id)


# --- The directory ----------------------------------------------------------------------------------------------------


@screen
def places(request):
    committee = _committee(request)
    everything = selectors.places_of(committee)
    counties = list(dict.fromkeys(everything.values_list("county", flat=True)))
    filters = PlaceFilterForm(request.GET, counties=counties, years=documents.years_of())
    params = filters.params()
    year = params.get("year") or clock.today().year
    qs = everything
    if params.get("q"):
        qs = qs.filter(Q(name__icontains=params["q"]) | Q(township__icontains=params["q"]))
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("county"):
        qs = qs.filter(county=params["county"])
    rows = place_rows(committee, qs, year)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(PLACES, rows)
    return render(request, "grassroots/places.html", {
        "groups": by_county(rows), "filters": filters, "year": year, "count": len(rows),
        "is_office": bool(roles_of(request.user, committee) & OFFICE_ROLES),
        "is_reader": bool(roles_of(request.user, committee) & READER_ROLES),
    })


@screen
def place(request, pk):
    committee = _committee(request)
    found = selectors.place_get(committee, pk)
    year = _year(request)
    row = place_rows(committee, [found], year)[0]
    visible = selectors.activities_visible_to(request.user, committee).filter(place=found)
    today = clock.today()
    upcoming = list(visible.filter(date__gte=today, state__in=workflow.ACTIVITY_GROUPS["upcoming"])
                    .order_by("date", "id")[:10])
    recent = list(visible.filter(date__year=year).exclude(pk__in=[a.pk for a in upcoming]).order_by("-date", "-id")[:30])
    return render(request, "grassroots/place.html", {
        "place": row, "year": year, "years": documents.years_of(), "upcoming": upcoming, "recent": recent,
        "is_office": bool(roles_of(request.user, committee) & OFFICE_ROLES),
        "may_have_record": may_have_record(request.user, found),
        "may_plan": found.pk in selectors.place_ids_of(request.user, committee)
        or bool(roles_of(request.user, committee) & OFFICE_ROLES),
    })


@screen
def place_docx(request, pk):
    """站点年度履职记录 (`?year=`): staff, administrators, leaders and the place's keepers (404 otherwise)."""
    committee = _committee(request)
    found = selectors.place_get(committee, pk)
    if not may_have_record(request.user, found):
        raise Http404
    year = _year(request)
    return docx_response(documents.place_year_docx(found, year), documents.place_filename(found, year))


# --- The office's form ------------------------------------------------------------------------------------------------


def _place_form_page(request, committee, found: Place | None):
    require_roles(request, OFFICE_ROLES)
    initial = {"kind": "station", "on_duty": 2, "public": True}
    if found is not None:
        initial = {f: getattr(found, f) for f in ("name", "county", "township", "address", "reception_days",
                                                  "on_duty", "opening_hours", "phone", "public")}
        initial["special_committee"] = found.special_committee_id
        initial["members"] = list(found.residents.values_list("member_id", flat=True))
    form = PlaceForm(request.POST if request.method == "POST" else None, initial=initial, committee=committee,
                     members=member_options(committee), new=found is None)
    kind = found.kind if found is not None else None
    if request.method == "POST" and (saved := submitted(
            request, form, lambda: services.place_save(actor=request.user, committee=committee, place=found,
                                                       data=form.to_data(kind=kind)),
            _("The place is saved."), refuse=(NotFound,))):  # core's refusal (administrators make stations): a word
        return redirect("grassroots:place", pk=saved.pk)
    return render(request, "grassroots/place_form.html", {"form": form, "place": found})


@screen
def place_new(request):
    return _place_form_page(request, _committee(request), None)


@screen
def place_edit(request, pk):
    committee = _committee(request)
    require_roles(request, OFFICE_ROLES)
    return _place_form_page(request, committee, selectors.place_get(committee, pk))


# --- A member's stations -----------------------------------------------------------------------------------------------


@screen
def my_stations(request):
    """The places where I am a resident member, my coming duty days (reception days I am on duty at) and the
    activities I was invited to."""
    committee = _committee(request)
    member = member_of(request.user, committee)
    if member is None:
        raise Http404
    today = clock.today()
    mine = ActivityMember.objects.filter(member=member, activity__committee=committee).select_related(
        "activity__place", "activity__special_committee")
    residences = [row.place for row in PlaceMember.objects.filter(member=member, place__committee=committee)
                  .select_related("place").order_by("place__county", "place__name")]
    duty = list(mine.filter(activity__kind=ActivityKind.RECEPTION_DAY, activity__date__gte=today,
                            activity__state__in=workflow.ACTIVITY_GROUPS["upcoming"]).order_by("activity__date")[:20])
    invited = list(mine.exclude(activity__state="planned").order_by("-activity__date", "-activity_id")[:50])
    return render(request, "grassroots/place_mine.html", {
        "member": member, "residences": residences, "duty": duty, "invited": invited, "today": today,
    })


# --- The overview of staff and leaders -----------------------------------------------------------------------------------


@screen
def overview(request):
    """Per county: places (stations, studios), activities and reception days held, demands received and answered,
    answer and on-time rates for a year; bars in HTML and CSS."""
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    year = _year(request)
    rows = place_rows(committee, selectors.places_of(committee), year)
    groups = by_county(rows)
    total = Figures()
    for g in groups:
        total.add(g["figures"])
    specials = year_figures(committee, year).get(None) or Figures()  # a special committee's own activities
    most = max([g["figures"].activities + g["figures"].receptions for g in groups] or [0])
    for g in groups:
        held = g["figures"].activities + g["figures"].receptions
        g["activity_share"] = 5 * round(20 * held / most) if most else 0
    return render(request, "grassroots/overview.html", {
        "groups": groups, "total": total, "specials": specials, "year": year, "years": documents.years_of(),
    })
