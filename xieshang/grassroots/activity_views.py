"""The consultation activity screens (协商议事活动, 接待日). Thin: parse input with a form, call one service or
selector, render.

An activity the user may not see is a 404, the same as a missing one (a keeper of another place does not see a
planned activity); one the user may see but not act on answers 403 to an action. The detail page offers only
the actions ACTIVITY_MACHINE.available gives the user now. Errors of the services come back next to the fields
with everything typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import audit, clock, pickers
from xieshang.core.attachments import attachment_get, attachment_response, attachments_of
from xieshang.core.errors import Forbidden, NotFound, ServiceError
from xieshang.core.models import Role, SpecialCommittee
from xieshang.core.screens import attachment_removed, docx_response, form_error, list_page, screen
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import require_roles
from xieshang.core.selectors import roles_of

from . import documents, selectors, services
from .activity_forms import ActivityFilterForm, OutcomeForm, PhotoForm, PlanForm, ReasonForm, RecordForm, member_options
from .activity_lists import ACTIVITIES, filter_activities, with_counts
from .models import ActivityKind, ActivityState, OutcomeState
from .selectors import OFFICE_ROLES

ORGANISER_ROLES = OFFICE_ROLES | {Role.STATION}
BUTTON_ACTIONS = {"publish", "close"}  # a button on the detail page; "cancel" has a reason; the rest own pages


def _get(request, pk):
    return selectors.activity_get(request.user, _committee(request), pk)


def _int(value):
    text = (value or "").strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _units(committee):
    units = pickers.units_to_assign(committee)
    return units, pickers.unit_options(units)


def submitted(request, form, call, done, *, refuse=(NotFound, Forbidden)):
    """Run `call()` (one service) once the bound `form` is valid: its result (True when it returns nothing) with
    `done` said; else False, with the errors next to the fields and what was typed kept. The errors in `refuse`
    stay the 404 / 403 pages."""
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return False
    try:
        result = call()
    except refuse:
        raise
    except ServiceError as exc:
        form_error(request, form, exc)
        return False
    messages.success(request, done)
    return True if result is None else result


def _organises(user, activity) -> bool:
    return bool(selectors.activity_relations(user, activity) & {"organiser", "staff"})


# --- The list ----------------------------------------------------------------------------------------------------


@screen
def activities(request):
    committee = _committee(request)
    roles = roles_of(request.user, committee)
    places = list(selectors.places_of(committee).values_list("pk", "name", "county"))
    specials = [(c.pk, c.name) for c in SpecialCommittee.objects.filter(committee=committee).order_by("sort_order", "name")]
    filters = ActivityFilterForm(
        request.GET, listdef=ACTIVITIES, places=[(pk, name) for pk, name, _county in places],
        counties=list(dict.fromkeys(county for _pk, _name, county in places)), specials=specials, years=documents.years_of())
    params = filters.params()
    qs = with_counts(filter_activities(selectors.activities_visible_to(request.user, committee), params))
    return list_page(request, ACTIVITIES, qs, "grassroots/activities.html", {
        "may_plan": bool(roles & ORGANISER_ROLES),
    }, filters=filters, params=params)


# --- Planning ------------------------------------------------------------------------------------------------------


def _plan_choices(request, committee):
    """The places the user may organise at and (staff) the special committees."""
    if roles_of(request.user, committee) & OFFICE_ROLES:
        places = selectors.places_of(committee)
        specials = [(c.pk, c.name) for c in SpecialCommittee.objects.filter(committee=committee).order_by("sort_order", "name")]
    else:
        places, specials = selectors.keeper_places(request.user, committee), []
    return [(p.pk, p.name) for p in places], specials


def _plan_form(request, committee, *, new: bool, initial=None):
    places, specials = _plan_choices(request, committee) if new else ((), ())
    units, unit_opts = _units(committee)
    return PlanForm(request.POST if request.method == "POST" else None, initial=initial, places=places,
                    specials=specials, members=member_options(committee), units=units, unit_opts=unit_opts, new=new)


@screen
def activity_new(request):
    committee = _committee(request)
    require_roles(request, ORGANISER_ROLES)
    kind = request.GET.get("kind") if request.GET.get("kind") in ActivityKind.values else ActivityKind.CONSULTATION
    form = _plan_form(request, committee, new=True, initial={"date": clock.today(), "kind": kind})
    offered = [pk for pk, _name in form.fields["place"].choices[1:]]
    wanted = _int(request.GET.get("place"))
    if wanted in offered or len(offered) == 1:  # the place asked for (from its page), or one's one place
        form.initial["place"] = wanted if wanted in offered else offered[0]
    if request.method == "POST" and (activity := submitted(
            request, form, lambda: services.activity_create(actor=request.user, committee=committee, data=form.to_data()),
            _("The activity is planned. Publish its notice when it is ready."))):
        return redirect("grassroots:activity", pk=activity.pk)
    return render(request, "grassroots/activity_form.html", {"form": form, "activity": None})


def _act(request, activity, action, form):
    return services.activity_act(actor=request.user, activity=activity, action=action, data=form.to_data(),
                                 expected_version=form.cleaned_data.get("version"))


def _offered(request, activity) -> set[str]:
    return {t.action for t in selectors.activity_actions(request.user, activity)}


def _refuse(request, activity, message):
    """A page for an action the user may not take now: 403 for one who does not organise it; otherwise back to
    the activity with a word (its state moved on)."""
    if not _organises(request.user, activity):
        raise Forbidden()
    messages.warning(request, message)
    return redirect("grassroots:activity", pk=activity.pk)


@screen
def activity_edit(request, pk):
    committee = _committee(request)
    activity = _get(request, pk)
    if "update" not in _offered(request, activity):
        return _refuse(request, activity, _("The plan can no longer be changed."))
    form = _plan_form(request, committee, new=False, initial={
        "kind": activity.kind, "topic": activity.topic, "date": activity.date, "start_time": activity.start_time,
        "location": activity.location, "citizens_invited": activity.citizens_invited, "notice": activity.notice,
        "members": list(activity.participants.values_list("member_id", flat=True)),
        "units": list(activity.units_invited.values_list("pk", flat=True)), "version": activity.version,
    })
    if request.method == "POST" and submitted(request, form, lambda: _act(request, activity, "update", form),
                                              _("The plan is saved.")):
        return redirect("grassroots:activity", pk=activity.pk)
    return render(request, "grassroots/activity_form.html", {"form": form, "activity": activity})


# --- Holding it and correcting the record -----------------------------------------------------------------------------


@screen
def activity_record(request, pk):
    """hold (a planned or published activity) or record (correct the record of a held one): the attendance
    checklist, members on duty who were not invited, citizens, departments present, minutes."""
    committee = _committee(request)
    activity = _get(request, pk)
    offered = _offered(request, activity)
    action = "hold" if "hold" in offered else "record" if "record" in offered else None
    if action is None:
        if _organises(request.user, activity) and activity.state in (ActivityState.PLANNED, ActivityState.PUBLISHED):
            return _refuse(request, activity, _("An activity can be recorded as held on or after its date."))
        return _refuse(request, activity, _("The record of this activity cannot be changed now."))
    participants = list(activity.participants.select_related("member").order_by("member__name", "id"))
    units, unit_opts = _units(committee)
    form = RecordForm(request.POST if request.method == "POST" else None, participants=participants,
                      members=member_options(committee), units=units, unit_opts=unit_opts, initial={
                          "citizens_count": activity.citizens_count, "minutes": activity.minutes,
                          "units_present": list(activity.units_present.values_list("pk", flat=True)),
                          "version": activity.version})
    done = _("The attendance and minutes are recorded.") if action == "hold" else _("The record is corrected.")
    if request.method == "POST" and submitted(request, form, lambda: _act(request, activity, action, form), done):
        return redirect("grassroots:activity", pk=activity.pk)
    return render(request, "grassroots/activity_record.html", {"form": form, "activity": activity, "action": action})


# --- The detail page --------------------------------------------------------------------------------------------------


def _action_entries(request, activity, offered, cancel_form=None) -> list[dict]:
    labels = {t.action: t.label for t in selectors.activity_actions(request.user, activity)}
    entries = []
    for action in ("update", "publish", "hold", "record", "close", "cancel"):
        if action not in offered:
            continue
        entry = {"action": action, "label": labels[action]}
        if action == "update":
            entry.update(kind="link", url=reverse("grassroots:activity_edit", args=[activity.pk]))
        elif action in ("hold", "record"):
            entry.update(kind="link", url=reverse("grassroots:activity_record", args=[activity.pk]))
        elif action in BUTTON_ACTIONS:
            entry.update(kind="button")
        else:
            entry.update(kind="form", form=cancel_form or ReasonForm(), open=cancel_form is not None)
        entries.append(entry)
    return entries


def _detail_context(request, activity, *, cancel_form=None, outcome_form=None, photo_form=None) -> dict:
    user, committee = request.user, _committee(request)
    offered = _offered(request, activity)
    organises = _organises(user, activity)
    held = activity.state in (ActivityState.HELD, ActivityState.CLOSED)
    if organises and held and outcome_form is None:
        units, unit_opts = _units(committee)
        outcome_form = OutcomeForm(members=member_options(committee), units=units, unit_opts=unit_opts)
    may_photo = services.may_attach_photos(user, activity)
    events = list(audit.timeline(activity))
    for e in events:
        e.from_label = ActivityState(e.from_state).label if e.from_state in ActivityState.values else e.from_state
        e.to_label = ActivityState(e.to_state).label if e.to_state in ActivityState.values else e.to_state
    return {
        "activity": activity,
        "participants": list(activity.participants.select_related("member").order_by("member__name", "id")),
        "units_invited": list(activity.units_invited.all()),
        "units_present": list(activity.units_present.all()),
        "outcomes": list(activity.outcomes.select_related("owner_unit", "owner_member").order_by("id")),
        "demands": list(selectors.demands_visible_to(user, committee).filter(activity=activity).select_related("place")),
        "photos": list(attachments_of(activity, "photo")),
        "photo_form": photo_form or (PhotoForm() if may_photo else None),
        "may_photo": may_photo,
        "organises": organises,
        "outcome_form": outcome_form if organises and held else None,
        "actions": _action_entries(request, activity, offered, cancel_form),
        "held": held,
        "today": clock.today(),
        "events": events,
    }


@screen
def activity(request, pk):
    found = _get(request, pk)
    return render(request, "grassroots/activity.html", _detail_context(request, found))


@screen
@require_POST
def activity_act(request, pk, action):
    """publish, close, cancel (with a reason) from the detail page."""
    if action not in BUTTON_ACTIONS | {"cancel"}:
        raise Http404
    found = _get(request, pk)
    form = ReasonForm(request.POST) if action == "cancel" else None
    if form is None or form.is_valid():
        try:
            services.activity_act(actor=request.user, activity=found, action=action,
                                  data=form.to_data() if form is not None else {},
                                  expected_version=_int(request.POST.get("version")))
        except (NotFound, Forbidden):
            raise
        except ServiceError as exc:
            form_error(request, form, exc)
        else:
            label = services.ACTIVITY_MACHINE.transition(action).label
            messages.success(request, _("Done: %(action)s.") % {"action": label})
            return redirect("grassroots:activity", pk=found.pk)
    else:
        messages.error(request, _("Please correct the marked fields."))
    found = _get(request, pk)
    return render(request, "grassroots/activity.html", _detail_context(request, found, cancel_form=form))


# --- Outcomes (成果清单) ---------------------------------------------------------------------------------------------


@screen
@require_POST
def outcome_add(request, pk):
    committee = _committee(request)
    found = _get(request, pk)
    if not _organises(request.user, found):
        raise Forbidden()
    units, unit_opts = _units(committee)
    form = OutcomeForm(request.POST, members=member_options(committee), units=units, unit_opts=unit_opts)
    if submitted(request, form, lambda: services.outcome_add(actor=request.user, activity=found, data=form.to_data()),
                 _("The outcome is added.")):
        return redirect(reverse("grassroots:activity", args=[found.pk]) + "#outcomes")
    return render(request, "grassroots/activity.html", _detail_context(request, found, outcome_form=form))


@screen
@require_POST
def outcome_done(request, pk, outcome_id):
    found = _get(request, pk)
    outcome = found.outcomes.filter(pk=_int(str(outcome_id)) or 0).first()
    if outcome is None:
        raise NotFound()
    if outcome.state != OutcomeState.DONE:
        note = (request.POST.get("note") or "")[:500]
        services.outcome_done(actor=request.user, outcome=outcome, note=note)
        messages.success(request, _("The outcome is marked done."))
    return redirect(reverse("grassroots:activity", args=[found.pk]) + "#outcomes")


# --- Photos -------------------------------------------------------------------------------------------------------------


@screen
@require_POST
def photo_add(request, pk):
    found = _get(request, pk)
    if not _organises(request.user, found):  # as outcome_add: 403 before the form (found by the probe)
        raise Forbidden()
    form = PhotoForm(request.POST, request.FILES)
    if submitted(request, form, lambda: services.activity_photo_add(actor=request.user, activity=found,
                                                                     file=form.cleaned_data["file"]),
                 _("The photo is added.")):
        return redirect(reverse("grassroots:activity", args=[found.pk]) + "#photos")
    return render(request, "grassroots/activity.html", _detail_context(request, found, photo_form=form))


@screen
def photo(request, pk, photo_id):
    """A photo of the activity, shown in the page (those who may see the activity)."""
    found = _get(request, pk)
    return attachment_response(attachment_get(found, photo_id, purpose="photo"), visible=True, as_attachment=False)


@screen
@require_POST
def photo_remove(request, pk, photo_id):
    found = _get(request, pk)
    return attachment_removed(request, lambda: services.activity_photo_remove(
        actor=request.user, activity=found, attachment=photo_id),
        reverse("grassroots:activity", args=[found.pk]) + "#photos")


# --- The minutes as Word -------------------------------------------------------------------------------------------------


@screen
def activity_docx(request, pk):
    """协商议事活动纪要: anyone who may see the activity, once it has been held (404 before)."""
    found = _get(request, pk)
    if found.state not in (ActivityState.HELD, ActivityState.CLOSED):
        raise Http404
    return docx_response(documents.activity_minutes_docx(found, request.user),
                                  documents.activity_filename(found))
