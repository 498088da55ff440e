"""The consultation demo: the core demo committee, then the consultation loader (as `xieshang demo` runs it). The
2024 figures come out of `xieshang stats consultation`; the plenary has one attendance row per member (with
approved leave and absences), and those rows are the members' duty facts on their duty page; 2026 is in progress
(December meetings planned); the 2027 call is open with topics waiting; loading again creates nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from xieshang.consultation.models import (
    Attendance, ConsultationPlan, ConsultationTopic, Invitation, Meeting, MeetingForm,
)
from xieshang.core import clock
from xieshang.core.demo_data import load_demo
from xieshang.core.management.commands.demo import run_loader
from xieshang.core.models import DutyFact, Member

pytestmark = pytest.mark.django_db


def test_the_demo_reproduces_the_year_and_is_idempotent():
    demo = load_demo()
    clock.set_to(None)
    run_loader("xieshang.consultation.demo.load", demo)
    committee = demo["committee"]
    out = io.StringIO()
    call_command("stats", "consultation", "--committee", "changji", "--year", "2024", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["topics_received"] == 15 and stats["topics_approved"] == 10  # 16 sent, one withdrawn; 10 in the plan
    assert stats["topics_by_source"] == {"member": 3, "organization": 10, "special_committee": 2}
    assert stats["meetings"]["plenary"] == 1 and stats["meetings"]["standing"] == 4
    assert stats["meetings"]["chairpersons"] == 10
    assert all(stats["meetings"][f] >= 1 for f in MeetingForm.values), stats["meetings"]
    assert stats["outcome_reports"] == 10 and stats["speeches"]["written"] > 0

    active = Member.objects.filter(committee=committee, is_active=True).count()
    assert active >= 290
    plenary = Meeting.objects.get(committee=committee, year=2024, kind="plenary")
    rows = Attendance.objects.filter(meeting=plenary)
    assert Invitation.objects.filter(meeting=plenary).count() == rows.count() == active
    assert rows.filter(status="leave").count() == 6 and rows.filter(status="absent").count() == 3
    facts = DutyFact.objects.filter(object_id=plenary.pk, kind__startswith="consultation.plenary.")
    assert facts.count() == active and facts.filter(kind="consultation.plenary.present").count() == active - 9

    member = demo["members"]["member"]
    staff = Client()
    staff.force_login(demo["users"]["staff"])
    page = staff.get(reverse("members:member_duty", args=[member.pk]) + "?year=2024").content.decode()
    assert plenary.title in page  # the plenary is on the member's duty page

    assert ConsultationPlan.objects.get(committee=committee, year=2026).state == "approved"
    december = Meeting.objects.filter(committee=committee, year=2026, start_on__month=12)
    assert december.filter(state__in=["planned", "notified"]).count() >= 3
    assert ConsultationTopic.objects.filter(committee=committee, year=2027, state="submitted").count() == 4
    mine = ConsultationTopic.objects.filter(committee=committee, submitted_by=member.user)
    assert {t.state for t in mine} >= {"scheduled", "declined", "submitted"}

    counts = (Meeting.objects.count(), Attendance.objects.count(), ConsultationTopic.objects.count(), DutyFact.objects.count())
    run_loader("xieshang.consultation.demo.load", demo)
    assert (Meeting.objects.count(), Attendance.objects.count(), ConsultationTopic.objects.count(),
            DutyFact.objects.count()) == counts
