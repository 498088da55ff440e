"""A reader whose only reason to see a proposal is that it is public sees exactly what the public portal
shows (issue #12, item 4): in the page, the print view, the API detail and the timeline. A proposal published
with its replies kept off the portal shows such a member no reply text, no evaluation comment, no
consultation notes and no timeline; a member linked to it (the proposer) sees all of it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.proposals import services
from xieshang.proposals.models import Evaluation, HandlingConsultation, Reply
from xieshang.proposals.tests.factories import make_member, walk_to

pytestmark = pytest.mark.django_db

SECRETS = ("答复正文不公开", "评价意见不公开", "面商纪要不公开")


@pytest.fixture
def published(committee):
    """A closed proposal, published with its replies kept off the portal (`replies`: False)."""
    proposal, actors = walk_to("closed", committee=committee, cosign=False)
    Reply.objects.filter(proposal=proposal).update(text=SECRETS[0] + "，电话13912345678")
    Evaluation.objects.filter(reply__proposal=proposal).update(comment=SECRETS[1])
    HandlingConsultation.objects.create(assignment=proposal.assignments.get(), date=datetime.date(2026, 3, 1),
                                        form="visit", summary=SECRETS[2], recorded_by=actors.unit_users[0])
    proposal = services.proposal_act(actor=actors.staff, proposal=proposal, action="set_public",
                                     data={"value": True, "replies": False})
    reader = make_member(committee, username="reader")  # a member of the committee with no link to it
    return proposal, actors, reader


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages(user, proposal) -> dict[str, str]:
    client = _client(user)
    out = {}
    for name in ("proposals:detail", "proposals:print"):
        response = client.get(reverse(name, args=[proposal.pk]))
        assert response.status_code == 200, name
        out[name] = response.content.decode()
    return out


def _api(user, proposal) -> tuple[dict, list]:
    api = ApiClient(issue_token(user))
    detail = api.get(f"proposals/{proposal.pk}")
    timeline = api.get(f"proposals/{proposal.pk}/events")
    assert detail.status_code == 200 and timeline.status_code == 200
    return detail.json(), timeline.json()


def test_a_public_only_reader_sees_what_the_portal_shows(published):
    proposal, _actors, reader = published
    for name, html in _pages(reader, proposal).items():
        for secret in SECRETS:
            assert secret not in html, (name, secret)
        assert proposal.title in html and 'data-testid="public-proposal-detail"' in html
        assert 'data-testid="timeline"' not in html and "published-note" in html
    detail, timeline = _api(reader, proposal)
    assert timeline == []
    text = str(detail)
    for secret in SECRETS:
        assert secret not in text
    assert detail["replies"] == [] and detail["evaluations"] == []
    assert all(a["consultations"] == [] for a in detail["assignments"])
    assert detail["body"] == proposal.body and detail["title"] == proposal.title


def test_published_replies_are_shown_as_the_portal_shows_them(published):
    proposal, actors, reader = published
    proposal = services.proposal_act(actor=actors.staff, proposal=proposal, action="set_public",
                                     data={"value": True, "replies": True})
    html = _pages(reader, proposal)["proposals:detail"]
    assert SECRETS[0] + "，电话139****5678" in html  # the reply as published: the phone masked
    assert SECRETS[1] not in html and SECRETS[2] not in html
    detail, timeline = _api(reader, proposal)
    assert [r["text"] for r in detail["replies"]] == [SECRETS[0] + "，电话139****5678"]
    assert detail["replies"][0]["evaluation"] is None and timeline == []


def test_a_linked_member_sees_everything(published):
    proposal, actors, _reader = published
    for name, html in _pages(actors.proposer, proposal).items():
        assert SECRETS[0] in html and SECRETS[1] in html, name
    assert SECRETS[2] in _pages(actors.proposer, proposal)["proposals:detail"]
    detail, timeline = _api(actors.proposer, proposal)
    assert SECRETS[0] in detail["replies"][0]["text"] and detail["replies"][0]["evaluation"]["comment"] == SECRETS[1]
    assert detail["assignments"][0]["consultations"][0]["summary"] == SECRETS[2]
    assert len(timeline) > 5
