"""Hypothesis drives random sequences of topic and plan actions by random roles through the services and checks
after every step:

- a failed action changes nothing (states, versions, events, meetings);
- the invariants: a merged topic points to a live topic of the same plan (never to itself), a declined one has its
  reason, a scheduled one its meeting (of the topic's form), a planned one its month; once the plan is approved
  no topic is shortlisted or waiting, and the approvals are dated in order;
- every action `TOPIC_MACHINE.available` / `PLAN_MACHINE.available` offers to a role is accepted with valid input
  (tried in a savepoint that is rolled back).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from xieshang.consultation import plan_services, plan_workflow
from xieshang.consultation.models import ConsultationPlan, ConsultationTopic, Meeting, TopicState
from xieshang.consultation.tests.factories import TODAY, make_world
from xieshang.consultation.tests.plan_factories import open_plan, topic_data
from xieshang.core import clock
from xieshang.core.errors import ServiceError
from xieshang.core.models import Event

pytestmark = pytest.mark.django_db

ROLES = ["member", "other_member", "outsider", "unit", "staff", "admin", "leader"]
STATS: dict[str, int] = {}


class _Rollback(Exception):
    pass


def _machine():
    class PlanWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            clock.set_to(TODAY)
            self.w = make_world()  # a committee of its own for every example
            self.plan = open_plan(self.w)
            self.day = TODAY
            self.n = 0

        def _snapshot(self):
            return (list(ConsultationTopic.objects.order_by("pk").values_list("pk", "state", "version", "merged_into")),
                    list(ConsultationPlan.objects.order_by("pk").values_list("pk", "state", "version")),
                    Event.objects.count(), Meeting.objects.count())

        def _try(self, label, call) -> bool:
            before = self._snapshot()
            try:
                call()
            except ServiceError:
                assert self._snapshot() == before, f"the failed {label} changed something"
                return False
            STATS[label] = STATS.get(label, 0) + 1
            return True

        def _data(self, action, topic=None):
            self.n += 1
            if action == "merge":
                into = plan_services.psel.merge_targets(topic).first()
                return {"into": into.pk if into else 999999}
            return {"shortlist": {"month": 1 + self.n % 12}, "arrange": {"month": 1 + self.n % 12, "form": "sector"},
                    "decline": {"reason": "不列入计划"},
                    "schedule": {"start_on": (self.day + datetime.timedelta(days=30)).isoformat()},
                    "approve_chair": {"date": self.day.isoformat(), "document": f"纪要{self.n}"},
                    "approve_party": {"date": self.day.isoformat(), "document": f"党办{self.n}"}}.get(action, {})

        @rule(role=st.sampled_from(["member", "other_member", "staff"]))
        def submit(self, role):
            data = topic_data(title=f"议题{self.n}")
            if role == "staff":
                from xieshang.core.models import Organization

                org, _ = Organization.objects.get_or_create(committee=self.w.committee, name="民盟", defaults={"kind": "party"})
                data.update(source="organization", organization=org.pk)
            self._try("submit", lambda: plan_services.topic_submit(actor=getattr(self.w, role), committee=self.w.committee,
                                                                   data=data))

        @rule(action=st.sampled_from(plan_workflow.TOPIC_ACTIONS), role=st.sampled_from(ROLES), i=st.integers(0, 20))
        def topic_act(self, action, role, i):
            topics = list(ConsultationTopic.objects.filter(plan=self.plan).order_by("pk"))
            if not topics:
                return
            topic = topics[i % len(topics)]
            self._try(action, lambda: plan_services.topic_act(actor=getattr(self.w, role), topic=topic.pk, action=action,
                                                              data=self._data(action, topic)))

        @rule(action=st.sampled_from(["shortlist", "shortlist", "decline", "merge", "schedule", "arrange"]),
              i=st.integers(0, 20))
        def office_decides(self, action, i):
            """The office's moves, more often than a random role's (so the walk reaches the plan's approvals)."""
            self.topic_act(action, "staff", i)

        @initialize()
        def two_topics(self):
            """Every walk starts with a member's topic and another's (the call is open)."""
            self.submit("member")
            self.submit("other_member")

        @rule(month=st.integers(1, 12))
        def office_shortlists_the_waiting(self, month):
            for topic in ConsultationTopic.objects.filter(plan=self.plan, state="submitted").order_by("pk"):
                self._try("shortlist", lambda t=topic: plan_services.topic_shortlist(actor=self.w.staff, topic=t.pk,
                                                                                     month=month))

        @rule()
        def office_passes_the_plan(self):
            self.plan_act("approve_chair", "staff")
            self.plan_act("approve_party", "staff")

        @rule(i=st.integers(0, 20))
        def office_schedules(self, i):
            self.topic_act("schedule", "staff", i)

        @rule(action=st.sampled_from(plan_workflow.PLAN_ACTIONS), role=st.sampled_from(ROLES))
        def plan_act(self, action, role):
            self._try(action, lambda: plan_services.plan_act(actor=getattr(self.w, role), plan=self.plan.pk, action=action,
                                                             data=self._data(action)))

        @rule(days=st.integers(1, 20))
        def time_passes(self, days):
            self.day = min(self.day + datetime.timedelta(days=days), datetime.date(2026, 11, 1))
            clock.set_to(self.day)

        @invariant()
        def rows_are_consistent(self):
            plan = ConsultationPlan.objects.get(pk=self.plan.pk)
            for t in ConsultationTopic.objects.filter(plan=plan).select_related("merged_into", "meeting"):
                assert t.state in TopicState.values
                if t.state == "merged":
                    assert t.merged_into_id != t.pk and t.merged_into.plan_id == plan.pk
                    assert t.merged_into.state != "merged"
                if t.state in plan_workflow.TOPIC_GROUPS["planned"]:
                    assert t.month is not None
                if t.state == "scheduled":
                    assert t.meeting.form == t.form and t.meeting.year == plan.year
                if plan.state == "approved":
                    assert t.state not in ("submitted", "shortlisted")
            if plan.party_approved_on:
                assert plan.chair_approved_on <= plan.party_approved_on

        @invariant()
        def offered_actions_are_accepted(self):
            plan = ConsultationPlan.objects.get(pk=self.plan.pk)
            for role in ("member", "outsider", "staff", "leader"):
                user = getattr(self.w, role)
                for t in plan_services.PLAN_MACHINE.available(user, plan):
                    self._accepted(lambda a=t.action: plan_services.plan_act(actor=user, plan=plan.pk, action=a,
                                                                              data=self._data(a)), t.action, role)
                for topic in ConsultationTopic.objects.filter(plan=plan).order_by("pk")[:4]:
                    for t in plan_services.TOPIC_MACHINE.available(user, topic):
                        self._accepted(lambda a=t.action, tp=topic: plan_services.topic_act(
                            actor=user, topic=tp.pk, action=a, data=self._data(a, tp)), t.action, role)

        def _accepted(self, call, action, role):
            try:
                with transaction.atomic():
                    call()
                    raise _Rollback
            except _Rollback:
                pass
            except ServiceError as exc:  # pragma: no cover - the failure message says what was refused
                raise AssertionError(f"{role} was offered {action} but it was refused: {exc.message}") from exc

    return PlanWorkflow


@pytest.mark.long
def test_plan_and_topic_workflows_under_random_actions():
    run_state_machine_as_test(_machine(), settings=hsettings(
        max_examples=15, stateful_step_count=25, deadline=None, derandomize=True,  # the same walks every run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    # The walk reached the interesting moves at least once across the examples.
    assert {"submit", "shortlist", "approve_chair", "approve_party", "schedule"} <= set(STATS), STATS
