"""Hypothesis drives random sequences of actions by random actors through `proposal_act` (and the
periodic jobs, and a moving clock), and checks the workflow's invariants after every step:

- every proposal's state is a ProposalState, and its version counts its audit events (plus the quiet
  autosave edits: a user's edit within 10 minutes of their last edit bumps the version without an event);
- the audit events of proposals are exactly the successful actions (one each, quiet edits excepted);
- an action that fails changes nothing (state and version of every proposal, the number of events);
- a replied proposal has a reply from each answering unit of its round, all its answering units replied;
- a closed or archived proposal has no pending assignment (to acknowledge, objected, handling);
- a merged proposal points to a proposal that is not itself merged;
- registered numbers are unique and follow <term>-<session>-<sequence:04d>;
- every action `available()` offers someone is accepted by `act()` when given valid input (the button
  is shown exactly when the action would go through): `offered_actions_are_accepted`.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from xieshang.core import clock as core_clock
from xieshang.core.errors import ServiceError
from xieshang.core.models import Event
from xieshang.proposals import selectors, services, tasks, workflow
from xieshang.proposals.models import (
    Assignment,
    AssignmentRole,
    ExtensionRequest,
    Proposal,
    ProposalState,
    Reply,
)
from xieshang.proposals.tests.factories import make_actors, make_member, make_unit

ACTIONS = sorted(workflow.TRANSITIONS)
ACTOR_NAMES = ["proposer", "cosigner", "outsider", "staff", "leader", "unit0", "unit1", "unit2", "other_unit", "system"]
PENDING = ("assigned", "objected", "handling")
# the steps of the main path; `progress` prefers them (detours come from `act` and the rest of `progress`)
FORWARD = {"submit", "cosign", "close_cosigning", "register", "assign", "acknowledge", "send_views", "reply",
           "evaluate", "rehandle", "close", "archive"}
STATS: dict[str, int] = {}  # successful actions over the run (printed with -s; shows how deep the walks got)


class Clock:
    """The walk's day; every change goes to the platform's one clock (xieshang.core.clock)."""

    _day = datetime.date(2025, 9, 22)

    @property
    def day(self):
        return self._day

    @day.setter
    def day(self, value):
        self._day = value
        core_clock.set_to(value)


def _data_for(action, p, draw, world, clock):
    """Plausible data for `action` on `p`: mostly valid, sometimes not (the machine checks both)."""
    units = world["units"]
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    if action == "update":
        world["counter"] += 1
        return {"title": f"标题{world['counter']}"}
    if action == "invite_cosigners":
        return {"members": pick([[world["cosigner_member"].pk], [world["outsider_member"].pk], [world["member"].pk], []])}
    if action == "submit":
        return pick([{}, {"cosign_days": 3}])
    if action in ("withdraw", "archive"):
        return {}
    if action == "return_for_revision":
        return {"reason": pick(["", "请补充"])}
    if action == "register":
        return pick([{}, {"is_key": True}])
    if action == "merge":
        others = list(Proposal.objects.exclude(pk=p.pk).values_list("pk", flat=True)) or [0]
        return {"into": pick(others)}
    if action == "convert":
        return {"to": pick(["suggestion", "opinion_report", "bad"])}
    if action == "reject":
        return {"reason_code": pick(["other", "duplicate", "", "bad"])}
    if action == "assign":
        combo = pick([
            [("sole", 0)], [("lead", 0), ("co", 1)], [("split", 0), ("split", 1)],
            [("lead", 0), ("co", 1), ("co", 2)], [("sole", 0), ("co", 1)], [("split", 2)],
        ])
        return {"units": [{"unit": units[i].pk, "role": role} for role, i in combo]}
    if action == "reassign":
        ids = list(p.assignments.values_list("pk", flat=True)) or [0]
        return {"assignment": pick(ids), "unit": pick(units).pk}
    if action == "object":
        return {"reason": pick(["不属于本单位职责", ""])}
    if action == "consult":
        return {"date": clock.day.isoformat(), "form": pick(["phone", "meeting"]), "summary": "沟通"}
    if action == "send_views":
        return {"text": "协办意见"}
    if action == "request_extension":
        due = p.assignments.order_by("due_date").values_list("due_date", flat=True).first() or clock.day
        return {"until": (due + datetime.timedelta(days=pick([10, 60, 400]))).isoformat(), "reason": "协调"}
    if action in ("approve_extension", "refuse_extension"):
        ids = list(ExtensionRequest.objects.filter(assignment__proposal=p).values_list("pk", flat=True)) or [0]
        return {"request": pick(ids)}
    if action == "reply":
        return {"outcome": pick(["adopted", "planned", "explained", "bad"]), "text": "答复"}
    if action in ("evaluate", "correct_evaluation"):
        return {"verdict": pick(["satisfied", "basically_satisfied", "dissatisfied"]),
                "comment": pick(["", "办理不到位"]), "answers": pick([{}, {"attitude": "satisfied"}, {"nope": "x"}])}
    if action == "rehandle":
        return {"instructions": pick(["请重新办理，当面沟通", ""])}
    if action == "close":
        return {"note": pick(["", "已做解释"])}
    if action == "urge":
        return {}
    if action == "mark_key":
        return {"is_key": pick([True, False]), "leader": pick([None, world["leader"].pk])}
    if action == "supervise":
        return {"text": pick(["请加快", ""])}
    if action in ("mark_excellent", "set_public"):
        return {"value": pick([True, False])}
    if action == "close_cosigning":
        return {}
    return {}


def _valid_data_for(action, p, world, clock):
    """Valid data for `action` on `p`, or None when no valid data can exist now (e.g. nothing to merge into)."""
    units = world["units"]
    if action == "update":
        world["counter"] += 1
        return {"title": f"标题{world['counter']}"}
    if action == "invite_cosigners":
        invited = set(p.cosigners.values_list("member_id", flat=True))
        free = [m.pk for m in (world["cosigner_member"], world["outsider_member"]) if m.pk not in invited]
        return {"members": free[:1]} if free else None
    if action in ("return_for_revision", "object", "withdraw"):
        return {"reason": "请补充调研材料"}
    if action == "merge":
        into = (Proposal.objects.filter(committee=p.committee, session=p.session, state__in=("submitted", "registered"))
                .exclude(pk=p.pk).values_list("pk", flat=True).first())
        return None if into is None else {"into": into, "reason": "内容相近"}
    if action == "convert":
        return {"to": "suggestion"}
    if action == "reject":
        return {"reason_code": "other", "reason": "不属于提案范围"}
    if action == "assign":
        return {"units": [{"unit": units[0].pk, "role": "lead"}, {"unit": units[1].pk, "role": "co"}]}
    if action == "reassign":
        objected = p.assignments.filter(state="objected").first()
        taken = set(p.assignments.exclude(state="cancelled").values_list("unit_id", flat=True))
        free = [u for u in units if u.pk not in taken]
        return None if objected is None or not free else {"assignment": objected.pk, "unit": free[0].pk}
    if action == "consult":
        return {"date": clock.day.isoformat(), "form": "meeting", "summary": "当面沟通办理思路"}
    if action == "send_views":
        return {"text": "协办意见"}
    if action == "request_extension":
        due = p.assignments.filter(state="handling").order_by("due_date").values_list("due_date", flat=True).first()
        return {"until": ((due or clock.day) + datetime.timedelta(days=10)).isoformat(), "reason": "需协调多部门"}
    if action in ("approve_extension", "refuse_extension"):
        return {}
    if action == "reply":
        return {"outcome": "adopted", "text": "答复内容"}
    if action == "evaluate":
        return {"verdict": "satisfied"}
    if action == "correct_evaluation":
        return {"verdict": "basically_satisfied", "comment": "基本解决", "answers": {"met_proposer": "yes"}}
    if action == "rehandle":
        return {"instructions": "请与提案人当面沟通后重新答复"}
    if action == "close":
        return {"note": "已做解释"}
    if action == "mark_key":
        return {"is_key": True}
    if action == "supervise":
        return {"text": "请加快办理"}
    if action in ("mark_excellent", "set_public"):
        return {"value": True}
    return {}


def _machine(world, clock):
    class ProposalWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            clock.day = datetime.date(2025, 9, 22)
            self.proposals: list[int] = []
            self.successes = 0
            self.quiet: dict[int, int] = {}  # proposal → edits recorded without an event (autosave)
            self.base_events = Event.objects.filter(action__startswith="proposal.").count()

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def _snapshot(self):
            return (
                sorted(Proposal.objects.values_list("pk", "state", "version")),
                Event.objects.count(),
                Assignment.objects.count(),
                Reply.objects.count(),
            )

        @precondition(lambda self: len(self.proposals) < 2)
        @rule(client_key=st.sampled_from([None, "k1", "k2"]))
        def create(self, client_key):
            before = Proposal.objects.count()
            p = services.proposal_create(actor=world["proposer"], committee=world["committee"], title="提案",
                                         body="建议", client_key=client_key)
            if Proposal.objects.count() > before:
                self.successes += 1
                self.proposals.append(p.pk)
            else:
                assert p.pk in self.proposals  # the same key gave the same draft back

        @precondition(lambda self: self.proposals)
        @rule(data=st.data(), action=st.sampled_from(ACTIONS), actor=st.sampled_from(ACTOR_NAMES),
              stale=st.booleans())
        def act(self, data, action, actor, stale, pk=None):
            pk = pk or data.draw(st.sampled_from(self.proposals))
            p = Proposal.objects.get(pk=pk)
            payload = _data_for(action, p, data.draw, world, clock)
            user = world["actors"][actor]
            expected_version = p.version - 1 if stale and p.version > 1 else None
            before = self._snapshot()
            events_before = Event.objects.for_object(p).count()
            try:
                result = services.proposal_act(actor=user, proposal=pk, action=action, data=payload,
                                               expected_version=expected_version)
            except ServiceError:
                assert self._snapshot() == before, f"a refused {action} changed something"
                return
            assert expected_version is None, "a stale version was accepted"
            if Event.objects.for_object(p).count() == events_before:
                assert action == "update", f"{action} recorded no event"
                self.quiet[pk] = self.quiet.get(pk, 0) + 1
            else:
                self.successes += 1
            STATS[action] = STATS.get(action, 0) + 1
            assert result.version == p.version + 1
            assert p.state in workflow.TRANSITIONS[action].sources

        @precondition(lambda self: self.proposals)
        @rule(data=st.data(), steps=st.integers(1, 8))
        def progress(self, data, steps):
            """Steps someone may take now (selectors.available_actions), mostly along the main path, so
            that walks get deep; the invariants are checked after each of them."""
            for _ in range(steps):
                self._progress_step(data)
                self._check_invariants()

        def _check_invariants(self):
            for name in ("states_are_known_and_versions_count_events", "one_event_per_successful_action",
                         "replied_means_every_answering_unit_replied", "closed_has_nothing_pending",
                         "merged_points_to_a_live_target", "numbers_are_unique_and_well_formed"):
                getattr(self, name)()

        def _progress_step(self, data):
            pk = data.draw(st.sampled_from(self.proposals))
            p = Proposal.objects.get(pk=pk)
            choices = [
                (name, t.action)
                for name, user in world["actors"].items() if user is not None
                for t in selectors.available_actions(user, p)
                if t.action not in ("update", "invite_cosigners") or p.state == "draft"
            ]
            forward = [c for c in choices if c[1] in FORWARD]
            if forward and data.draw(st.integers(0, 4)):
                choices = forward
            if not choices:
                return
            name, action = data.draw(st.sampled_from(sorted(choices)))
            self.act(data, action, name, False, pk=pk)

        @precondition(lambda self: self.proposals)
        @rule(data=st.data())
        def offered_actions_are_accepted(self, data):
            """An action `available()` offers is accepted by `act()` given valid input: it may fail only
            on input that cannot be valid now (nothing to merge into, no free unit to re-assign to)."""
            pk = data.draw(st.sampled_from(self.proposals))
            p = Proposal.objects.get(pk=pk)
            offered = sorted(
                (name, t.action) for name, user in world["actors"].items() if user is not None
                for t in selectors.available_actions(user, p)
            )
            if not offered:
                return
            name, action = data.draw(st.sampled_from(offered))
            payload = _valid_data_for(action, p, world, clock)
            if payload is None:
                return
            if action in ("approve_extension", "refuse_extension"):
                payload = {"request": ExtensionRequest.objects.filter(
                    assignment__proposal=p, state="pending").values_list("pk", flat=True).first()}
            events_before = Event.objects.for_object(p).count()
            try:
                services.proposal_act(actor=world["actors"][name], proposal=pk, action=action, data=payload)
            except ServiceError as exc:
                raise AssertionError(f"{action} was offered to {name} in state {p.state} but refused: "
                                     f"{exc.code.value} {exc.detail} {exc.message} {exc.field_errors}") from exc
            if Event.objects.for_object(p).count() == events_before:
                self.quiet[pk] = self.quiet.get(pk, 0) + 1
            else:
                self.successes += 1
            STATS[action] = STATS.get(action, 0) + 1

        @rule(days=st.sampled_from([1, 3, 8, 40, 100]))
        def time_passes(self, days):
            clock.day += datetime.timedelta(days=days)

        @rule()
        def periodic_jobs(self):
            result = tasks.run_periodic_jobs(clock.day)
            self.successes += result["cosigning_closed"]

        @invariant()
        def states_are_known_and_versions_count_events(self):
            for p in Proposal.objects.all():
                assert p.state in ProposalState.values
                assert Event.objects.for_object(p).count() == p.version - self.quiet.get(p.pk, 0)

        @invariant()
        def one_event_per_successful_action(self):
            events = Event.objects.filter(action__startswith="proposal.").count() - self.base_events
            assert events == self.successes

        @invariant()
        def replied_means_every_answering_unit_replied(self):
            for p in Proposal.objects.filter(state=ProposalState.REPLIED):
                answering = p.assignments.exclude(state="cancelled").exclude(role=AssignmentRole.CO)
                assert answering.exists()
                assert not answering.exclude(state="replied").exists()
                of_round = answering.filter(round=p.round)
                assert of_round.exists()
                for a in of_round:
                    assert Reply.objects.filter(assignment=a, round=p.round).exists()

        @invariant()
        def closed_has_nothing_pending(self):
            for p in Proposal.objects.filter(state__in=(ProposalState.CLOSED, ProposalState.ARCHIVED)):
                assert not p.assignments.filter(state__in=PENDING).exists()

        @invariant()
        def merged_points_to_a_live_target(self):
            for p in Proposal.objects.filter(state=ProposalState.MERGED).select_related("merged_into"):
                assert p.merged_into is not None and p.merged_into.state != ProposalState.MERGED

        @invariant()
        def numbers_are_unique_and_well_formed(self):
            rows = list(Proposal.objects.exclude(number=None).select_related("session__term"))
            assert len({p.number for p in rows}) == len(rows)
            for p in rows:
                assert p.number == f"{p.session.term.number}-{p.session.number}-{p.sequence:04d}"

    return ProposalWorkflow


@pytest.mark.django_db
@pytest.mark.long
def test_random_walks_keep_the_invariants(committee):
    clock = Clock()
    clock.day = Clock._day
    actors = make_actors(committee, units=3)
    outsider = make_member(committee)
    _unit, other_unit_user = make_unit(committee)
    world = {
        "committee": committee,
        "proposer": actors.proposer,
        "member": actors.member,
        "cosigner_member": actors.cosigner.memberships.get(),
        "outsider_member": outsider.memberships.get(),
        "leader": actors.leader,
        "units": actors.units,
        "counter": 0,
        "actors": {
            "proposer": actors.proposer, "cosigner": actors.cosigner, "outsider": outsider, "staff": actors.staff,
            "leader": actors.leader, "unit0": actors.unit_users[0], "unit1": actors.unit_users[1],
            "unit2": actors.unit_users[2], "other_unit": other_unit_user, "system": None,
        },
    }
    run_state_machine_as_test(
        _machine(world, clock),
        settings=settings(max_examples=40, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    print("successful actions:", dict(sorted(STATS.items())))
