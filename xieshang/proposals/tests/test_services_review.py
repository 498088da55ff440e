"""The office's review: return for revision, resubmit, register (numbering), merge, convert, reject."""

import pytest

from xieshang.core.errors import Forbidden, IllegalTransition, Invalid
from xieshang.core.models import Event, Notification, Session
from xieshang.proposals import services
from xieshang.proposals.models import Proposal, ProposalState
from xieshang.proposals.tests.factories import make_actors, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act


@pytest.fixture
def actors(committee):
    return make_actors(committee)


def test_return_and_resubmit(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(Invalid) as err:
        act(actor=actors.staff, proposal=p, action="return_for_revision", data={})
    assert "reason" in err.value.field_errors
    p = act(actor=actors.staff, proposal=p, action="return_for_revision", data={"reason": "请补充数据"})
    assert p.state == ProposalState.RETURNED and p.state_note == "请补充数据"
    note = Notification.objects.get(kind="proposal.returned")
    assert note.recipient == actors.proposer and note.body == "请补充数据"
    p = act(actor=actors.proposer, proposal=p, action="update", data={"body": "补充后的正文"})
    p = act(actor=actors.proposer, proposal=p, action="resubmit")
    assert p.state == ProposalState.SUBMITTED


def test_register_numbers_per_session(actors):
    first, _ = walk_to("registered", actors=actors, cosign=False)
    second, _ = walk_to("registered", actors=actors, cosign=False)
    assert (first.number, first.sequence) == ("13-4-0001", 1)
    assert second.number == "13-4-0002"
    old_session = Session.objects.get(term__committee=actors.committee, year=2025)
    third, _ = walk_to("registered", actors=actors, cosign=False, session=old_session)
    assert third.number == "13-3-0001"
    assert Notification.objects.filter(kind="proposal.registered", recipient=actors.proposer).count() == 3
    assert Event.objects.for_object(first).get(action="proposal.register").payload["number"] == "13-4-0001"


def test_register_sets_category_and_key(actors):
    p, _ = walk_to("submitted", actors=actors)
    p = act(actor=actors.staff, proposal=p, action="register", data={"category": "economy", "is_key": True})
    assert (p.category, p.is_key, p.state) == ("economy", True, "registered")
    assert p.registered_at is not None


def test_register_rejects_a_bad_category_and_numbers_nothing(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="register", data={"category": "x"})
    p.refresh_from_db()
    assert p.number is None and p.state == "submitted"


def test_register_by_member_is_forbidden(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(Forbidden):
        act(actor=actors.proposer, proposal=p, action="register")


def test_register_twice_is_illegal(actors):
    p, _ = walk_to("registered", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="register")


def test_merge_into_a_registered_proposal(actors):
    target, _ = walk_to("registered", actors=actors, cosign=False, title="目标提案")
    p, _ = walk_to("submitted", actors=actors, cosign=False)
    p = act(actor=actors.staff, proposal=p, action="merge", data={"into": target.pk, "reason": "内容相同"})
    assert p.state == ProposalState.MERGED and p.merged_into == target
    assert Notification.objects.filter(kind="proposal.merged", recipient=actors.proposer).exists()
    with pytest.raises(IllegalTransition):  # merged is final
        act(actor=actors.staff, proposal=p, action="register")


def test_merged_proposals_follow_their_target_when_it_is_merged(actors):
    c, _ = walk_to("registered", actors=actors, cosign=False)
    b, _ = walk_to("submitted", actors=actors, cosign=False)
    a, _ = walk_to("submitted", actors=actors, cosign=False)
    act(actor=actors.staff, proposal=a, action="merge", data={"into": b.pk})
    act(actor=actors.staff, proposal=b, action="merge", data={"into": c.pk})
    a.refresh_from_db()
    assert a.merged_into_id == c.pk


@pytest.mark.parametrize("bad", ["self", "missing", "other_session", "draft"])
def test_merge_validates_the_target(actors, bad):
    p, _ = walk_to("submitted", actors=actors, cosign=False)
    if bad == "self":
        into = p.pk
    elif bad == "missing":
        into = 999999
    elif bad == "other_session":
        session = Session.objects.get(term__committee=actors.committee, year=2025)
        into = walk_to("submitted", actors=actors, cosign=False, session=session)[0].pk
    else:
        into = walk_to("draft", actors=actors)[0].pk
    with pytest.raises(Invalid) as err:
        act(actor=actors.staff, proposal=p, action="merge", data={"into": into})
    assert "into" in err.value.field_errors
    p.refresh_from_db()
    assert p.state == "submitted"


def test_convert(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(Invalid):
        act(actor=actors.staff, proposal=p, action="convert", data={"to": "poem"})
    p = act(actor=actors.staff, proposal=p, action="convert", data={"to": "opinion_report", "reason": "更适合社情民意"})
    assert (p.state, p.converted_to) == ("converted", "opinion_report")
    assert Notification.objects.filter(kind="proposal.converted", recipient=actors.proposer).exists()


def test_convert_a_registered_proposal(actors):
    p, _ = walk_to("registered", actors=actors)
    p = act(actor=actors.staff, proposal=p, action="convert", data={"to": "suggestion"})
    assert p.state == "converted"


def test_reject_needs_a_reason_code(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(Invalid) as err:
        act(actor=actors.staff, proposal=p, action="reject", data={})
    assert "reason_code" in err.value.field_errors
    p = act(actor=actors.staff, proposal=p, action="reject", data={"reason_code": "personal", "reason": "个人诉求"})
    assert (p.state, p.reject_reason, p.state_note) == ("rejected", "personal", "个人诉求")
    assert Notification.objects.filter(kind="proposal.rejected", recipient=actors.proposer).exists()


def test_reject_a_registered_proposal_is_illegal(actors):
    p, _ = walk_to("registered", actors=actors)
    with pytest.raises(IllegalTransition):
        act(actor=actors.staff, proposal=p, action="reject", data={"reason_code": "other"})


def test_numbers_are_unique_in_the_database(actors):
    p, _ = walk_to("registered", actors=actors)
    q, _ = walk_to("submitted", actors=actors)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=q.pk).update(number=p.number)
