"""Hypothesis drives random sequences of demand and activity actions by random roles (and the citizen, by the
tracking code; and the days passing) through the services, and checks the workflows' invariants after every
step:

- every demand's state is a DemandState, every activity's an ActivityState;
- a demand's version counts its audit events (one for the creation, one per action that changed it);
- an action that fails changes nothing (states, versions, the number of events);
- a referred demand has a unit; a closed or declined one has `closed_on`; an answered or closed one an answer;
- open deadlines (and a due date) only in the open states: exactly one while the place or a unit holds it,
  none once it is converted into a member's draft (the draft carries it on);
- a held or closed activity has `held_at`, and a duty fact for each member present (none for the others);
- every action `DEMAND_MACHINE.available(user, demand)` (and `ACTIVITY_MACHINE.available`) offers is
  accepted when tried with valid input (`offered_actions_are_accepted`).
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from xieshang.core import clock
from xieshang.core.errors import ServiceError
from xieshang.core.models import Deadline, DutyFact, Event
from xieshang.grassroots import selectors, services, workflow
from xieshang.grassroots.models import (
    Activity, ActivityMember, ActivityState, Attendance, Demand, DemandState,
)
from xieshang.grassroots.tests.factories import ANSWER, TEXT, make_world

DEMAND_ACTIONS = sorted(t.action for t in workflow.DEMAND_TRANSITIONS)
ACTIVITY_ACTIONS = sorted(t.action for t in workflow.ACTIVITY_TRANSITIONS)
ROLES = ["member", "other_member", "keeper", "other_keeper", "unit", "other_unit", "staff", "leader", "citizen",
         "system"]
START = datetime.date(2026, 3, 2)
STATS: dict[str, int] = {}


def _valid_demand_data(action, w, counter) -> dict:
    return {
        "decline": {"reason": "不属于受理范围"},
        "return": {"reason": "请转其他单位"},
        "refer": {"unit": w.unit_row.pk},
        "convert": {"to": "proposal" if counter % 2 else "opinion", "member": w.member_row().pk},
        "answer": {"text": ANSWER},
        "confirm": {"satisfied": counter % 3 == 0, "comment": "回访"},
        "classify": {"category": ["ecology", "society", "other"][counter % 3]},
        "publish": {"summary": "公开摘要"},
    }.get(action, {})


def _any_demand_data(action, w, draw) -> dict:
    """Plausible data: mostly valid, sometimes not."""
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    if action in ("decline", "return"):
        return {"reason": pick(["", "理由"])}
    if action == "refer":
        return {"unit": pick([w.unit_row.pk, 999999, "x"])}
    if action == "convert":
        return {"to": pick(["proposal", "letter"]), "member": pick([w.member_row().pk, 999999])}
    if action == "answer":
        return {"text": pick(["", ANSWER, "答" * 4001])}
    if action == "confirm":
        return pick([{"satisfied": True}, {"satisfied": False}, {}])
    if action == "classify":
        return {"category": pick(["ecology", "nonsense"])}
    if action == "publish":
        return {"summary": pick(["", "摘要"])}
    return {}


def _valid_activity_data(action, w, counter) -> dict:
    member = w.member_row().pk
    return {
        "update": {"topic": f"议题{counter}", "date": clock.today().isoformat(), "members": [member]},
        "hold": {"present": [member] if counter % 2 else [], "citizens_count": counter % 7, "minutes": "纪要"},
        "record": {"present": [] if counter % 2 else [member], "citizens_count": 3, "minutes": "更正"},
        "cancel": {"reason": "天气原因"},
    }.get(action, {})


def _machine(w):
    def user(role, demand=None):
        if role == "citizen":
            return selectors.Citizen(demand.tracking_code if demand is not None else "NOCODE")
        if role == "system":
            return None
        return w.by_role(role)

    class GrassrootsWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            clock.set_to(START)
            self.demands: list[int] = []
            self.activities: list[int] = []
            self.counter = 0

        # --- helpers ------------------------------------------------------------------------------

        def _snapshot(self):
            return (list(Demand.objects.filter(pk__in=self.demands).order_by("pk").values_list("pk", "state", "version")),
                    list(Activity.objects.filter(pk__in=self.activities).order_by("pk")
                         .values_list("pk", "state", "version")),
                    Event.objects.count(), Deadline.objects.filter(state__in=["open", "extended"]).count())

        def _try(self, label, call, strict):
            before = self._snapshot()
            try:
                call()
            except ServiceError as exc:
                if strict:
                    raise AssertionError(f"{label} was offered but refused: {exc.code.value} {exc.detail} "
                                         f"{exc.message} {exc.field_errors}") from exc
                assert self._snapshot() == before, f"the failed {label} changed something"
                return False
            STATS[label.split()[0]] = STATS.get(label.split()[0], 0) + 1
            return True

        def act_demand(self, pk, role, action, data, strict=False):
            demand = Demand.objects.get(pk=pk)
            self.counter += 1
            return self._try(f"demand.{action} by {role} in {demand.state}", lambda: services.demand_act(
                actor=user(role, demand), demand=pk, action=action, data=data), strict)

        def act_activity(self, pk, role, action, data, strict=False):
            activity = Activity.objects.get(pk=pk)
            self.counter += 1
            return self._try(f"activity.{action} by {role} in {activity.state}", lambda: services.activity_act(
                actor=user(role), activity=pk, action=action, data=data), strict)

        def _offered(self, model, pk, available):
            obj = model.objects.get(pk=pk)
            out = []
            for role in ROLES:
                u = user(role, obj if model is Demand else None)
                if u is not None and not (selectors.can_see_demand(u, obj) if model is Demand
                                          else selectors.can_see_activity(u, obj)):
                    continue
                out += [(role, t.action) for t in available(u, obj)]
            return sorted(out)

        # --- rules --------------------------------------------------------------------------------

        @rule(who=st.sampled_from(["keeper", "staff", "member", "other_keeper", "unit"]), long=st.booleans())
        def record_demand(self, who, long):
            data = {"text": TEXT * (40 if long else 1), "place": w.place.pk, "phone": "13800138000"}
            before = self._snapshot()
            try:
                demand = services.demand_create(actor=w.by_role(who), committee=w.committee, data=data)
            except ServiceError:
                assert long or who in ("other_keeper", "unit")
                assert self._snapshot() == before
                return
            self.demands.append(demand.pk)

        @rule(ahead=st.sampled_from([0, 0, 5]))
        def plan_activity(self, ahead):
            day = clock.today() + datetime.timedelta(days=ahead)  # mostly today: it can be held at once
            activity = services.activity_create(actor=w.keeper, committee=w.committee, data={
                "topic": "协商议事会", "date": day.isoformat(), "members": [w.member_row().pk]})
            self.activities.append(activity.pk)

        @rule(days=st.sampled_from([1, 3, 8, 20]))
        def time_passes(self, days):
            clock.set_to(clock.today() + datetime.timedelta(days=days))

        @precondition(lambda self: self.demands)
        @rule(data=st.data(), action=st.sampled_from(DEMAND_ACTIONS), role=st.sampled_from(ROLES))
        def anything_on_a_demand(self, data, action, role):
            """Any action by anyone on any demand, with plausible data: refused or done, never half done."""
            pk = data.draw(st.sampled_from(self.demands))
            self.act_demand(pk, role, action, _any_demand_data(action, w, data.draw))

        @precondition(lambda self: self.activities)
        @rule(data=st.data(), action=st.sampled_from(ACTIVITY_ACTIONS), role=st.sampled_from(ROLES))
        def anything_on_an_activity(self, data, action, role):
            pk = data.draw(st.sampled_from(self.activities))
            self.act_activity(pk, role, action, _valid_activity_data(action, w, self.counter)
                              if data.draw(st.booleans()) else {"topic": "", "present": [999999]})

        @precondition(lambda self: self.demands)
        @rule(data=st.data(), steps=st.integers(1, 6))
        def progress_a_demand(self, data, steps):
            """Offered actions on one demand, one after the other: walks get deep."""
            pk = data.draw(st.sampled_from(self.demands))
            for _ in range(steps):
                offered = self._offered(Demand, pk, services.DEMAND_MACHINE.available)
                moves = [o for o in offered if o[1] not in ("classify", "publish", "unpublish")]
                if moves and data.draw(st.integers(0, 3)):
                    offered = moves
                if not offered:
                    return
                role, action = data.draw(st.sampled_from(offered))
                self.act_demand(pk, role, action, _valid_demand_data(action, w, self.counter), strict=True)
                self.demand_invariants()

        @precondition(lambda self: self.demands)
        @rule(data=st.data())
        def offered_demand_actions_are_accepted(self, data):
            """Every action DEMAND_MACHINE.available(user, demand) offers is accepted with valid input."""
            pk = data.draw(st.sampled_from(self.demands))
            offered = self._offered(Demand, pk, services.DEMAND_MACHINE.available)
            if offered:
                role, action = data.draw(st.sampled_from(offered))
                self.act_demand(pk, role, action, _valid_demand_data(action, w, self.counter), strict=True)

        @precondition(lambda self: self.activities)
        @rule(data=st.data(), steps=st.integers(1, 4))
        def progress_an_activity(self, data, steps):
            """Offered activity actions, mostly onwards (publish, hold, close), and outcomes once held."""
            pk = data.draw(st.sampled_from(self.activities))
            for _ in range(steps):
                offered = self._offered(Activity, pk, services.ACTIVITY_MACHINE.available)
                onward = [o for o in offered if o[1] in ("publish", "hold", "close", "record")]
                if onward and data.draw(st.integers(0, 3)):
                    offered = onward
                if not offered:
                    return
                role, action = data.draw(st.sampled_from(offered))
                self.act_activity(pk, role, action, _valid_activity_data(action, w, self.counter), strict=True)
                activity = Activity.objects.get(pk=pk)
                if activity.state == ActivityState.HELD and data.draw(st.booleans()):
                    self._try("activity.outcome_add", lambda: services.outcome_add(
                        actor=w.keeper, activity=pk, data={"text": "成果", "owner_kind": "committee"}), strict=True)
                self.activity_invariants()

        @precondition(lambda self: self.activities)
        @rule(data=st.data())
        def offered_activity_actions_are_accepted(self, data):
            pk = data.draw(st.sampled_from(self.activities))
            offered = self._offered(Activity, pk, services.ACTIVITY_MACHINE.available)
            if offered:
                role, action = data.draw(st.sampled_from(offered))
                self.act_activity(pk, role, action, _valid_activity_data(action, w, self.counter), strict=True)

        # --- invariants ---------------------------------------------------------------------------

        @invariant()
        def demand_invariants(self):
            today = clock.today()
            open_states = workflow.DEMAND_GROUPS["open"]
            for d in Demand.objects.filter(pk__in=self.demands):
                assert d.state in DemandState.values
                assert Event.objects.for_object(d).count() == d.version, (d.pk, d.state, d.version)
                if d.state == DemandState.REFERRED:
                    assert d.unit_id is not None
                if d.state in (DemandState.CLOSED, DemandState.DECLINED):
                    assert d.closed_on is not None and d.closed_on <= today
                if d.state in (DemandState.ANSWERED, DemandState.CLOSED):
                    assert d.answer and d.answered_on is not None
                if d.state == DemandState.DECLINED:
                    assert d.decline_reason
                open_rows = [x for x in services.dl.deadlines_of(d) if x.is_open]
                if d.state in open_states and d.state != DemandState.CONVERTED:
                    assert len(open_rows) == 1 and d.due_on == open_rows[0].due_on, (d.pk, d.state, open_rows)
                elif d.state == DemandState.CONVERTED:  # the member's draft carries it on: no clock runs
                    assert not open_rows and d.due_on is None, (d.pk, d.state, open_rows)
                else:
                    assert not open_rows and d.due_on is None, (d.pk, d.state, open_rows)

        @invariant()
        def activity_invariants(self):
            for a in Activity.objects.filter(pk__in=self.activities):
                assert a.state in ActivityState.values
                held = a.state in workflow.ACTIVITY_GROUPS["held"]
                assert (a.held_at is not None) == held, (a.pk, a.state)
                present = set(ActivityMember.objects.filter(activity=a, status=Attendance.PRESENT)
                              .values_list("member_id", flat=True))
                facts = set(DutyFact.objects.filter(object_id=a.pk, kind__startswith="grassroots.")
                            .values_list("member_id", flat=True))
                assert facts == (present if held else set()), (a.pk, a.state, facts, present)

    return GrassrootsWorkflow


@pytest.mark.django_db
@pytest.mark.long
def test_random_walks_keep_the_invariants(settings):
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    clock.set_to(START)
    w = make_world()
    run_state_machine_as_test(
        _machine(w),
        settings=settings_for_the_walks(),
    )
    print("successful actions:", dict(sorted(STATS.items())))
    assert {"demand.accept", "demand.answer", "activity.publish"} <= set(STATS)  # the walks got somewhere


def settings_for_the_walks():
    return hsettings(max_examples=20, stateful_step_count=20, deadline=None, derandomize=True,  # the same walks every run
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
