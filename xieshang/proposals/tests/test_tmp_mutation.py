import pytest
from xieshang.proposals import services
from xieshang.proposals.tests.test_workflow_state_machine import test_random_walks_keep_the_invariants as base

@pytest.mark.django_db
def test_mut(committee, monkeypatch):
    monkeypatch.setattr(services, "_finish_leftovers", lambda p: [])
    base(committee, monkeypatch)
