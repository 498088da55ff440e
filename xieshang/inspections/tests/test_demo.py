"""The demo inspections (xieshang.inspections.demo) on the core demo: the seed's 2024 themes with teams, reports and
answered recommendations, 2025 complete, 2026 in progress; the figures of `xieshang stats consultation` for 2024;
a second run that creates nothing. The core demo and this loader are loaded once for the module, in a transaction
rolled back at its end; no other app's loader runs."""

from __future__ import annotations

import io
import json
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from xieshang.core import clock
from xieshang.core.demo_data import load_demo
from xieshang.core.management.commands import demo as demo_command
from xieshang.core.models import DutyFact
from xieshang.inspections import demo as inspections_demo
from xieshang.inspections.models import Inspection, Recommendation, SupervisionItem
from xieshang.inspections.stats import figures

pytestmark = pytest.mark.django_db
LOADER = "xieshang.inspections.demo.load"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    import datetime

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            clock.set_to(datetime.date(2026, 12, 5))
            demo = load_demo()
            out = io.StringIO()
            started = time.monotonic()
            inspections_demo.load(demo, stdout=out)
            seconds = time.monotonic() - started
            print(f"\ninspections demo loaded in {seconds:.1f} s\n{out.getvalue()}")
            yield SimpleNamespace(demo=demo, committee=demo["committee"], out=out.getvalue(), seconds=seconds)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            clock.set_to(None)


def test_the_demo_command_runs_the_loader(loaded):
    assert LOADER in demo_command.loaders()
    assert loaded.seconds < 30


def test_2024_has_the_seeds_themes_all_answered(loaded):
    rows = Inspection.objects.filter(committee=loaded.committee, year=2024)
    titles = " ".join(rows.values_list("title", flat=True))
    for theme in ("数字农业", "番茄", "粮油", "葡萄酒", "硅基", "普惠托育", "医养康养"):
        assert theme in titles
    assert set(rows.values_list("state", flat=True)) == {"closed"}
    assert not Recommendation.objects.filter(inspection__in=rows, answered_on__isnull=True).exists()
    assert DutyFact.objects.filter(kind__startswith="inspections.team.", occurred_on__year=2024).count() == 7 * 5


def test_2026_is_in_progress(loaded):
    states = set(Inspection.objects.filter(committee=loaded.committee, year=2026).values_list("state", flat=True))
    assert states == {"closed", "report_sent", "report_drafted", "under_way", "cancelled", "planned"}
    assert set(SupervisionItem.objects.filter(committee=loaded.committee, year=2026).values_list("state", flat=True)) \
        == {"reported", "under_way"}
    reported = SupervisionItem.objects.get(committee=loaded.committee, year=2026, state="reported")
    assert reported.recommendations.count() == 2 and not reported.recommendations.filter(answered_on__isnull=False)
    assert not SupervisionItem.objects.get(committee=loaded.committee, year=2026, state="under_way").recommendations.exists()


def test_every_plan_is_approved_and_every_sent_report_is_filed(loaded):
    from xieshang.core.attachments import attachments_of
    from xieshang.inspections.models import PlanApproval

    approvals = {a.year: a for a in PlanApproval.objects.filter(committee=loaded.committee)}
    assert sorted(approvals) == [2024, 2025, 2026]
    assert all(a.is_final and a.party_approved_on > a.chair_approved_on for a in approvals.values())
    sent = Inspection.objects.filter(committee=loaded.committee, report_sent_on__isnull=False)
    assert sent.count() >= 12
    for obj in sent:
        files = list(attachments_of(obj))
        assert [f.purpose for f in files] == ["report"], obj.title
        assert files[0].original_name.endswith(".docx") and files[0].size > 5000
    drafted = Inspection.objects.filter(committee=loaded.committee, report_sent_on__isnull=True)
    assert not any(attachments_of(obj).exists() for obj in drafted)


def test_the_statistics_command_for_2024(loaded):
    out = io.StringIO()
    call_command("stats", "consultation", "--committee", loaded.committee.code, "--year", "2024", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["inspections"] == {"inspection": 1, "study_visit": 1, "research": 5, "total": 7}
    assert data["supervision_items"] == 2 and data["recommendations"] == 21 == data["recommendations_answered"]
    assert data["special_supervisors"] == 4
    assert data["supervision_recommendations"] == 5 == data["supervision_recommendations_answered"] \
        == data["supervision_recommendations_adopted"]  # two items: two and three recommendations, all answered
    assert "meetings" in data  # the consultation app's own figures are kept
    assert figures(loaded.committee, 2025)["inspections"]["total"] == 5


def test_a_second_run_creates_nothing(loaded):
    before = Inspection.objects.count(), SupervisionItem.objects.count()
    inspections_demo.load(loaded.demo)
    assert (Inspection.objects.count(), SupervisionItem.objects.count()) == before
