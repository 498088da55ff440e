"""The reports' demo data reproduces the seed review's figure: 293 registered proposals in 2024,
reply rate 100%."""

import pytest

from xieshang.core.demo_data import load_demo
from xieshang.core.models import Committee
from xieshang.reports.demo import load_past_proposals
from xieshang.reports.proposal_stats import proposal_statistics

pytestmark = pytest.mark.django_db


def test_past_proposals_of_2024(client):
    load_demo()
    assert load_past_proposals() == 293
    changji = Committee.objects.get(code="changji")
    stats = proposal_statistics(changji, year=2024)
    assert (stats["registered"], stats["replied"], stats["reply_rate_display"]) == (293, 293, "100%")
    assert load_past_proposals() == 0  # idempotent
    assert proposal_statistics(changji, year=2024)["registered"] == 293
    response = client.get("/public/proposals/")
    assert response.context["page"].paginator.count == 12
