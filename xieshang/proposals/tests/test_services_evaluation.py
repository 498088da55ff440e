"""Evaluation (评价), re-handling (重新办理), closing (办结), archiving (归档), and merged proposals' answers."""

import datetime

import pytest
from django.utils import timezone

from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event, Notification
from xieshang.proposals import selectors, services
from xieshang.proposals.models import Evaluation, ProposalState, Reply
from xieshang.proposals.tests.factories import make_actors, make_member, set_today, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act
REPLY = {"outcome": "adopted", "text": "已办理。"}
REHANDLE = {"instructions": "请与提案人当面沟通后重新答复。"}


@pytest.fixture
def split_actors(committee):
    return make_actors(committee, units=2, roles=["split", "split"])


def test_satisfied_verdict_closes_the_proposal(committee):
    p, actors = walk_to("replied", committee=committee)
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "basically_satisfied", "comment": "好"})
    assert p.state == ProposalState.CLOSED and p.closed_at
    assert Evaluation.objects.get().verdict == "basically_satisfied"
    assert Notification.objects.filter(kind="proposal.evaluated", recipient=actors.unit_users[0]).exists()
    event = Event.objects.for_object(p).get(action="proposal.evaluate")
    assert (event.from_state, event.to_state) == ("replied", "closed")


def test_only_the_proposer_evaluates(committee):
    p, actors = walk_to("replied", committee=committee)
    for user in (actors.staff, actors.cosigner, actors.unit_users[0]):
        with pytest.raises(Forbidden):
            act(actor=user, proposal=p, action="evaluate", data={"verdict": "satisfied"})
    with pytest.raises(Invalid):
        act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "meh"})


def test_evaluation_per_reply(split_actors):
    actors = split_actors
    p, _ = walk_to("replied", actors=actors)
    first, second = Reply.objects.filter(proposal=p).order_by("id")
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"reply": first.pk, "verdict": "satisfied"})
    assert p.state == ProposalState.REPLIED
    with pytest.raises(IllegalTransition):  # already evaluated
        act(actor=actors.proposer, proposal=p, action="evaluate", data={"reply": first.pk, "verdict": "satisfied"})
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"reply": second.pk, "verdict": "satisfied"})
    assert p.state == ProposalState.CLOSED


def test_dissatisfied_then_rehandle_then_close(split_actors, monkeypatch):
    actors = split_actors
    p, _ = walk_to("replied", actors=actors)
    first, second = Reply.objects.filter(proposal=p).order_by("id")
    act(actor=actors.proposer, proposal=p, action="evaluate", data={"reply": first.pk, "verdict": "satisfied"})
    p = act(actor=actors.proposer, proposal=p, action="evaluate",
            data={"reply": second.pk, "verdict": "dissatisfied", "comment": "未解决"})
    assert p.state == ProposalState.REPLIED
    assert Notification.objects.filter(kind="proposal.dissatisfied", recipient=actors.staff).exists()
    with pytest.raises(IllegalTransition):  # not closable yet: dissatisfied, within the evaluation period
        act(actor=actors.staff, proposal=p, action="close")
    with pytest.raises(Forbidden):
        act(actor=actors.proposer, proposal=p, action="rehandle", data=REHANDLE)
    p = act(actor=actors.staff, proposal=p, action="rehandle", data=REHANDLE)
    assert (p.state, p.round, p.evaluation_due) == (ProposalState.HANDLING, 2, None)
    again = second.assignment
    again.refresh_from_db()
    kept = first.assignment
    kept.refresh_from_db()
    assert (again.state, again.round) == ("handling", 2)
    assert (kept.state, kept.round) == ("replied", 1)
    assert again.due_date > timezone.localdate() + datetime.timedelta(days=80)  # 3 months again
    assert Notification.objects.filter(kind="proposal.rehandle", recipient=actors.unit_users[1]).exists()
    with pytest.raises(IllegalTransition):  # the satisfied unit is done
        act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    p = act(actor=actors.unit_users[1], proposal=p, action="reply", data=REPLY)
    assert p.state == ProposalState.REPLIED
    assert Reply.objects.filter(proposal=p, round=2).count() == 1
    p = act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": "仍未解决"})
    assert p.state == ProposalState.REPLIED
    with pytest.raises(Invalid):  # after re-handling the office closes with a note
        act(actor=actors.staff, proposal=p, action="close")
    p = act(actor=actors.staff, proposal=p, action="close", data={"note": "已两次办理，做好解释工作"})
    assert p.state == ProposalState.CLOSED and p.state_note == "已两次办理，做好解释工作"
    assert Event.objects.for_object(p).get(action="proposal.close").payload["reason"] == "after_rehandling"


def test_close_after_the_evaluation_period_counts_silence(committee, monkeypatch):
    p, actors = walk_to("replied", committee=committee)
    with pytest.raises(IllegalTransition) as err:
        act(actor=actors.staff, proposal=p, action="close")
    assert err.value.detail == "not_closable"
    set_today(monkeypatch, p.evaluation_due)
    with pytest.raises(IllegalTransition):  # the last day still belongs to the proposer
        act(actor=actors.staff, proposal=p, action="close")
    set_today(monkeypatch, p.evaluation_due + datetime.timedelta(days=1))
    p = act(actor=actors.staff, proposal=p, action="close")
    assert p.state == ProposalState.CLOSED
    payload = Event.objects.for_object(p).get(action="proposal.close").payload
    assert payload == {"note": "", "reason": "evaluation_overdue", "unevaluated": 1}


def test_evaluation_due_is_fifteen_working_days(committee, monkeypatch):
    set_today(monkeypatch, datetime.date(2025, 9, 26))
    p, _ = walk_to("replied", committee=committee)
    assert p.evaluation_due == datetime.date(2025, 10, 23)


def test_rehandle_without_dissatisfaction_is_illegal(committee):
    p, actors = walk_to("replied", committee=committee)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="rehandle", data=REHANDLE)


def test_rehandle_named_assignments(committee):
    p, actors = walk_to("replied", committee=committee)
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="rehandle", data={**REHANDLE, "assignments": [987654]})
    p = act(actor=actors.staff, proposal=p, action="rehandle", data={**REHANDLE, "assignments": [p.assignments.get().pk]})
    assert (p.state, p.round) == ("handling", 2)


def test_archive_only_when_closed(committee):
    p, actors = walk_to("replied", committee=committee)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="archive")
    p, actors = walk_to("closed", committee=committee)
    p = act(actor=actors.staff, proposal=p, action="archive")
    assert p.state == ProposalState.ARCHIVED
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="close")


def test_merged_proposals_proposer_is_answered_through_the_target(committee):
    actors = make_actors(committee)
    target, _ = walk_to("registered", actors=actors, cosign=False, title="关于治理交通拥堵的提案")
    other = make_member(committee)
    merged = services.proposal_create(actor=other, committee=committee, title="关于缓解拥堵的提案", body="建议")
    merged = act(actor=other, proposal=merged, action="submit")
    merged = act(actor=actors.staff, proposal=merged, action="merge", data={"into": target.pk})
    # the merged proposal's proposer sees the target, its replies
    assert selectors.proposal_get(other, target.pk) == target
    target = act(actor=actors.staff, proposal=target, action="assign",
                 data={"units": [{"unit": actors.units[0].pk, "role": "sole"}]})
    target = act(actor=actors.unit_users[0], proposal=target, action="acknowledge")
    target = act(actor=actors.unit_users[0], proposal=target, action="reply", data=REPLY)
    assert Notification.objects.filter(kind="proposal.replied", recipient=other).exists()
    assert Notification.objects.filter(kind="proposal.replied", recipient=actors.proposer).exists()
    merged.refresh_from_db()
    assert merged.state == ProposalState.MERGED  # final; answered through the target
    # but only the target's own proposer evaluates
    with pytest.raises(Forbidden):
        act(actor=other, proposal=target, action="evaluate", data={"verdict": "satisfied"})


def test_a_stranger_cannot_see_the_target(committee):
    p, actors = walk_to("replied", committee=committee)
    stranger = make_member(committee)
    with pytest.raises(NotFound):
        act(actor=stranger, proposal=p, action="evaluate", data={"verdict": "satisfied"})
