"""A demand turned into a member's draft is linked both ways (issue #13): the demand's page links to the draft, and
the draft's page — proposal or opinion report — says it came from citizen's demand no. N at its place, with a link to
the demand for whoever may see the demand (the office once the draft is submitted), none for the member alone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xieshang.grassroots import services
from xieshang.grassroots.tests.factories import make_world, new_demand, walk_to

pytestmark = pytest.mark.django_db


def page(user, url) -> str:
    c = Client()
    c.force_login(user)
    r = c.get(url)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def test_a_proposal_draft_names_its_demand_and_the_office_follows_the_link():
    from xieshang.proposals.services import proposal_act

    w = make_world()
    demand = walk_to("converted", w)
    assert demand.proposal_id
    detail = reverse("proposals:detail", args=[demand.proposal_id])
    link = f'href="{reverse("grassroots:demand", args=[demand.pk])}"'
    html = page(w.member, detail)
    assert 'data-testid="demand-origin"' in html and f"{demand.pk}" in html and w.place.name in html
    assert link not in html  # the member may not open the demand itself
    proposal_act(actor=w.member, proposal=demand.proposal, action="submit", data={})
    assert link in page(w.staff, detail)
    assert f'href="{detail}"' in page(w.staff, reverse("grassroots:demand", args=[demand.pk]))  # and back


def test_an_opinion_draft_names_its_demand_and_other_pages_say_nothing():
    w = make_world()
    demand = services.demand_act(actor=w.keeper, demand=new_demand(w), action="accept", data={})
    demand = services.demand_act(actor=w.keeper, demand=demand, action="convert",
                                 data={"to": "opinion", "member": w.member_row().pk})
    demand.refresh_from_db()
    assert demand.opinion_id
    html = page(w.member, reverse("opinions:detail", args=[demand.opinion_id]))
    assert 'data-testid="demand-origin"' in html and w.place.name in html
    plain = walk_to("converted", w, new_demand(w, text="另一条诉求：小区门口积水严重，希望尽快疏通排水管道。"))
    other = page(w.member, reverse("proposals:detail", args=[plain.proposal_id]))
    assert other.count('data-testid="demand-origin"') == 1  # its own demand, not the other one
    line = other.split('data-testid="demand-origin"')[1].split("</p>")[0]
    assert f"{plain.pk}" in line and f" {demand.pk} " not in line
    from xieshang.proposals.services import proposal_create

    own = proposal_create(actor=w.member, committee=w.committee, title="关于社区养老的建议", body="建议增加日间照料中心。")
    assert 'data-testid="demand-origin"' not in page(w.member, reverse("proposals:detail", args=[own.pk]))
