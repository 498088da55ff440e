"""Hypothesis state machines for both workflows: random actions by random actors with valid input; after every step
the invariants hold and every action `available()` offers is accepted by `act()`."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from xieshang.core.errors import ServiceError
from xieshang.core.models import Deadline, DutyFact
from xieshang.inspections import selectors, services, workflow
from xieshang.inspections.models import Inspection, SupervisionItem
from xieshang.inspections.tests.factories import (
    action_data, make_world, plan, supervision_action_data, walk_supervision_to,
)

pytestmark = pytest.mark.django_db
ACTORS = ("staff", "admin", "leader", "member", "outsider")


class _Rollback(Exception):
    pass


def _run(machine_cls, w, make):
    class Machine(machine_cls):
        def __init__(self):
            super().__init__()
            self.w = w
            self.obj = make(w)

    run_state_machine_as_test(Machine, settings=SETTINGS)


class _Base(RuleBasedStateMachine):
    actions: tuple = ()

    @rule(actor=st.sampled_from(ACTORS), action_index=st.integers(min_value=0, max_value=20))
    def try_action(self, actor, action_index):
        action = self.actions[action_index % len(self.actions)]
        user = self.w.by_role(actor)
        self.obj.refresh_from_db()
        selectors.forget_teams(user)
        offered = {t.action for t in self.available(user, self.obj)}
        before = (self.obj.state, self.obj.version)
        try:
            self.act(user, action, self.data(action))
        except ServiceError:
            self.obj.refresh_from_db()
            assert (self.obj.state, self.obj.version) == before, (action, actor)
            assert action not in offered, (action, actor, before)
        else:
            assert action in offered, (action, actor, before)
        self.obj.refresh_from_db()

    @rule()
    def advance(self):
        """The office takes the first offered action other than cancel: the walk reaches the late states."""
        user = self.w.staff
        self.obj.refresh_from_db()
        offered = [t for t in self.available(user, self.obj) if t.action != "cancel"]
        if offered:
            self.act(user, offered[-1].action, self.data(offered[-1].action))
        self.obj.refresh_from_db()

    @invariant()
    def offered_actions_are_accepted(self):
        for actor in ("staff", "admin"):
            user = self.w.by_role(actor)
            self.obj.refresh_from_db()
            for t in self.available(user, self.obj):
                try:
                    with transaction.atomic():
                        self.act(user, t.action, self.data(t.action))
                        raise _Rollback()
                except _Rollback:
                    pass
                self.obj.refresh_from_db()


class InspectionMachine(_Base):
    actions = workflow.ACTIONS

    def available(self, user, obj):
        return selectors.inspection_actions(user, obj)

    def act(self, user, action, data):
        services.inspection_act(actor=user, inspection=self.obj.pk, action=action, data=data)

    def data(self, action):
        if action == "answer" and not self.obj.recommendations.exists():
            return {"recommendation": 1, "answer": "x", "adopted": True}
        return action_data(action, self.w, self.obj)

    @invariant()
    def holds(self):
        obj = Inspection.objects.get(pk=self.obj.pk)
        facts = DutyFact.objects.filter(object_id=obj.pk, kind__startswith="inspections.team.").count()
        assert facts == (obj.team.count() if obj.state in workflow.GROUPS["took_place"] else 0)
        if obj.state == "closed":
            assert not obj.recommendations.filter(answered_on__isnull=True).exists()
        if obj.state in workflow.GROUPS["sent"]:
            assert obj.report_sent_on is not None
            opened = Deadline.objects.filter(kind="inspections.answer",
                                             object_id__in=obj.recommendations.values("pk")).count()
            assert opened == obj.recommendations.count()


class SupervisionMachine(_Base):
    actions = workflow.SUPERVISION_ACTIONS

    def available(self, user, obj):
        return selectors.supervision_actions(user, obj)

    def act(self, user, action, data):
        services.supervision_act(actor=user, item=self.obj.pk, action=action, data=data)

    def data(self, action):
        return supervision_action_data(action, self.w, self.obj)

    @invariant()
    def holds(self):
        obj = SupervisionItem.objects.get(pk=self.obj.pk)
        facts = DutyFact.objects.filter(object_id=obj.pk, kind="inspections.supervision.team").count()
        assert facts == (obj.team.count() if obj.state in workflow.SUPERVISION_GROUPS["took_place"] else 0)
        if obj.state in ("reported", "closed"):
            assert obj.reported_on is not None
            opened = Deadline.objects.filter(kind="inspections.answer",
                                             object_id__in=obj.recommendations.values("pk")).count()
            assert opened == obj.recommendations.count()
        if obj.state == "closed":
            assert not obj.recommendations.filter(answered_on__isnull=True).exists()
        if obj.state in ("planned", "cancelled"):
            assert not obj.recommendations.exists()


SETTINGS = settings(max_examples=10, stateful_step_count=16, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.long
def test_inspection_state_machine():
    _run(InspectionMachine, make_world(), lambda w: plan(w))


@pytest.mark.long
def test_supervision_state_machine():
    _run(SupervisionMachine, make_world(), lambda w: walk_supervision_to("planned", w))
