"""Drafting, editing, co-signing, submitting and withdrawing (services.proposal_create / proposal_update / proposal_act)."""

import datetime

import pytest
from django.utils import timezone

from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event, Notification
from xieshang.core.tests.factories import OrganizationFactory
from xieshang.proposals import services
from xieshang.proposals.models import CoSigner, Proposal, ProposalState, ProposerKind
from xieshang.proposals.tests.factories import make_actors, make_member, make_role_user, walk_to

pytestmark = pytest.mark.django_db
act = services.proposal_act


@pytest.fixture
def actors(committee):
    return make_actors(committee)


def _draft(actors, **kw):
    kw.setdefault("title", "关于加强社区养老服务的提案")
    kw.setdefault("body", "建议：……")
    return services.proposal_create(actor=actors.proposer, committee=actors.committee, **kw)


def test_create_makes_a_draft_of_the_members_current_session(actors):
    p = _draft(actors)
    assert p.state == ProposalState.DRAFT
    assert p.lead_proposer == actors.member
    assert p.session.is_current and p.session.year == 2026
    assert p.version == 1
    event = Event.objects.for_object(p).get()
    assert event.action == "proposal.create" and event.actor == actors.proposer and event.to_state == "draft"


def test_create_with_the_same_client_key_gives_the_same_draft(actors):
    a = _draft(actors, client_key="k-1")
    b = _draft(actors, client_key="k-1")
    assert a.pk == b.pk
    assert Proposal.objects.count() == 1
    c = _draft(actors, client_key="k-2")
    assert c.pk != a.pk


def test_create_by_a_non_member_is_forbidden(actors):
    with pytest.raises(Forbidden):
        services.proposal_create(actor=actors.staff, committee=actors.committee, title="x")


def test_create_requires_a_title(actors):
    with pytest.raises(Invalid) as err:
        _draft(actors, title="  ")
    assert "title" in err.value.field_errors


def test_create_rejects_unknown_category(actors):
    with pytest.raises(Invalid) as err:
        _draft(actors, category="nonsense")
    assert "category" in err.value.field_errors


def test_organisation_proposal_by_staff(actors):
    org = OrganizationFactory(committee=actors.committee)
    p = services.proposal_create(actor=actors.staff, committee=actors.committee, title="民盟提案",
                                 proposer_kind=ProposerKind.ORGANIZATION, organization=org)
    assert p.lead_proposer is None and p.organization == org and p.proposer_name == org.name
    p = act(actor=actors.staff, proposal=p, action="update", data={"body": "正文"})
    assert p.body == "正文"


def test_organisation_proposal_by_an_outsider_is_forbidden(actors):
    org = OrganizationFactory(committee=actors.committee)
    with pytest.raises(Forbidden):
        services.proposal_create(actor=actors.proposer, committee=actors.committee, title="x",
                                 proposer_kind=ProposerKind.ORGANIZATION, organization=org)


def test_update_changes_fields_and_bumps_version(actors):
    p = _draft(actors)
    p = services.proposal_update(actor=actors.proposer, proposal=p, expected_version=1, title="新标题", category="economy")
    assert (p.title, p.category, p.version) == ("新标题", "economy", 2)
    assert Event.objects.for_object(p).filter(action="proposal.update").get().payload["fields"] == ["title", "category"]


def test_update_with_stale_version_conflicts(actors):
    p = _draft(actors)
    services.proposal_update(actor=actors.proposer, proposal=p, title="第一次")
    with pytest.raises(Conflict):
        services.proposal_update(actor=actors.proposer, proposal=p.pk, expected_version=1, title="第二次")
    p.refresh_from_db()
    assert p.title == "第一次"


def test_update_without_change_records_nothing(actors):
    p = _draft(actors)
    p = services.proposal_update(actor=actors.proposer, proposal=p, title=p.title)
    assert p.version == 1 and Event.objects.for_object(p).count() == 1


def test_update_refuses_unknown_fields(actors):
    p = _draft(actors)
    with pytest.raises(Invalid) as err:
        services.proposal_update(actor=actors.proposer, proposal=p, state="closed")
    assert "state" in err.value.field_errors


def test_update_after_submission_is_illegal(actors):
    p, actors = walk_to("submitted", actors=actors, cosign=False)
    with pytest.raises(IllegalTransition):
        services.proposal_update(actor=actors.proposer, proposal=p, title="改")


def test_others_draft_is_not_found_even_for_staff(actors):
    p = _draft(actors)
    for user in (actors.staff, actors.leader, actors.cosigner, actors.unit_users[0]):
        with pytest.raises(NotFound):
            services.proposal_update(actor=user, proposal=p, title="x")


def test_submit_without_cosigners_goes_to_submitted(actors):
    p = _draft(actors)
    p = act(actor=actors.proposer, proposal=p, action="submit")
    assert p.state == ProposalState.SUBMITTED and p.submitted_at
    assert p.sector_name == actors.member.sector.name


def test_submit_requires_a_body(actors):
    p = _draft(actors, body="")
    with pytest.raises(Invalid) as err:
        act(actor=actors.proposer, proposal=p, action="submit")
    assert "body" in err.value.field_errors
    p.refresh_from_db()
    assert p.state == ProposalState.DRAFT and p.version == 1


def test_cosigning_flow(actors):
    p = _draft(actors)
    other = make_member(actors.committee)
    members = [actors.cosigner.memberships.get().pk, other.memberships.get().pk]
    p = act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": members})
    assert not Notification.objects.filter(kind="proposal.cosign_invitation").exists()  # told on submission
    p = act(actor=actors.proposer, proposal=p, action="submit", data={"cosign_days": 3})
    assert p.state == ProposalState.COSIGNING
    assert timezone.localtime(p.cosign_deadline).date() == timezone.localdate() + datetime.timedelta(days=3)
    assert Notification.objects.filter(kind="proposal.cosign_invitation").count() == 2
    p = act(actor=actors.cosigner, proposal=p, action="cosign")
    assert p.state == ProposalState.COSIGNING  # one invited co-signer has not answered yet
    assert not Notification.objects.filter(kind="proposal.cosigning_complete").exists()
    p = act(actor=other, proposal=p, action="decline_cosign")
    states = dict(CoSigner.objects.filter(proposal=p).values_list("member__user", "state"))
    assert states == {actors.cosigner.pk: "signed", other.pk: "declined"}
    # every invited co-signer has answered: co-signing ends by itself and the proposer is told
    assert p.state == ProposalState.SUBMITTED and p.submitted_at is not None
    told = Notification.objects.get(kind="proposal.cosigning_complete")
    assert told.recipient == actors.proposer and "1" in told.body
    event = Event.objects.for_object(p).filter(action="proposal.decline_cosign").get()
    assert (event.from_state, event.to_state, event.payload["cosigning_ended"]) == ("cosigning", "submitted", True)
    with pytest.raises(IllegalTransition):
        act(actor=actors.cosigner, proposal=p, action="cosign")
    with pytest.raises(IllegalTransition):
        act(actor=actors.proposer, proposal=p, action="close_cosigning")


def test_default_cosign_period_is_seven_days(actors):
    p, _ = walk_to("cosigning", actors=actors)
    assert timezone.localtime(p.cosign_deadline).date() == timezone.localdate() + datetime.timedelta(days=7)


def test_cosign_after_the_deadline_is_refused(actors):
    p, _ = walk_to("cosigning", actors=actors)
    Proposal.objects.filter(pk=p.pk).update(cosign_deadline=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(IllegalTransition):
        act(actor=actors.cosigner, proposal=p, action="cosign")


def test_only_invited_members_cosign(actors):
    p, _ = walk_to("cosigning", actors=actors)
    stranger = make_member(actors.committee)
    with pytest.raises(NotFound):
        act(actor=stranger, proposal=p, action="cosign")
    with pytest.raises(Forbidden):
        act(actor=actors.staff, proposal=p, action="cosign")


def test_invite_validates_members(actors, make_user):
    p = _draft(actors)
    with pytest.raises(Invalid):
        act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": []})
    with pytest.raises(Invalid):
        act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": [actors.member.pk]})
    with pytest.raises(Invalid):
        act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": [999999]})
    mid = actors.cosigner.memberships.get().pk
    act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": [mid]})
    with pytest.raises(Invalid):
        act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": [mid]})


def test_staff_can_end_cosigning_but_not_submit(actors):
    p, _ = walk_to("cosigning", actors=actors)
    p = act(actor=actors.staff, proposal=p, action="close_cosigning")
    assert p.state == ProposalState.SUBMITTED
    with pytest.raises(IllegalTransition):
        act(actor=actors.proposer, proposal=p, action="submit")


@pytest.mark.parametrize("state", ["draft", "cosigning", "submitted", "returned"])
def test_withdraw(actors, state):
    p, _ = walk_to(state, actors=actors)
    p = act(actor=actors.proposer, proposal=p, action="withdraw", data={"reason": "重复"})
    assert p.state == ProposalState.WITHDRAWN and p.state_note == "重复"


@pytest.mark.parametrize("state", ["registered", "withdrawn", "rejected"])
def test_withdraw_is_illegal_later(actors, state):
    p, _ = walk_to(state, actors=actors)
    with pytest.raises(IllegalTransition) as err:
        act(actor=actors.proposer, proposal=p, action="withdraw")
    assert str(p.get_state_display()) in str(err.value.message)


def test_staff_cannot_withdraw(actors):
    p, _ = walk_to("submitted", actors=actors)
    with pytest.raises(Forbidden):
        act(actor=actors.staff, proposal=p, action="withdraw")


def test_unknown_action_is_invalid(actors):
    p = _draft(actors)
    with pytest.raises(Invalid):
        act(actor=actors.proposer, proposal=p, action="explode")


def test_missing_proposal_is_not_found(actors):
    with pytest.raises(NotFound):
        act(actor=actors.staff, proposal=987654, action="register")


def test_unit_user_of_another_committee_gets_not_found(actors):
    p, _ = walk_to("submitted", actors=actors)
    from xieshang.proposals.tests.factories import make_committee
    other = make_committee()
    outsider = make_role_user(other, "staff")
    with pytest.raises(NotFound):
        act(actor=outsider, proposal=p, action="register")
