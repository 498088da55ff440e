"""The liaison demo (xieshang.liaison.demo) on the core demo: the seed's 2024 figures come out of
`xieshang stats liaison` (52 reports, 29 rules made or revised, 139 entrepreneurs and 16 experts visited,
40+ suggestions), 2025 complete, 2026 in progress, and a second run creates nothing. The core demo and this
loader are loaded once for the module, in a transaction rolled back at its end; no other app's loader runs."""

from __future__ import annotations

import io
import json
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xieshang.core import clock
from xieshang.core.demo_data import load_demo
from xieshang.core.management.commands import demo as demo_command
from xieshang.core.models import Event
from xieshang.liaison import demo as liaison_demo
from xieshang.liaison.models import AssignedTask, PartyReport, Suggestion

pytestmark = pytest.mark.django_db
LOADER = "xieshang.liaison.demo.load"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo = load_demo()
            out = io.StringIO()
            started = time.monotonic()
            liaison_demo.load(demo, stdout=out)
            seconds = time.monotonic() - started
            print(f"\nliaison demo loaded in {seconds:.1f} s\n{out.getvalue()}")
            yield SimpleNamespace(demo=demo, out=out.getvalue(), committee=demo["committee"], today=clock.today(),
                                  seconds=seconds)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _stats(year: int) -> dict:
    out = io.StringIO()
    call_command("stats", "liaison", "--committee", "changji", "--year", str(year), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_seed_figures_of_2024(loaded):
    s = _stats(2024)
    assert s["party_reports"]["total"] == 52
    assert set(s["party_reports"]) == {"immediate", "periodic", "special", "total"}
    assert all(s["party_reports"][k] > 5 for k in ("immediate", "periodic", "special"))
    assert s["party_reports_answered"] > 26  # most answered
    assert s["rules_made_or_revised"] == 29 and s["rules_made"] == 5 and s["rules_revised"] == 24
    assert s["people_visited"]["entrepreneur"] == 139
    assert s["people_visited"]["expert"] == 16
    assert s["suggestions"] >= 40
    assert s["tasks"] == 12 + 3 and s["tasks_done"] == 15  # 12 from the 州委 (one finished late) + 3 from visits
    late = AssignedTask.objects.filter(year=2024, state="done").exclude(done_on__lte=F("due_on"))
    assert late.count() == 1
    assert s["visits"] > 30
    assert s["suggestions_by_outcome"]["task"] == 3


def test_named_rules_and_tasks(loaded):
    from xieshang.liaison.models import RuleVersion

    assert RuleVersion.objects.filter(rule__title="关于加强和改进民主监督工作的实施意见", number=1,
                                      date__year=2024).exists()
    assert RuleVersion.objects.filter(rule__title="政协昌吉回族自治州委员会视察考察调研相关组织协调工作办法",
                                      number__gt=1, date__year=2024).exists()
    titles = set(AssignedTask.objects.filter(year=2024).values_list("title", flat=True))
    assert "落实“一机制三清单”工作" in titles and any("重点信访案件化解" in t for t in titles)


def test_2025_complete_and_2026_in_progress(loaded):
    s = _stats(2025)
    assert s["party_reports"]["total"] == 48 and s["tasks_done"] == s["tasks"]
    current = PartyReport.objects.filter(committee=loaded.committee, year=loaded.today.year)
    states = set(current.values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "approved", "sent", "answered"} <= states
    assert Suggestion.objects.filter(committee=loaded.committee, state="open").exists()
    assert Suggestion.objects.filter(committee=loaded.committee, target_kind="proposal", proposal__isnull=False,
                                     visit__date__year=loaded.today.year).exists()
    assert AssignedTask.objects.filter(committee=loaded.committee, year=loaded.today.year, state="in_progress").exists()


def test_history_has_its_events_and_the_loader_is_declared(loaded):
    assert LOADER in demo_command.loaders()
    first = PartyReport.objects.filter(committee=loaded.committee, year=2024).order_by("number").first()
    events = Event.objects.for_object(first)
    assert events.filter(action="party_report.send").exists()
    assert all(e.created_at.year in (2024, 2025) for e in events)
    assert timezone.now().year == loaded.today.year
    assert loaded.seconds < 120  # about 25 s on a quiet machine (docs/liaison.md)


def test_only_the_last_weeks_notify_anyone(loaded):
    """History older than NOTIFY_DAYS went through the services without telling anyone (core.demo_kit.history);
    the reports of the last weeks told their leaders and drafters as the application does."""
    import datetime

    from xieshang.core.models import Notification

    cutoff = loaded.today - datetime.timedelta(days=liaison_demo.NOTIFY_DAYS)
    notices = Notification.objects.filter(committee=loaded.committee, kind__startswith="party_report.")
    assert not notices.filter(created_at__date__lt=cutoff).exists()
    assert notices.filter(created_at__date__gte=cutoff).exists()


def test_a_second_run_creates_nothing(loaded):
    before = PartyReport.objects.count()
    out = io.StringIO()
    liaison_demo.load(loaded.demo, stdout=out)
    assert PartyReport.objects.count() == before
    assert "already there" in out.getvalue()
