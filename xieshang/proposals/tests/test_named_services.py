"""The named services (`proposal_register(*, actor, proposal, …)`, one per action: issue #10 A.1) are `proposal_act`
with typed keyword arguments: one for every transition of workflow.TRANSITIONS, whose keywords are exactly its input
schema's fields (required ones without a default), and a proposal walked from draft to closed through them alone
ends as through `proposal_act`, audit events included."""

from __future__ import annotations

import inspect

import pytest

from xieshang.core.errors import Conflict, Forbidden, Invalid
from xieshang.core.models import Event
from xieshang.proposals import services
from xieshang.proposals.models import ProposalState
from xieshang.proposals.tests.factories import make_actors
from xieshang.proposals.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != "update"])  # update: proposal_update(**fields)
def test_every_action_has_a_named_service_with_its_schemas_fields(action):
    fn = getattr(services, f"proposal_{action}")
    params = inspect.signature(fn).parameters
    fields = TRANSITIONS[action].input.model_fields
    assert set(params) == {"actor", "proposal", "expected_version", *fields}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    for name, field in fields.items():
        assert (params[name].default is inspect.Parameter.empty) == field.is_required(), name


def test_a_proposal_from_draft_to_archived_through_the_named_services_alone():
    a = make_actors()
    p = services.proposal_create(actor=a.proposer, committee=a.committee, title="关于优化营商环境的提案",
                                 body="建议：一、简化审批；二、加强服务。")
    cosigner = a.cosigner.memberships.get(committee=a.committee)
    p = services.proposal_invite_cosigners(actor=a.proposer, proposal=p, members=[cosigner.pk])
    p = services.proposal_submit(actor=a.proposer, proposal=p)
    assert p.state == ProposalState.COSIGNING
    p = services.proposal_cosign(actor=a.cosigner, proposal=p)
    assert p.state == ProposalState.SUBMITTED
    with pytest.raises(Forbidden):  # the machine's checks, as for the pages and the API
        services.proposal_register(actor=a.proposer, proposal=p)
    with pytest.raises(Conflict):
        services.proposal_register(actor=a.staff, proposal=p, expected_version=p.version - 1)
    with pytest.raises(Invalid) as refused:  # the schema's checks: a unit of the committee, a known role
        services.proposal_register(actor=a.staff, proposal=p, units=[{"unit": a.units[0].pk, "role": "boss"}])
    assert "units" in refused.value.field_errors
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED
    p = services.proposal_register(actor=a.staff, proposal=p, units=[{"unit": a.units[0].pk, "role": "sole"}],
                                   expected_version=p.version)
    assert p.state == ProposalState.ASSIGNED  # 立案并交办 in one call
    unit_user = a.unit_users[0]
    p = services.proposal_acknowledge(actor=unit_user, proposal=p)
    p = services.proposal_reply(actor=unit_user, proposal=p, outcome="adopted", text="经研究，已采纳并落实。",
                                signed_by="张局长")
    assert p.state == ProposalState.REPLIED
    p = services.proposal_evaluate(actor=a.proposer, proposal=p, verdict="satisfied")
    assert p.state == ProposalState.CLOSED
    p = services.proposal_archive(actor=a.staff, proposal=p, note="年度归档")
    assert p.state == ProposalState.ARCHIVED
    actions = list(Event.objects.for_object(p).order_by("id").values_list("action", flat=True))
    assert actions == ["proposal.create", "proposal.invite_cosigners", "proposal.submit", "proposal.cosign",
                       "proposal.register", "proposal.assign", "proposal.acknowledge", "proposal.reply",
                       "proposal.evaluate", "proposal.archive"]
