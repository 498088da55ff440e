"""One count for one thing: the workbench's figure, the list's count and the statistics' figure agree
("to review", "supervised" — the state groups of proposals/models.py), and a replied assignment shows no
working days left."""

import re

import pytest
from django.test import Client

from xieshang.proposals import deadlines, selectors, services
from xieshang.proposals.models import PROPOSAL_SUPERVISED, PROPOSAL_TO_REVIEW, Assignment, ProposalState
from xieshang.proposals.tests.factories import make_actors, walk_to
from xieshang.reports.proposal_stats import proposal_statistics, proposal_statistics_records

pytestmark = pytest.mark.django_db


def _todo(user, committee, label) -> int:
    return next((t["count"] for t in selectors.todos_for(user, committee) if str(t["label"]) == label), 0)


def _page_total(user, url) -> int:
    client = Client()
    client.force_login(user)
    with_en = client.get(url, headers={"Accept-Language": "en"})
    assert with_en.status_code == 200, url
    found = re.search(r'data-testid="total-count">\D*(\d+)', with_en.content.decode())
    return int(found.group(1)) if found else 0


@pytest.fixture
def year():
    """Proposals in the states that matter: 2 submitted, 1 returned, a key proposal in each supervised
    state and closed (not supervised any more), a key one of another leader, a plain registered one."""
    from django.utils import translation

    translation.activate("en")  # the to-dos' labels in English; undone at the end
    actors = make_actors()
    for state in ("submitted", "submitted", "returned", "registered"):
        walk_to(state, actors=actors, cosign=False)
    for state in ("registered", "handling", "replied", "closed"):
        p, _ = walk_to(state, actors=actors, cosign=False)
        services.proposal_act(actor=actors.staff, proposal=p, action="mark_key",
                              data={"is_key": True, "leader": actors.leader.pk})
    yield actors
    translation.deactivate()


def test_to_review_agrees_everywhere(year):
    a, committee = year, year.committee
    workbench = _todo(a.staff, committee, "Proposals to review")
    listed = selectors.proposal_list(a.staff, committee, {"state": ProposalState.SUBMITTED}).count()
    queue = _page_total(a.staff, "/proposals/review/")
    stats = proposal_statistics(committee)
    records = proposal_statistics_records(committee, "to_review").count()
    assert workbench == listed == queue == stats["to_review"] == records == 2
    assert stats["under_review"] == 3  # to review + returned to the proposer
    assert set(PROPOSAL_TO_REVIEW) == {ProposalState.SUBMITTED}


def test_supervised_agrees_everywhere(year):
    a, committee = year, year.committee
    workbench = _todo(a.leader, committee, "Key proposals I supervise")
    page = len(re.findall(r'data-testid="supervised-row"', _client_get(a.leader, "/proposals/supervised/")))
    staff_page = len(re.findall(r'data-testid="supervised-row"', _client_get(a.staff, "/proposals/supervised/")))
    stats = proposal_statistics(committee)
    assert workbench == page == staff_page == stats["supervised"] == 3  # registered, handling, replied
    assert stats["key"] == 4  # the closed one is still a key proposal of the year
    assert selectors.supervised_by(a.leader, committee).filter(state__in=PROPOSAL_SUPERVISED).count() == 3


def _client_get(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_replied_assignment_shows_no_days_left():
    p, actors = walk_to("replied", cosign=False)
    assignment = Assignment.objects.get(proposal=p)
    info = deadlines.due_info(assignment)
    assert info["days_left"] is None and info["days_abs"] is None and not info["overdue"] and not info["due_soon"]
    page = _client_get(actors.staff, f"/proposals/{p.pk}/")
    due = re.search(r'data-testid="due">([^<]*)<', page).group(1)
    assert "·" not in due  # the date alone
    handling, actors2 = walk_to("handling", cosign=False)
    assert deadlines.due_info(Assignment.objects.get(proposal=handling))["days_left"] is not None
