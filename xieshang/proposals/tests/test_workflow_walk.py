"""walk_to reaches every state through the services (the other engineers build on it)."""

import pytest

from xieshang.core.models import Event
from xieshang.proposals.tests.factories import walk_to

STATES = ["draft", "cosigning", "submitted", "returned", "withdrawn", "registered", "merged", "converted",
          "rejected", "assigned", "handling", "replied", "closed", "archived"]


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_walk_to_reaches_state(state):
    proposal, actors = walk_to(state)
    proposal.refresh_from_db()
    assert proposal.state == state
    # one audit event per step, the version counts the steps after creation
    events = Event.objects.for_object(proposal)
    assert events.count() == proposal.version


@pytest.mark.django_db
def test_walk_to_with_lead_and_co_units(committee):
    proposal, actors = walk_to("replied", committee=committee, units=3)
    assert actors.roles == ["lead", "co", "co"]
    assert sorted(proposal.assignments.values_list("state", flat=True)) == ["replied"] * 3
    assert proposal.replies.count() == 1
