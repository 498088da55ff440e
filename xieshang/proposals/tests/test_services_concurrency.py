"""Concurrency: stale versions, double clicks, two staff at once, numbering under load.

The thread tests need a database with row locks and real concurrent connections: they run on
PostgreSQL (DATABASE_URL=postgres://…) and are skipped on SQLite, where the version checks below
cover the same ground sequentially.
"""


import pytest

from xieshang.core.errors import Conflict, IllegalTransition, ServiceError
from xieshang.core.models import Event
from xieshang.core.tests.concurrency import postgres_only, run_together
from xieshang.proposals import services
from xieshang.proposals.models import Assignment, Proposal
from xieshang.proposals.tests.factories import make_actors, make_unit, walk_to

act = services.proposal_act


@pytest.mark.django_db
def test_stale_version_conflicts_and_changes_nothing(committee):
    p, actors = walk_to("submitted", committee=committee)
    seen = p.version
    act(actor=actors.staff, proposal=p, action="register", expected_version=seen)
    with pytest.raises(Conflict):
        act(actor=actors.staff, proposal=p.pk, action="return_for_revision", data={"reason": "x"}, expected_version=seen)
    p.refresh_from_db()
    assert (p.state, p.version) == ("registered", seen + 1)


@pytest.mark.django_db
def test_double_create_with_client_key_makes_one_proposal(committee):
    actors = make_actors(committee)
    ids = {services.proposal_create(actor=actors.proposer, committee=committee, title="一", client_key="abc").pk
           for _ in range(3)}
    assert len(ids) == 1 and Proposal.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_staff_assigning_at_once_one_wins(committee):
    p, actors = walk_to("registered", committee=committee)
    second_unit, _ = make_unit(committee)
    units = [actors.units[0], second_unit]

    def assign(i):
        return act(actor=actors.staff, proposal=p.pk, action="assign",
                   data={"units": [{"unit": units[i].pk, "role": "sole"}]})

    results = run_together(2, assign)
    wins = [r for r in results if isinstance(r, Proposal)]
    losses = [r for r in results if isinstance(r, (IllegalTransition, Conflict))]
    assert len(wins) == 1 and len(losses) == 1, results
    assert Assignment.objects.filter(proposal=p).count() == 1
    assert Event.objects.filter(action="proposal.assign").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_numbers(committee):
    actors = make_actors(committee)
    proposals = [walk_to("submitted", actors=actors, cosign=False)[0] for _ in range(6)]

    def register(i):
        return act(actor=actors.staff, proposal=proposals[i].pk, action="register").number

    results = run_together(6, register)
    assert not [r for r in results if isinstance(r, ServiceError) or isinstance(r, Exception)], results
    assert sorted(results) == [f"13-4-{i:04d}" for i in range(1, 7)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_creates_one_proposal(committee):
    actors = make_actors(committee)

    def create(i):
        return services.proposal_create(actor=actors.proposer, committee=committee, title="双击", client_key="same").pk

    results = run_together(4, create)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1 and Proposal.objects.count() == 1
