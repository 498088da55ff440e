"""Concurrency on PostgreSQL: the same public submission sent several times at once makes one demand; two
keepers acting on one demand at once end with one move; two reception-day planners make one day."""

from __future__ import annotations

import datetime

import pytest

from xieshang.core.errors import Conflict, IllegalTransition
from xieshang.core.models import Event
from xieshang.core.sms import LocmemSmsBackend
from xieshang.core.tests.concurrency import postgres_only, run_together
from xieshang.grassroots import services
from xieshang.grassroots.models import Activity, Demand, DemandState
from xieshang.grassroots.tests.factories import make_keeper, make_world, new_demand


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_submission_sent_four_times_at_once_makes_one_demand():
    w = make_world()
    services.phone_code_request(phone="13900001111", address="10.1.1.1")
    code = "".join(ch for ch in LocmemSmsBackend.outbox[-1][1] if ch.isdigit())[:6]
    data = {"phone": "13900001111", "code": code, "text": "村里的灌溉渠堵了，春耕前需要清理。", "place": w.place.pk}

    results = run_together(4, lambda i: services.demand_submit_public(committee=w.committee, data=data,
                                                                      address=f"10.1.1.{i}"))
    assert all(isinstance(r, Demand) for r in results), results
    assert len({r.tracking_code for r in results}) == 1
    assert Demand.objects.count() == 1
    assert Event.objects.filter(action="demand.create").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_keepers_accept_and_decline_at_once_one_wins():
    w = make_world()
    second = make_keeper(w.committee, w.place)
    demand = new_demand(w)
    # Both act on the version they saw (as the pages send it): whichever commits second is stale (409) or, having
    # waited on the lock, meets a state its action no longer leaves (409). Without the version a decline that
    # starts after the accept committed is a legal second move (decline is allowed from accepted), and the
    # test depended on the two overlapping (CI once ran them one after the other).
    seen = demand.version

    def go(i):
        if i == 0:
            return services.demand_accept(actor=w.keeper, demand=demand.pk, expected_version=seen)
        return services.demand_decline(actor=second, demand=demand.pk, reason="重复反映", expected_version=seen)

    results = run_together(2, go)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], (Conflict, IllegalTransition)), results
    demand.refresh_from_db()
    assert demand.state in (DemandState.ACCEPTED, DemandState.DECLINED)
    assert Event.objects.filter(object_id=str(demand.pk), action__in=["demand.accept", "demand.decline"]).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_reception_days_planned_twice_at_once_make_one_day_each():
    w = make_world()
    results = run_together(2, lambda i: services.reception_days_plan(today=datetime.date(2026, 3, 1), days=31))
    assert Activity.objects.filter(kind="reception_day", place=w.place).count() == 2, results
