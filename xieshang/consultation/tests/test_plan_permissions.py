"""The permission matrix of the plan and its topics: role × action, through the services AND through the API.

Every cell is written by hand from issue #14 and plan_workflow.py's documentation, not computed from the code.
Roles (factories.make_world): anonymous (the API: 401 first), member (the topic's submitter), outsider (another
member), unit (a handling unit's user), staff, admin (the office), leader (reads, decides nothing).
OK: the action goes through; 403: the role sees the object but the action is not theirs; 404: the role may not
see it. A refused action changes nothing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from xieshang.consultation import plan_selectors as psel
from xieshang.consultation import plan_services
from xieshang.consultation.models import ConsultationPlan, ConsultationTopic
from xieshang.consultation.tests.factories import TODAY, make_world
from xieshang.consultation.tests.plan_factories import (
    CHAIR_DAY, MEETING_DAY, PARTY_DAY, open_plan, submit, topic_data, topic_to,
)
from xieshang.consultation.tests.test_permissions import ROLES, _api, _outcome, client_of
from xieshang.core import clock
from xieshang.core.models import Event

pytestmark = pytest.mark.django_db
OK = "ok"

#                                      anon member outsider unit staff admin leader
TOPIC_MATRIX = {
    "shortlist":  ("submitted",   (404, 403, 404, 404, OK, OK, 403)),
    "arrange":    ("shortlisted", (404, 403, 404, 404, OK, OK, 403)),
    "reconsider": ("shortlisted", (404, 403, 404, 404, OK, OK, 403)),
    "decline":    ("submitted",   (404, 403, 404, 404, OK, OK, 403)),
    "merge":      ("submitted",   (404, 403, 404, 404, OK, OK, 403)),
    "schedule":   ("approved",    (404, 403, 404, 404, OK, OK, 403)),
    "withdraw":   ("submitted",   (404, OK,  404, 404, 403, 403, 403)),
}
PLAN_MATRIX = {
    "approve_chair": ("draft",          (404, 404, 404, 404, OK, OK, 403)),
    "approve_party": ("chair_approved", (404, 404, 404, 404, OK, OK, 403)),
    "reopen":        ("chair_approved", (404, 404, 404, 404, OK, OK, 403)),
}
TOPIC_VIEW = (404, OK, 404, 404, OK, OK, OK)
PLAN_VIEW = (404, 404, 404, 404, OK, OK, OK)
TOPIC_CREATE = (403, OK, OK, 403, 403, 403, 403)  # in one's own name: members only
PLAN_CREATE = (403, 403, 403, 403, OK, OK, 403)


@pytest.fixture
def w():
    return make_world()


def user_of(w, role):
    return AnonymousUser() if role == "anonymous" else w.by_role(role)


def topic_input(w, action, topic) -> dict:
    if action == "merge":
        into = ConsultationTopic.objects.filter(plan=topic.plan, state="submitted").exclude(pk=topic.pk).first() \
            or submit(w, w.other_member, title="另一议题")
        return {"into": into.pk}
    return {"shortlist": {"month": 6}, "arrange": {"month": 7, "form": "sector"}, "decline": {"reason": "不列入"},
            "schedule": {"start_on": MEETING_DAY.isoformat(), "members": [w.member_row().pk]}}.get(action, {})


def topic_in(state, w):
    clock.set_to(TODAY)
    topic = topic_to(state, w)
    if state == "submitted":
        submit(w, w.other_member, title="另一议题")  # a topic to merge into
    clock.set_to(PARTY_DAY if state == "approved" else TODAY)
    return topic


def plan_in(state, w):
    ConsultationPlan.objects.filter(committee=w.committee).exists() and _fresh(w)
    clock.set_to(TODAY)
    plan = open_plan(w)
    plan_services.topic_shortlist(actor=w.staff, topic=submit(w), month=5)
    clock.set_to(CHAIR_DAY)
    if state == "chair_approved":
        plan = plan_services.plan_approve_chair(actor=w.staff, plan=plan, date=CHAIR_DAY.isoformat(), document="纪要")
    clock.set_to(PARTY_DAY)
    return plan


def _fresh(w):
    w.committee = make_world().committee  # a new committee: one plan per year


def _footprint(model, pk):
    row = model.objects.get(pk=pk)
    return row.state, row.version, Event.objects.filter(object_id=str(pk)).count()


@pytest.mark.parametrize("action", sorted(TOPIC_MATRIX))
def test_topic_matrix(w, action):
    state, expected = TOPIC_MATRIX[action]
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            ww = make_world()
            topic = topic_in(state, ww)
            before = _footprint(ConsultationTopic, topic.pk)
            data = topic_input(ww, action, topic)
            if channel == "services":
                got = _outcome(lambda: plan_services.topic_act(actor=user_of(ww, role), topic=topic.pk, action=action,
                                                               data=data))
                want = outcome
            else:
                got = _api(client_of(ww, role).post(f"consultation/topics/{topic.pk}/actions/{action}", data))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (action, role, channel, got, want)
            if got != OK:
                assert _footprint(ConsultationTopic, topic.pk) == before, (action, role, channel)
            if channel == "services" and outcome in (OK, 403):
                offered = {t.action for t in psel.topic_actions(user_of(ww, role), ConsultationTopic.objects.get(
                    pk=topic.pk) if got != OK else topic)}
                if got != OK:
                    assert action not in offered, (action, role, offered)


@pytest.mark.parametrize("action", sorted(PLAN_MATRIX))
def test_plan_matrix(w, action):
    state, expected = PLAN_MATRIX[action]
    data = {"date": PARTY_DAY.isoformat(), "document": "党办〔2026〕9号"} if action.startswith("approve") else {}
    if action == "approve_chair":
        data["date"] = CHAIR_DAY.isoformat()
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            ww = make_world()
            plan = plan_in(state, ww)
            before = _footprint(ConsultationPlan, plan.pk)
            if outcome == OK:
                assert action in {t.action for t in psel.plan_actions(user_of(ww, role), plan)}, (action, role)
            if channel == "services":
                got = _outcome(lambda: plan_services.plan_act(actor=user_of(ww, role), plan=plan.pk, action=action,
                                                              data=data))
                want = outcome
            else:
                got = _api(client_of(ww, role).post(f"consultation/plans/{plan.pk}/actions/{action}", data))
                want = 401 if role == "anonymous" else outcome
            assert got == want, (action, role, channel, got, want)
            if got != OK:
                assert _footprint(ConsultationPlan, plan.pk) == before, (action, role, channel)
                assert action not in {t.action for t in psel.plan_actions(user_of(ww, role), plan)}


def test_view_and_create(w):
    topic = topic_to("submitted", w)
    plan = topic.plan
    for i, role in enumerate(ROLES):
        user = user_of(w, role)
        got = _outcome(lambda u=user: psel.topic_get(u, w.committee, topic.pk))
        assert got == TOPIC_VIEW[i], ("view topic", role)
        assert _api(client_of(w, role).get(f"consultation/topics/{topic.pk}")) == (
            401 if role == "anonymous" else TOPIC_VIEW[i]), ("view topic api", role)
        got = _outcome(lambda u=user: psel.plan_get(u, w.committee, plan.pk))
        assert got == PLAN_VIEW[i], ("view plan", role)
        assert _api(client_of(w, role).get(f"consultation/plans/{plan.pk}")) == (
            401 if role == "anonymous" else PLAN_VIEW[i]), ("view plan api", role)
        got = _outcome(lambda u=user: plan_services.topic_submit(actor=u, committee=w.committee, data=topic_data()))
        assert got == TOPIC_CREATE[i], ("submit", role)
        assert _api(client_of(w, role).post("consultation/topics", topic_data())) == (
            401 if role == "anonymous" else TOPIC_CREATE[i]), ("submit api", role)
        year = 2030 + i
        got = _outcome(lambda u=user, y=year: plan_services.plan_create(actor=u, committee=w.committee, data={
            "year": y, "deadline": "2026-12-01"}))
        assert got == PLAN_CREATE[i], ("plan", role)
        assert _api(client_of(w, role).post("consultation/plans", {"year": year + 20, "deadline": "2026-12-01"})) == (
            401 if role == "anonymous" else PLAN_CREATE[i]), ("plan api", role)


def test_api_shapes_and_codes(w):
    staff, member = client_of(w, "staff"), client_of(w, "member")
    r = staff.post("consultation/plans", {"year": 2026, "deadline": "2026-03-20"})
    assert r.status_code == 201 and r.json()["state"] == "draft"
    r = member.post("consultation/topics", topic_data(title="<b>托育</b>"))
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert r.json()["outcome"]["key"] == "submitted"
    assert member.get("consultation/topics").json()["count"] == 1
    assert staff.post(f"consultation/topics/{tid}/actions/shortlist", {"month": 13}).status_code == 422
    assert staff.post(f"consultation/topics/{tid}/actions/nonsense", {}).status_code == 404
    r = staff.post(f"consultation/topics/{tid}/actions/shortlist", {"month": 5, "expected_version": 9})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert staff.post(f"consultation/topics/{tid}/actions/shortlist", {"month": 5}).json()["state"] == "shortlisted"
    assert staff.post(f"consultation/topics/{tid}/actions/shortlist", {"month": 5}).status_code == 409
    pid = staff.get("consultation/plans").json()[0]["id"]
    clock.set_to(CHAIR_DAY)
    r = staff.post(f"consultation/plans/{pid}/actions/approve_chair", {"date": "2026-03-26", "document": "纪要"})
    assert r.status_code == 422 and "date" in r.json()["fields"]
    r = staff.post(f"consultation/plans/{pid}/actions/approve_chair", {"date": CHAIR_DAY.isoformat(), "document": "纪要"})
    assert r.json()["state"] == "chair_approved"
    events = staff.get(f"consultation/plans/{pid}/events").json()
    assert [e["action"] for e in events][-1] == "plan.approve_chair"
    assert member.get(f"consultation/topics/{tid}/events").status_code == 200
    detail = staff.get(f"consultation/plans/{pid}").json()
    assert detail["topics"][0]["title"] == "<b>托育</b>" and detail["counts"]["shortlisted"] == 1
