"""The year's meeting figures against a small year counted by hand."""

from __future__ import annotations

import io
import json

import pytest

from xieshang.consultation import services
from xieshang.consultation.stats import meeting_statistics, print_meeting_statistics
from xieshang.consultation.tests.factories import TODAY, make_world, plan, walk_to
from xieshang.core import clock

pytestmark = pytest.mark.django_db


def test_a_small_year_counted_by_hand():
    w = make_world()
    walk_to("closed", w)                                   # thematic, held
    clock.set_to(TODAY)
    held = walk_to("held", w, plan(w, form="sector"))      # sector, held
    services.attendance_record(actor=w.staff, meeting=held, data={"member": w.member_row().pk, "status": "present"})
    services.speech_add(actor=w.staff, meeting=held, data={"member": w.member_row().pk, "kind": "written", "title": "书面"})
    clock.set_to(TODAY)
    walk_to("held", w, plan(w, kind="plenary", form="", members=[]))  # plenary, held
    clock.set_to(TODAY)
    walk_to("notified", w, plan(w, form="counterpart"))   # not held: not counted
    walk_to("cancelled", w, plan(w, form="sector"))        # cancelled: not counted
    stats = meeting_statistics(w.committee, 2026)
    assert stats["meetings"]["thematic"] == 1 and stats["meetings"]["sector"] == 1
    assert stats["meetings"]["plenary"] == 1 and stats["meetings"]["counterpart"] == 0
    assert stats["meetings"]["chairpersons"] == 0 and "consultation" not in stats["meetings"]
    assert stats["meetings_total"] == 3
    # the closed one: two absent (no record when closed); the sector one: one present
    assert stats["attendance"] == {"present": 1, "leave": 0, "absent": 2}
    assert stats["speeches"] == {"oral": 0, "written": 1}
    assert meeting_statistics(w.committee, 2025)["meetings_total"] == 0
    out = io.StringIO()
    print_meeting_statistics(out, w.committee, 2026, as_json=True)
    assert json.loads(out.getvalue())["meetings"]["sector"] == 1


def test_the_stats_command():
    from django.core.management import call_command

    w = make_world()
    walk_to("held", w)
    out = io.StringIO()
    call_command("stats", "consultation", "--committee", w.committee.code, "--year", "2026", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["meetings"]["thematic"] == 1 and body["meetings_total"] == 1
    out = io.StringIO()
    call_command("stats", "consultation", "--committee", w.committee.code, stdout=out)
    assert "meetings.thematic: 1" in out.getvalue()
