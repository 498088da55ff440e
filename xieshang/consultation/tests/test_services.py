"""Meetings through the services: the workflow, deadlines, invitations, sign-up, leave, attendance, the code,
speeches, the outcome report, duty facts, and bad input refused with a clear message."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from xieshang.consultation import selectors as sel
from xieshang.consultation import services
from xieshang.consultation.models import Attendance, Invitation, LeaveState, MeetingState, Presence
from xieshang.consultation.tests.factories import MEETING_DAY, TODAY, make_member_user, make_world, plan, plan_data, walk_to
from xieshang.core import calendar, clock
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Deadline, DutyFact, Event, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def facts(member, meeting=None):
    rows = DutyFact.objects.filter(member=member)
    return {(f.kind, f.quantity) for f in rows}


def test_one_consultation_meeting_from_plan_to_outcome(w):
    m = plan(w)
    assert m.state == MeetingState.PLANNED and m.year == 2026 and m.form == "thematic"
    assert Invitation.objects.filter(meeting=m).count() == 2
    notice = Deadline.objects.get(object_id=m.pk, kind="consultation.notice")
    materials = Deadline.objects.get(object_id=m.pk, kind="consultation.materials")
    assert notice.due_on == calendar.add_working_days(MEETING_DAY, -15, m.committee)
    assert materials.due_on == calendar.add_working_days(MEETING_DAY, -10, m.committee)

    services.meeting_notify(actor=w.staff, meeting=m)
    m.refresh_from_db()
    assert m.state == MeetingState.NOTIFIED and len(m.sign_in_code) == 6
    assert Deadline.objects.get(pk=notice.pk).state == Deadline.State.MET
    assert Notification.objects.filter(recipient=w.member, kind="meeting.notified").exists()

    services.sign_up(actor=w.member, meeting=m)
    services.leave_request(actor=w.other_member, meeting=m, reason="出差在外")
    leave = m.leave_requests.get()
    services.leave_decide(actor=w.staff, leave=leave, approve=True)
    assert Attendance.objects.get(meeting=m, member=w.member_row(w.other_member)).status == Presence.LEAVE

    clock.set_to(MEETING_DAY)
    services.meeting_hold(actor=w.staff, meeting=m)
    m.refresh_from_db()
    minutes = Deadline.objects.get(object_id=m.pk, kind="consultation.minutes")
    assert minutes.due_on == calendar.add_working_days(MEETING_DAY, 7, m.committee)
    assert Deadline.objects.get(pk=materials.pk).state == Deadline.State.WAIVED

    services.sign_in_with_code(actor=w.member, committee=w.committee, code=m.sign_in_code)
    services.speech_add(actor=w.staff, meeting=m, data={"member": w.member_row().pk, "kind": "oral", "title": "发言"})
    services.speech_add(actor=w.staff, meeting=m, data={"member": w.member_row(w.other_member).pk, "kind": "written",
                                                         "title": "书面发言", "text": "建议……"})
    services.meeting_send_minutes(actor=w.staff, meeting=m, minutes="纪要")
    assert Deadline.objects.get(pk=minutes.pk).state == Deadline.State.MET
    report = services.outcome_report_add(actor=w.staff, meeting=m, data={
        "title": "协商成果", "text": "建议如下……", "recipients": ["州委", "州政府", "州委"]})
    assert list(report.recipients.values_list("name", flat=True)) == ["州委", "州政府"]
    x = report.recipients.first()
    services.feedback_record(actor=w.staff, meeting=m, data={"recipient": x.pk, "feedback": "已批示"})
    services.meeting_close(actor=w.staff, meeting=m)
    m.refresh_from_db()
    assert m.state == MeetingState.CLOSED

    assert facts(w.member_row()) == {("consultation.meeting.present", Decimal(2)), ("consultation.speech.oral", Decimal(1))}
    assert facts(w.member_row(w.other_member)) == {("consultation.meeting.leave", Decimal(2)),
                                                   ("consultation.speech.written", Decimal(1))}
    actions = list(Event.objects.filter(object_id=str(m.pk)).values_list("action", flat=True))
    for a in ("meeting.create", "meeting.notify", "meeting.hold", "meeting.sign_in",
              "meeting.send_minutes", "meeting.close", "meeting.leave_decide", "meeting.outcome_report_add"):
        assert a in actions


def test_close_marks_the_members_without_a_record_absent(w):
    m = walk_to("held", w)
    services.attendance_record(actor=w.staff, meeting=m, data={"member": w.member_row().pk, "status": "present",
                                                                "half_days": 1})
    services.meeting_send_minutes(actor=w.staff, meeting=m, minutes="纪要")
    services.meeting_close(actor=w.staff, meeting=m)
    rows = {a.member_id: (a.status, a.half_days) for a in Attendance.objects.filter(meeting=m)}
    assert rows == {w.member_row().pk: ("present", 1), w.member_row(w.other_member).pk: ("absent", 2)}
    assert facts(w.member_row(w.other_member)) == {("consultation.meeting.absent", Decimal(2))}
    assert facts(w.member_row()) == {("consultation.meeting.present", Decimal(1))}


def test_invited_by_kind_plenary_all_standing_the_standing_committee(w):
    make_member_user(w.committee)
    plenary = plan(w, kind="plenary", form="", members=[])
    standing = plan(w, kind="standing", form="thematic", members=[])  # a form given to a standing meeting is dropped
    assert plenary.invitations.count() == 4
    assert set(standing.invitations.values_list("member__user", flat=True)) == {w.member.pk, w.other_member.pk}
    assert standing.form == ""


def test_duty_kinds_follow_the_meeting_kind_and_count_half_days(w):
    m = walk_to("held", w, plan(w, kind="plenary", form="", half_days=4))
    outsider = w.member_row(w.outsider)
    services.attendance_record(actor=w.staff, meeting=m, data={"member": outsider.pk, "status": "absent"})
    assert facts(outsider) == {("consultation.plenary.absent", Decimal(4))}
    services.attendance_record(actor=w.staff, meeting=m, data={"member": outsider.pk, "status": "present", "half_days": 3})
    assert facts(outsider) == {("consultation.plenary.present", Decimal(3))}
    assert Attendance.objects.filter(meeting=m, member=outsider).count() == 1
    clock.set_to(TODAY)
    s = walk_to("held", w, plan(w, kind="standing", form="", half_days=0))
    services.attendance_record(actor=w.staff, meeting=s, data={"member": w.member_row().pk, "status": "leave"})
    assert ("consultation.standing.leave", Decimal(1)) in facts(w.member_row())


def test_every_declared_ledger_kind_is_mapped_by_the_scoring_rules():
    from xieshang.consultation.declarations import DUTY_KINDS
    from xieshang.members.rules import KINDS, LEDGER_MAP

    for kind in DUTY_KINDS:
        assert kind in LEDGER_MAP, kind
        assert all(v in KINDS for v in LEDGER_MAP[kind])
    assert LEDGER_MAP["consultation.plenary.present"] == ("plenary_present",)
    assert LEDGER_MAP["consultation.speech.written"] == ("speech_written",)


# --- Bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, field, message", [
    ({"start_on": "2026-03-01"}, "start_on", "The first day cannot be in the past (today is 2026-03-02)."),
    ({"end_on": "2026-03-31"}, "__all__", "The last day cannot be before the first day."),
    ({"form": ""}, "__all__", "Choose the form of the consultation."),
    ({"title": ""}, "title", "This field is required."),
    ({"start_on": "2026-13-01"}, "start_on", "Enter a date as YYYY-MM-DD."),
    ({"half_days": 41}, "half_days", None),
    ({"members": [999999]}, "members", "Choose active members of this committee."),
])
def test_bad_plans_are_refused_with_a_clear_message(w, fields, field, message):
    with translation.override("en"), pytest.raises(Invalid) as caught:
        plan(w, **fields)
    assert field in caught.value.field_errors, caught.value.field_errors
    if message:
        assert message in caught.value.field_errors[field]


def test_update_refuses_a_first_day_in_the_past(w):
    m = plan(w)
    with translation.override("en"), pytest.raises(Invalid) as caught:
        services.meeting_act(actor=w.staff, meeting=m, action="update", data=plan_data(w, start_on="2026-02-01"))
    assert "start_on" in caught.value.field_errors
    m.refresh_from_db()
    assert m.start_on == MEETING_DAY and m.version == 1


def test_leave_after_the_start_is_refused_with_the_reason(w):
    m = walk_to("notified", w)
    clock.set_to(MEETING_DAY)
    with translation.override("en"), pytest.raises(Invalid) as caught:
        services.leave_request(actor=w.member, meeting=m, reason="临时有事")
    assert caught.value.detail == "started"
    assert "started on 2026-04-01" in str(caught.value.message)


def test_leave_refused_then_asked_again_and_decided_once(w):
    m = walk_to("notified", w)
    row = services.leave_request(actor=w.member, meeting=m, reason="出差")
    services.leave_decide(actor=w.staff, leave=row, approve=False, answer="请尽量参会")
    with pytest.raises(IllegalTransition):
        services.leave_decide(actor=w.staff, leave=row, approve=True)
    row = services.leave_request(actor=w.member, meeting=m, reason="确实无法参会")
    assert row.state == LeaveState.PENDING
    services.leave_decide(actor=w.staff, leave=row, approve=True)
    with pytest.raises(Invalid):
        services.leave_request(actor=w.member, meeting=m, reason="再请一次")


def test_code_only_for_invited_members_during_the_window(w):
    m = walk_to("notified", w)
    with translation.override("en"), pytest.raises(Invalid) as caught:
        services.sign_in_with_code(actor=w.member, committee=w.committee, code=m.sign_in_code)
    assert caught.value.detail == "outside_window"
    clock.set_to(MEETING_DAY)
    with pytest.raises(Invalid) as caught:
        services.sign_in_with_code(actor=w.outsider, committee=w.committee, code=m.sign_in_code)
    assert caught.value.detail == "bad_code"
    wrong = "000000" if m.sign_in_code != "000000" else "111111"
    with pytest.raises(Invalid):
        services.sign_in_with_code(actor=w.member, committee=w.committee, code=wrong)
    with pytest.raises(Forbidden):
        services.sign_in_with_code(actor=w.staff, committee=w.committee, code=m.sign_in_code)
    row = services.sign_in_with_code(actor=w.member, committee=w.committee, code=f" {m.sign_in_code} ")
    again = services.sign_in_with_code(actor=w.member, committee=w.committee, code=m.sign_in_code)
    assert row.pk == again.pk and row.source == "code" and row.half_days == 2
    clock.set_to(MEETING_DAY + datetime.timedelta(days=1))
    with pytest.raises(Invalid):
        services.sign_in_with_code(actor=w.other_member, committee=w.committee, code=m.sign_in_code)


def test_attendance_rules(w):
    m = walk_to("notified", w)
    with pytest.raises(Invalid) as caught:  # before the first day
        services.attendance_record(actor=w.staff, meeting=m, data={"member": w.member_row().pk, "status": "present"})
    assert caught.value.detail == "not_yet"
    clock.set_to(MEETING_DAY)
    with pytest.raises(Invalid) as caught:
        services.attendance_record(actor=w.staff, meeting=m, data={"member": w.member_row(w.outsider).pk, "status": "present"})
    assert "member" in caught.value.field_errors
    with pytest.raises(Invalid) as caught:
        services.attendance_record(actor=w.staff, meeting=m, data={"member": w.member_row().pk, "status": "present",
                                                                    "half_days": 3})
    assert "half_days" in caught.value.field_errors
    with pytest.raises(Invalid):
        services.attendance_record(actor=w.staff, meeting=m, data={"member": w.member_row().pk, "status": "late"})
    with pytest.raises(Forbidden):
        services.attendance_record(actor=w.leader, meeting=m, data={"member": w.member_row().pk, "status": "present"})
    with pytest.raises(NotFound):
        services.attendance_record(actor=w.outsider, meeting=m, data={"member": w.member_row().pk, "status": "present"})


def test_cancel_waives_deadlines_clears_facts_and_tells_the_invited(w):
    m = walk_to("notified", w)
    clock.set_to(MEETING_DAY)
    services.attendance_record(actor=w.staff, meeting=m, data={"member": w.member_row().pk, "status": "present"})
    services.meeting_cancel(actor=w.staff, meeting=m, reason="因故取消")
    m.refresh_from_db()
    assert m.state == MeetingState.CANCELLED
    assert not DutyFact.objects.filter(member=w.member_row()).exists()
    assert not Deadline.objects.filter(object_id=m.pk, state__in=["open", "extended"]).exists()
    assert Notification.objects.filter(recipient=w.member, kind="meeting.cancelled").exists()


def test_members_see_only_their_notified_meetings(w):
    m = plan(w)
    assert not sel.meetings_visible_to(w.member, w.committee).exists()
    with pytest.raises(NotFound):
        sel.meeting_get(w.member, w.committee, m.pk)
    services.meeting_notify(actor=w.staff, meeting=m)
    assert sel.meeting_get(w.member, w.committee, m.pk) == m
    assert not sel.meetings_visible_to(w.outsider, w.committee).exists()
    assert not sel.meetings_visible_to(w.unit, w.committee).exists()
    assert sel.meetings_visible_to(w.leader, w.committee).count() == 1
    rows = sel.my_meetings(w.member, w.committee)
    assert [r["meeting"].pk for r in rows] == [m.pk]


def test_todos(w):
    m = walk_to("notified", w)
    assert [t["count"] for t in sel.todos_for(w.member, w.committee)] == [1]
    services.leave_request(actor=w.member, meeting=m, reason="出差")
    assert sel.todos_for(w.member, w.committee) == []
    assert [t["count"] for t in sel.todos_for(w.staff, w.committee)] == [1]


def test_the_attendance_rows_read_a_fixed_number_of_queries(w, django_assert_num_queries):
    m = plan(w, kind="plenary", form="", members=[])
    with django_assert_num_queries(4):
        rows = sel.attendance_rows(m)
    assert len(rows) == 3
    for _i in range(5):
        make_member_user(w.committee)
    m2 = plan(w, kind="plenary", form="", members=[])
    with django_assert_num_queries(4):
        assert len(sel.attendance_rows(m2)) == 8


def test_today_is_the_factory_day(w):
    assert clock.today() == TODAY
