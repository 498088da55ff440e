"""The API of proposal clues (提案线索) and calls (线索征集): /api/v1/proposals/clues…"""

import datetime

import pytest

from xieshang.core import clock
from xieshang.proposals.models import Proposal, ProposalClue

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert(1)</script> \"'{{ x }}"


@pytest.fixture
def cast(people):
    clock.set_to(datetime.date(2026, 12, 5))
    return people


def _session(cast):
    from xieshang.core.models import Session

    return Session.objects.filter(term__committee=cast.committee).order_by("-year").first().pk


def test_call_lifecycle(cast):
    body = {"session": _session(cast), "title": "2027年线索征集", "text": "请提出", "opens_on": "2026-12-01",
            "closes_on": "2027-01-10"}
    r = cast.api_staff.post("proposals/clues/calls", body)
    assert r.status_code == 201, r.content
    call = r.json()
    assert call["state"] == "draft" and [a["action"] for a in call["available_actions"]] == ["publish"]
    assert cast.api_proposer.get(f"proposals/clues/calls/{call['id']}").status_code == 404  # not published
    assert cast.api_proposer.post("proposals/clues/calls", body).status_code == 403
    r = cast.api_staff.post(f"proposals/clues/calls/{call['id']}/actions/publish", {"expected_version": 1})
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert cast.api_staff.post(f"proposals/clues/calls/{call['id']}/actions/publish").status_code == 409
    assert cast.api_staff.post(f"proposals/clues/calls/{call['id']}/actions/nonsense").status_code == 422
    assert [c["id"] for c in cast.api_proposer.get("proposals/clues/calls").json()] == [call["id"]]
    bad = dict(body, closes_on="2026-01-01")
    r = cast.api_staff.post("proposals/clues/calls", bad)
    assert r.status_code == 422


def test_clue_suggest_review_draft(cast):
    r = cast.api_proposer.post("proposals/clues", {"title": HOSTILE, "text": HOSTILE, "category": "society"})
    assert r.status_code == 201, r.content
    clue = r.json()
    assert clue["title"] == HOSTILE and clue["state"] == "submitted" and clue["name"] is None
    assert cast.api_outsider.get(f"proposals/clues/{clue['id']}").status_code == 404
    assert cast.api_lead.post("proposals/clues", {"title": "x", "text": "y"}).status_code == 403
    assert cast.api_proposer.post("proposals/clues", {"title": "", "text": "y"}).status_code == 422
    listed = cast.api_staff.get("proposals/clues", {"group": "to_review"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == clue["id"]
    staff_view = cast.api_staff.get(f"proposals/clues/{clue['id']}").json()
    assert {a["action"] for a in staff_view["available_actions"]} == {"accept", "decline", "mark_duplicate"}
    assert cast.api_proposer.post(f"proposals/clues/{clue['id']}/actions/accept").status_code == 403
    r = cast.api_staff.post(f"proposals/clues/{clue['id']}/actions/decline", {"note": ""})
    assert r.status_code == 422 and "note" in r.json()["fields"]
    r = cast.api_staff.post(f"proposals/clues/{clue['id']}/actions/accept", {"note": "好", "expected_version": 1})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert cast.api_outsider.get(f"proposals/clues/{clue['id']}").status_code == 200  # accepted: listed
    r = cast.api_outsider.post(f"proposals/clues/{clue['id']}/draft", {"client_key": "a1"})
    assert r.status_code == 201, r.content
    draft = Proposal.objects.get(pk=r.json()["proposal"])
    assert draft.clue_id == clue["id"] and draft.title == HOSTILE
    assert cast.api_staff.get(f"proposals/clues/{clue['id']}").json()["draft_count"] == 1
    assert cast.api_staff.post(f"proposals/clues/{clue['id']}/draft").status_code == 403  # no member
    assert cast.api_staff.get("proposals/clues/99999999").status_code == 404
    assert cast.api_staff.post(f"proposals/clues/{clue['id']}/actions/accept",
                               {"expected_version": 2**70}).status_code == 422  # a number beyond any version


def test_public_clue_contact_only_to_staff(cast):
    from xieshang.proposals import clue_services

    clue = clue_services.clue_submit_public(committee=cast.committee, data={
        "title": "路灯", "text": "不亮", "category": "society", "name": "王", "contact": "13900001111"})
    assert cast.api_staff.get(f"proposals/clues/{clue.pk}").json()["contact"] == "13900001111"
    clue_services.clue_review(actor=cast.staff, clue=clue, decision="accept")
    seen = cast.api_proposer.get(f"proposals/clues/{clue.pk}").json()
    assert seen["contact"] is None and seen["name"] is None


def test_anonymous_is_401(anon_api):
    assert anon_api.get("proposals/clues").status_code == 401
    assert anon_api.post("proposals/clues", {"title": "x", "text": "y"}).status_code == 401
    assert ProposalClue.objects.count() == 0
