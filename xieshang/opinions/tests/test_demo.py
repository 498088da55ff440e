"""The demo opinion reports (xieshang.opinions.demo): the 2024 volume in the intended band (a prefecture's
few hundred reports, a third to a half forwarded, adoptions at all three levels, instructions), complete
closed years, 2026 in every state, what the services would have written (events, versions, deadlines, duty
facts, search index), and a second run that creates nothing.

The core demo and this loader are loaded once for the module (in a transaction rolled back at its end)."""

from __future__ import annotations

import io
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from xieshang.core import search
from xieshang.core.demo_data import load_demo
from xieshang.core.management.commands import demo as demo_command
from xieshang.core.models import Deadline, DutyFact, Event
from xieshang.opinions.models import Adoption, Bulletin, Commission, OpinionReport, OpinionState, OpinionVersion
from xieshang.reports.opinion_stats import opinion_statistics

pytestmark = pytest.mark.django_db
S = OpinionState
LOADER = "xieshang.opinions.demo.load"


def run_demo():
    started = time.monotonic()
    demo = load_demo()
    out = io.StringIO()
    demo_command.run_loader(LOADER, demo, stdout=out)
    return demo, out.getvalue(), time.monotonic() - started


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    real_now = timezone.now
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo, out, seconds = run_demo()
            print(f"\nopinions demo loaded (core + opinions) in {seconds:.1f} s\n{out}")
            yield SimpleNamespace(demo=demo, out=out, committee=demo["committee"], real_now=real_now)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_demo_command_runs_the_loader(loaded):
    assert LOADER in demo_command.loaders()
    assert demo_command.loaders().index(LOADER) > demo_command.loaders().index("xieshang.proposals.demo.load")
    for year in (2024, 2025, 2026):
        assert f"opinion reports {year}: " in loaded.out
    assert "in progress through the services" in loaded.out
    assert timezone.now is loaded.real_now  # the loader's clock is put back


def test_2024_statistics_are_in_the_intended_band(loaded):
    stats = opinion_statistics(loaded.committee, year=2024)
    assert 250 <= stats["received"] <= 500  # a prefecture's few hundred reports
    assert 1 / 3 <= stats["forwarded"] / stats["received"] <= 1 / 2
    assert stats["adopted_prefecture"] > stats["adopted_province"] > stats["adopted_national"] > 0
    assert 0 < stats["instructions"] < stats["adopted"]
    assert stats["combined_reports"] > 5 and stats["combined"] > stats["combined_reports"]
    assert stats["declined"] > 50
    assert stats["pending"] == 0  # complete
    assert 0.3 <= stats["adoption_rate"] <= 0.8
    assert {r["key"] for r in stats["by_level"]} == {"prefecture", "province", "national"}
    assert len(stats["by_sector"]) > 5 and len(stats["by_organization"]) > 5
    returned = Event.objects.filter(committee=loaded.committee, action="opinion.return",
                                    created_at__year=2024).count()
    assert returned > 0


@pytest.mark.parametrize("year", [2024, 2025])
def test_closed_years_are_complete_and_consistent(loaded, year):
    reports = OpinionReport.objects.filter(committee=loaded.committee, year=year)
    states = set(reports.values_list("state", flat=True))
    assert states <= {S.CLOSED, S.DECLINED, S.COMBINED, S.WITHDRAWN}
    assert {S.CLOSED, S.DECLINED, S.COMBINED, S.WITHDRAWN} <= states
    numbers = sorted(Bulletin.objects.filter(committee=loaded.committee, year=year).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # 第 1 … N 期
    assert set(Bulletin.objects.filter(committee=loaded.committee, year=year).values_list("kind", flat=True)) == {
        "special", "combined"}
    report_numbers = sorted(reports.values_list("number", flat=True))
    assert report_numbers == list(range(1, len(report_numbers) + 1))
    forwarded = reports.filter(state=S.CLOSED)
    assert not forwarded.filter(bulletin__isnull=True).exists()
    assert not forwarded.filter(forwardings__isnull=True).exists()
    for report in forwarded.order_by("id"):  # every one: a random sample let a late-issued bulletin slip through
        events = list(Event.objects.filter(content_type=ContentType.objects.get_for_model(OpinionReport),
                                           object_id=str(report.pk)).order_by("created_at", "id")
                      .values_list("action", "created_at"))
        actions = [a for a, _t in events]
        assert actions[0] in ("opinion.create", "opinion.create_combined")
        assert {"opinion.edit", "opinion.approve", "opinion.forward", "opinion.close"} <= set(actions)
        assert events[0][1].year == year  # history keeps its own dates
    edited = OpinionVersion.objects.filter(report__in=forwarded, is_staff_edit=True).values("report").distinct()
    assert edited.count() == forwarded.count()  # every forwarded report was edited by the office
    commissions = Commission.objects.filter(committee=loaded.committee, created_at__year=year)
    assert commissions.count() >= 2 and all(c.answers.exists() for c in commissions)


def test_2026_has_every_state(loaded):
    states = set(OpinionReport.objects.filter(committee=loaded.committee, year=2026).values_list("state", flat=True))
    assert states == set(S.values)


def test_demo_accounts_have_work(loaded):
    demo = loaded.demo
    member, member2 = demo["members"]["member"], demo["members"]["member2"]
    mine = OpinionReport.objects.filter(committee=loaded.committee, authors__member=member)
    assert mine.filter(year=2026).values("state").distinct().count() >= 4
    assert OpinionReport.objects.filter(authors__member=member2, year=2026).values("state").distinct().count() >= 3
    assert mine.filter(adoptions__isnull=False).exists()
    assert OpinionReport.objects.filter(committee=loaded.committee, state=S.AWAITING_APPROVAL).exists()  # the leader's
    assert Commission.objects.filter(committee=loaded.committee, state=Commission.State.OPEN).exists()


def test_what_the_services_would_have_written_is_there(loaded):
    committee = loaded.committee
    ct = ContentType.objects.get_for_model(OpinionReport)
    reports = OpinionReport.objects.filter(committee=committee)
    received = reports.exclude(state__in=(S.DRAFT,)).exclude(is_combined=True)
    # an "opinion.edit" deadline for every submitted report; history's are met (or waived when withdrawn)
    assert Deadline.objects.filter(content_type=ct, kind="opinion.edit").count() >= received.count()
    assert not Deadline.objects.filter(content_type=ct, kind="opinion.edit", state="open",
                                       object_id__in=reports.filter(year=2024).values("pk")).exists()
    assert Deadline.objects.filter(content_type=ct, kind="opinion.edit", state="open").exists()  # 2026's inbox
    # duty facts: every member-authored submission; adoptions per level
    facts = DutyFact.objects.filter(content_type=ct)
    assert facts.filter(kind="opinion.submitted").count() >= received.filter(member__isnull=False).count()
    for level in ("prefecture", "province", "national"):
        adopted = Adoption.objects.filter(report__committee=committee, level=level, report__member__isnull=False)
        assert facts.filter(kind=f"opinion.adopted.{level}").count() >= adopted.values("report").distinct().count() > 0
    assert facts.filter(kind__startswith="opinion.instruction.").exists()
    # the search index knows every report
    sample = reports.filter(year=2024).order_by("?").first()
    assert sample.pk in search.matching_ids(committee.pk, "opinion", sample.title)


def table_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count()
            for m in apps.get_models(include_auto_created=True) if m._meta.label != "sessions.Session"}


def test_a_second_run_creates_nothing(loaded):
    before = table_counts()
    _demo, out, seconds = run_demo()
    assert table_counts() == before
    assert out.count("already there") == 3
    print(f"second run (nothing to do) in {seconds:.1f} s")
