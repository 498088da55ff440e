"""Hypothesis drives random sequences of Party report and assigned task actions by random roles (and days
passing) through the services, and checks the invariants after every step:

- every report's and task's state is one of its workflow's; its version counts its audit events;
- an action that fails changes nothing (states, versions, the number of events);
- an approved, sent or answered report has its approval date and leader; a sent or answered one its
  document number and date; an answered one the instruction, dated not before it was sent, not in the future;
- a task open or in progress has exactly one open "task.due" deadline, due on its due date; a done one has
  `done_on` and its deadline met; a cancelled one none open;
- every action REPORT_MACHINE.available / TASK_MACHINE.available offers a user is accepted with valid input.

A second machine drives visit suggestions (走访建议: open ──convert──▶ converted; open ──note──▶ noted
──reopen──▶ open) by random roles — the office, the leader who made the visit (a member, or one who is not),
another leader, a member, a unit user — and checks after every step:

- a suggestion's state is one of SuggestionState's; its version counts its audit events, which only grow
  (the earlier ones stay, in order);
- an action the page's selector (selectors.suggestion_actions) offers is accepted with valid input, whatever
  the target (a demand, a proposal or opinion report draft, an assigned task); one it does not offer is
  refused with the error of the first check that fails (unseen → NotFound, no relation → Forbidden, a stale
  version → Conflict, the wrong state → IllegalTransition), and a failed action changes nothing (states,
  versions, events, demands, drafts, tasks);
- an open suggestion has no target and no note, a noted one its note; a converted one its date and exactly one
  target of its `target_kind`, which exists, is of its committee and leads back to it (selectors.origin_of).
"""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

import pytest
from django.db import transaction

from xieshang.core import clock
from xieshang.core import deadlines as dl
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound, ServiceError
from xieshang.core.models import Event
from xieshang.liaison import selectors, services, workflow
from xieshang.liaison.models import (
    AssignedTask, ContactVisit, PartyReport, ReportState, Suggestion, SuggestionState, TargetKind, TaskState,
)

from .factories import REPORT, TASK, VISIT, make_world

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


RUN = hsettings(max_examples=12, stateful_step_count=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.django_db
@pytest.mark.long
def test_the_workflows_hold_their_invariants():
    w = make_world()
    run_state_machine_as_test(_machine(w), settings=RUN)


# --- Visit suggestions -------------------------------------------------------------------------------------------

SUGGESTION_ACTIONS = sorted(t.action for t in workflow.SUGGESTION_TRANSITIONS)
TARGET_FIELDS = ("demand", "proposal", "opinion", "task")


def _snapshot_counts():
    from xieshang.grassroots.models import Demand
    from xieshang.opinions.models import OpinionReport
    from xieshang.proposals.models import Proposal

    return tuple(m.objects.count() for m in (Demand, Proposal, OpinionReport, AssignedTask, Event))


class _RolledBack(Exception):
    pass


def _offered_but_refused(label, exc):
    """One place for the failure, so that Hypothesis shrinks the rules that find it as one bug."""
    raise AssertionError(f"{label} was offered but refused: {type(exc).__name__} {exc.message} "
                         f"{exc.field_errors}") from exc


def _records_demands(user, committee) -> bool:
    """grassroots' rule for who records a citizen's demand: a member, a station keeper or the office."""
    from xieshang.core.models import Role
    from xieshang.core.selectors import member_of, roles_of

    return bool(roles_of(user, committee) & {Role.STATION, Role.STAFF, Role.ADMIN} or member_of(user, committee))


def _suggestion_machine(w):
    machine = services.SUGGESTION_MACHINE

    def valid(action, s, draw, counter, to=None, role=None) -> dict:
        """Input the action accepts on `s` from `role`, whatever target is drawn (or `to`); without `draw`, the
        first of each choice. A demand only for those who record demands (a leader without a member record
        follows a suggestion up as a draft or a task: a demand is refused on `to` with the reason)."""
        pick = (lambda options: draw(st.sampled_from(options))) if draw else (lambda options: options[0])
        if action == "note":
            return {"note": f"留作参考（{counter}）"}
        if action != "convert":
            return {}
        targets = [t for t in TargetKind.values
                   if t != TargetKind.DEMAND or role is None or _records_demands(w.by_role(role), w.committee)]
        to = to or pick(targets)
        data = {"to": to, "title": pick(["", f"关于走访建议的跟进（{counter}）"])}
        if to == TargetKind.DEMAND:
            data["place"] = w.place.pk
        elif to in (TargetKind.PROPOSAL, TargetKind.OPINION):
            # the visiting leader who is a member drafts in their own name unless a member is chosen
            if s.visit.leader_id != w.leader.pk or pick([False, True]):
                data["member"] = w.member_row(pick([w.member, w.leader])).pk
        else:
            if pick([False, True]):
                data.update(owner_kind="special_committee", special_committee=w.special.pk)
            if pick([False, True]):
                data["due_on"] = (clock.today() + datetime.timedelta(days=pick([0, 7, 60]))).isoformat()
        return data

    def anything(action, s, draw, counter) -> dict:
        past = (clock.today() - datetime.timedelta(days=3)).isoformat()
        return draw(st.sampled_from([
            valid(action, s, draw, counter), {}, {"to": "nonsense"}, {"to": "demand"}, {"to": "demand", "place": 10**9},
            {"to": "proposal", "member": 10**9}, {"to": "opinion", "member": "x"},
            {"to": "task", "owner_kind": "special_committee"}, {"to": "task", "due_on": past},
            {"to": "task", "due_on": "x"}, {"note": ""}, {"note": "   "},
        ]))

    def refusal(user, s, action, stale=False):
        """The error Machine.act must raise for this actor, action and state (None: the action is allowed)."""
        if action not in machine:
            return Invalid
        if not selectors.can_see(user, s):
            return NotFound
        t = machine.transition(action)
        if not t.actors & selectors.suggestion_relations(user, s):
            return Forbidden
        if stale:
            return Conflict
        if s.state not in t.sources:
            return IllegalTransition
        return None

    def offered_to(user, s) -> set[str]:
        return {t.action for t in selectors.suggestion_actions(user, s)} if selectors.can_see(user, s) else set()

    class SuggestionWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            clock.set_to(START)
            self.visits: list[int] = []
            self.suggestions: list[int] = []
            self.events: dict[int, list[int]] = {}
            self.counter = 0

        def _get(self, pk) -> Suggestion:
            return Suggestion.objects.select_related("visit").get(pk=pk)

        def _snapshot(self):
            return (list(Suggestion.objects.filter(pk__in=self.suggestions).order_by("pk")
                         .values_list("state", "version", "target_kind", "note")), _snapshot_counts())

        def _act(self, role, pk, action, data, *, strict, stale=False):
            self.counter += 1
            user, s = w.by_role(role), self._get(pk)
            offered = offered_to(user, s)
            expected = refusal(user, s, action)
            assert (expected is None) == (action in offered), (role, action, s.state, offered)
            if stale:
                expected = refusal(user, s, action, stale=True)
            label = f"suggestion.{action} by {role} on a {s.state} suggestion with {data}"
            before = self._snapshot()
            try:
                done = services.suggestion_act(actor=user, suggestion=pk, action=action, data=data,
                                               expected_version=s.version - 1 if stale else s.version)
            except ServiceError as exc:
                assert self._snapshot() == before, f"the failed {label} changed something"
                if expected is not None:
                    assert type(exc) is expected, f"{label}: {type(exc).__name__}, not {expected.__name__}"
                elif strict or type(exc) is not Invalid:
                    _offered_but_refused(label, exc)
            else:
                assert expected is None, f"{label} was accepted, but {expected.__name__} was due"
                t = machine.transition(action)
                assert done.version == s.version + 1 and (t.target is None or done.state == t.target), label

        @rule(leader=st.sampled_from(["leader", "leader2"]), by_office=st.booleans(), n=st.integers(1, 2))
        def record_a_visit(self, leader, by_office, n):
            leader = w.by_role(leader)
            visit = services.visit_create(actor=w.staff if by_office else leader, committee=w.committee, data={
                **VISIT, "leader": leader.pk, "date": (clock.today() - datetime.timedelta(days=1)).isoformat(),
                "people": [{"kind": "entrepreneur", "name": "张企业家", "affiliation": "某公司董事长"}],
                "suggestions": [f"建议设立中小企业应急转贷资金（{self.counter}-{i}）" for i in range(n)]})
            self.visits.append(visit.pk)
            self.suggestions += list(visit.suggestions.order_by("pk").values_list("pk", flat=True))

        @precondition(lambda self: self.visits)
        @rule(data=st.data(), role=st.sampled_from(ROLES))
        def add_a_suggestion(self, data, role):
            visit = ContactVisit.objects.get(pk=data.draw(st.sampled_from(self.visits)))
            user = w.by_role(role)
            expected = (None if selectors.is_office(user, w.committee) or visit.leader_id == user.pk
                        else Forbidden if selectors.is_reader(user, w.committee) else NotFound)
            before = self._snapshot()
            self.counter += 1
            try:
                row = services.suggestion_add(actor=user, visit=visit, data={"text": f"补充建议{self.counter}"})
            except ServiceError as exc:
                assert type(exc) is expected and self._snapshot() == before, (role, type(exc).__name__)
            else:
                assert expected is None, f"suggestion_add by {role} was accepted"
                self.suggestions.append(row.pk)

        @rule(days=st.sampled_from([1, 4, 15]))
        def time_passes(self, days):
            clock.set_to(clock.today() + datetime.timedelta(days=days))

        @precondition(lambda self: self.suggestions)
        @rule(data=st.data(), action=st.sampled_from([*SUGGESTION_ACTIONS, "approve"]), role=st.sampled_from(ROLES),
              stale=st.sampled_from([False, False, False, True]))
        def anything_on_a_suggestion(self, data, action, role, stale):
            pk = data.draw(st.sampled_from(self.suggestions))
            self._act(role, pk, action, anything(action, self._get(pk), data.draw, self.counter), strict=False,
                      stale=stale)

        @precondition(lambda self: self.suggestions)
        @rule(data=st.data(), steps=st.integers(1, 3))
        def offered_suggestion_actions_are_accepted(self, data, steps):
            pk = data.draw(st.sampled_from(self.suggestions))
            for _ in range(steps):
                s = self._get(pk)
                offered = sorted((role, action) for role in ROLES for action in offered_to(w.by_role(role), s))
                if not offered:
                    return
                role, action = data.draw(st.sampled_from(offered))
                self._act(role, pk, action, valid(action, s, data.draw, self.counter, role=role), strict=True)

        @precondition(lambda self: self.suggestions)
        @rule(data=st.data())
        def every_offer_is_accepted(self, data):
            """Every action offered to every role on one suggestion (convert: into each kind of target), tried
            and rolled back: the page shows no button that fails with valid input."""
            pk = data.draw(st.sampled_from(self.suggestions))
            s = self._get(pk)
            before = self._snapshot()
            for role in ROLES:
                for action in sorted(offered_to(w.by_role(role), s)):
                    for to in TargetKind.values if action == "convert" else [None]:
                        payload = valid(action, s, None, self.counter, to=to)
                        refused_target = to == TargetKind.DEMAND and not _records_demands(w.by_role(role),
                                                                                           w.committee)
                        try:
                            with transaction.atomic():
                                services.suggestion_act(actor=w.by_role(role), suggestion=pk, action=action,
                                                        data=payload, expected_version=s.version)
                                raise _RolledBack
                        except _RolledBack:
                            assert not refused_target, f"{role} recorded a demand"
                        except Invalid as exc:
                            if not (refused_target and "to" in exc.field_errors):
                                _offered_but_refused(f"suggestion.{action} by {role} with {payload}", exc)
                        except ServiceError as exc:
                            visitor = "leader" if s.visit.leader_id == w.leader.pk else "leader2"
                            _offered_but_refused(f"suggestion.{action} by {role} on a {s.state} suggestion of a "
                                                 f"visit by {visitor} with {payload}", exc)
            assert self._snapshot() == before

        @invariant()
        def suggestion_invariants(self):
            for s in Suggestion.objects.filter(pk__in=self.suggestions).select_related("visit"):
                assert s.state in SuggestionState.values
                events = list(Event.objects.for_object(s).order_by("pk").values_list("pk", flat=True))
                seen = self.events.get(s.pk, [])
                assert events[:len(seen)] == seen, f"suggestion {s.pk}: audit events went missing or changed"
                self.events[s.pk] = events
                assert len(events) == s.version, (s.pk, s.state, s.version, len(events))
                linked = {f for f in TARGET_FIELDS if getattr(s, f"{f}_id")}
                if s.state == SuggestionState.CONVERTED:
                    assert linked == {s.target_kind}, (s.pk, s.target_kind, linked)
                    assert s.converted_on is not None and START <= s.converted_on <= clock.today()
                    model = Suggestion._meta.get_field(s.target_kind).related_model
                    target = model.objects.filter(pk=getattr(s, f"{s.target_kind}_id")).first()
                    assert target is not None and target.committee_id == s.committee_id, (s.pk, s.target_kind)
                    assert Suggestion.objects.filter(**{s.target_kind: target}).count() == 1
                    assert selectors.origin_of(target) == s, f"{s.target_kind} {target.pk} does not lead back"
                else:
                    assert not linked and not s.target_kind and s.converted_on is None, (s.pk, s.state, linked)
                    assert bool(s.note.strip()) == (s.state == SuggestionState.NOTED), (s.pk, s.state, s.note)

        def teardown(self):
            clock.set_to(None)

    return SuggestionWorkflow


@pytest.mark.django_db
@pytest.mark.long
def test_the_suggestion_workflow_holds_its_invariants():
    w = make_world()
    run_state_machine_as_test(_suggestion_machine(w), settings=RUN)
