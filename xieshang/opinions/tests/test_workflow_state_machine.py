"""Hypothesis drives random sequences of actions by random actors through `opinion_act` (and new drafts
and combinations), and checks the workflow's invariants after every step:

- every report's state is an OpinionState, and its version counts its audit events (plus the quiet draft
  edits, which bump the version without an event);
- the audit events of reports are exactly the successful actions (a combination: one per report combined,
  plus the combined report's "create_combined");
- an action that fails changes nothing (state and version of every report, the number of events);
- a submitted report has a number, unique in its committee and year;
- a combined report is followed by a combined report whose authors include all of its own;
- a forwarded or closed report has a bulletin issue and at least one recipient; issue numbers are unique;
- a declined, returned or combined report's every author was told (件件有回音);
- every action `available()` offers someone is accepted by `act()` given valid input
  (`offered_actions_are_accepted`).
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from xieshang.core import clock
from xieshang.core.errors import ServiceError
from xieshang.core.models import Event, Member, Notification
from xieshang.opinions import selectors, services, workflow
from xieshang.opinions.models import Bulletin, Forwarding, OpinionAuthor, OpinionReport, OpinionState
from xieshang.opinions.tests.factories import SITUATION, make_actors

S = OpinionState
ACTIONS = sorted(workflow.ACTIONS)
ACTOR_NAMES = ["author", "coauthor", "other", "staff", "staff2", "leader", "unit", "station", "system"]
FORWARD = {"submit", "resubmit", "start_editing", "edit", "send_for_approval", "approve", "forward",
           "record_adoption", "record_instruction", "close", "combine"}
STATS: dict[str, int] = {}


def _valid_data_for(action, report, world):
    """Valid input for `action` on `report`, or None when no valid input exists now."""
    recipients = world["recipients"]
    if action == "update":
        world["counter"] += 1
        return {"title": f"标题{world['counter']}", "body": "修改后的全文"}
    if action == "edit":
        world["counter"] += 1
        return {"body": f"编辑稿{world['counter']}"}
    if action in ("return", "decline", "send_back"):
        return {"reason": "请补充"}
    if action == "combine":
        return None  # needs a second report: the `combine` rule does it
    if action == "forward":
        return {"recipients": [recipients[0].pk, recipients[2].pk]}
    if action == "record_adoption":
        forwarded = Forwarding.objects.filter(report=report).values_list("recipient_id", flat=True).first()
        return None if forwarded is None else {"recipient": forwarded, "level": "province", "kind": "single"}
    if action == "record_instruction":
        return {"level": "prefecture", "leader": "王某某", "date": "2026-03-05", "text": "阅"}
    return {}


def _any_data_for(action, report, draw, world):
    """Plausible data: mostly valid, sometimes not."""
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    if action == "update":
        return pick([{"title": "标题", "body": "全文"}, {"title": "", "body": "全文"}, {"title": "t", "body": "字" * 1501}])
    if action == "edit":
        return pick([{"body": "编辑稿"}, {"body": ""}, {"body": "字" * 1501}, {"situation": "情", "suggestion": "议"}])
    if action in ("return", "decline", "send_back"):
        return {"reason": pick(["", "请补充"])}
    if action == "forward":
        return {"recipients": pick([[world["recipients"][0].pk], [], [world["foreign_recipient"].pk]])}
    if action == "record_adoption":
        return {"recipient": pick([r.pk for r in world["recipients"]]), "level": pick(["prefecture", "province", "county"])}
    if action == "record_instruction":
        return pick([{"level": "national", "leader": "李", "date": "2026-03-05", "text": "阅"},
                     {"level": "national", "leader": "", "date": "x", "text": ""}])
    return _valid_data_for(action, report, world) or {}


def _machine(world):
    actors = world["actors"]

    class OpinionWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.reports: list[int] = []
            self.quiet: dict[int, int] = {}
            self.base_events = Event.objects.filter(action__startswith="opinion.").count()
            self.successes = 0

        def _snapshot(self):
            return (list(OpinionReport.objects.filter(pk__in=self.reports).order_by("pk").values_list("pk", "state", "version")),
                    Event.objects.filter(action__startswith="opinion.").count())

        @rule(who=st.sampled_from(["author", "other", "station"]), long=st.booleans())
        def draft(self, who, long):
            user = actors[who]
            kind = "station" if who == "station" else "member"
            co = [world["coauthor_member"]] if who == "author" else []
            before = self._snapshot()
            try:
                report = services.opinion_create(actor=user, committee=world["committee"], title="关于某问题的建议",
                                                 situation=SITUATION * (60 if long else 1), submitter_kind=kind,
                                                 co_authors=co)
            except ServiceError:
                assert long
                assert self._snapshot() == before
                return
            self.reports.append(report.pk)
            self.successes += 1

        def act(self, data, action, name, pk, payload=None, strict=False):
            report = OpinionReport.objects.get(pk=pk)
            if payload is None:
                payload = _any_data_for(action, report, data.draw, world)
            before = self._snapshot()
            events_before = Event.objects.for_object(report).count()
            try:
                result = services.opinion_act(actor=actors[name], report=pk, action=action, data=payload)
            except ServiceError as exc:
                if strict:
                    raise AssertionError(f"{action} was offered to {name} in state {report.state} but refused: "
                                         f"{exc.code.value} {exc.detail} {exc.message} {exc.field_errors}") from exc
                assert self._snapshot() == before, f"failed {action} by {name} changed something"
                return False
            if action == "combine":
                self.reports.append(result.pk)
                self.successes += 1 + len(result.combined_reports.all())
            elif Event.objects.for_object(report).count() == events_before:
                if OpinionReport.objects.get(pk=pk).version != report.version:
                    self.quiet[pk] = self.quiet.get(pk, 0) + 1
            else:
                self.successes += 1
            STATS[action] = STATS.get(action, 0) + 1
            return True

        @precondition(lambda self: self.reports)
        @rule(data=st.data(), action=st.sampled_from(ACTIONS), name=st.sampled_from(ACTOR_NAMES))
        def anything(self, data, action, name):
            """Any action by anyone on any report, with plausible data: refused or done, never half done."""
            pk = data.draw(st.sampled_from(self.reports))
            self.act(data, action, name, pk)

        @precondition(lambda self: self.reports)
        @rule(data=st.data(), steps=st.integers(1, 6))
        def progress(self, data, steps):
            """Offered actions on one report, preferring the main path (and a move on over taking the
            report over again): walks get deep; the invariants are checked after each step."""
            pk = data.draw(st.sampled_from(self.reports))
            for _ in range(steps):
                report = OpinionReport.objects.get(pk=pk)
                choices = sorted(
                    (name, t.action) for name, user in actors.items() if user is not None and selectors.can_see(user, report)
                    for t in selectors.available_actions(user, report)
                    if t.action != "combine"
                )
                forward = [c for c in choices if c[1] in FORWARD]
                onward = [c for c in forward if c[1] not in ("start_editing", "edit")]
                if onward and data.draw(st.integers(0, 2)):
                    choices = onward
                elif forward and data.draw(st.integers(0, 4)):
                    choices = forward
                if not choices:
                    return
                name, action = data.draw(st.sampled_from(choices))
                payload = _valid_data_for(action, report, world)
                if payload is None:
                    return
                self.act(data, action, name, pk, payload)
                for check in ("states_are_known_and_versions_count_events", "one_event_per_successful_action"):
                    getattr(self, check)()

        @precondition(lambda self: len(self.reports) >= 2)
        @rule(data=st.data(), name=st.sampled_from(["staff", "staff2", "leader", "author"]))
        def combine(self, data, name):
            pool = list(OpinionReport.objects.filter(pk__in=self.reports, state__in=workflow.GROUPS["combinable"])
                        .values_list("pk", flat=True))
            if len(pool) < 2 or not data.draw(st.integers(0, 3)):
                pool = self.reports  # sometimes any two: mostly refused
            first, second = data.draw(st.lists(st.sampled_from(sorted(pool)), min_size=2, max_size=2, unique=True))
            self.act(data, "combine", name, first, {"reports": [second], "title": "综合稿", "body": "综合后的全文"})

        @precondition(lambda self: self.reports)
        @rule(data=st.data())
        def offered_actions_are_accepted(self, data):
            """An action `available()` offers is accepted by `act()` given valid input."""
            pk = data.draw(st.sampled_from(self.reports))
            report = OpinionReport.objects.get(pk=pk)
            offered = sorted(
                (name, t.action) for name, user in actors.items() if user is not None and selectors.can_see(user, report)
                for t in selectors.available_actions(user, report)
            )
            if not offered:
                return
            name, action = data.draw(st.sampled_from(offered))
            if action == "combine":
                partners = [
                    r.pk for r in OpinionReport.objects.filter(pk__in=self.reports, state__in=workflow.GROUPS["combinable"])
                    .exclude(pk=pk) if r.editing_by_id in (None, actors[name].pk)
                ]
                if not partners:
                    return
                payload = {"reports": [partners[0]], "title": "综合稿", "body": "综合后的全文"}
            else:
                payload = _valid_data_for(action, report, world)
            if payload is None:
                return
            self.act(data, action, name, pk, payload, strict=True)

        @invariant()
        def states_are_known_and_versions_count_events(self):
            for r in OpinionReport.objects.filter(pk__in=self.reports):
                assert r.state in S.values
                assert Event.objects.for_object(r).count() == r.version - self.quiet.get(r.pk, 0), (r.pk, r.state)

        @invariant()
        def one_event_per_successful_action(self):
            assert Event.objects.filter(action__startswith="opinion.").count() - self.base_events == self.successes

        @invariant()
        def submitted_reports_are_numbered_once(self):
            rows = list(OpinionReport.objects.filter(committee=world["committee"], submitted_at__isnull=False)
                        .values_list("year", "number"))
            assert all(number for _year, number in rows)
            assert len(set(rows)) == len(rows)

        @invariant()
        def combined_reports_carry_every_author(self):
            for r in OpinionReport.objects.filter(pk__in=self.reports, state=S.COMBINED).select_related("combined_into"):
                assert r.combined_into is not None and r.combined_into.is_combined
                own = set(OpinionAuthor.objects.filter(report=r).values_list("user_id", flat=True))
                theirs = set(OpinionAuthor.objects.filter(report=r.combined_into).values_list("user_id", flat=True))
                assert own <= theirs

        @invariant()
        def forwarded_reports_went_somewhere(self):
            for r in OpinionReport.objects.filter(pk__in=self.reports, state__in=workflow.GROUPS["sent"]):
                assert r.bulletin_id is not None and Forwarding.objects.filter(report=r).exists()
            numbers = list(Bulletin.objects.filter(committee=world["committee"]).values_list("year", "number"))
            assert len(set(numbers)) == len(numbers)

        @invariant()
        def every_author_is_told(self):
            for state, kind in ((S.DECLINED, "opinion.decline"), (S.RETURNED, "opinion.return"),
                                (S.COMBINED, "opinion.combine")):
                for r in OpinionReport.objects.filter(pk__in=self.reports, state=state):
                    for author in OpinionAuthor.objects.filter(report=r).select_related("user"):
                        assert Notification.objects.filter(recipient=author.user, kind=kind).exists(), (r.pk, kind)

    return OpinionWorkflow


@pytest.mark.django_db
@pytest.mark.long
def test_random_walks_keep_the_invariants():
    clock.set_to(datetime.date(2026, 3, 2))
    a = make_actors()
    other = make_actors(None)
    world = {
        "committee": a.committee,
        "recipients": a.recipients,
        "foreign_recipient": other.recipients[0],
        "coauthor_member": Member.objects.get(user=a.coauthor, committee=a.committee),
        "counter": 0,
        "actors": {
            "author": a.author, "coauthor": a.coauthor, "other": a.other, "staff": a.staff, "staff2": a.staff2,
            "leader": a.leader, "unit": a.unit, "station": a.station, "system": None,
        },
    }
    run_state_machine_as_test(
        _machine(world),
        settings=settings(max_examples=30, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    print("successful actions:", dict(sorted(STATS.items())))
    assert {"submit", "approve", "forward"} <= set(STATS)
