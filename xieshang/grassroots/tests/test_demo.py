"""The demo grassroots data (xieshang.grassroots.demo) on a small demo: the places of the 2024 work review
(75 stations, 33 member studios, 7 sector studios in the seven counties and cities), complete closed years,
the current year in progress, what the services would have written (events, deadlines, duty facts, the
search index), the keeper account, plausible statistics, and a second run that creates nothing.

The core demo and this loader (at a tenth of the volume) are loaded once for the module, in a transaction
rolled back at its end; no other app's loader runs."""

from __future__ import annotations

import datetime
import io
import time
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from xieshang.core import clock, search
from xieshang.core.demo_data import DEMO_PASSWORD, load_demo
from xieshang.core.management.commands import demo as demo_command
from xieshang.core.models import Deadline, DutyFact, Event, Role, RoleAssignment
from xieshang.grassroots import demo as grassroots_demo
from xieshang.grassroots.models import (
    Activity, ActivityMember, ActivityState, Attendance, Demand, DemandState, Outcome, Place, PlaceKind,
)
from xieshang.grassroots.workflow import DEMAND_GROUPS
from xieshang.opinions.tests.test_demo import table_counts
from xieshang.reports.grassroots_stats import grassroots_statistics

pytestmark = pytest.mark.django_db
LOADER = "xieshang.grassroots.demo.load"
SCALE = 0.1
COUNTIES = {"昌吉市", "阜康市", "呼图壁县", "玛纳斯县", "奇台县", "吉木萨尔县", "木垒县"}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    real_now = timezone.now
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo = load_demo()
            out = io.StringIO()
            started = time.monotonic()
            result = grassroots_demo.load(demo, stdout=out, scale=SCALE)
            seconds = time.monotonic() - started
            print(f"\ngrassroots demo (scale {SCALE}) loaded in {seconds:.1f} s\n{out.getvalue()}")
            yield SimpleNamespace(demo=demo, result=result, out=out.getvalue(), committee=demo["committee"],
                                  real_now=real_now, today=clock.today())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_demo_command_runs_the_loader(loaded):
    assert LOADER in demo_command.loaders()
    assert demo_command.loaders().index(LOADER) > demo_command.loaders().index("xieshang.opinions.demo.load")
    for year in range(2024, loaded.today.year + 1):
        assert f"grassroots {year}: " in loaded.out
    assert "through the services" in loaded.out
    assert timezone.now is loaded.real_now  # the loader's clock is put back


def test_the_places_of_the_work_review(loaded):
    places = Place.objects.filter(committee=loaded.committee)
    counts = {kind: places.filter(kind=kind).count() for kind in PlaceKind.values}
    assert counts == {"station": 75, "member_studio": 33, "sector_studio": 7}
    assert set(places.values_list("county", flat=True)) == COUNTIES
    assert not places.filter(township="").exists()
    sector = places.filter(kind=PlaceKind.SECTOR_STUDIO)
    assert not sector.filter(special_committee__isnull=True).exists()
    assert sector.values("special_committee").distinct().count() == 7  # each on its own special committee
    assert places.filter(reception_days="10,20").count() >= 5 and places.filter(reception_days="15").exists()
    assert not places.exclude(residents__isnull=False).exists()  # every place has resident members
    # the core demo's stations and studios are among them, matched by name
    for name in ("昌吉市宁边路街道委员联络站", "阜康市城关镇委员联络站", "马晓燕委员工作室", "农业界委员工作室"):
        assert places.filter(name=name).count() == 1
    assert places.filter(name="李永福委员工作室").exists()  # the demo member's studio


def test_the_keeper_account(loaded):
    keeper = loaded.result["users"]["keeper"]
    assert keeper.check_password(DEMO_PASSWORD)
    bound = RoleAssignment.objects.filter(user=keeper, committee=loaded.committee, role=Role.STATION)
    assert bound.filter(liaison_station__name="阜康市城关镇委员联络站").exists()
    assert any(a["username"] == "keeper" for a in loaded.demo["accounts"])
    place = Place.objects.get(name="阜康市城关镇委员联络站")
    assert Demand.objects.filter(place=place, state__in=DEMAND_GROUPS["open"]).exists()  # work to do


@pytest.mark.parametrize("year", [2024, 2025])
def test_closed_years_are_complete_and_consistent(loaded, year):
    committee = loaded.committee
    demands = Demand.objects.filter(committee=committee, received_on__year=year)
    assert demands.count() > 20
    assert set(demands.values_list("state", flat=True)) <= DEMAND_GROUPS["final"]
    assert not demands.filter(state=DemandState.CLOSED, answer="").exists()
    assert not demands.filter(state=DemandState.DECLINED, decline_reason="").exists()
    assert demands.filter(answered_by_unit__isnull=False).exists() and demands.filter(answered_by_unit=None,
                                                                                      state="closed").exists()
    assert demands.filter(reopened=1).exists() or year == 2025
    activities = Activity.objects.filter(committee=committee, date__year=year)
    assert set(activities.values_list("state", flat=True)) <= {ActivityState.CLOSED, ActivityState.CANCELLED}
    assert {"consultation", "reception_day"} <= set(activities.values_list("kind", flat=True))
    assert "有事昌商量·邀你建吉言" in activities.filter(kind="consultation").first().topic
    ct = ContentType.objects.get_for_model(Demand)
    for demand in demands.order_by("?")[:15]:
        events = list(Event.objects.filter(content_type=ct, object_id=str(demand.pk)).order_by("created_at", "id")
                      .values_list("action", "created_at", "to_state"))
        assert events[0][0] == "demand.create" and events[0][1].date() == demand.received_on
        assert [e[1] for e in events] == sorted(e[1] for e in events)
        assert events[-1][2] in (demand.state, "")  # publish leaves the state as it is
        assert demand.version == len(events)
    # deadlines: none left open for a closed year; the answered-late flag agrees with them
    open_rows = Deadline.objects.filter(content_type=ct, object_id__in=demands.values("pk"), state__in=["open", "extended"])
    assert not open_rows.exists()
    assert Deadline.objects.filter(content_type=ct, object_id__in=demands.values("pk"), kind="demand.accept").count() \
        == demands.count()


def test_duty_facts_match_attendance(loaded):
    ct = ContentType.objects.get_for_model(Activity)
    held = Activity.objects.filter(committee=loaded.committee, state__in=["held", "closed"])
    present = ActivityMember.objects.filter(activity__in=held, status=Attendance.PRESENT)
    facts = DutyFact.objects.filter(content_type=ct, object_id__in=held.values("pk"))
    assert facts.count() == present.count() > 0
    assert set(facts.values_list("kind", flat=True)) == {"grassroots.activity", "grassroots.reception_day"}
    fact = facts.select_related("member").first()
    assert ActivityMember.objects.filter(activity_id=fact.object_id, member=fact.member, status="present").exists()
    assert fact.occurred_on == Activity.objects.get(pk=fact.object_id).date


def test_the_current_year_is_in_progress(loaded):
    committee, today = loaded.committee, loaded.today
    current = Demand.objects.filter(committee=committee, received_on__gte=today - datetime.timedelta(days=60))
    assert {"received", "accepted", "referred", "answered"} <= set(current.values_list("state", flat=True))
    open_ = current.filter(state__in=DEMAND_GROUPS["open"])
    # every open demand shows its due date (a converted one is carried on by the member's draft: none)
    open_ = open_.exclude(state=DemandState.CONVERTED)
    assert not open_.filter(due_on__isnull=True).exists()
    assert open_.filter(due_on__lt=today).exists()  # some are late against the demo's clock
    ct = ContentType.objects.get_for_model(Demand)
    for demand in open_:
        row = Deadline.objects.filter(content_type=ct, object_id=demand.pk, state__in=["open", "extended"]) \
            .order_by("due_on").first()
        assert row is not None and row.due_on == demand.due_on
    unit = loaded.demo["users"]["unit"]
    unit_id = RoleAssignment.objects.get(user=unit, committee=committee, role=Role.UNIT).handling_unit_id
    assert current.filter(state=DemandState.REFERRED, unit_id=unit_id, reopened=1).exists()  # reopened, back to the unit
    assert current.filter(proposal__isnull=False).exists()  # a draft proposal made from a demand
    member = loaded.demo["members"]["member"]
    assert current.filter(proposal__isnull=False, member=member).exists()
    assert Activity.objects.filter(committee=committee, state=ActivityState.PLANNED, date__gt=today).exists()
    assert Activity.objects.filter(committee=committee, kind="reception_day", date__gte=today).exists()  # the rota
    assert Outcome.objects.filter(committee=committee, state="open", due_on__gte=today).exists()


def test_search_finds_demands_without_personal_data(loaded):
    demand = Demand.objects.filter(committee=loaded.committee).exclude(citizen_name="").order_by("?").first()
    assert demand.pk in search.matching_ids(loaded.committee.pk, "demand", demand.tracking_code)
    assert demand.pk not in search.matching_ids(loaded.committee.pk, "demand", demand.phone)


def test_statistics_are_plausible(loaded):
    stats = grassroots_statistics(loaded.committee, year=2024)
    assert (stats["stations"], stats["studios"], stats["sector_studios"]) == (75, 33, 7)
    assert 35 <= stats["activities"] <= 70  # about 500 at full scale
    assert stats["activities"] == stats["consultations"] + stats["reception_days"]
    assert 25 <= stats["demands_received"] <= 45
    assert 0.8 <= stats["answer_rate"] <= 1
    assert 0.7 <= stats["on_time_rate"] <= 1
    assert stats["demands_open"] == 0
    assert len(stats["by_county"]) == 7
    assert sum(r["demands_received"] for r in stats["by_county"]) == stats["demands_received"]


def test_a_second_run_creates_nothing(loaded):
    before = table_counts()
    out = io.StringIO()
    grassroots_demo.load(loaded.demo, stdout=out, scale=SCALE)
    assert table_counts() == before
    assert "already there" in out.getvalue()
