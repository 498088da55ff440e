"""The meeting screens. Thin: parse input with a form, call one service or selector, render.

Staff: the meeting list (filters, sort, pages, Excel) and the meeting desk (invited members and the sign-in list,
sign-up, leave approvals, speeches, minutes, the outcome report). Members: my meetings, the leave request, the
sign-in by code on the phone. A meeting the user may not see is a 404, the same as a missing one; an action they
may see but not take is the 403 page. A refused form comes back with its errors next to the fields and
everything typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import audit, clock
from xieshang.core.errors import Forbidden, NotFound, ServiceError
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import form_call, form_error, list_page, require_roles, screen

from . import selectors, services
from .forms import (
    AttendanceForm, CodeForm, FeedbackForm, LeaveDecisionForm, MeetingFilterForm, MeetingPlanForm, MinutesForm,
    OutcomeReportForm, ReasonForm, SpeechForm,
)
from .lists import MEETINGS, filter_meetings
from .models import Meeting, OutcomeReport
from .selectors import OFFICE_ROLES, READER_ROLES

BUTTON_ACTIONS = ("notify", "send_materials", "hold", "close")  # plain buttons; update, send_minutes, cancel: forms


def _get(request, pk) -> Meeting:
    return selectors.meeting_get(request.user, _committee(request), pk)


def _office(request, meeting) -> None:
    """The desk's writes are the office's: anyone else who sees the meeting gets the 403 page before any input."""
    if "staff" not in selectors.relations_of(request.user, meeting):
        raise Forbidden()


# --- Staff: the list and planning ---------------------------------------------------------------------------


@screen
def meetings(request):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    years = sorted(set(Meeting.objects.filter(committee=committee).values_list("year", flat=True)), reverse=True)
    filters = MeetingFilterForm(request.GET, listdef=MEETINGS, years=years)
    params = filters.params()
    qs = selectors.with_counts(filter_meetings(selectors.meetings_visible_to(request.user, committee), params))
    return list_page(request, MEETINGS, qs, "consultation/meetings.html",
                     {"may_plan": selectors.is_office(request.user, committee)}, filters=filters, params=params)


@screen
def meeting_new(request):
    committee = _committee(request)
    require_roles(request, OFFICE_ROLES)
    form = MeetingPlanForm(request.POST or None, committee=committee,
                           initial={"start_on": clock.today(), "kind": "consultation"})
    if request.method == "POST":
        created = {}

        def call():
            created["m"] = services.meeting_create(actor=request.user, committee=committee, data=form.data_for_service())

        if form_call(request, form, call, _("The meeting is planned.")):
            return redirect("consultation:meeting", created["m"].pk)
    return render(request, "consultation/meeting_form.html", {"form": form, "meeting": None})


@screen
def meeting_edit(request, pk):
    committee = _committee(request)
    meeting = _get(request, pk)
    _office(request, meeting)
    initial = {f: getattr(meeting, f) for f in services.PLAN_FIELDS}
    initial["members"] = list(meeting.invitations.values_list("member_id", flat=True))
    form = MeetingPlanForm(request.POST or None, committee=committee, initial=initial)
    if request.method == "POST":
        def call():
            services.meeting_act(actor=request.user, meeting=meeting, action="update", data=form.data_for_service(),
                                 expected_version=request.POST.get("expected_version"))

        if form_call(request, form, call, _("The plan is saved.")):
            return redirect("consultation:meeting", meeting.pk)
    return render(request, "consultation/meeting_form.html", {"form": form, "meeting": meeting})


# --- The meeting desk -----------------------------------------------------------------------------------------


def _desk(request, meeting, status=200, **bound):
    user = request.user
    relations = selectors.relations_of(user, meeting)
    office = "staff" in relations
    reader = bool(relations & {"staff", "leader"})
    rows = selectors.attendance_rows(meeting)
    own = selectors.invited_member(user, meeting)
    mine = next((r for r in rows if own is not None and r["member"].pk == own.pk), None)
    context = {
        "meeting": meeting, "office": office, "reader": reader, "rows": rows if reader else [], "mine": mine,
        "actions": [t for t in selectors.meeting_actions(user, meeting) if t.action in BUTTON_ACTIONS],
        "all_actions": {t.action for t in selectors.meeting_actions(user, meeting)},
        "pending": list(selectors.pending_leave(meeting)) if office else [],
        "speeches": list(selectors.speeches_of(meeting)) if reader else [],
        "reports": list(OutcomeReport.objects.filter(meeting=meeting).prefetch_related("recipients").order_by("id")) if reader else [],
        "speech_form": bound.get("speech_form") or SpeechForm(members=[r["member"] for r in rows]),
        "minutes_form": bound.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes} if meeting.minutes else None),
        "cancel_form": bound.get("cancel_form") or ReasonForm(),
        "report_form": bound.get("report_form") or OutcomeReportForm(),
        "attendance_error": bound.get("attendance_error"),
        "events": audit.timeline(meeting) if reader else [],
        "today": clock.today(),
    }
    return render(request, "consultation/meeting.html", context, status=status)


@screen
def meeting(request, pk):
    return _desk(request, _get(request, pk))


@screen
@require_POST
def meeting_act(request, pk, action):
    meeting = _get(request, pk)
    if action not in services.MACHINE:
        raise NotFound()
    if not services.MACHINE.transition(action).actors & selectors.relations_of(request.user, meeting):
        raise Forbidden()
    form = None
    key = None
    if action == "send_minutes":
        form, key = MinutesForm(request.POST), "minutes_form"
    elif action == "cancel":
        form, key = ReasonForm(request.POST), "cancel_form"
    data = {}

    def call():
        payload = form.cleaned_data if form is not None else {}
        services.meeting_act(actor=request.user, meeting=meeting, action=action, data={**data, **payload},
                             expected_version=request.POST.get("expected_version"))

    if form_call(request, form, call, _("Done: %(action)s.") % {"action": services.MACHINE.transition(action).label}):
        return redirect("consultation:meeting", meeting.pk)
    meeting.refresh_from_db()
    return _desk(request, meeting, status=422 if form is not None else 409, **({key: form} if key else {}))


@screen
@require_POST
def attendance(request, pk):
    """The sign-in list: one row per member posted (member, status, half_days)."""
    meeting = _get(request, pk)
    _office(request, meeting)
    form = AttendanceForm(request.POST)

    def call():
        services.attendance_record(actor=request.user, meeting=meeting, data=form.cleaned_data)

    if form_call(request, form, call, _("Attendance recorded.")):
        return redirect(reverse("consultation:meeting", args=[meeting.pk]) + "#attendance")
    return _desk(request, meeting, status=422, attendance_error=form)


@screen
@require_POST
def leave_decide(request, pk, leave_id):
    meeting = _get(request, pk)
    _office(request, meeting)
    row = meeting.leave_requests.filter(pk=leave_id).first()
    if row is None:
        raise NotFound()
    form = LeaveDecisionForm(request.POST)

    def call():
        services.leave_decide(actor=request.user, leave=row, approve=form.cleaned_data["approve"],
                              answer=form.cleaned_data["answer"])

    form_call(request, form, call, _("The leave request is decided."))
    return redirect(reverse("consultation:meeting", args=[meeting.pk]) + "#leave")


@screen
@require_POST
def speech_add(request, pk):
    meeting = _get(request, pk)
    _office(request, meeting)
    rows = selectors.attendance_rows(meeting)
    form = SpeechForm(request.POST, members=[r["member"] for r in rows])

    def call():
        services.speech_add(actor=request.user, meeting=meeting, data=form.cleaned_data)

    if form_call(request, form, call, _("The speech is recorded.")):
        return redirect(reverse("consultation:meeting", args=[meeting.pk]) + "#speeches")
    return _desk(request, meeting, status=422, speech_form=form)


@screen
@require_POST
def outcome_add(request, pk):
    meeting = _get(request, pk)
    _office(request, meeting)
    form = OutcomeReportForm(request.POST)

    def call():
        services.outcome_report_add(actor=request.user, meeting=meeting, data=form.data_for_service())

    if form_call(request, form, call, _("The outcome report is recorded.")):
        return redirect(reverse("consultation:meeting", args=[meeting.pk]) + "#outcome")
    return _desk(request, meeting, status=422, report_form=form)


@screen
@require_POST
def feedback(request, pk):
    meeting = _get(request, pk)
    _office(request, meeting)
    form = FeedbackForm(request.POST)

    def call():
        d = dict(form.cleaned_data)
        d["feedback_on"] = d["feedback_on"].isoformat() if d.get("feedback_on") else None
        services.feedback_record(actor=request.user, meeting=meeting, data=d)

    form_call(request, form, call, _("The feedback is recorded."))
    return redirect(reverse("consultation:meeting", args=[meeting.pk]) + "#outcome")


# --- Members ----------------------------------------------------------------------------------------------------


@screen
def mine(request):
    committee = _committee(request)
    rows = selectors.my_meetings(request.user, committee)
    if not rows and not selectors.member_of(request.user, committee):
        require_roles(request, {"member"})
    return render(request, "consultation/mine.html", {"rows": rows, "today": clock.today(), "code_form": CodeForm()})


@screen
@require_POST
def sign_up(request, pk):
    meeting = _get(request, pk)
    try:
        services.sign_up(actor=request.user, meeting=meeting)
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You are signed up."))
    return redirect("consultation:mine")


@screen
def leave(request, pk):
    meeting = _get(request, pk)
    if selectors.invited_member(request.user, meeting) is None:
        raise Forbidden()
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        def call():
            services.leave_request(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])

        if form_call(request, form, call, _("Your leave request is sent to the office.")):
            return redirect("consultation:mine")
    return render(request, "consultation/leave.html", {"meeting": meeting, "form": form},
                  status=422 if request.method == "POST" else 200)


@screen
def sign_in(request):
    """The phone page: a member types the meeting's code."""
    committee = _committee(request)
    if selectors.member_of(request.user, committee) is None:
        require_roles(request, {"member"})
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        def call():
            services.sign_in_with_code(actor=request.user, committee=committee, code=form.cleaned_data["code"])

        if form_call(request, form, call, _("You are signed in. Welcome!")):
            return redirect("consultation:mine")
    return render(request, "consultation/sign_in.html", {"form": form}, status=422 if request.method == "POST" else 200)


@screen
def notice_docx(request, pk):
    """The meeting notice as Word: whoever may see the meeting (members only once the notice is out)."""
    from xieshang.core.screens import docx_response

    from . import documents

    meeting = _get(request, pk)
    return docx_response(documents.notice_docx(meeting), documents.notice_filename(meeting))


@screen
def minutes_docx(request, pk):
    """The minutes (会议纪要) as Word: the office and leaders (who read the meeting's record), once the minutes are
    recorded; the same 404 before and for anyone else (an invited member sees the notice, not the record)."""
    from xieshang.core.screens import docx_response

    from . import documents

    meeting = _get(request, pk)
    if not meeting.minutes or not selectors.may_read_record(request.user, meeting):
        raise NotFound()
    return docx_response(documents.minutes_docx(meeting), documents.minutes_filename(meeting))
