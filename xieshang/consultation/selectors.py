"""Every read of meeting data that depends on who asks: the app's one permission chokepoint. A meeting the user
may not see is "not found" (404), the same as one that does not exist.

  office staff, administrators and leaders of the committee: every meeting;
  a member: the meetings they are invited to, once the notice is out (not while planned or cancelled before it);
  anybody else (units, station keepers without membership): none.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xieshang.core.errors import NotFound
from xieshang.core.models import Role
from xieshang.core.selectors import member_of, roles_of
from xieshang.core.workflow import as_id
from xieshang.core.screens import url_or_hash

from . import workflow
from .models import Attendance, Invitation, LeaveRequest, LeaveState, Meeting, MeetingState, Speech

OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
READER_ROLES = OFFICE_ROLES | {Role.LEADER}
MEMBER_SEES = frozenset({MeetingState.NOTIFIED, MeetingState.HELD, MeetingState.MINUTES_SENT, MeetingState.CLOSED,
                         MeetingState.CANCELLED})


def _cid(committee):
    return getattr(committee, "pk", committee)


def is_office(user, committee) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and roles_of(user, committee) & OFFICE_ROLES)


def is_reader(user, committee) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and roles_of(user, committee) & READER_ROLES)


def invited_member(user, meeting: Meeting):
    """The user's Member row when they are invited to `meeting`, else None (kept on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = member_of(user, meeting.committee_id)
    if member is None:
        return None
    cache = user.__dict__.setdefault("_xieshang_invited", {})
    if meeting.pk not in cache:
        cache[meeting.pk] = Invitation.objects.filter(meeting_id=meeting.pk, member=member).exists()
    return member if cache[meeting.pk] else None


def forget_invited(user) -> None:
    if user is not None:
        user.__dict__.pop("_xieshang_invited", None)


def relations_of(user, meeting: Meeting) -> set[str]:
    if user is None:
        return {"system"}
    if not getattr(user, "is_authenticated", False):
        return set()
    relations: set[str] = set()
    roles = roles_of(user, meeting.committee_id)
    if roles & OFFICE_ROLES:
        relations.add("staff")
    if Role.LEADER in roles:
        relations.add("leader")
    if invited_member(user, meeting) is not None:
        relations.add("invited")
    return relations


def may_read_record(user, meeting: Meeting) -> bool:
    """The meeting's record — minutes, speeches, the sign-in list, outcome reports, history — is the office's and
    the leaders'; an invited member sees the meeting, their own invitation and the notice only."""
    return bool(relations_of(user, meeting) & {"staff", "leader"})


def can_see(user, meeting: Meeting) -> bool:
    if user is None:
        return True
    if is_reader(user, meeting.committee_id):  # the office and leaders see every meeting (no invitation lookup)
        return True
    relations = relations_of(user, meeting)
    if relations & {"staff", "leader"}:
        return True
    return "invited" in relations and meeting.state in MEMBER_SEES


def meetings_visible_to(user, committee) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(committee_id=_cid(committee))
    if user is None or not getattr(user, "is_authenticated", False) or committee is None:
        return qs.none()
    if roles_of(user, committee) & READER_ROLES:
        return qs
    member = member_of(user, committee)
    if member is None:
        return qs.none()
    return qs.filter(Exists(Invitation.objects.filter(meeting=OuterRef("pk"), member=member)),
                     state__in=MEMBER_SEES)


def meeting_get(user, committee, pk) -> Meeting:
    pk = as_id(pk)
    meeting = meetings_visible_to(user, committee).filter(pk=pk).first() if pk else None
    if meeting is None:
        raise NotFound()
    return meeting


def meeting_actions(user, meeting: Meeting) -> list:
    from .services import MACHINE

    return MACHINE.available(user, meeting)


def with_counts(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """The list's numbers in the page's own query: invited, present, on leave, absent, speeches."""
    return qs.annotate(
        n_invited=Count("invitations", distinct=True),
        n_present=Count("attendance", filter=Q(attendance__status="present"), distinct=True),
        n_leave=Count("attendance", filter=Q(attendance__status="leave"), distinct=True),
        n_absent=Count("attendance", filter=Q(attendance__status="absent"), distinct=True),
    )


def attendance_rows(meeting: Meeting) -> list[dict]:
    """One row per invited member (by name): attendance (or None), half-days, signed up, leave request.
    Four queries whatever the number of members."""
    invitations = list(Invitation.objects.filter(meeting=meeting).select_related("member").order_by("member__name", "member_id"))
    records = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    leaves = {lr.member_id: lr for lr in LeaveRequest.objects.filter(meeting=meeting)}
    speeches = dict(Speech.objects.filter(meeting=meeting).values_list("member_id").annotate(n=Count("id")))
    rows = []
    for inv in invitations:
        record = records.get(inv.member_id)
        leave = leaves.get(inv.member_id)
        rows.append({
            "member": inv.member, "invitation": inv, "signed_up": inv.signed_up_at is not None,
            "record": record, "status": record.status if record else None,
            "half_days": record.half_days if record else None, "leave": leave,
            "leave_state": leave.state if leave else None, "speeches": speeches.get(inv.member_id, 0),
        })
    return rows


def pending_leave(meeting: Meeting) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(meeting=meeting, state=LeaveState.PENDING).select_related("member")


def speeches_of(meeting: Meeting) -> QuerySet[Speech]:
    return Speech.objects.filter(meeting=meeting).select_related("member").order_by("id")


def my_meetings(user, committee) -> list[dict]:
    """The meetings the user is invited to (notice out), newest first, with their own invitation, leave
    request and attendance — four queries."""
    member = member_of(user, committee) if user is not None and getattr(user, "is_authenticated", False) else None
    if member is None:
        return []
    meetings = list(Meeting.objects.filter(committee_id=_cid(committee), invitations__member=member,
                                           state__in=MEMBER_SEES).order_by("-start_on", "-id"))
    ids = [m.pk for m in meetings]
    invitations = {i.meeting_id: i for i in Invitation.objects.filter(meeting_id__in=ids, member=member)}
    leaves = {r.meeting_id: r for r in LeaveRequest.objects.filter(meeting_id__in=ids, member=member)}
    records = {a.meeting_id: a for a in Attendance.objects.filter(meeting_id__in=ids, member=member)}
    return [{"meeting": m, "invitation": invitations.get(m.pk), "leave": leaves.get(m.pk), "record": records.get(m.pk)}
            for m in meetings]


# --- Deadlines, timeline, to-dos ---------------------------------------------------------------------------


def deadline_recipients(deadline):
    from xieshang.core.selectors import office_users

    return list(office_users(deadline.committee_id))


def deadline_url(deadline) -> str:
    return url_or_hash("consultation:meeting", deadline.object_id)


def event_label(action: str):
    from django.utils.translation import gettext as _

    from .services import MACHINE

    verb = action.split(".", 1)[-1]
    labels = {
        "create": _("meeting planned"), "attendance": _("attendance recorded"), "sign_up": _("signed up"),
        "leave_request": _("leave requested"), "leave_decide": _("leave request decided"),
        "sign_in": _("signed in with the code"), "speech_add": _("speech recorded"),
        "outcome_report_add": _("outcome report sent"), "feedback": _("feedback recorded"),
    }
    if verb in labels:
        return labels[verb]
    if verb in MACHINE:
        return MACHINE.transition(verb).label
    return None


def todos_for(user, committee) -> list[dict]:
    """Workbench lines: the office's leave requests waiting for a decision; a member's meetings to answer
    (notice out, not signed up, no leave asked). One count query per line."""
    from django.utils.translation import gettext as _

    from xieshang.core import clock

    if committee is None or not getattr(user, "is_authenticated", False):
        return []
    items = []
    roles = roles_of(user, committee)
    if roles & OFFICE_ROLES:
        n = LeaveRequest.objects.filter(meeting__committee_id=_cid(committee), state=LeaveState.PENDING).count()
        if n:
            items.append({"label": _("Leave requests to decide"), "count": n,
                          "url": url_or_hash("consultation:meetings") + "?leave=pending", "urgent": False})
    member = member_of(user, committee)
    if member is not None:
        n = Invitation.objects.filter(
            member=member, meeting__state=MeetingState.NOTIFIED, meeting__start_on__gte=clock.today(),
            signed_up_at__isnull=True,
        ).exclude(meeting__leave_requests__member=member).count()
        if n:
            items.append({"label": _("Meetings to sign up for"), "count": n,
                          "url": url_or_hash("consultation:mine"), "urgent": False})
    return items


GROUPS = workflow.GROUPS
