"""The liaison API: a Party report from draft to instruction, a visit recorded and its suggestion turned into a
proposal draft, the error codes of the proposals API (404 / 409 illegal_transition and conflict / 422 with
fields), lists with filters and sorts, the Word files and the statistics."""

from __future__ import annotations

import datetime

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock

from .factories import REPORT, TASK, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.api = {role: ApiClient(issue_token(getattr(world, role))) for role in ("staff", "leader", "member")}
    return world


def test_a_report_from_draft_to_instruction_through_the_api(w):
    staff, leader = w.api["staff"], w.api["leader"]
    r = staff.post("liaison/reports", REPORT)
    assert r.status_code == 201, r.content
    body = r.json()
    pk, today = body["id"], clock.today().isoformat()
    assert body["data"]["state"] == "draft" and {"submit", "update", "withdraw"} <= {
        a["action"] for a in body["available_actions"]}
    assert leader.post(f"liaison/reports/{pk}/actions/approve", {}).json()["code"] == "illegal_transition"
    assert staff.post(f"liaison/reports/{pk}/actions/submit", {}).status_code == 200
    assert staff.post(f"liaison/reports/{pk}/actions/approve", {}).status_code == 403
    stale = leader.post(f"liaison/reports/{pk}/actions/approve", {"expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert leader.post(f"liaison/reports/{pk}/actions/approve", {}).status_code == 200
    future = (clock.today() + datetime.timedelta(days=3)).isoformat()
    bad = staff.post(f"liaison/reports/{pk}/actions/send", {"document_number": "昌政协报〔2026〕1号", "sent_on": future})
    assert bad.status_code == 422 and "sent_on" in bad.json()["fields"]
    assert staff.post(f"liaison/reports/{pk}/actions/send",
                      {"document_number": "昌政协报〔2026〕1号", "sent_on": today}).status_code == 200
    done = staff.post(f"liaison/reports/{pk}/actions/record_instruction",
                      {"instruction_by": "州委书记", "instruction_on": today, "text": "同意。"})
    assert done.status_code == 200 and done.json()["data"]["state"] == "answered"
    assert staff.post(f"liaison/reports/{pk}/actions/fly", {}).status_code == 404
    events = staff.get(f"liaison/reports/{pk}/events").json()
    assert [e["action"] for e in events][-1] == "party_report.record_instruction"
    listed = staff.get("liaison/reports", {"state": "answered", "sort": "-number"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == pk
    assert staff.get(f"liaison/reports/{pk}/document.docx").status_code == 200
    assert w.api["member"].get(f"liaison/reports/{pk}").status_code == 404
    stats = staff.get("liaison/stats").json()
    assert stats["party_reports"]["total"] == 1 and stats["party_reports_answered"] == 1


def test_a_leader_turns_a_visit_suggestion_into_a_proposal_draft_through_the_api(w):
    leader = w.api["leader"]
    r = leader.post("liaison/visits", {
        "date": clock.today().isoformat(), "place": "昌吉高新区", "subject": "走访民营企业",
        "people": [{"kind": "entrepreneur", "name": "甲"}, {"kind": "entrepreneur", "name": "乙"},
                   {"kind": "expert", "name": "丙"}],
        "suggestions": ["建议设立中小企业应急转贷资金。"]})
    assert r.status_code == 201, r.content
    visit = r.json()["data"]
    assert visit["people_count"] == 3 and visit["leader"] == w.leader.pk
    sid = visit["suggestions"][0]["id"]
    bad = leader.post(f"liaison/suggestions/{sid}/convert", {"to": "letter"})
    assert bad.status_code == 422 and "to" in bad.json()["fields"]
    done = leader.post(f"liaison/suggestions/{sid}/convert", {"to": "proposal"})
    assert done.status_code == 200, done.content
    target = done.json()["data"]["target"]
    assert target["kind"] == "proposal" and target["state"] == "draft"
    again = leader.post(f"liaison/suggestions/{sid}/convert", {"to": "task"})
    assert again.status_code == 409
    from xieshang.proposals.models import Proposal

    assert Proposal.objects.get(pk=target["id"]).created_by == w.leader
    assert w.api["staff"].get("liaison/visits", {"kind": "expert"}).json()["count"] == 1


def test_tasks_and_rules_through_the_api(w):
    staff = w.api["staff"]
    r = staff.post("liaison/tasks", {**TASK, "due_on": (clock.today() + datetime.timedelta(days=9)).isoformat()})
    assert r.status_code == 201
    pk = r.json()["id"]
    assert staff.post(f"liaison/tasks/{pk}/actions/complete", {"result": ""}).status_code == 422
    assert staff.post(f"liaison/tasks/{pk}/actions/complete", {"result": "完成"}).json()["data"]["state"] == "done"
    r = staff.post("liaison/rules", {"title": "民主监督实施意见", "meeting": "常委会会议",
                                     "adopted_on": clock.today().isoformat()})
    assert r.status_code == 201
    rule = r.json()["id"]
    revised = staff.post(f"liaison/rules/{rule}/revisions", {"date": clock.today().isoformat(), "meeting": "主席会议"})
    assert revised.status_code == 200 and len(revised.json()["data"]["versions"]) == 2
    assert staff.post("liaison/rules", {"title": "x", "meeting": "y", "adopted_on": "2999-01-01"}).status_code == 422
    assert staff.get("liaison/rules", {"change": "revised", "year": clock.today().year}).json()["count"] == 1
