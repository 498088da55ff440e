"""Concurrency on PostgreSQL: staff taking attendance at once end with one record per member and meeting (the
meeting's row is locked first; a unique constraint backs it), and the member's one attendance duty fact agrees
with the record that won; a member signing in twice at once (two phones) is one record."""

from __future__ import annotations

import pytest

from xieshang.consultation import services
from xieshang.consultation.models import Attendance
from xieshang.consultation.tests.factories import make_world, walk_to
from xieshang.core.models import DutyFact, Event
from xieshang.core.tests.concurrency import postgres_only, run_together


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_staff_taking_attendance_at_once_make_one_record_per_member():
    w = make_world()
    m = walk_to("held", w)
    member, other = w.member_row(), w.member_row(w.other_member)
    statuses = ["present", "absent", "leave", "present", "absent", "present"]

    def go(i):
        actor = w.staff if i % 2 else w.admin
        target = member if i < 4 else other
        return services.attendance_record(actor=actor, meeting=m.pk, data={"member": target.pk, "status": statuses[i],
                                                                           "half_days": 1 + i % 2})

    results = run_together(6, go)
    assert all(isinstance(r, Attendance) for r in results), results
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=m)}
    assert set(rows) == {member.pk, other.pk}
    assert Event.objects.filter(action="meeting.attendance").count() == 6
    for target, row in rows.items():
        facts = list(DutyFact.objects.filter(member_id=target, object_id=m.pk, kind__startswith="consultation.meeting."))
        assert [(f.kind, int(f.quantity)) for f in facts] == [(f"consultation.meeting.{row.status}", row.half_days)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_member_signing_in_on_two_phones_at_once_is_one_record():
    w = make_world()
    m = walk_to("held", w)

    results = run_together(3, lambda i: services.sign_in_with_code(actor=w.member, committee=w.committee,
                                                                    code=m.sign_in_code))
    assert all(isinstance(r, Attendance) for r in results), results
    assert Attendance.objects.filter(meeting=m).count() == 1
    assert Event.objects.filter(action="meeting.sign_in").count() == 1
