"""The API of inspections: an inspection from plan to answered recommendations, the codes of the proposals API
(201, 403, 404, 409 illegal_transition / conflict, 422 with fields), supervision and special supervisors."""

from __future__ import annotations

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.inspections.tests.factories import make_world, plan_data, supervision_data, supervisor_data, team_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def api(user):
    return ApiClient(issue_token(user))


def test_an_inspection_through_the_api_from_plan_to_answered_recommendations(w):
    staff = api(w.staff)
    r = staff.post("consultation/inspections", plan_data(w))
    assert r.status_code == 201, r.json()
    i = r.json()
    assert i["state"] == "planned" and {a["action"] for a in i["available_actions"]} >= {"set_team", "update"}
    assert "start" not in {a["action"] for a in i["available_actions"]}
    base = f"consultation/inspections/{i['id']}"
    r = staff.post(f"{base}/actions/start", {})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    for action, data in (("set_team", team_data(w)), ("start", {}),
                         ("add_visit", {"date": "2026-03-02", "place": "奇台县", "units": "粮油加工企业"}),
                         ("record_findings", {"findings": "精深加工不足"}),
                         ("add_recommendation", {"text": "培育龙头企业"}),
                         ("draft_report", {"report_title": "调研报告", "report_text": "正文"}),
                         ("send_report", {"recipients": "州委、州政府"})):
        r = staff.post(f"{base}/actions/{action}", data)
        assert r.status_code == 200, (action, r.json())
    body = r.json()
    assert body["state"] == "report_sent" and len(body["team"]) == 2 and body["visits"][0]["place"] == "奇台县"
    rec = body["recommendations"][0]
    r = staff.post(f"{base}/actions/close", {})
    assert r.status_code == 422 and r.json()["detail"] == "unanswered" and "尚有1条建议未收到答复" in r.json()["message"]
    r = staff.post(f"{base}/actions/answer", {"recommendation": rec["id"], "answer": "已采纳", "adopted": False,
                                              "expected_version": 1})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = staff.post(f"{base}/actions/answer", {"recommendation": rec["id"], "answer": "", "adopted": True})
    assert r.status_code == 422 and "answer" in r.json()["fields"]
    r = staff.post(f"{base}/actions/answer", {"recommendation": rec["id"], "answer": "已采纳", "adopted": True})
    assert r.status_code == 200 and r.json()["recommendations"][0]["adopted"] is True
    r = staff.post(f"{base}/actions/close", {})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    r = staff.post(f"{base}/actions/cancel", {"reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    assert staff.post(f"{base}/actions/fly", {}).status_code == 404
    events = staff.get(f"{base}/events").json()
    assert [e["action"] for e in events][0] == "inspection.create" and len(events) == 10
    assert staff.get("consultation/inspections", {"year": 2026, "kind": "research"}).json()["count"] == 1
    assert staff.get("consultation/inspections", {"group": "final"}).json()["count"] == 1


def test_bad_input_is_422_with_fields(w):
    staff = api(w.staff)
    r = staff.post("consultation/inspections", plan_data(w, planned_month=1))
    assert r.status_code == 422 and "planned_month" in r.json()["fields"]
    r = staff.post("consultation/inspections", plan_data(w, title="x" * 121))
    assert r.status_code == 422 and "title" in r.json()["fields"]
    r = staff.post("consultation/special-supervisors", supervisor_data(w, term_end="2025-12-31"))
    assert r.status_code == 422


def test_supervision_and_special_supervisors(w):
    staff = api(w.staff)
    r = staff.post("consultation/supervision", supervision_data(w))
    assert r.status_code == 201
    base = f"consultation/supervision/{r.json()['id']}"
    for action, data in (("set_team", team_data(w)), ("start", {}), ("report", {"report_text": "报告"}),
                         ("close", {"follow_up": "已整改"})):
        r = staff.post(f"{base}/actions/{action}", data)
        assert r.status_code == 200, (action, r.json())
    assert r.json()["state"] == "closed"
    r = staff.post("consultation/special-supervisors", supervisor_data(w))
    assert r.status_code == 201
    sid = r.json()["id"]
    r = api(w.member).post(f"consultation/special-supervisors/{sid}/reports", {"title": "半年报告", "text": "正文"})
    assert r.status_code == 201
    assert len(staff.get(f"consultation/special-supervisors/{sid}").json()["reports"]) == 1
    assert api(w.member).get("consultation/special-supervisors").json()["count"] == 1
    assert api(w.outsider).get("consultation/special-supervisors").json()["count"] == 0
