"""Every write of the meetings app. A meeting moves through the kernel's Machine (`MACHINE`); the named services
delegate to it. The writes beside the table (attendance, sign-up, leave, the code, speeches, the outcome report)
follow the same rules by hand: check permission, one transaction (the meeting's row locked first), one audit
event, notices after the commit.

Attendance is one row per member and meeting (a unique constraint); every write of it locks the meeting's row
first (SELECT … FOR UPDATE), so two staff taking attendance at once end with one row per member, the second
replacing the first. Each row is a duty fact of the member (present / approved leave / absent without leave,
the quantity in half-days where the meeting counts them); each speech is one.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit, clock, timers
from xieshang.core import deadlines as dl
from xieshang.core.duty import duty_fact_record, duty_fact_remove, duty_facts_clear, duty_facts_record_many
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Member
from xieshang.core.notices import Notice
from xieshang.core.selectors import member_of, office_users
from xieshang.core.services import notify
from xieshang.core.workflow import Machine, Step, as_id, parse_input

from . import selectors as sel
from . import workflow as wf
from .models import (
    Attendance, AttendanceSource, Invitation, LeaveRequest, LeaveState, Meeting, MeetingKind, MeetingState,
    OutcomeRecipient, OutcomeReport, Presence, Speech, SpeechKind,
)
from .search import index_meetings

S = MeetingState
DEADLINE_KINDS = ("consultation.notice", "consultation.materials", "consultation.minutes")


# --- Duty facts ----------------------------------------------------------------------------------------------


def duty_prefix(meeting: Meeting) -> str:
    """plenary, standing or meeting (chairpersons' and consultation meetings): the ledger kinds' middle part."""
    return {MeetingKind.PLENARY: "plenary", MeetingKind.STANDING: "standing"}.get(meeting.kind, "meeting")


ATTENDANCE_KINDS = tuple(f"consultation.{p}.{s}" for p in ("plenary", "standing", "meeting") for s in Presence.values)
SPEECH_KINDS = {SpeechKind.ORAL: "consultation.speech.oral", SpeechKind.WRITTEN: "consultation.speech.written"}


def _attendance_fact(meeting: Meeting, member: Member, status: str | None, half_days: int) -> None:
    """The member's one attendance fact for the meeting (others of theirs for it removed); none without a status."""
    wanted = f"consultation.{duty_prefix(meeting)}.{status}" if status else None
    for kind in ATTENDANCE_KINDS:
        if kind != wanted:
            duty_fact_remove(member=member, kind=kind, obj=meeting)
    quantity = half_days if meeting.half_days else 1
    if wanted and quantity:
        duty_fact_record(member=member, kind=wanted, obj=meeting, occurred_on=meeting.start_on, quantity=quantity)
    elif wanted:
        duty_fact_remove(member=member, kind=wanted, obj=meeting)


def _refresh_facts(meeting: Meeting) -> None:
    duty_facts_clear(obj=meeting, kinds=ATTENDANCE_KINDS)
    for row in Attendance.objects.filter(meeting=meeting).select_related("member"):
        _attendance_fact(meeting, row.member, row.status, row.half_days)
    for speech in Speech.objects.filter(meeting=meeting).select_related("member"):
        duty_fact_record(member=speech.member, kind=SPEECH_KINDS[speech.kind], obj=speech, occurred_on=meeting.start_on)


# --- Deadlines --------------------------------------------------------------------------------------------


def days_before(committee, key: str, day: datetime.date) -> datetime.date:
    """The day a timer's span before `day` (on the working-day calendar for working-day timers)."""
    amount, unit = timers.timer(committee, key)
    return timers.apply(committee, -amount, unit, day)


def _open_ahead(meeting: Meeting) -> None:
    """The notice and materials deadlines, counted back from the first day (unless already met)."""
    from xieshang.core.models import Deadline

    met = {row.kind for row in dl.deadlines_of(meeting) if row.state == Deadline.State.MET}
    for kind in ("consultation.notice", "consultation.materials"):
        if kind not in met:
            dl.deadline_open(obj=meeting, kind=kind, due_on=days_before(meeting.committee_id, kind, meeting.start_on))


def _close_open(meeting: Meeting, *, meet=(), waive=(), today=None) -> None:
    for row in dl.deadlines_of(meeting):
        if not row.is_open:
            continue
        if row.kind in meet:
            dl.deadline_meet(obj=meeting, kind=row.kind, on=today)
        elif row.kind in waive:
            dl.deadline_waive(obj=meeting, kind=row.kind)


# --- Invitations -------------------------------------------------------------------------------------------


def _invitees(committee_id, plan: wf.MeetingInput) -> list[Member]:
    members = Member.objects.filter(committee_id=committee_id, is_active=True)
    if plan.kind == MeetingKind.PLENARY:
        return list(members)
    if plan.kind == MeetingKind.STANDING:
        return list(members.filter(is_standing_committee_member=True))
    wanted = set(plan.members)
    found = list(members.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Invalid(field_errors={"members": [_("Choose active members of this committee.")]})
    return found


def _set_invited(meeting: Meeting, members: list[Member]) -> None:
    wanted = {m.pk for m in members}
    gone = list(Invitation.objects.filter(meeting=meeting).exclude(member_id__in=wanted).values_list("member_id", flat=True))
    if gone:
        Attendance.objects.filter(meeting=meeting, member_id__in=gone).delete()
        LeaveRequest.objects.filter(meeting=meeting, member_id__in=gone).delete()
        Invitation.objects.filter(meeting=meeting, member_id__in=gone).delete()
    have = set(Invitation.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    Invitation.objects.bulk_create([Invitation(meeting=meeting, member=m) for m in members if m.pk not in have])


def _check_dates(plan: wf.MeetingInput, today: datetime.date) -> None:
    if plan.start_on < today:
        raise Invalid(field_errors={"start_on": [_("The first day cannot be in the past (today is %(date)s).")
                                                 % {"date": today.isoformat()}]}, detail="date_in_past")


def _apply(meeting: Meeting, plan: wf.MeetingInput) -> None:
    meeting.kind = plan.kind
    meeting.form = plan.form
    meeting.title = plan.title
    meeting.start_on = plan.start_on
    meeting.end_on = plan.end_on
    meeting.year = plan.start_on.year
    meeting.half_days = plan.half_days
    meeting.place = plan.place
    meeting.notice = plan.notice


def _require_office(actor, committee) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if not sel.is_office(actor, committee):
        raise Forbidden()


def meeting_create(*, actor, committee, data: dict) -> Meeting:
    """Plan a meeting (office staff): the invited members, the notice and materials deadlines counted back
    from the first day. 422 for a first day in the past or a last day before the first."""
    _require_office(actor, committee)
    plan = parse_input(wf.MeetingInput, data)
    _check_dates(plan, clock.today())
    members = _invitees(committee.pk, plan)
    with transaction.atomic():
        meeting = Meeting(committee=committee, created_by=actor)
        _apply(meeting, plan)
        meeting.save()
        index_meetings(meeting)
        _set_invited(meeting, members)
        _open_ahead(meeting)
        audit.record(actor=actor, action="meeting.create", obj=meeting, to_state=meeting.state,
                     payload={"kind": meeting.kind, "form": meeting.form, "invited": len(members)})
    return meeting


# --- Machine handlers --------------------------------------------------------------------------------------


PLAN_FIELDS = ("kind", "form", "title", "start_on", "end_on", "half_days", "place", "notice")


def _do_update(step: Step) -> None:
    meeting, plan = step.obj, step.input
    _check_dates(plan, step.today)
    members = _invitees(meeting.committee_id, plan)
    before = {f: getattr(meeting, f) for f in PLAN_FIELDS}
    _apply(meeting, plan)
    _set_invited(meeting, members)
    _open_ahead(meeting)
    step.payload["changes"] = audit.changes(before, {f: getattr(meeting, f) for f in PLAN_FIELDS}, PLAN_FIELDS)
    _refresh_facts(meeting)


def _tell_invited(meeting: Meeting, kind: str, title, body="") -> None:
    users = [row.member.user for row in Invitation.objects.filter(meeting=meeting).select_related("member__user")
             if row.member.user_id and row.member.user.is_active]
    notify(recipients=users, kind=kind, title=title, body=body,
           url=sel.url_or_hash("consultation:mine"), committee=meeting.committee)


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _do_notify(step: Step) -> None:
    meeting = step.obj
    meeting.notified_at = step.now
    if not meeting.sign_in_code:
        meeting.sign_in_code = new_code()
    dl.deadline_meet(obj=meeting, kind="consultation.notice", on=step.today)
    step.payload["late"] = step.today > days_before(meeting.committee_id, "consultation.notice", meeting.start_on)
    _tell_invited(meeting, "meeting.notified", Notice(gettext_lazy("Meeting notice: %(subject)s"), subject=meeting.title),
                  Notice(gettext_lazy("%(subject)s, from %(date)s at %(place)s. Sign up or ask for leave."),
                         subject=meeting.title, date=meeting.start_on, place=meeting.place or "—"))


def _do_send_materials(step: Step) -> None:
    meeting = step.obj
    meeting.materials_sent_at = step.now
    dl.deadline_meet(obj=meeting, kind="consultation.materials", on=step.today)


def _do_hold(step: Step) -> None:
    meeting = step.obj
    meeting.held_at = step.now
    _close_open(meeting, waive=("consultation.notice", "consultation.materials"))
    dl.deadline_open(obj=meeting, kind="consultation.minutes", start=max(meeting.end_on, step.today))


def _do_send_minutes(step: Step) -> None:
    meeting = step.obj
    meeting.minutes = step.input.minutes
    meeting.minutes_recipients = step.input.recipients
    meeting.minutes_sent_at = step.now
    dl.deadline_meet(obj=meeting, kind="consultation.minutes", on=step.today)
    step.payload["recipients"] = step.input.recipients


def _do_close(step: Step) -> None:
    """Every invited member without a record gets one: on leave when their leave was approved, else absent."""
    meeting = step.obj
    rows = sel.attendance_rows(meeting)
    added = 0
    for row in rows:
        if row["record"] is not None:
            continue
        status = Presence.LEAVE if row["leave_state"] == LeaveState.APPROVED else Presence.ABSENT
        Attendance.objects.create(meeting=meeting, member=row["member"], status=status, half_days=meeting.half_days,
                                  source=AttendanceSource.CLOSING, recorded_by=step.actor, recorded_at=step.now)
        _attendance_fact(meeting, row["member"], status, meeting.half_days)
        added += 1
    step.payload["completed"] = added


def _do_cancel(step: Step) -> None:
    meeting = step.obj
    was_notified = meeting.state == S.NOTIFIED
    meeting.cancel_reason = step.input.reason
    _close_open(meeting, waive=DEADLINE_KINDS)
    duty_facts_clear(obj=meeting)
    for speech in Speech.objects.filter(meeting=meeting):
        duty_facts_clear(obj=speech)
    step.payload["reason"] = step.input.reason
    if was_notified:
        _tell_invited(meeting, "meeting.cancelled", Notice(gettext_lazy("Meeting cancelled: %(subject)s"), subject=meeting.title),
                      step.input.reason)


MACHINE = Machine(
    name="meeting",
    model=Meeting,
    transitions=wf.TRANSITIONS,
    handlers={"update": _do_update, "notify": _do_notify, "send_materials": _do_send_materials, "hold": _do_hold,
              "send_minutes": _do_send_minutes, "close": _do_close, "cancel": _do_cancel},
    relations=sel.relations_of,
    can_see=sel.can_see,
    groups=wf.GROUPS,
    after_save=index_meetings,
    state_label=lambda s: str(MeetingState(s).label) if s in MeetingState.values else s,
)


def meeting_act(*, actor, meeting, action: str, data: dict | None = None, expected_version=None) -> Meeting:
    """Any meeting action (the API's `/meetings/{id}/actions/{action}` and the desk)."""
    return MACHINE.act(actor=actor, obj=meeting, action=action, data=data, expected_version=expected_version)


def meeting_notify(*, actor, meeting, expected_version=None) -> Meeting:
    return meeting_act(actor=actor, meeting=meeting, action="notify", expected_version=expected_version)


def meeting_hold(*, actor, meeting, expected_version=None) -> Meeting:
    return meeting_act(actor=actor, meeting=meeting, action="hold", expected_version=expected_version)


def meeting_send_minutes(*, actor, meeting, minutes: str, recipients: str = "州委、州政府", expected_version=None) -> Meeting:
    return meeting_act(actor=actor, meeting=meeting, action="send_minutes",
                       data={"minutes": minutes, "recipients": recipients}, expected_version=expected_version)


def meeting_close(*, actor, meeting, expected_version=None) -> Meeting:
    return meeting_act(actor=actor, meeting=meeting, action="close", expected_version=expected_version)


def meeting_cancel(*, actor, meeting, reason: str, expected_version=None) -> Meeting:
    return meeting_act(actor=actor, meeting=meeting, action="cancel", data={"reason": reason},
                       expected_version=expected_version)


# --- Writes beside the table ---------------------------------------------------------------------------------


def _locked(actor, meeting) -> Meeting:
    """The meeting's row, locked for this transaction; 404 when it is missing or hidden from the actor."""
    row = Meeting.objects.select_for_update().filter(pk=as_id(meeting)).first() if as_id(meeting) else None
    if row is None or (actor is not None and not sel.can_see(actor, row)):
        raise NotFound()
    return row


def _office_on(actor, meeting: Meeting) -> None:
    if not sel.is_office(actor, meeting.committee_id):  # the relation "staff" (selectors.relations_of)
        raise Forbidden()


def _not_in(meeting: Meeting, action_label) -> IllegalTransition:
    return IllegalTransition(_("“%(action)s” is not possible in the state “%(state)s”.")
                             % {"action": action_label, "state": meeting.get_state_display()},
                             detail=f"state_{meeting.state}")


def _invited_row(meeting: Meeting, member_id) -> Member:
    member = Member.objects.filter(pk=as_id(member_id), committee_id=meeting.committee_id).first() if as_id(member_id) else None
    if member is None or not Invitation.objects.filter(meeting=meeting, member=member).exists():
        raise Invalid(field_errors={"member": [_("Choose a member invited to this meeting.")]}, detail="not_invited")
    return member


def _write_attendance(meeting: Meeting, member: Member, status: str, half_days: int, *, actor, source) -> Attendance:
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member,
        defaults={"status": status, "half_days": half_days, "source": source, "recorded_by": actor,
                  "recorded_at": clock.now()})
    _attendance_fact(meeting, member, status, half_days)
    return row


def _locked_for_attendance(actor, meeting) -> Meeting:
    """The meeting locked, for the office, while attendance may be taken (from its first day until closed)."""
    meeting = _locked(actor, meeting)
    _office_on(actor, meeting)
    if meeting.state not in wf.GROUPS["recording"]:
        raise _not_in(meeting, gettext_lazy("record attendance"))
    if meeting.start_on > clock.today():
        raise Invalid(_("Attendance can be taken from the first day (%(date)s).")
                      % {"date": meeting.start_on.isoformat()}, detail="not_yet")
    return meeting


def attendance_record(*, actor, meeting, data: dict) -> Attendance:
    """One row of the sign-in list (office staff): {"member", "status": present|leave|absent, "half_days"}.
    Posting again for the same member replaces that member's row. From the first day on, until closed."""
    values = parse_input(wf.AttendanceInput, data)
    with transaction.atomic():
        meeting = _locked_for_attendance(actor, meeting)
        member = _invited_row(meeting, values.member)
        half_days = meeting.half_days if values.half_days is None else values.half_days
        if half_days > meeting.half_days:
            raise Invalid(field_errors={"half_days": [_("At most %(n)d half-days (the meeting's).") % {"n": meeting.half_days}]})
        row = _write_attendance(meeting, member, values.status, half_days, actor=actor, source=AttendanceSource.STAFF)
        audit.record(actor=actor, action="meeting.attendance", obj=meeting,
                     payload={"member": member.pk, "status": values.status, "half_days": half_days})
    return row


def attendance_record_many(*, actor, meeting, rows: list[dict]) -> int:
    """Many rows of the sign-in list at once (office staff; the demo's history and a desk's "all present"): each
    {"member", "status", "half_days"?} as in `attendance_record`, under the same checks, in one transaction with the
    meeting locked; rows replace the members' earlier ones; each member's attendance fact is written through
    core.duty as `attendance_record` writes it; one audit event. Returns the number of rows written."""
    values = [parse_input(wf.AttendanceInput, row) for row in rows]
    with transaction.atomic():
        meeting = _locked_for_attendance(actor, meeting)
        wanted = {v.member for v in values}
        members = {m.pk: m for m in Member.objects.filter(pk__in=wanted, committee_id=meeting.committee_id)}
        invited = set(Invitation.objects.filter(meeting=meeting, member_id__in=wanted).values_list("member_id", flat=True))
        if len(values) != len(wanted) or invited != wanted or set(members) != wanted:
            raise Invalid(field_errors={"member": [_("Choose a member invited to this meeting.")]}, detail="not_invited")
        now, made = clock.now(), []
        for v in values:
            half_days = meeting.half_days if v.half_days is None else v.half_days
            if half_days > meeting.half_days:
                raise Invalid(field_errors={"half_days": [_("At most %(n)d half-days (the meeting's).")
                                                          % {"n": meeting.half_days}]})
            made.append(Attendance(meeting=meeting, member_id=v.member, status=v.status, half_days=half_days,
                                   source=AttendanceSource.STAFF, recorded_by=actor, recorded_at=now))
        Attendance.objects.filter(meeting=meeting, member_id__in=wanted).delete()
        Attendance.objects.bulk_create(made)
        prefix = duty_prefix(meeting)  # the facts `_attendance_fact` writes one by one, for all rows at once
        duty_facts_record_many(obj=meeting, kinds=ATTENDANCE_KINDS, facts=[
            (r.member_id, f"consultation.{prefix}.{r.status}", r.half_days if meeting.half_days else 1, meeting.start_on)
            for r in made])
        counts = {s: sum(1 for r in made if r.status == s) for s in Presence.values}
        audit.record(actor=actor, action="meeting.attendance", obj=meeting, payload={"rows": len(made), **counts})
    return len(made)


def sign_in_with_code(*, actor, committee, code: str, meeting=None) -> Attendance:
    """A member signs in on their phone with the meeting's code: only a member invited to the meeting, only from
    its first to its last day, only while it is notified or held. Signing in twice changes nothing."""
    if meeting is not None:  # the meeting's page: hidden or missing is 404, as everywhere
        seen = Meeting.objects.filter(pk=as_id(meeting)).first() if as_id(meeting) else None
        if seen is None or not sel.can_see(actor, seen):
            raise NotFound()
    values = parse_input(wf.CodeInput, {"code": code})
    digits = "".join(ch for ch in values.code if ch.isdigit())
    member = member_of(actor, committee) if actor is not None and getattr(actor, "is_authenticated", False) else None
    if member is None:
        raise Forbidden()
    today = clock.today()
    candidates = Meeting.objects.filter(committee_id=getattr(committee, "pk", committee), sign_in_code=digits,
                                        state__in=[S.NOTIFIED, S.HELD]) if len(digits) == 6 else Meeting.objects.none()
    if meeting is not None:
        candidates = candidates.filter(pk=as_id(meeting))
    candidates = list(candidates.filter(invitations__member=member))
    if not candidates:
        raise Invalid(field_errors={"code": [_("This code is not the code of a meeting you are invited to.")]},
                      detail="bad_code")
    found = next((m for m in candidates if m.start_on <= today <= m.end_on), None)
    if found is None:
        m = candidates[0]
        raise Invalid(field_errors={"code": [_("The code works only during the meeting, from %(start)s to %(end)s.")
                                             % {"start": m.start_on.isoformat(), "end": m.end_on.isoformat()}]},
                      detail="outside_window")
    with transaction.atomic():
        locked = _locked(None, found)
        existing = Attendance.objects.filter(meeting=locked, member=member).first()
        if existing is not None and existing.status == Presence.PRESENT:
            return existing
        row = _write_attendance(locked, member, Presence.PRESENT, locked.half_days, actor=actor,
                                source=AttendanceSource.CODE)
        audit.record(actor=actor, action="meeting.sign_in", obj=locked, payload={"member": member.pk})
    return row


def _as_invited(actor, meeting: Meeting) -> Member:
    member = sel.invited_member(actor, meeting)
    if member is None:
        raise Forbidden()
    return member


def sign_up(*, actor, meeting) -> Invitation:
    """报名: an invited member confirms they will come (after the notice, before the first day)."""
    with transaction.atomic():
        meeting = _locked(actor, meeting)
        member = _as_invited(actor, meeting)
        if meeting.state != S.NOTIFIED:
            raise _not_in(meeting, gettext_lazy("sign up"))
        if meeting.start_on <= clock.today():
            raise Invalid(_("The meeting has started; signing up is closed."), detail="started")
        inv = Invitation.objects.get(meeting=meeting, member=member)
        if inv.signed_up_at is None:
            inv.signed_up_at = clock.now()
            inv.save(update_fields=["signed_up_at"])
            audit.record(actor=actor, action="meeting.sign_up", obj=meeting, payload={"member": member.pk})
    return inv


def leave_request(*, actor, meeting, reason: str) -> LeaveRequest:
    """请假: an invited member asks to be excused. Refused, with the reason, once the meeting has started."""
    values = parse_input(wf.LeaveInput, {"reason": reason})
    with transaction.atomic():
        meeting = _locked(actor, meeting)
        member = _as_invited(actor, meeting)
        if meeting.state not in wf.GROUPS["upcoming"]:
            raise _not_in(meeting, gettext_lazy("ask for leave"))
        if meeting.start_on <= clock.today():
            raise Invalid(_("The meeting started on %(date)s: leave can only be asked for before it starts. "
                            "Please tell the office.") % {"date": meeting.start_on.isoformat()}, detail="started")
        row = LeaveRequest.objects.filter(meeting=meeting, member=member).first()
        if row is not None and row.state == LeaveState.APPROVED:
            raise Invalid(_("Your leave for this meeting is already approved."), detail="approved")
        row = row or LeaveRequest(meeting=meeting, member=member)
        row.reason, row.state, row.answer = values.reason, LeaveState.PENDING, ""
        row.requested_at, row.decided_at, row.decided_by = clock.now(), None, None
        row.save()
        audit.record(actor=actor, action="meeting.leave_request", obj=meeting,
                     payload={"member": member.pk, "reason": values.reason})
        notify(recipients=office_users(meeting.committee_id), kind="meeting.leave_requested",
               title=Notice(gettext_lazy("%(name)s asks for leave: %(subject)s"), name=member.name, subject=meeting.title),
               body=values.reason, url=sel.url_or_hash("consultation:meeting", meeting.pk), committee=meeting.committee)
    return row


def leave_decide(*, actor, leave, approve: bool, answer: str = "") -> LeaveRequest:
    """The office approves or refuses a pending leave request; an approved one is the member's attendance row
    (on leave) until someone records otherwise."""
    values = parse_input(wf.LeaveDecisionInput, {"approve": approve, "answer": answer})
    leave_id = as_id(leave)
    row = LeaveRequest.objects.filter(pk=leave_id).first() if leave_id else None
    if row is None:
        raise NotFound()
    with transaction.atomic():
        meeting = _locked(actor, row.meeting_id)
        _office_on(actor, meeting)
        row = LeaveRequest.objects.select_for_update().select_related("member__user").get(pk=row.pk)
        if row.state != LeaveState.PENDING:
            raise IllegalTransition(_("This leave request has already been decided."), detail="decided")
        if meeting.state in wf.GROUPS["final"]:
            raise _not_in(meeting, gettext_lazy("decide a leave request"))
        row.state = LeaveState.APPROVED if values.approve else LeaveState.REFUSED
        row.answer, row.decided_at, row.decided_by = values.answer, clock.now(), actor
        row.save()
        if values.approve and not Attendance.objects.filter(meeting=meeting, member=row.member).exists():
            _write_attendance(meeting, row.member, Presence.LEAVE, meeting.half_days, actor=actor,
                              source=AttendanceSource.STAFF)
        audit.record(actor=actor, action="meeting.leave_decide", obj=meeting,
                     payload={"member": row.member_id, "approved": values.approve})
        if row.member.user_id:
            title = (Notice(gettext_lazy("Your leave was approved: %(subject)s"), subject=meeting.title) if values.approve
                     else Notice(gettext_lazy("Your leave was not approved: %(subject)s"), subject=meeting.title))
            notify(recipients=[row.member.user], kind="meeting.leave_decided", title=title, body=values.answer,
                   url=sel.url_or_hash("consultation:mine"), committee=meeting.committee)
    return row


def speech_add(*, actor, meeting, data: dict) -> Speech:
    """A member's speech or written statement, recorded by the office once the meeting has started."""
    values = parse_input(wf.SpeechInput, data)
    with transaction.atomic():
        meeting = _locked(actor, meeting)
        _office_on(actor, meeting)
        if meeting.state not in wf.GROUPS["recording"]:
            raise _not_in(meeting, gettext_lazy("record a speech"))
        if meeting.start_on > clock.today():
            raise Invalid(_("Speeches are recorded from the first day (%(date)s).")
                          % {"date": meeting.start_on.isoformat()}, detail="not_yet")
        member = _invited_row(meeting, values.member)
        speech = Speech.objects.create(meeting=meeting, member=member, kind=values.kind, title=values.title,
                                       text=values.text, recorded_by=actor, created_at=clock.now())
        duty_fact_record(member=member, kind=SPEECH_KINDS[values.kind], obj=speech, occurred_on=meeting.start_on)
        audit.record(actor=actor, action="meeting.speech_add", obj=meeting,
                     payload={"member": member.pk, "kind": values.kind, "speech": speech.pk})
    return speech


def outcome_report_add(*, actor, meeting, data: dict) -> OutcomeReport:
    """成果报送: the outcome of a held meeting, sent to its recipients (not dated in the future)."""
    values = parse_input(wf.OutcomeReportInput, data)
    today = clock.today()
    sent_on = values.sent_on or today
    with transaction.atomic():
        meeting = _locked(actor, meeting)
        _office_on(actor, meeting)
        if meeting.state not in wf.GROUPS["held"]:
            raise _not_in(meeting, gettext_lazy("send the outcome report"))
        if sent_on > today or sent_on < meeting.start_on:
            raise Invalid(field_errors={"sent_on": [_("The date must lie between the meeting's first day and today.")]})
        names = list(dict.fromkeys(values.recipients))
        report = OutcomeReport.objects.create(meeting=meeting, title=values.title, text=values.text, sent_on=sent_on,
                                              created_by=actor, created_at=clock.now())
        OutcomeRecipient.objects.bulk_create([OutcomeRecipient(report=report, name=n) for n in names])
        audit.record(actor=actor, action="meeting.outcome_report_add", obj=meeting,
                     payload={"report": report.pk, "recipients": names})
        from .plan_services import tell_outcome

        tell_outcome(meeting, report)  # the topic's submitters hear of it (件件有回音)
    return report


def feedback_record(*, actor, meeting, data: dict) -> OutcomeRecipient:
    """A recipient's feedback on an outcome report (反馈); recording it again replaces it."""
    values = parse_input(wf.FeedbackInput, data)
    today = clock.today()
    with transaction.atomic():
        meeting = _locked(actor, meeting)
        _office_on(actor, meeting)
        row = OutcomeRecipient.objects.select_related("report").filter(pk=values.recipient, report__meeting=meeting).first()
        if row is None:
            raise Invalid(field_errors={"recipient": [_("Choose a recipient of this meeting's outcome report.")]})
        on = values.feedback_on or today
        if on > today or on < row.report.sent_on:
            raise Invalid(field_errors={"feedback_on": [_("The date must lie between the report's date and today.")]})
        row.feedback, row.feedback_on = values.feedback, on
        row.save()
        audit.record(actor=actor, action="meeting.feedback", obj=meeting, payload={"recipient": row.name})
    return row
