"""Hypothesis drives random sequences of Party report and assigned task actions by random roles (and days
passing) through the services, and checks the invariants after every step:

- every report's and task's state is one of its workflow's; its version counts its audit events;
- an action that fails changes nothing (states, versions, the number of events);
- an approved, sent or answered report has its approval date and leader; a sent or answered one its
  document number and date; an answered one the instruction, dated not before it was sent, not in the future;
- a task open or in progress has exactly one open "task.due" deadline, due on its due date; a done one has
  `done_on` and its deadline met; a cancelled one none open;
- every action REPORT_MACHINE.available / TASK_MACHINE.available offers a user is accepted with valid input.
"""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

import pytest

from xieshang.core import clock
from xieshang.core import deadlines as dl
from xieshang.core.errors import ServiceError
from xieshang.core.models import Event
from xieshang.liaison import selectors, services, workflow
from xieshang.liaison.models import AssignedTask, PartyReport, ReportState, TaskState

from .factories import REPORT, TASK, make_world

ROLES = ["member", "unit", "staff", "admin", "leader", "leader2", "sc_staff"]
REPORT_ACTIONS = sorted(t.action for t in workflow.REPORT_TRANSITIONS)
TASK_ACTIONS = sorted(t.action for t in workflow.TASK_TRANSITIONS)
START = datetime.date(2026, 3, 2)


def _valid(action, counter) -> dict:
    today = clock.today().isoformat()
    return {
        "update": {**REPORT, "title": f"{REPORT['title']}（第{counter}稿）"},
        "return": {"reason": "请修改"}, "withdraw": {"reason": "撤回"}, "cancel": {"reason": "撤销"},
        "send": {"document_number": f"昌州政协报〔2026〕{counter}号", "sent_on": today},
        "record_instruction": {"instruction_by": "州委书记", "instruction_on": today, "text": "同意"},
        "note": {"text": f"进展{counter}"}, "complete": {"result": "完成"},
        "extend": {"due_on": (clock.today() + datetime.timedelta(days=30 + counter % 9)).isoformat()},
    }.get(action, {})


def _any(action, draw) -> dict:
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    future = (clock.today() + datetime.timedelta(days=5)).isoformat()
    past = (clock.today() - datetime.timedelta(days=400)).isoformat()
    return pick([_valid(action, 1), {}, {"reason": "", "text": "", "title": "", "kind": "nonsense"},
                 {"document_number": "号", "sent_on": pick([future, past, "x"])},
                 {"instruction_by": "书记", "instruction_on": pick([future, past]), "text": "同意"},
                 {"due_on": pick([past, "x"])}])


def _machine(w):
    class LiaisonWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            clock.set_to(START)
            self.reports: list[int] = []
            self.tasks: list[int] = []
            self.counter = 0

        def _snapshot(self):
            return (list(PartyReport.objects.filter(pk__in=self.reports).order_by("pk").values_list("state", "version")),
                    list(AssignedTask.objects.filter(pk__in=self.tasks).order_by("pk").values_list("state", "version")),
                    Event.objects.count())

        def _try(self, label, call, strict):
            before = self._snapshot()
            self.counter += 1
            try:
                call()
            except ServiceError as exc:
                if strict:
                    raise AssertionError(f"{label} was offered but refused: {exc.message} {exc.field_errors}") from exc
                assert self._snapshot() == before, f"the failed {label} changed something"

        def _offered(self, obj, machine):
            out = []
            for role in ROLES:
                user = w.by_role(role)
                if selectors.can_see(user, obj):
                    out += [(role, t.action) for t in machine.available(user, obj)]
            return sorted(out)

        @rule()
        def draft_a_report(self):
            self.reports.append(services.report_create(actor=w.staff, committee=w.committee, data=REPORT).pk)

        @rule(special=st.booleans())
        def record_a_task(self, special):
            owner = {"owner_kind": "special_committee", "special_committee": w.special.pk} if special else {}
            self.tasks.append(services.task_create(actor=w.staff, committee=w.committee, data={
                **TASK, **owner, "due_on": (clock.today() + datetime.timedelta(days=10)).isoformat()}).pk)

        @rule(days=st.sampled_from([1, 4, 15]))
        def time_passes(self, days):
            clock.set_to(clock.today() + datetime.timedelta(days=days))

        @precondition(lambda self: self.reports)
        @rule(data=st.data(), action=st.sampled_from(REPORT_ACTIONS), role=st.sampled_from(ROLES))
        def anything_on_a_report(self, data, action, role):
            pk = data.draw(st.sampled_from(self.reports))
            self._try(f"report.{action}", lambda: services.report_act(
                actor=w.by_role(role), report=pk, action=action, data=_any(action, data.draw)), False)

        @precondition(lambda self: self.tasks)
        @rule(data=st.data(), action=st.sampled_from(TASK_ACTIONS), role=st.sampled_from(ROLES))
        def anything_on_a_task(self, data, action, role):
            pk = data.draw(st.sampled_from(self.tasks))
            self._try(f"task.{action}", lambda: services.task_act(
                actor=w.by_role(role), task=pk, action=action, data=_any(action, data.draw)), False)

        @precondition(lambda self: self.reports)
        @rule(data=st.data(), steps=st.integers(1, 6))
        def offered_report_actions_are_accepted(self, data, steps):
            pk = data.draw(st.sampled_from(self.reports))
            for _ in range(steps):
                offered = self._offered(PartyReport.objects.get(pk=pk), services.REPORT_MACHINE)
                if not offered:
                    return
                role, action = data.draw(st.sampled_from(offered))
                self._try(f"report.{action} by {role}", lambda: services.report_act(
                    actor=w.by_role(role), report=pk, action=action, data=_valid(action, self.counter)), True)

        @precondition(lambda self: self.tasks)
        @rule(data=st.data(), steps=st.integers(1, 4))
        def offered_task_actions_are_accepted(self, data, steps):
            pk = data.draw(st.sampled_from(self.tasks))
            for _ in range(steps):
                offered = self._offered(AssignedTask.objects.get(pk=pk), services.TASK_MACHINE)
                if not offered:
                    return
                role, action = data.draw(st.sampled_from(offered))
                self._try(f"task.{action} by {role}", lambda: services.task_act(
                    actor=w.by_role(role), task=pk, action=action, data=_valid(action, self.counter)), True)

        @invariant()
        def report_invariants(self):
            today = clock.today()
            for r in PartyReport.objects.filter(pk__in=self.reports):
                assert r.state in ReportState.values
                assert Event.objects.for_object(r).count() == r.version, (r.pk, r.state, r.version)
                if r.state in ("approved", "sent", "answered"):
                    assert r.approved_on and r.approved_by_id
                if r.state in ("sent", "answered"):
                    assert r.document_number and r.approved_on <= r.sent_on <= today
                if r.state == "answered":
                    assert r.instruction and r.sent_on <= r.instruction_on <= today

        @invariant()
        def task_invariants(self):
            for t in AssignedTask.objects.filter(pk__in=self.tasks):
                assert t.state in TaskState.values
                assert Event.objects.for_object(t).count() == t.version
                open_rows = [d for d in dl.deadlines_of(t) if d.is_open]
                if t.state in (TaskState.OPEN, TaskState.IN_PROGRESS):
                    assert len(open_rows) == 1 and open_rows[0].due_on >= t.due_on  # reopened: not before today
                else:
                    assert not open_rows
                if t.state == TaskState.DONE:
                    assert t.done_on is not None and dl.deadlines_of(t).get().state == "met"

        def teardown(self):
            clock.set_to(None)

    return LiaisonWorkflow


@pytest.mark.django_db
@pytest.mark.long
def test_the_workflows_hold_their_invariants():
    w = make_world()
    run_state_machine_as_test(_machine(w), settings=hsettings(
        max_examples=12, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
