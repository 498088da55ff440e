"""The grassroots screens for keepers, units, members, staff and leaders (thin: services and selectors do the work).

Demands (诉求):
- board       the keeper's station board: the demands of my places, late first, counts per state
- inbox       a handling unit's demands to answer (beside its proposals)
- demands     every demand of the committee (office staff, leaders): filters, sort, search, Excel
- mine        the demands a member (or anyone) recorded
- demand      one demand: text, photos, personal data (keepers, the unit, staff, leaders), deadlines,
              timeline, and a form for each action DEMAND_MACHINE.available offers the user
- demand_new  record a demand (keeper, member met on a visit, staff)

A demand the user may not see is a 404, the same as a missing one; a page meant for other roles is a 404
too. Errors of the services come back next to the fields with everything typed kept; a form posted from an
out-of-date page (its `expected_version`) gets the conflict message.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import clock
from xieshang.core.errors import Conflict, Forbidden, NotFound, ServiceError
from xieshang.core.lists import heads
from xieshang.core.models import Role
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import form_error, screen
from xieshang.core.screens import require_roles as _require_roles
from xieshang.core.selectors import member_of, roles_of, unit_ids_of

from . import exports, page_selectors, selectors, services
from .forms import ACTION_FORMS, DANGER_ACTIONS, DemandFilterForm, DemandForm, action_form
from .lists import BOARD, DEMANDS, INBOX, MINE
from .models import Activity, DemandPhoto, DemandState
from .workflow import DEMAND_GROUPS

READER_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER}
OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
FIRST_YEAR = 2020


def _years() -> list[int]:
    return list(range(clock.today().year, FIRST_YEAR - 1, -1))


# --- Lists ----------------------------------------------------------------------------------------------


def _list_page(request, listdef, qs, template: str, context: dict, *, filters: DemandFilterForm):
    """The page of a list, or with `?format=xlsx` the whole filtered list as an Excel file."""
    committee = _committee(request)
    params = filters.params()
    if filters.errors:
        messages.warning(request, _("Some filters were not understood and are not applied."))
    qs = listdef.order(page_selectors.filtered(qs, params, committee), params.get("sort"))
    if request.GET.get("format") == "xlsx":
        from xieshang.core.exports import XLSX

        handle = tempfile.TemporaryFile()
        exports.write_demand_list(handle, listdef, qs)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=f"{listdef.name}-{timezone.localdate():%Y%m%d}.xlsx")
    page = Paginator(page_selectors.demand_rows(qs), listdef.page_size(request.GET.get("page_size"))).get_page(
        request.GET.get("page"))
    rows = page_selectors.with_due(page.object_list)
    return render(request, template, {
        **context, "page_obj": page, "rows": rows, "filters": filters, "heads": heads(listdef, params.get("sort")),
    })


@screen
def board(request):
    """The keeper's station board: the demands of my places, what is late first; counts per state."""
    committee = _committee(request)
    _require_roles(request, {Role.STATION})
    places = list(selectors.keeper_places(request.user, committee))
    qs = selectors.demands_visible_to(request.user, committee).filter(place_id__in=[p.pk for p in places])
    fields = ("q", "state", "category", "year", "late") + (("place",) if len(places) > 1 else ())
    filters = DemandFilterForm(request.GET, listdef=BOARD, fields=fields, places=places, years=_years())
    return _list_page(request, BOARD, qs, "grassroots/board.html", {
        "places": places, "counts": page_selectors.state_counts(qs),
    }, filters=filters)


@screen
def inbox(request):
    """A unit's demands to answer (referred to it now); `?tab=answered`: those it answered."""
    committee = _committee(request)
    _require_roles(request, {Role.UNIT})
    units = unit_ids_of(request.user, committee)
    tab = "answered" if request.GET.get("tab") == "answered" else "open"
    qs = selectors.demands_visible_to(request.user, committee)
    if tab == "answered":
        qs = qs.filter(answered_by_unit_id__in=units)
    else:
        qs = qs.filter(unit_id__in=units, state=DemandState.REFERRED)
    filters = DemandFilterForm(request.GET, listdef=INBOX, fields=("q", "category", "year", "late"),
                               years=_years())
    return _list_page(request, INBOX, qs, "grassroots/inbox.html", {"tab": tab}, filters=filters)


@screen
def demands(request):
    """Every demand of the committee (office staff and leaders)."""
    from xieshang.core.pickers import units_to_assign

    committee = _committee(request)
    _require_roles(request, READER_ROLES)
    filters = DemandFilterForm(
        request.GET, listdef=DEMANDS, years=_years(), places=list(selectors.places_of(committee)),
        units=units_to_assign(committee),
        fields=("q", "state", "place", "county", "unit", "category", "source", "year", "late"))
    qs = selectors.demands_visible_to(request.user, committee)
    return _list_page(request, DEMANDS, qs, "grassroots/demands.html", {
        "may_record": bool(roles_of(request.user, committee) & OFFICE_ROLES),
    }, filters=filters)


@screen
def mine(request):
    """The demands I recorded (a member met on a visit, or a keeper)."""
    committee = _committee(request)
    if not _may_record(request, committee):
        raise Http404
    qs = selectors.demands_visible_to(request.user, committee).filter(recorded_by=request.user)
    filters = DemandFilterForm(request.GET, listdef=MINE, fields=("q", "state", "year"), years=_years())
    return _list_page(request, MINE, qs, "grassroots/demand_mine.html", {}, filters=filters)


# --- Recording a demand ------------------------------------------------------------------------------------


def _may_record(request, committee) -> bool:
    return bool(roles_of(request.user, committee) & {Role.STATION, *OFFICE_ROLES}
                or member_of(request.user, committee) is not None)


def _record_choices(request, committee):
    """The places the user may record for (a keeper: their own; members and staff: any) and the recent
    activities of those places."""
    import datetime

    roles = roles_of(request.user, committee)
    places = selectors.places_of(committee)
    if Role.STATION in roles and not roles & OFFICE_ROLES and member_of(request.user, committee) is None:
        places = places.filter(pk__in=selectors.place_ids_of(request.user, committee))
    places = list(places)
    since = clock.today() - datetime.timedelta(days=60)
    activities = list(
        selectors.activities_visible_to(request.user, committee).filter(
            place_id__in=[p.pk for p in places], date__gte=since, date__lte=clock.today())
        .exclude(state="cancelled").order_by("-date", "-id").only("id", "date", "topic")[:50]
    )
    return places, activities


@screen
def demand_new(request):
    committee = _committee(request)
    if not _may_record(request, committee):
        raise Http404
    places, activities = _record_choices(request, committee)
    if request.method == "POST":
        form = DemandForm(request.POST, request.FILES, places=places, activities=activities)
        if form.is_valid():
            try:
                demand = services.demand_create(actor=request.user, committee=committee, data=form.to_data(),
                                                photos=form.cleaned_data.get("photos") or [])
            except NotFound:
                raise
            except ServiceError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("The demand is recorded. Its tracking code is %(code)s.") % {
                    "code": demand.tracking_code})
                return redirect("grassroots:demand", pk=demand.pk)
        else:
            messages.error(request, _("Please correct the marked fields."))
        if request.FILES:
            messages.warning(request, _("Please choose the photos again."))
    else:
        initial = {}
        activity_id = request.GET.get("activity", "")
        if activity_id.isascii() and activity_id.isdigit() and int(activity_id) in {a.pk for a in activities}:
            chosen = next(a for a in activities if a.pk == int(activity_id))
            initial["activity"] = chosen.pk
            place_id = Activity.objects.filter(pk=chosen.pk).values_list("place_id", flat=True).first()
            initial["place"] = place_id
        form = DemandForm(initial=initial, places=places, activities=activities)
    return render(request, "grassroots/demand_form.html", {"form": form})


# --- One demand --------------------------------------------------------------------------------------------


def _get(request, pk):
    return selectors.demand_get(request.user, _committee(request), pk)


def _action_ctx(request, demand, names) -> dict:
    from xieshang.core.models import Member
    from xieshang.core.pickers import units_to_assign

    ctx = {}
    if "refer" in names:
        ctx["units"] = units_to_assign(demand.committee_id)
    if "convert" in names:
        ctx["members"] = list(Member.objects.filter(committee_id=demand.committee_id, is_active=True,
                                                    user__isnull=False).only("id", "name", "employer")
                              .order_by("name"))
    return ctx


def _initial(action: str, demand) -> dict:
    initial = {"expected_version": demand.version}
    if action == "publish":
        initial["summary"] = services.mask_personal(demand.text)
    elif action == "classify":
        initial["category"] = demand.category
    return initial


def _entry(t, form) -> dict:
    return {"action": t.action, "label": t.label, "form": form, "open": form.is_bound,
            "fields": bool(form.visible_fields()), "danger": t.action in DANGER_ACTIONS}


def _action_entries(request, demand, bound=None) -> list[dict]:
    actions = [t for t in selectors.demand_actions(request.user, demand) if t.action in ACTION_FORMS]
    names = {t.action for t in actions}
    bound_action, bound_form = bound or (None, None)
    ctx = _action_ctx(request, demand, names)
    entries = []
    for t in actions:
        if t.action == bound_action:
            entries.append(_entry(t, bound_form))
        else:
            entries.append(_entry(t, action_form(t.action, ctx=ctx, initial=_initial(t.action, demand))))
    if bound_action and bound_action not in names:  # not possible any more: still show what was typed
        from .services import DEMAND_MACHINE

        entries.insert(0, _entry(DEMAND_MACHINE.transition(bound_action), bound_form))
    return entries


def _detail_context(request, demand, bound=None) -> dict:
    from django.forms import Media

    actions = _action_entries(request, demand, bound)
    return {
        "demand": demand,
        "personal": page_selectors.personal_data_visible(request.user, demand),
        "photos": list(demand.photos.order_by("id")),
        "deadlines": page_selectors.deadlines_of(demand),
        "events": page_selectors.timeline_of(demand),
        "actions": actions,
        "media": sum((e["form"].media for e in actions), Media()),
        "holder": selectors.holder_of(demand),
        "late": bool(demand.due_on and demand.due_on < clock.today()
                     and demand.state in DEMAND_GROUPS["open"]),
    }


@screen
def demand(request, pk):
    found = _get(request, pk)
    return render(request, "grassroots/demand_detail.html", _detail_context(request, found))


@screen
@require_POST
def act(request, pk, action):
    """Carry out one action from its form on the detail page."""
    if action not in ACTION_FORMS:
        raise Http404
    found = _get(request, pk)
    form = action_form(action, request.POST, ctx=_action_ctx(request, found, {action}))
    status = 200
    if form.is_valid():
        try:
            services.demand_act(actor=request.user, demand=found, action=action, data=form.to_data(),
                                expected_version=form.cleaned_data.get("expected_version"))
        except NotFound:
            raise
        except Conflict as exc:
            messages.error(request, str(exc.message))
            status = 409
        except ServiceError as exc:
            form_error(request, form, exc)
            status = 403 if isinstance(exc, Forbidden) else 200
        else:
            from .services import DEMAND_MACHINE

            messages.success(request, _("Done: %(action)s.") % {"action": DEMAND_MACHINE.transition(action).label})
            return redirect("grassroots:demand", pk=found.pk)
    else:
        messages.error(request, _("Please correct the marked fields."))
    found = _get(request, pk)  # the state now
    if status == 409:  # the form shows the page's fresh version: sending it again acts on what is there now
        data = request.POST.copy()
        data["expected_version"] = str(found.version)
        form = action_form(action, data, ctx=_action_ctx(request, found, {action}))
        form.is_valid()
    return render(request, "grassroots/demand_detail.html", _detail_context(request, found, bound=(action, form)),
                  status=status)


@screen
def photo(request, pk, photo_id):
    """A demand's photo, only for those who may see the demand (404 otherwise, as for a missing one)."""
    found = _get(request, pk)
    row = DemandPhoto.objects.filter(demand=found, pk=photo_id).first()
    if row is None:
        raise Http404
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.tracking_code}-{row.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
