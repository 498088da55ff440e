"""The permission matrix of meetings: role × action, through the services AND through the API.

Every cell is written by hand from issue #14 and the workflow's documentation (xieshang/consultation/workflow.py),
not computed from the code under test. Roles (tests/factories.make_world):

  anonymous  nobody signed in (the API: 401 before anything else)
  member     a member invited to the meeting
  outsider   a member of the committee who is not invited
  unit       a handling unit's user
  staff      office staff;  admin  an administrator (the office too)
  leader     a leader of the committee (reads every meeting, acts on none)

OK: the action goes through; 403: the role sees the meeting but the action is not theirs; 404: the role may not
see the meeting (a planned meeting is the office's and the leaders' only). A refused action changes nothing.
"""

from __future__ import annotations

import pytest

from xieshang.consultation import selectors, services
from xieshang.consultation.models import Attendance, Meeting
from xieshang.consultation.tests.factories import MEETING_DAY, TODAY, make_world, plan, plan_data, walk_to
from xieshang.core import clock
from xieshang.core.models import Event
from xieshang.core.tests.permission_matrix import OK, client_of, user_of
from xieshang.core.tests.permission_matrix import api_outcome as _api, service_outcome as _outcome

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "outsider", "unit", "staff", "admin", "leader")

# action: (the state it is tried in, the outcome per role in ROLES order)
#                                   anon member outsider unit staff admin leader
MATRIX = {
    "update":          ("planned",  (404, 404, 404, 404, OK, OK, 403)),
    "notify":          ("planned",  (404, 404, 404, 404, OK, OK, 403)),
    "send_materials":  ("planned",  (404, 404, 404, 404, OK, OK, 403)),
    "cancel":          ("planned",  (404, 404, 404, 404, OK, OK, 403)),
    "hold":            ("notified", (404, 403, 404, 404, OK, OK, 403)),  # on the first day
    "send_minutes":    ("held",     (404, 403, 404, 404, OK, OK, 403)),
    "close":           ("minutes_sent", (404, 403, 404, 404, OK, OK, 403)),
    # beside the table
    "attendance":      ("held",     (404, 403, 404, 404, OK, OK, 403)),
    "speech_add":      ("held",     (404, 403, 404, 404, OK, OK, 403)),
    "outcome_report":  ("held",     (404, 403, 404, 404, OK, OK, 403)),
    "leave_decide":    ("notified", (404, 403, 404, 404, OK, OK, 403)),  # the member's pending request
    "sign_up":         ("notified", (404, OK,  404, 404, 403, 403, 403)),
    "leave_request":   ("notified", (404, OK,  404, 404, 403, 403, 403)),
    "sign_in":         ("notified", (404, OK,  404, 404, 403, 403, 403)),  # with the code, on the first day
}
#                                   anon member outsider unit staff admin leader
VIEW = {
    "planned":                      (404, 404, 404, 404, OK, OK, OK),
    "notified":                     (404, OK,  404, 404, OK, OK, OK),
}
CREATE = (403, 403, 403, 403, OK, OK, 403)


@pytest.fixture
def w():
    return make_world()


def meeting_in(state, w, row) -> Meeting:
    clock.set_to(TODAY)
    m = walk_to(state, w)
    if row in ("hold", "sign_in"):
        clock.set_to(MEETING_DAY)
    if row == "leave_decide":
        services.leave_request(actor=w.member, meeting=m, reason="出差")
    return m


def call_service(row, user, m, w):
    member = w.member_row().pk
    if row in services.MACHINE:
        data = {"update": plan_data(w, title="改期后的协商会"), "send_minutes": {"minutes": "纪要"},
                "cancel": {"reason": "因故取消"}}.get(row, {})
        return lambda: services.meeting_act(actor=user, meeting=m.pk, action=row, data=data)
    return {
        "attendance": lambda: services.attendance_record(actor=user, meeting=m.pk, data={"member": member, "status": "present"}),
        "speech_add": lambda: services.speech_add(actor=user, meeting=m.pk, data={"member": member, "kind": "oral", "title": "发言"}),
        "outcome_report": lambda: services.outcome_report_add(actor=user, meeting=m.pk, data={
            "title": "成果", "text": "建议", "recipients": ["州委"]}),
        "leave_decide": lambda: services.leave_decide(actor=user, leave=m.leave_requests.get(), approve=True),
        "sign_up": lambda: services.sign_up(actor=user, meeting=m.pk),
        "leave_request": lambda: services.leave_request(actor=user, meeting=m.pk, reason="出差"),
        "sign_in": lambda: services.sign_in_with_code(actor=user, committee=w.committee, code=m.sign_in_code, meeting=m.pk),
    }[row]


def call_api(row, client, m, w):
    member = w.member_row().pk
    if row in services.MACHINE:
        data = {"update": plan_data(w, title="改期后的协商会"), "send_minutes": {"minutes": "纪要"},
                "cancel": {"reason": "因故取消"}}.get(row, {})
        return client.post(f"meetings/{m.pk}/actions/{row}", data)
    path, data = {
        "attendance": ("attendance", {"member": member, "status": "present"}),
        "speech_add": ("speeches", {"member": member, "kind": "oral", "title": "发言"}),
        "outcome_report": ("outcome-reports", {"title": "成果", "text": "建议", "recipients": ["州委"]}),
        "leave_decide": ("leave/" + str(m.leave_requests.values_list("pk", flat=True).first()), {"approve": True}),
        "sign_up": ("sign-up", {}),
        "leave_request": ("leave", {"reason": "出差"}),
        "sign_in": ("sign-in", {"code": m.sign_in_code}),
    }[row]
    return client.post(f"meetings/{m.pk}/{path}", data)


def _footprint(m):
    row = Meeting.objects.get(pk=m.pk)
    return (row.version, row.state, Event.objects.filter(object_id=str(m.pk), action__startswith="meeting.").count(),
            Attendance.objects.filter(meeting=m).count())


@pytest.mark.parametrize("row", sorted(MATRIX))
def test_matrix_through_services_and_api(w, row):
    state, expected = MATRIX[row]
    refused = meeting_in(state, w, row)
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            m = refused if outcome != OK else meeting_in(state, w, row)
            before = _footprint(m)
            if channel == "services":
                got, want = _outcome(call_service(row, user_of(w, role), m, w)), outcome
            else:
                got = _api(call_api(row, client_of(w, role), m, w))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (row, role, channel, got, want)
            if got != OK:
                assert _footprint(m) == before, (row, role, channel)
        if row in services.MACHINE and outcome in (OK, 403):
            offered = {t.action for t in selectors.meeting_actions(user_of(w, role), refused)}
            assert (row in offered) == (outcome == OK), (row, role, offered)


def test_view_and_create(w):
    meetings = {"planned": walk_to("planned", w), "notified": walk_to("notified", w)}
    for i, role in enumerate(ROLES):
        user = user_of(w, role)
        for state, expected in VIEW.items():
            got = _outcome(lambda s=state: selectors.meeting_get(user, w.committee, meetings[s].pk))
            assert got == expected[i], ("view", state, role, "services", got)
            got = _api(client_of(w, role).get(f"meetings/{meetings[state].pk}"))
            assert got == (401 if role == "anonymous" else expected[i]), ("view", state, role, "api", got)
        got = _outcome(lambda u=user: services.meeting_create(actor=u, committee=w.committee, data=plan_data(w)))
        assert got == CREATE[i], ("create", role, "services", got)
        got = _api(client_of(w, role).post("meetings", plan_data(w)))
        assert got == (401 if role == "anonymous" else CREATE[i]), ("create", role, "api", got)


def test_a_member_reads_only_their_own_row_of_the_meeting(w):
    m = walk_to("notified", w)
    body = client_of(w, "member").get(f"meetings/{m.pk}").json()
    assert [r["member"] for r in body["attendance"]] == [w.member_row().pk]
    assert body["sign_in_code"] is None and body["available_actions"] == []
    staff = client_of(w, "staff").get(f"meetings/{m.pk}").json()
    assert len(staff["attendance"]) == 2 and staff["sign_in_code"] == m.sign_in_code
    plan(w)  # planned: not in the member's list
    assert client_of(w, "member").get("meetings").json()["count"] == 1
