"""学习培训: courses, enrolment, attendance → the ledger's training facts (scored as `training`); the pages per
role, bad input kept, hostile text as text."""

import datetime

import pytest
from django.urls import reverse

from xieshang.core import clock
from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import DutyFact, Event
from xieshang.members import scoring, selectors, services
from xieshang.members.models import Course, Enrolment

from .factories import make_people
from .test_views import browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(committee):
    clock.set_to(datetime.date(2026, 4, 1))
    return make_people(committee)


def new_course(people, **kw):
    values = {"actor": people.staff, "committee": people.committee, "title": "新任委员履职培训班", "kind": "course",
              "held_on": "2026-04-20", "hours": "8", "place": "市委党校"}
    values.update(kw)
    return services.course_save(**values)


def test_course_enrol_attendance_facts(people):
    course = new_course(people)
    assert services.enrol(actor=people.staff, committee=people.committee, course=course.pk,
                          member_ids=[people.member.pk, people.other.pk]) == 2
    assert services.enrol(actor=people.member_user, committee=people.committee, course=course.pk) == 0
    services.attendance_record(actor=people.staff, committee=people.committee, course=course.pk,
                               present_ids=[people.member.pk])
    fact = DutyFact.objects.get(kind="members.training")
    assert fact.member == people.member and fact.quantity == 2 and fact.occurred_on == datetime.date(2026, 4, 20)
    assert scoring.from_ledger([fact])[0][0].kind == "training"
    assert Enrolment.objects.get(member=people.other).attended is False
    # attendance corrected: the fact moves; the course's hours changed: the fact follows
    services.attendance_record(actor=people.staff, committee=people.committee, course=course.pk,
                               present_ids=[people.other.pk])
    new_course(people, course=Course.objects.get(), hours="4")
    assert list(DutyFact.objects.values_list("member_id", "quantity")) == [(people.other.pk, 1)]
    assert Event.objects.filter(action__startswith="course.").count() == 5  # enrolling again: no event


def test_refusals(people):
    for user in (people.leader, people.member_user):
        with pytest.raises(Forbidden):
            new_course(people, actor=user)
    with pytest.raises(Invalid) as exc:
        new_course(people, title=" ", kind="x", held_on="soon", hours="0.25")
    assert set(exc.value.field_errors) == {"title", "kind", "held_on", "hours"}
    course = new_course(people)
    with pytest.raises(Forbidden):
        services.enrol(actor=people.member_user, committee=people.committee, course=course.pk,
                       member_ids=[people.other.pk])
    with pytest.raises(NotFound):
        services.enrol(actor=people.leader, committee=people.committee, course=course.pk)
    with pytest.raises(Forbidden):
        services.attendance_record(actor=people.leader, committee=people.committee, course=course.pk,
                                   present_ids=[])
    clock.set_to(datetime.date(2026, 4, 21))
    with pytest.raises(Invalid):
        services.enrol(actor=people.member_user, committee=people.committee, course=course.pk)
    with pytest.raises(NotFound):
        selectors.course_get(people.unit, people.committee, course.pk)


def test_pages(people):
    course = new_course(people, title="<script>x</script>学习")
    for user in (people.staff, people.leader, people.member_user):
        html = browser(user).get(reverse("members:courses") + "?year=2026").content.decode()
        assert 'data-testid="course"' in html and "<script>x</script>" not in html
    assert browser(people.unit).get(reverse("members:courses")).status_code == 404
    me = browser(people.member_user)
    assert me.post(reverse("members:course", args=[course.pk]), {"op": "enrol_me"}).status_code == 302
    html = me.get(reverse("members:course", args=[course.pk])).content.decode()
    assert 'data-testid="attendance-form"' not in html and 'data-testid="my-enrolment"' in html
    assert me.post(reverse("members:course", args=[course.pk]), {"op": "attendance",
                                                                 "present": [people.member.pk]}).status_code == 403
    staff = browser(people.staff)
    html = staff.get(reverse("members:course", args=[course.pk])).content.decode()
    assert html.count('data-testid="enrolment"') == 1 and 'data-testid="enrol-form"' in html
    assert staff.post(reverse("members:course", args=[course.pk]), {"op": "attendance",
                                                                    "present": [people.member.pk]}).status_code == 302
    assert DutyFact.objects.filter(member=people.member, kind="members.training").count() == 1
    bad = staff.post(reverse("members:courses"), {"title": "<b>读书会</b>", "kind": "study", "held_on": "2026-05-01",
                                                  "hours": "abc"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "&lt;b&gt;读书会&lt;/b&gt;" in html and 'value="abc"' in html and 'value="study" selected' in html
