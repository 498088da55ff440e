"""The `reply` action takes an optional document number (文号), shown in the detail's replies."""

import pytest

from xieshang.api.tests.conftest import make_proposal

pytestmark = pytest.mark.django_db


def test_the_api_reply_action_takes_the_document_number(people):
    proposal = make_proposal(people, "handling")
    response = people.api_lead.act(proposal.pk, "reply", {"outcome": "planned", "text": "列入计划。",
                                                           "document_number": "州发改委〔2026〕8号"})
    assert response.status_code == 200, response.content
    replies = people.api_proposer.get(f"proposals/{proposal.pk}").json()["replies"]
    assert replies[0]["document_number"] == "州发改委〔2026〕8号"
    bad = make_proposal(people, "handling", title="另一件提案")
    refused = people.api_lead.act(bad.pk, "reply", {"outcome": "planned", "text": "x", "document_number": "号" * 61})
    assert refused.status_code == 422 and "document_number" in refused.json()["fields"]
