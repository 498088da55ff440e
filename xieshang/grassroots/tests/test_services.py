"""The demand and activity workflows through the services: the paths a citizen's demand takes, deadlines,
notices, duty facts, the public door's codes and limits."""

from __future__ import annotations

import datetime

import pytest

from xieshang.core import clock
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Deadline, DutyFact, Event
from xieshang.core.sms import LocmemSmsBackend
from xieshang.grassroots import selectors as sel
from xieshang.grassroots import services
from xieshang.grassroots.models import ActivityMember, Demand, DemandState, PhoneCode
from xieshang.grassroots.tests.factories import ANSWER, make_world, new_demand, plan_activity, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    LocmemSmsBackend.keys.clear()


def test_keeper_records_accepts_refers_unit_answers_citizen_confirms(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demand = new_demand(w)
    assert demand.state == DemandState.RECEIVED
    assert len(demand.tracking_code) == 10
    assert Deadline.objects.filter(object_id=demand.pk, kind="demand.accept").get().is_open
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_accept(actor=w.keeper, demand=demand)
        services.demand_refer(actor=w.keeper, demand=demand, unit=w.unit_row)
    demand.refresh_from_db()
    assert demand.state == DemandState.REFERRED and demand.unit_id == w.unit_row.pk
    assert demand.due_on is not None and demand.due_on > clock.today()
    # the other unit sees nothing; the unit answers
    with pytest.raises(NotFound):
        services.demand_answer(actor=w.other_unit, demand=demand, text=ANSWER)
    with pytest.raises(Forbidden):
        services.demand_answer(actor=w.keeper, demand=demand, text=ANSWER)
    services.demand_answer(actor=w.unit, demand=demand, text=ANSWER)
    demand.refresh_from_db()
    assert demand.state == DemandState.ANSWERED and demand.answered_by_unit_id == w.unit_row.pk
    assert not demand.answered_late and demand.due_on is None
    assert not Deadline.objects.filter(object_id=demand.pk, state__in=["open", "extended"]).exists()
    services.demand_confirm_public(tracking_code=demand.tracking_code.lower(), satisfied=True)
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.satisfaction == "satisfied"
    actions = list(Event.objects.filter(object_id=str(demand.pk), action__startswith="demand.").values_list("action", flat=True))
    assert actions == ["demand.create", "demand.accept", "demand.refer", "demand.answer", "demand.confirm"]
    texts = [t for _p, t in LocmemSmsBackend.outbox]
    assert any(demand.tracking_code in t for t in texts)


def test_not_satisfied_reopens_once_then_closes(w):
    demand = walk_to("answered", w)
    services.demand_confirm_public(tracking_code=demand.tracking_code, satisfied=False, comment="灯还是不亮")
    demand.refresh_from_db()
    assert demand.state == DemandState.REFERRED and demand.reopened == 1 and demand.due_on
    services.demand_answer(actor=w.unit, demand=demand, text=ANSWER + "（复查）")
    services.demand_confirm_public(tracking_code=demand.tracking_code, satisfied=False)
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.satisfaction == "unsatisfied"


def test_wrong_tracking_code_is_not_found(w):
    walk_to("answered", w)
    for code in ("", "AAAA", "x" * 100, "ZZZZZZZZZZ"):
        with pytest.raises(NotFound):
            services.demand_confirm_public(tracking_code=code, satisfied=True)


def test_decline_needs_reason_and_is_final(w):
    demand = new_demand(w)
    with pytest.raises(Invalid):
        services.demand_decline(actor=w.keeper, demand=demand, reason="  ")
    services.demand_decline(actor=w.keeper, demand=demand, reason="不属于受理范围")
    with pytest.raises(IllegalTransition):
        services.demand_accept(actor=w.keeper, demand=demand)


def test_quiet_period_before_keeper_closes(w, monkeypatch):
    demand = walk_to("answered", w)
    with pytest.raises(Invalid) as exc:
        services.demand_close(actor=w.keeper, demand=demand)
    assert exc.value.detail == "quiet_period"
    later = clock.today() + datetime.timedelta(days=8)
    monkeypatch.setattr(clock, "today", lambda: later)
    services.demand_close(actor=w.keeper, demand=demand)
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.satisfaction == "unconfirmed"


def test_convert_makes_a_draft_for_the_member(w):
    demand = walk_to("converted", w)
    assert demand.proposal is not None
    assert f"{demand.pk}" in demand.proposal.body and demand.place.name in demand.proposal.body
    assert demand.tracking_code not in demand.proposal.body  # the citizen's key stays out of a draft
    assert "13800138000" not in demand.proposal.body
    assert demand.proposal.state == "draft"


def test_other_keeper_sees_nothing(w):
    demand = new_demand(w)
    with pytest.raises(NotFound):
        services.demand_accept(actor=w.other_keeper, demand=demand)
    assert not sel.demands_visible_to(w.other_keeper, w.committee).filter(pk=demand.pk).exists()
    assert sel.demands_visible_to(w.leader, w.committee).filter(pk=demand.pk).exists()


def test_public_door_code_then_submit_then_retry_is_the_same(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_request(phone="138 0013 8000", address="10.0.0.1")
    phone, text = LocmemSmsBackend.outbox[-1]
    assert phone == "13800138000"
    code = "".join(ch for ch in text if ch.isdigit())[:6]
    data = {"phone": "13800138000", "code": code, "text": "公园厕所长期无人打扫", "place": w.place.pk}
    demand = services.demand_submit_public(committee=w.committee, data=data, address="10.0.0.1")
    again = services.demand_submit_public(committee=w.committee, data=data, address="10.0.0.1")
    assert again.pk == demand.pk and Demand.objects.count() == 1
    # the code is used: another text with it is refused
    with pytest.raises(Invalid) as exc:
        services.demand_submit_public(committee=w.committee, data={**data, "text": "另一件事"}, address="10.0.0.1")
    assert exc.value.detail == "bad_code"


def test_code_limits(w):
    services.phone_code_request(phone="13800138001", address="10.0.0.2")
    with pytest.raises(Invalid) as exc:
        services.phone_code_request(phone="13800138001", address="10.0.0.2")
    assert exc.value.detail == "rate_limited"
    with pytest.raises(Invalid):
        services.phone_code_request(phone="12345", address="10.0.0.2")


def test_wrong_codes_kill_the_code(w):
    services.phone_code_request(phone="13800138002", address="10.0.0.3")
    for _i in range(services.CODE_TRIES):
        with pytest.raises(Invalid):
            services.demand_submit_public(committee=w.committee, address="10.0.0.3", data={
                "phone": "13800138002", "code": "000000", "text": "测试", "place": w.place.pk})
    assert PhoneCode.objects.get(phone="13800138002").tries == services.CODE_TRIES


def test_activity_plan_publish_hold_records_duty(w):
    activity = plan_activity(w)
    assert ActivityMember.objects.filter(activity=activity).count() == 2
    services.activity_publish(actor=w.keeper, activity=activity)
    m1, m2 = w.member_row(), w.member_row(w.other_member)
    services.activity_hold(actor=w.keeper, activity=activity, present=[m1.pk], citizens_count=25,
                           units_present=[w.unit_row.pk], minutes="议定：由社区牵头，居民自愿分摊。")
    assert DutyFact.objects.filter(member=m1, kind="grassroots.activity").count() == 1
    assert not DutyFact.objects.filter(member=m2).exists()
    services.activity_act(actor=w.keeper, activity=activity, action="record",
                          data={"present": [m1.pk, m2.pk], "citizens_count": 25})
    assert DutyFact.objects.filter(kind="grassroots.activity").count() == 2
    outcome = services.outcome_add(actor=w.keeper, activity=activity, data={
        "text": "社区制定加装电梯费用分摊方案", "owner_kind": "unit", "owner_unit": w.unit_row.pk,
        "due_on": (clock.today() + datetime.timedelta(days=30)).isoformat()})
    assert Deadline.objects.filter(kind="activity.outcome", object_id=outcome.pk).exists()
    services.outcome_done(actor=w.keeper, outcome=outcome, note="方案已公示")
    with pytest.raises(Forbidden):  # sees the held activity (its notice is public), may not change it
        services.outcome_add(actor=w.other_keeper, activity=activity, data={"text": "x", "owner_kind": "committee"})


def test_activity_cannot_be_held_before_its_date(w):
    activity = plan_activity(w, date=clock.today() + datetime.timedelta(days=3))
    with pytest.raises(Invalid):
        services.activity_hold(actor=w.keeper, activity=activity)


def test_reception_days_from_rota(w):
    from xieshang.grassroots.models import Activity, PlaceMember

    PlaceMember.objects.create(place=w.place, member=w.member_row())
    made = services.reception_days_plan(today=datetime.date(2026, 3, 1), days=31)
    assert made == 2
    assert services.reception_days_plan(today=datetime.date(2026, 3, 1), days=31) == 0
    days = sorted(Activity.objects.filter(kind="reception_day").values_list("date", flat=True))
    assert days == [datetime.date(2026, 3, 10), datetime.date(2026, 3, 20)]


def test_renamed_units_and_stations_reach_the_demands_search_documents():
    """A demand names its place and its unit: a unit or a station renamed in administration finds the demand by the
    new name at once and no longer by the old one (the place follows its station first: organisation_changed)."""
    from xieshang.core import search
    from xieshang.core import services as core_services
    from xieshang.core.tests.factories import UserFactory, grant
    from xieshang.grassroots.tests.factories import make_world, walk_to

    w = make_world()
    demand = walk_to("referred", w)
    admin = UserFactory()
    grant(admin, w.committee, "admin")

    def found(text):
        return set(search.matching_ids(w.committee.pk, "demand", text) or ())

    unit, station = w.unit_row, w.place.station
    assert demand.pk in found(unit.name) and demand.pk in found(station.name)
    old_unit, old_station = unit.name, station.name
    core_services.handling_unit_save(actor=admin, committee=w.committee, unit=unit, name="州城市管理新局",
                                     kind=unit.kind)
    core_services.liaison_station_save(actor=admin, committee=w.committee, station=station, name="城北委员联络新站")
    assert demand.pk in found("州城市管理新局") and demand.pk not in found(old_unit)
    assert demand.pk in found("城北委员联络新站") and demand.pk not in found(old_station)
