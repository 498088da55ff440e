"""The members app's writes through the API: a leader's adjustment, the non-performance procedure and training
(courses, enrolment, attendance) — who may (role × action), what is refused with which code, what is written."""

import datetime

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.core.models import DutyFact, Event
from xieshang.core.tests.factories import CommitteeFactory, MemberFactory, TermFactory
from xieshang.members.models import Enrolment, ProcedureStep, ScoreAdjustment

from .factories import make_people

pytestmark = pytest.mark.django_db
ROLES = ("staff", "admin", "leader", "unit", "member_user")


@pytest.fixture
def people(committee):
    clock.set_to(datetime.date(2026, 12, 1))  # before the courses' day (a member enrols until the day)
    return make_people(committee)


def api(people, role):
    return ApiClient(issue_token(getattr(people, role)))


@pytest.mark.parametrize("role", ROLES)
def test_adjustment_leaders_only(people, role):
    body = {"year": 2026, "points": 5, "reason": "重点提案获评优秀"}
    answer = api(people, role).post(f"/api/v1/members/{people.member.pk}/duty/adjustments", body)
    if role == "leader":
        assert answer.status_code == 201 and answer.json()["points"] == 5
        assert ScoreAdjustment.objects.get().reason == "重点提案获评优秀"
    else:
        assert answer.status_code == 403 and not ScoreAdjustment.objects.exists()


def test_adjustment_refusals(people):
    leader = api(people, "leader")
    url = f"/api/v1/members/{people.member.pk}/duty/adjustments"
    assert leader.post(url, {"year": 2026, "points": 0, "reason": "x"}).status_code == 422
    assert leader.post(url, {"year": 2026, "points": 101, "reason": "x"}).status_code == 422
    assert leader.post(url, {"year": 2026, "points": 3, "reason": " "}).status_code == 422
    other = CommitteeFactory()
    TermFactory(committee=other)
    stranger = MemberFactory(committee=other)
    assert leader.post(f"/api/v1/members/{stranger.pk}/duty/adjustments",
                       {"year": 2026, "points": 3, "reason": "x"}).status_code == 404
    assert not ScoreAdjustment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_procedure_office_only_in_order(people, role):
    url = f"/api/v1/members/{people.member.pk}/duty/procedure"
    client = api(people, role)
    talk = client.post(url, {"year": 2026, "step": "talk", "taken_on": "2026-07-02", "note": "谈话提醒"})
    if role not in ("staff", "admin"):
        assert talk.status_code == 403 and not ProcedureStep.objects.exists()
        return
    assert talk.status_code == 201 and talk.json()["step"] == "talk"
    again = client.post(url, {"year": 2026, "step": "talk", "taken_on": "2026-07-03", "note": "x"})
    assert again.status_code == 422 and "step" in str(again.json())
    skip = client.post(url, {"year": 2026, "step": "resign", "taken_on": "2026-07-03", "note": "x"})
    assert skip.status_code == 422
    assert client.post(url, {"year": 2026, "step": "notice", "taken_on": "2026-08-01", "note": "通报"}).status_code == 201
    assert list(ProcedureStep.objects.values_list("step", flat=True).order_by("id")) == ["talk", "notice"]
    assert Event.objects.filter(action="duty_procedure.record").count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_course_add_office_only_and_who_reads(people, role):
    body = {"title": "委员履职能力提升培训班", "kind": "course", "held_on": "2026-12-20", "hours": 8, "place": "州党校"}
    made = api(people, role).post("/api/v1/training/courses", body)
    if role in ("staff", "admin"):
        assert made.status_code == 201 and made.json()["enrolled"] == 0
    else:
        assert made.status_code == 403
        made = api(people, "staff").post("/api/v1/training/courses", body)
    listed = api(people, role).get("/api/v1/training/courses?year=2026")
    if role == "unit":
        assert listed.status_code == 404
    else:
        assert listed.status_code == 200 and [c["title"] for c in listed.json()] == ["委员履职能力提升培训班"]


def test_enrol_attend_and_the_training_fact(people):
    staff, member = api(people, "staff"), api(people, "member_user")
    course = staff.post("/api/v1/training/courses", {"title": "学习研讨班", "kind": "study",
                                                     "held_on": "2026-12-20", "hours": 8}).json()["id"]
    assert staff.post("/api/v1/training/courses", {"title": "x", "held_on": "2026-12-20", "hours": 0}).status_code == 422
    assert member.post(f"/api/v1/training/courses/{course}/enrol", {"members": [people.other.pk]}).status_code == 403
    mine = member.post(f"/api/v1/training/courses/{course}/enrol", {})
    assert mine.status_code == 200 and [e["member"] for e in mine.json()["enrolments"]] == [people.member.pk]
    both = staff.post(f"/api/v1/training/courses/{course}/enrol", {"members": [people.other.pk]}).json()
    assert {e["member"] for e in both["enrolments"]} == {people.member.pk, people.other.pk}
    seen = member.get(f"/api/v1/training/courses/{course}").json()  # a member sees only their own enrolment
    assert [e["member"] for e in seen["enrolments"]] == [people.member.pk]
    assert member.post(f"/api/v1/training/courses/{course}/attendance", {"present": [people.member.pk]}).status_code == 403
    done = staff.post(f"/api/v1/training/courses/{course}/attendance", {"present": [people.member.pk]}).json()
    assert done["attendance_taken"] is True
    assert {e["member"]: e["attended"] for e in done["enrolments"]} == {people.member.pk: True, people.other.pk: False}
    assert list(DutyFact.objects.filter(kind="members.training").values_list("member_id", flat=True)) == [people.member.pk]
    assert Enrolment.objects.count() == 2
    assert staff.get("/api/v1/training/courses/999999").status_code == 404
    assert datetime.date(2026, 12, 20) == DutyFact.objects.get(kind="members.training").occurred_on
