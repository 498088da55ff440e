"""The issue's "done when", through the API alone: the office runs one consultation meeting from topic to outcome
report. Every step is an HTTP call to /api/v1/ with a bearer token of the one who takes it (only the clock is set
between steps, as the other tests do): the office opens the year's plan, a member submits a topic, the office
shortlists it, the chairpersons' meeting and the Party committee approve the plan, the office schedules the topic
into a meeting of its form, the member reads what became of it; the meeting is notified, the member signs up,
the office records attendance (posting again replaces the row), a speech, holds it, sends the minutes (the Word
file), the outcome report and a recipient's feedback, and closes it; the meeting's detail and timeline, and the
member's topic, show it all. Two refusals on the way prove the codes: a member trying an office action (403
`forbidden`) and a stale `expected_version` (409 `conflict`)."""

from __future__ import annotations

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.consultation.models import Attendance
from xieshang.consultation.tests.factories import TODAY, make_world
from xieshang.consultation.tests.plan_factories import CHAIR_DAY, DEADLINE, MEETING_DAY, PARTY_DAY, topic_data
from xieshang.core import clock

pytestmark = pytest.mark.django_db


def api(user) -> ApiClient:
    return ApiClient(issue_token(user), lang="en")


def ok(response, status=200) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


def test_the_office_runs_one_consultation_meeting_from_topic_to_outcome_report_over_the_api():
    w = make_world()
    staff, member = api(w.staff), api(w.member)
    me, other = w.member_row().pk, w.member_row(w.other_member).pk

    # 1. the office opens the year's plan and issues its call; the member submits a topic with their own token
    assert clock.today() == TODAY
    plan = ok(staff.post("consultation/plans", {"year": 2026, "deadline": DEADLINE.isoformat(),
                                                "text": "请于3月20日前报送协商议题。"}), 201)
    assert plan["state"] == "draft" and plan["call_deadline"] == DEADLINE.isoformat()
    pid = plan["id"]
    topic = ok(member.post("consultation/topics", topic_data(title="加快普惠托育服务体系建设")), 201)
    tid = topic["id"]
    assert topic["state"] == "submitted" and topic["form"] == "thematic" and topic["year"] == 2026
    assert topic["outcome"]["key"] == "submitted" and topic["meeting"] is None
    assert [t["id"] for t in ok(member.get("consultation/topics"))["items"]] == [tid]

    # a member trying an office action is refused (403) and nothing changes
    refused = member.post(f"consultation/topics/{tid}/actions/shortlist", {"month": 5})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert ok(member.get(f"consultation/topics/{tid}"))["state"] == "submitted"

    # 2. the office shortlists it for May; the chairpersons' meeting, then the Party committee approve the plan
    topic = ok(staff.post(f"consultation/topics/{tid}/actions/shortlist",
                          {"month": 5, "expected_version": topic["version"]}))
    assert topic["state"] == "shortlisted" and topic["month"] == 5
    clock.set_to(CHAIR_DAY)
    plan = ok(staff.post(f"consultation/plans/{pid}/actions/approve_chair",
                         {"date": CHAIR_DAY.isoformat(), "document": "主席会议纪要〔2026〕3号"}))
    assert plan["state"] == "chair_approved" and plan["chair_approved_on"] == CHAIR_DAY.isoformat()
    clock.set_to(PARTY_DAY)
    plan = ok(staff.post(f"consultation/plans/{pid}/actions/approve_party",
                         {"date": PARTY_DAY.isoformat(), "document": "昌州党办〔2026〕9号"}))
    assert plan["state"] == "approved" and plan["party_document"] == "昌州党办〔2026〕9号"
    assert [t["id"] for t in plan["topics"]] == [tid]
    topic = ok(member.get(f"consultation/topics/{tid}"))
    assert topic["state"] == "approved" and topic["outcome"]["key"] == "approved"

    # the approved topic is scheduled into a meeting of its form, inviting the member
    topic = ok(staff.post(f"consultation/topics/{tid}/actions/schedule", {
        "start_on": MEETING_DAY.isoformat(), "half_days": 2, "place": "州政协三楼会议室",
        "notice": "请委员围绕普惠托育准备发言。", "members": [me, other]}))
    mid = topic["meeting"]
    assert topic["state"] == "scheduled" and mid
    meeting = ok(staff.get(f"meetings/{mid}"))
    assert (meeting["kind"], meeting["form"], meeting["title"], meeting["state"]) == (
        "consultation", "thematic", "加快普惠托育服务体系建设", "planned")
    assert meeting["start_on"] == MEETING_DAY.isoformat() and meeting["half_days"] == 2
    assert {row["member"] for row in meeting["attendance"]} == {me, other}

    # the member sees what became of their topic: scheduled, with its meeting and day
    seen = ok(member.get(f"consultation/topics/{tid}"))
    assert seen["state"] == "scheduled" and seen["meeting"] == mid
    assert seen["outcome"]["key"] == "scheduled" and seen["outcome"]["meeting"] == mid
    assert seen["outcome"]["meeting_on"] == MEETING_DAY.isoformat()
    assert seen["outcome"]["text"] == f"Scheduled for {MEETING_DAY.isoformat()}."

    # 3. the meeting: a stale version is refused with 409 `conflict`, then the notice goes out
    stale = staff.post(f"meetings/{mid}/actions/notify", {"expected_version": meeting["version"] + 5})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert ok(staff.get(f"meetings/{mid}"))["state"] == "planned"
    meeting = ok(staff.post(f"meetings/{mid}/actions/notify", {"expected_version": meeting["version"]}))
    assert meeting["state"] == "notified"

    # the invited member signs up
    mine = ok(member.post(f"meetings/{mid}/sign-up"))
    assert [(r["member"], r["signed_up"]) for r in mine["attendance"]] == [(me, True)]  # their own row only

    # on the day: attendance by the office (posting again replaces the row), a speech, held
    clock.set_to(MEETING_DAY)
    row = ok(staff.post(f"meetings/{mid}/attendance", {"member": me, "status": "absent"}))
    assert row == {"member": me, "status": "absent", "half_days": 2, "source": "staff"}
    row = ok(staff.post(f"meetings/{mid}/attendance", {"member": me, "status": "present", "half_days": 2}))
    assert row == {"member": me, "status": "present", "half_days": 2, "source": "staff"}
    assert Attendance.objects.filter(meeting_id=mid, member_id=me).count() == 1  # replaced, not added (a read only)
    speech = ok(staff.post(f"meetings/{mid}/speeches", {
        "member": me, "kind": "oral", "title": "关于扩大普惠托位供给的发言", "text": "建议新建社区托育点。"}), 201)
    assert speech["member"] == me and speech["kind"] == "oral"
    meeting = ok(staff.post(f"meetings/{mid}/actions/hold", {}))
    assert meeting["state"] == "held"

    # the minutes, and their Word file
    meeting = ok(staff.post(f"meetings/{mid}/actions/send_minutes", {
        "minutes": "会议听取了州卫生健康委关于托育服务的情况通报，委员们建言献策。", "recipients": "州委、州政府"}))
    assert meeting["state"] == "minutes_sent" and meeting["minutes_recipients"] == "州委、州政府"
    docx = staff.get(f"meetings/{mid}/minutes.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")

    # the outcome report, a recipient's feedback, the record closed
    report = ok(staff.post(f"meetings/{mid}/outcome-reports", {
        "title": "关于加快普惠托育服务体系建设的协商成果", "text": "建议将托育纳入民生实事。",
        "recipients": ["州委", "州政府"]}), 201)
    assert report["sent_on"] == MEETING_DAY.isoformat() and [x["name"] for x in report["recipients"]] == ["州委", "州政府"]
    recipient = report["recipients"][1]["id"]
    fed = ok(staff.post(f"meetings/{mid}/feedback", {"recipient": recipient, "feedback": "已批示州卫生健康委落实。"}))
    assert fed == {"id": recipient, "name": "州政府", "feedback": "已批示州卫生健康委落实。",
                   "feedback_on": MEETING_DAY.isoformat()}
    meeting = ok(staff.post(f"meetings/{mid}/actions/close", {}))
    assert meeting["state"] == "closed" and meeting["available_actions"] == []

    # 4. the meeting's record: one attendance row for the member, the speech, the report with its feedback
    meeting = ok(staff.get(f"meetings/{mid}"))
    rows = {r["member"]: r for r in meeting["attendance"]}
    assert len(meeting["attendance"]) == 2  # one row per invited member
    assert (rows[me]["status"], rows[me]["half_days"], rows[me]["signed_up"]) == ("present", 2, True)
    assert rows[other]["status"] == "absent"  # closing recorded the invitee nobody recorded as absent
    assert [(s["id"], s["title"], s["kind"]) for s in meeting["speeches"]] == [
        (speech["id"], "关于扩大普惠托位供给的发言", "oral")]
    [out] = meeting["outcome_reports"]
    assert out["id"] == report["id"] and out["title"] == "关于加快普惠托育服务体系建设的协商成果"
    assert [(x["name"], x["feedback"]) for x in out["recipients"]] == [("州委", ""), ("州政府", "已批示州卫生健康委落实。")]

    # the timeline lists the steps in order
    events = [e["action"] for e in ok(staff.get(f"meetings/{mid}/events"))]
    assert events == [
        "meeting.create", "meeting.notify", "meeting.sign_up", "meeting.attendance", "meeting.attendance",
        "meeting.speech_add", "meeting.hold", "meeting.send_minutes", "meeting.outcome_report_add",
        "meeting.feedback", "meeting.close",
    ], events

    # the submitting member's topic: scheduled, with its meeting, held, and the outcome report's title
    seen = ok(member.get(f"consultation/topics/{tid}"))
    assert seen["state"] == "scheduled" and seen["meeting"] == mid
    assert seen["outcome"] == {"key": "held", "text": f"Held on {MEETING_DAY.isoformat()}.", "meeting": mid,
                               "meeting_on": MEETING_DAY.isoformat(),
                               "reports": ["关于加快普惠托育服务体系建设的协商成果"]}
    topic_events = [e["action"] for e in ok(member.get(f"consultation/topics/{tid}/events"))]
    assert topic_events[-1] == "topic.schedule" and "topic.shortlist" in topic_events, topic_events
