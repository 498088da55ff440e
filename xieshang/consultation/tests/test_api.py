"""The meetings API: list (filters year, kind, state; pages), create, detail with one attendance row per invited
member, actions (409 for a stale version or a wrong state, 422 with fields), attendance posted again replaces the
member's row, leave after the start refused with the reason, the timeline."""

from __future__ import annotations

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.consultation.models import Attendance
from xieshang.consultation.tests.factories import MEETING_DAY, make_member_user, make_world, plan, plan_data, walk_to
from xieshang.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def api(user, lang="en"):
    return ApiClient(issue_token(user), lang=lang)


def test_list_filters_and_pages(w):
    plan(w, kind="plenary", form="", members=[])
    plan(w, kind="standing", form="", members=[])
    walk_to("notified", w)
    staff = api(w.staff)
    body = staff.get("meetings").json()
    assert body["count"] == 3 and len(body["items"]) == 3
    assert {i["kind"] for i in staff.get("meetings", {"kind": "plenary"}).json()["items"]} == {"plenary"}
    assert staff.get("meetings", {"state": "notified"}).json()["count"] == 1
    assert staff.get("meetings", {"year": 2025}).json()["count"] == 0
    assert staff.get("meetings", {"year": 2026, "page_size": 2, "page": 2}).json()["items"][0]["id"]
    assert staff.get("meetings", {"kind": "party"}).status_code == 422
    assert staff.get("meetings", {"page_size": 0}).status_code == 422


def test_create_and_detail_with_one_attendance_row_per_invited_member(w):
    make_member_user(w.committee)
    r = api(w.staff).post("meetings", plan_data(w, kind="plenary", form="", members=[]))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "planned" and body["kind"] == "plenary"
    assert len(body["attendance"]) == 4 and all(row["status"] is None for row in body["attendance"])
    assert {a["action"] for a in body["available_actions"]} == {"update", "notify", "send_materials", "cancel"}


def test_bad_input_gives_422_with_the_fields_and_a_clear_message(w):
    r = api(w.staff).post("meetings", plan_data(w, start_on="2026-01-05"))
    assert r.status_code == 422
    assert r.json()["fields"]["start_on"] == ["The first day cannot be in the past (today is 2026-03-02)."]
    r = api(w.staff).post("meetings", plan_data(w, end_on="2026-03-31"))
    assert r.status_code == 422 and "The last day cannot be before the first day." in str(r.json()["fields"])
    assert api(w.staff).post("meetings", {"kind": "plenary"}).status_code == 422


def test_actions_versions_and_wrong_states(w):
    m = plan(w)
    staff = api(w.staff)
    assert staff.post(f"meetings/{m.pk}/actions/hold", {}).status_code == 409
    assert staff.post(f"meetings/{m.pk}/actions/notify", {"expected_version": 7}).json()["code"] == "conflict"
    r = staff.post(f"meetings/{m.pk}/actions/notify", {"expected_version": 1})
    assert r.status_code == 200 and r.json()["state"] == "notified" and r.json()["version"] == 2
    assert staff.post(f"meetings/{m.pk}/actions/dance", {}).status_code == 404
    assert staff.post(f"meetings/{m.pk}/actions/cancel", {"reason": ""}).status_code == 422
    events = staff.get(f"meetings/{m.pk}/events").json()
    assert [e["action"] for e in events] == ["meeting.create", "meeting.notify"]


def test_attendance_posted_again_replaces_the_row(w):
    m = walk_to("held", w)
    staff = api(w.staff)
    member = w.member_row().pk
    r = staff.post(f"meetings/{m.pk}/attendance", {"member": member, "status": "absent", "half_days": 2})
    assert r.status_code == 200 and r.json()["status"] == "absent"
    r = staff.post(f"meetings/{m.pk}/attendance", {"member": member, "status": "present", "half_days": 1})
    assert r.json() == {"member": member, "status": "present", "half_days": 1, "source": "staff"}
    assert Attendance.objects.filter(meeting=m, member_id=member).count() == 1
    rows = {row["member"]: row for row in staff.get(f"meetings/{m.pk}").json()["attendance"]}
    assert rows[member]["status"] == "present" and rows[member]["half_days"] == 1
    assert rows[w.member_row(w.other_member).pk]["status"] is None
    bad = staff.post(f"meetings/{m.pk}/attendance", {"member": member, "status": "late"})
    assert bad.status_code == 422 and "status" in bad.json()["fields"]
    bad = staff.post(f"meetings/{m.pk}/attendance", {"member": w.member_row(w.outsider).pk, "status": "present"})
    assert bad.status_code == 422 and "member" in bad.json()["fields"]
    assert staff.post(f"meetings/{m.pk}/attendance", {"member": 2**70, "status": "present"}).status_code == 422


def test_member_signs_up_asks_leave_and_is_refused_after_the_start(w):
    m = walk_to("notified", w)
    member = api(w.member)
    assert member.post(f"meetings/{m.pk}/sign-up").status_code == 200
    r = member.post(f"meetings/{m.pk}/leave", {"reason": "出差"})
    assert r.status_code == 201 and r.json()["state"] == "pending"
    decided = api(w.staff).post(f"meetings/{m.pk}/leave/{r.json()['id']}", {"approve": True})
    assert decided.json()["state"] == "approved"
    clock.set_to(MEETING_DAY)
    other = api(w.other_member).post(f"meetings/{m.pk}/leave", {"reason": "临时有事"})
    assert other.status_code == 422 and other.json()["message"].startswith("The meeting started on 2026-04-01")
    signed = api(w.other_member).post(f"meetings/{m.pk}/sign-in", {"code": m.sign_in_code})
    assert signed.status_code == 200 and signed.json()["source"] == "code"


def test_speeches_outcome_and_feedback(w):
    m = walk_to("held", w)
    staff = api(w.staff)
    r = staff.post(f"meetings/{m.pk}/speeches", {"member": w.member_row().pk, "kind": "written", "title": "书面发言"})
    assert r.status_code == 201 and r.json()["kind"] == "written"
    r = staff.post(f"meetings/{m.pk}/outcome-reports", {"title": "成果", "text": "建议", "recipients": ["州委", "州政府"]})
    assert r.status_code == 201
    rid = r.json()["recipients"][0]["id"]
    r = staff.post(f"meetings/{m.pk}/feedback", {"recipient": rid, "feedback": "已批示", "feedback_on": "2026-05-01"})
    assert r.status_code == 422 and "feedback_on" in r.json()["fields"]  # in the future
    r = staff.post(f"meetings/{m.pk}/feedback", {"recipient": rid, "feedback": "已批示"})
    assert r.status_code == 200 and r.json()["feedback"] == "已批示"
    body = staff.get(f"meetings/{m.pk}").json()
    assert body["speeches"][0]["title"] == "书面发言" and body["outcome_reports"][0]["recipients"][0]["feedback"] == "已批示"
