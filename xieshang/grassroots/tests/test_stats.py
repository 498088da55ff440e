"""The grassroots statistics (xieshang.reports.grassroots_stats) on a hand-made world: every figure of the
module docstring checked exactly, the year's scope, the other committee left out, a fixed number of queries,
and the command `xieshang stats grassroots` (table and JSON).

The world is made through the services at fixed days of 2025 (the core clock is set), so due dates, late
answers and overdue demands do not depend on the day the tests run."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.core import clock
from xieshang.core.models import SpecialCommittee, Studio
from xieshang.grassroots import services
from xieshang.grassroots.models import Demand, DemandSource
from xieshang.grassroots.tests.factories import ANSWER, make_place, make_world, new_demand, walk_to
from xieshang.reports.grassroots_stats import grassroots_statistics

pytestmark = pytest.mark.django_db
YEAR = 2025
DAY = datetime.date(2025, 6, 18)  # a Wednesday; the day the statistics are read
REASON = "不属于本站受理范围，建议向12345热线反映。"


@pytest.fixture
def on_day():
    def set_day(day):
        clock.set_to(datetime.datetime.combine(day, datetime.time(10, 0)))
    yield set_day
    clock.set_to(None)


def _hold(w, keeper, place, *, kind="consultation", day=DAY, present=(), citizens=0, outcomes=()):
    activity = services.activity_create(actor=keeper, committee=w.committee, data={
        "kind": kind, "topic": "协商议事", "date": day.isoformat(), "place": place.pk,
        "members": [m.pk for m in present]})
    activity = services.activity_hold(actor=keeper, activity=activity, present=present, citizens_count=citizens)
    made = [services.outcome_add(actor=keeper, activity=activity, data={"text": text, "owner_kind": "committee"})
            for text in outcomes]
    return activity, made


@pytest.fixture
def world(on_day):
    """The counted world (expected figures in each test), and a second committee that must not count."""
    on_day(datetime.date(2025, 5, 6))
    w = make_world()
    sc = SpecialCommittee.objects.create(committee=w.committee, name="农业和农村委员会")
    studio = make_place(w.committee, kind="member_studio", county="玛纳斯县", public=False)
    sector = make_place(w.committee, kind="sector_studio", county="昌吉市", special_committee=sc)
    gone = make_place(w.committee, county="昌吉市")  # its station is no longer active: not counted
    gone.station.is_active = False
    gone.station.save()
    m1, m2 = w.member_row(), w.member_row(w.other_member)

    # --- demands (place: w.place in 昌吉市 unless said) ---------------------------------------------------
    # overdue: received on 6 May, never accepted (the accept deadline passed long before 18 June)
    overdue = new_demand(w, text="久拖未办的诉求")
    # answered late: accepted on 6 May, answered by the place on 18 June (answer due 15 working days later)
    late = new_demand(w, text="答复超期的诉求")
    services.demand_act(actor=w.keeper, demand=late, action="accept")
    # last year's demand: left out of 2025
    on_day(datetime.date(2024, 12, 20))
    new_demand(w, text="去年的诉求")

    on_day(DAY)
    services.demand_act(actor=w.keeper, demand=late, action="answer", data={"text": ANSWER})
    fresh = new_demand(w, text="新收到的诉求")  # open, due after today
    declined = new_demand(w, text="不予受理的诉求")
    services.demand_act(actor=w.keeper, demand=declined, action="decline", data={"reason": REASON})
    by_unit = walk_to("answered", w)  # answered by the unit, on time
    closed = walk_to("closed", w)  # answered by the unit, citizen satisfied
    services.demand_publish(actor=w.keeper, demand=closed, summary="群众反映路灯损坏的问题，已修复。")
    converted = walk_to("converted", w)  # open, carried on as a member's draft
    twice = walk_to("answered", w)  # not satisfied twice: reopened once, then closed unsatisfied
    services.demand_confirm_public(tracking_code=twice.tracking_code, satisfied=False, comment="没有解决")
    services.demand_act(actor=w.unit, demand=twice, action="answer", data={"text": ANSWER})
    services.demand_confirm_public(tracking_code=twice.tracking_code, satisfied=False, comment="还是没有解决")
    by_member = services.demand_create(actor=w.member, committee=w.committee, data={
        "text": "委员走访时群众反映的诉求", "place": w.other_place.pk})  # 阜康市, recorded by a member
    portal = Demand.objects.create(committee=w.committee, place=w.other_place, tracking_code="PORTAL2345",
                                   source=DemandSource.PORTAL, text="网上反映的诉求", received_on=DAY,
                                   due_on=datetime.date(2025, 6, 23))  # from the portal, received
    # unconfirmed: answered on 2 June by the place, closed on 18 June after the quiet period
    on_day(datetime.date(2025, 6, 2))
    quiet = new_demand(w, text="无人确认的诉求")
    services.demand_act(actor=w.keeper, demand=quiet, action="answer", data={"text": ANSWER})
    on_day(DAY)
    services.demand_act(actor=w.keeper, demand=quiet, action="close")

    # --- activities ----------------------------------------------------------------------------------------
    consultation, outcomes = _hold(w, w.keeper, w.place, present=[m1, m2], citizens=20, outcomes=["修路", "装灯"])
    services.outcome_done(actor=w.keeper, outcome=outcomes[0])
    _hold(w, w.other_keeper, w.other_place, kind="reception_day", present=[m1], citizens=5)
    cancelled = services.activity_create(actor=w.keeper, committee=w.committee, data={
        "topic": "取消的活动", "date": DAY.isoformat(), "place": w.place.pk})
    services.activity_cancel(actor=w.keeper, activity=cancelled, reason="天气原因")
    services.activity_create(actor=w.keeper, committee=w.committee, data={  # planned: not counted
        "topic": "计划中的活动", "date": (DAY + datetime.timedelta(days=10)).isoformat(), "place": w.place.pk})
    _hold(w, w.keeper, w.place, day=datetime.date(2024, 12, 20), present=[m1], citizens=7)  # last year

    # --- another committee: nothing of it counts --------------------------------------------------------------
    other = make_world()
    walk_to("closed", other)
    _hold(other, other.keeper, other.place, present=[other.member_row()], citizens=9)
    w.demands = {"overdue": overdue, "late": late, "fresh": fresh, "declined": declined, "by_unit": by_unit,
                 "closed": closed, "converted": converted, "twice": twice, "by_member": by_member, "portal": portal,
                 "quiet": quiet}
    w.studio, w.sector = studio, sector
    return w


def test_every_figure_of_the_year(world):
    stats = grassroots_statistics(world.committee, year=YEAR, today=DAY)
    expected = {
        "committee": world.committee.code, "year": YEAR,
        "stations": 2, "studios": 1, "sector_studios": 1, "places": 4, "public_places": 3,
        "activities": 2, "consultations": 1, "reception_days": 1, "cancelled": 1,
        "attendances": 3, "citizens": 25, "outcomes": 2, "outcomes_done": 1,
        # overdue, late, fresh, declined, by_unit, closed, converted, twice, by_member, portal, quiet
        "demands_received": 11,
        "demands_answered": 5,  # late, by_unit, closed, twice, quiet
        "answered_on_time": 4,  # all but late
        "demands_declined": 1,
        "demands_open": 5,  # overdue, fresh, converted, by_member, portal
        "demands_overdue": 1,  # overdue
        "answered_by_units": 3,  # by_unit, closed, twice
        "reopened": 1, "satisfied": 1, "unsatisfied": 1, "unconfirmed": 1,
        "converted": 1, "published": 1,
        "from_portal": 1, "from_keepers": 9, "from_members": 1,
        "answer_rate": round(5 / 11, 4), "answer_rate_display": "45.5%",
        "on_time_rate": 0.8, "on_time_rate_display": "80%",
        "satisfaction_rate": 0.5, "satisfaction_rate_display": "50%",
    }
    by_county = stats.pop("by_county")
    assert stats == expected
    assert by_county == [
        {"county": "昌吉市", "stations": 1, "studios": 0, "sector_studios": 1, "activities": 1,
         "demands_received": 9, "demands_answered": 5, "answered_on_time": 4, "answer_rate": round(5 / 9, 4),
         "on_time_rate": 0.8},
        {"county": "玛纳斯县", "stations": 0, "studios": 1, "sector_studios": 0, "activities": 0,
         "demands_received": 0, "demands_answered": 0, "answered_on_time": 0, "answer_rate": None,
         "on_time_rate": None},
        {"county": "阜康市", "stations": 1, "studios": 0, "sector_studios": 0, "activities": 1,
         "demands_received": 2, "demands_answered": 0, "answered_on_time": 0, "answer_rate": 0.0,
         "on_time_rate": None},
    ]  # in the order of the places (all of order 0 here: by name)


def test_the_states_behind_the_figures(world):
    """The world is what the expected figures say (a guard against a factory changing underneath)."""
    d = {k: Demand.objects.get(pk=v.pk) for k, v in world.demands.items()}
    assert d["late"].answered_late and not d["by_unit"].answered_late
    assert d["overdue"].state == "received" and d["overdue"].due_on < DAY
    assert d["fresh"].due_on >= DAY
    assert (d["twice"].state, d["twice"].reopened, d["twice"].satisfaction) == ("closed", 1, "unsatisfied")
    assert (d["quiet"].state, d["quiet"].satisfaction) == ("closed", "unconfirmed")
    assert d["by_member"].source == "member"


def test_all_years_and_an_empty_year(world):
    every = grassroots_statistics(world.committee, today=DAY)
    assert every["year"] is None
    assert (every["demands_received"], every["activities"], every["attendances"], every["citizens"]) == (12, 3, 4, 32)
    empty = grassroots_statistics(world.committee, year=2023, today=DAY)
    assert (empty["demands_received"], empty["activities"], empty["stations"]) == (0, 0, 2)
    assert empty["answer_rate"] is None and empty["on_time_rate"] is None and empty["satisfaction_rate"] is None


def test_a_fixed_number_of_queries(world):
    with CaptureQueriesContext(connection) as small:
        grassroots_statistics(world.committee, year=YEAR, today=DAY)
    for _i in range(5):
        walk_to("closed", world)
    with CaptureQueriesContext(connection) as more:
        grassroots_statistics(world.committee, year=YEAR, today=DAY)
    assert len(small) == len(more) <= 8


def test_the_command(world):
    out = io.StringIO()
    call_command("stats", "grassroots", "--committee", world.committee.code, "--year", str(YEAR), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["stations"] == 2 and data["demands_received"] == 11
    assert {"stations", "studios", "sector_studios", "activities", "demands_received", "demands_answered",
            "answer_rate", "on_time_rate", "by_county"} <= set(data)
    table = io.StringIO()
    call_command("stats", "grassroots", "--committee", world.committee.code, "--year", str(YEAR), stdout=table)
    assert "昌吉市" in table.getvalue() and "45.5%" in table.getvalue()
    assert Studio.objects.filter(pk=world.studio.studio_id).exists()
