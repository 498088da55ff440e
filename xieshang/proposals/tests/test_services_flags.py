"""Orthogonal actions: urge (催办), key proposals and supervision (督办), excellent, public."""

import pytest

from xieshang.core.errors import Forbidden, IllegalTransition, Invalid
from xieshang.core.models import Notification
from xieshang.proposals import services
from xieshang.proposals.models import Supervision
from xieshang.proposals.tests.factories import make_actors, make_member, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=2)


def test_urge_tells_the_units_that_owe(actors):
    p, _ = walk_to("handling", actors=actors)
    act(actor=actors.unit_users[1], proposal=p, action="send_views", data={"text": "x"})
    p = act(actor=actors.staff, proposal=p, action="urge", data={"text": "请抓紧办理"})
    assert [n.recipient for n in Notification.objects.filter(kind="proposal.urged")] == [actors.unit_users[0]]
    p = act(actor=actors.leader, proposal=p, action="urge", data={"assignment": p.assignments.get(role="lead").pk})
    assert Notification.objects.filter(kind="proposal.urged").count() == 2
    with pytest.raises(IllegalTransition):  # the co unit owes nothing any more
        act(actor=actors.staff, proposal=p, action="urge", data={"assignment": p.assignments.get(role="co").pk})
    with pytest.raises(Forbidden):
        act(actor=actors.proposer, proposal=p, action="urge")


def test_urge_is_illegal_after_the_reply(actors):
    p, _ = walk_to("replied", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="urge")


def test_mark_key_with_a_supervising_leader(actors):
    p, _ = walk_to("registered", actors=actors)
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="mark_key", data={"is_key": True, "leader": actors.proposer.pk})
    p = act(actor=actors.staff, proposal=p, action="mark_key", data={"is_key": True, "leader": actors.leader.pk})
    assert p.is_key and p.supervising_leader == actors.leader
    assert Notification.objects.filter(kind="proposal.supervise", recipient=actors.leader).exists()
    p = act(actor=actors.staff, proposal=p, action="mark_key", data={"is_key": "0"})
    assert not p.is_key and p.supervising_leader is None
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="mark_key", data={})


def test_mark_key_before_registration_is_illegal(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="mark_key", data={"is_key": True})


def test_leader_gives_an_instruction(actors):
    p, _ = walk_to("handling", actors=actors)
    with pytest.raises(Forbidden):
        act(actor=actors.staff, proposal=p, action="supervise", data={"text": "x"})
    with pytest.raises(Invalid):
        act(actor=actors.leader, proposal=p, action="supervise", data={"text": ""})
    p = act(actor=actors.leader, proposal=p, action="supervise", data={"text": "请主办单位加快推进"})
    assert Supervision.objects.get().leader == actors.leader
    assert Notification.objects.filter(kind="proposal.instruction").count() == 2


def test_excellent_and_public(actors):
    p, _ = walk_to("closed", actors=actors)
    p = act(actor=actors.staff, proposal=p, action="mark_excellent", data={"value": True})
    p = act(actor=actors.staff, proposal=p, action="set_public", data={"value": "true"})
    assert p.is_excellent and p.is_public
    # a public proposal is visible to every member of the committee
    reader = make_member(actors.committee)
    from xieshang.proposals.selectors import proposal_get

    assert proposal_get(reader, p.pk) == p
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="set_public", data={"value": "perhaps"})


def test_mark_excellent_while_handling_is_illegal(actors):
    p, _ = walk_to("handling", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="mark_excellent", data={"value": True})
