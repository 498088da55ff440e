"""The plan and topic services: submitting (in one's own name, for a party/group or a special committee), the
call's deadline, shortlisting, merging, declining, withdrawing, the two approvals in order, scheduling a meeting,
every submitter hearing what became of their topic, the attendance written many rows at once."""

from __future__ import annotations

import datetime

import pytest

from xieshang.consultation import plan_selectors as psel
from xieshang.consultation import plan_services, services
from xieshang.consultation.models import ConsultationTopic, Meeting, TopicState
from xieshang.consultation.stats import meeting_statistics
from xieshang.consultation.tests.factories import TODAY, make_world
from xieshang.consultation.tests.plan_factories import (
    CHAIR_DAY, DEADLINE, MEETING_DAY, PARTY_DAY, approve, open_plan, submit, topic_data, topic_to,
)
from xieshang.core import clock
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid
from xieshang.core.models import DutyFact, Event, Notification, Organization, SpecialCommittee

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def test_the_call_opens_the_plan_and_reaches_the_members(w):
    plan = open_plan(w)
    assert plan.state == "draft" and plan.call.deadline == DEADLINE
    assert Notification.objects.filter(recipient=w.member, kind="topic.call").count() == 1
    assert Event.objects.filter(action="plan.create").count() == 1
    with pytest.raises(Invalid) as exc:  # the same year twice
        plan_services.plan_create(actor=w.staff, committee=w.committee, data={"year": 2026, "deadline": "2026-04-01"})
    assert exc.value.field_errors["year"]
    with pytest.raises(Invalid) as exc:
        plan_services.plan_create(actor=w.staff, committee=w.committee, data={"year": 2027, "deadline": "2026-03-01"})
    assert "deadline" in exc.value.field_errors
    with pytest.raises(Forbidden):
        plan_services.plan_create(actor=w.member, committee=w.committee, data={"year": 2027, "deadline": "2026-12-01"})


def test_sources_and_who_may_speak_for_them(w):
    open_plan(w)
    org = Organization.objects.create(committee=w.committee, name="民盟昌吉州委员会", kind="party")
    sc = SpecialCommittee.objects.create(committee=w.committee, name="教科卫体委员会")
    t = submit(w)
    assert t.source == "member" and t.member == w.member_row() and t.state == TopicState.SUBMITTED
    by_office = submit(w, w.staff, source="organization", organization=org.pk, sponsor=sc.pk)
    assert by_office.organization == org and by_office.sponsor == sc and by_office.member is None
    with pytest.raises(Forbidden):  # not a member of that party
        submit(w, w.member, source="organization", organization=org.pk)
    row = w.member_row()
    row.organization = org
    row.save()
    assert submit(w, w.member, source="organization", organization=org.pk).organization == org
    with pytest.raises(Forbidden):
        submit(w, w.member, source="special_committee", special_committee=sc.pk)
    row.special_committees.add(sc)
    assert submit(w, w.member, source="special_committee", special_committee=sc.pk).special_committee == sc
    with pytest.raises(Forbidden):  # the office has no member row: not in its own name
        submit(w, w.staff)
    with pytest.raises(Forbidden):
        submit(w, w.unit, source="organization", organization=org.pk)
    with pytest.raises(Invalid) as exc:
        submit(w, title="", reason="x" * 5000)
    assert set(exc.value.field_errors) >= {"title", "reason"}


def test_a_member_submits_until_the_deadline_the_office_after_it(w):
    open_plan(w)
    clock.set_to(DEADLINE + datetime.timedelta(days=1))
    with pytest.raises(Invalid) as exc:
        submit(w)
    assert exc.value.detail == "call_closed" and "2026-03-20" in str(exc.value.message)
    org = Organization.objects.create(committee=w.committee, name="工商联", kind="group")
    assert submit(w, w.staff, source="organization", organization=org.pk).year == 2026


def test_without_a_call_nobody_submits(w):
    with pytest.raises(Invalid) as exc:
        plan_services.topic_submit(actor=w.member, committee=w.committee, data=topic_data())
    assert exc.value.detail == "no_call"


def test_decline_merge_withdraw_tell_the_submitter(w):
    declined = topic_to("declined", w)
    assert declined.decline_reason and psel.outcome_of(declined)["text"].endswith("建议以提案形式提出。")
    assert Notification.objects.filter(recipient=w.member, kind="topic.declined").count() == 1
    merged = topic_to("merged", w)
    assert merged.state == "merged" and merged.merged_into.title == "发展普惠托育"
    assert "发展普惠托育" in psel.outcome_of(merged)["text"]
    assert Notification.objects.filter(recipient=w.member, kind="topic.merged").count() == 1
    withdrawn = topic_to("withdrawn", w)
    assert withdrawn.state == "withdrawn"
    with pytest.raises(IllegalTransition):
        plan_services.topic_withdraw(actor=w.member, topic=withdrawn)
    with pytest.raises(Invalid):  # not into a declined topic
        plan_services.topics_merge(actor=w.staff, into=declined, topics=[submit(w)])
    with pytest.raises(IllegalTransition):
        one = submit(w)
        plan_services.topics_merge(actor=w.staff, into=one, topics=[one])


def test_merging_a_topic_that_others_were_merged_into_moves_them_along(w):
    a, b, c = submit(w, title="甲"), submit(w, title="乙"), submit(w, title="丙")
    plan_services.topics_merge(actor=w.staff, into=b, topics=[a])
    plan_services.topics_merge(actor=w.staff, into=c, topics=[b])
    assert ConsultationTopic.objects.get(pk=a.pk).merged_into_id == c.pk


def test_the_approvals_in_order(w):
    t = submit(w)
    plan = t.plan
    clock.set_to(CHAIR_DAY)
    with pytest.raises(IllegalTransition) as exc:  # a topic still waits
        plan_services.plan_approve_chair(actor=w.staff, plan=plan, date=CHAIR_DAY.isoformat(), document="纪要1号")
    assert exc.value.detail == "topics_waiting"
    plan_services.topic_shortlist(actor=w.staff, topic=t, month=5)
    with pytest.raises(Invalid) as exc:  # in the future
        plan_services.plan_approve_chair(actor=w.staff, plan=plan, date="2026-03-26", document="纪要1号")
    assert exc.value.detail == "date_in_future"
    with pytest.raises(Invalid) as exc:  # before the call went out
        plan_services.plan_approve_chair(actor=w.staff, plan=plan, date="2026-02-01", document="纪要1号")
    assert exc.value.detail == "dates_out_of_order"
    plan_services.plan_approve_chair(actor=w.staff, plan=plan, date=CHAIR_DAY.isoformat(), document="纪要1号")
    with pytest.raises(IllegalTransition):  # decided topics no longer change
        plan_services.topic_act(actor=w.staff, topic=t, action="reconsider")
    clock.set_to(PARTY_DAY)
    with pytest.raises(Invalid) as exc:
        plan_services.plan_approve_party(actor=w.staff, plan=plan, date="2026-03-24", document="党办9号")
    assert exc.value.detail == "dates_out_of_order" and "date" in exc.value.field_errors
    plan = plan_services.plan_approve_party(actor=w.staff, plan=plan, date=PARTY_DAY.isoformat(), document="党办9号")
    assert plan.state == "approved" and plan.party_document == "党办9号"
    t.refresh_from_db()
    assert t.state == TopicState.APPROVED and "5" in psel.outcome_of(t)["text"]
    assert Notification.objects.filter(recipient=w.member, kind="topic.approved").count() == 1
    assert Event.objects.filter(action="topic.approve", object_id=str(t.pk)).count() == 1


def test_reopen_goes_back_to_the_draft(w):
    t = submit(w)
    plan_services.topic_shortlist(actor=w.staff, topic=t, month=4)
    clock.set_to(CHAIR_DAY)
    plan = plan_services.plan_approve_chair(actor=w.staff, plan=t.plan, date=CHAIR_DAY.isoformat(), document="纪要")
    plan = plan_services.plan_act(actor=w.staff, plan=plan, action="reopen")
    assert plan.state == "draft" and plan.chair_approved_on is None


def test_schedule_creates_the_meeting_and_the_outcome_reaches_the_submitter(w):
    t = topic_to("scheduled", w)
    m = t.meeting
    assert t.state == "scheduled" and m.kind == "consultation" and m.form == t.form and m.title == t.title
    assert m.invitations.count() == 2 and Event.objects.filter(action="meeting.create", object_id=str(m.pk)).exists()
    assert Notification.objects.filter(recipient=w.member, kind="topic.scheduled").count() == 1
    assert psel.outcome_of(t)["key"] == "scheduled"
    m = Meeting.objects.get(pk=m.pk)
    clock.set_to(MEETING_DAY - datetime.timedelta(days=20))
    services.meeting_notify(actor=w.staff, meeting=m)
    clock.set_to(MEETING_DAY)
    services.meeting_hold(actor=w.staff, meeting=m)
    services.outcome_report_add(actor=w.staff, meeting=m, data={"title": "托育协商成果", "text": "建议……",
                                                                "recipients": ["州委", "州政府"]})
    assert Notification.objects.filter(recipient=w.member, kind="topic.outcome").count() == 1
    rows = psel.my_topics(w.member, w.committee)
    assert rows[0]["outcome"]["key"] == "held" and rows[0]["outcome"]["reports"][0].title == "托育协商成果"


def test_schedule_refuses_bad_dates(w):
    t = topic_to("approved", w)
    for start, field in (("2026-04-01", "start_on"), ("2027-01-05", "start_on")):  # past; another year
        with pytest.raises(Invalid) as exc:
            plan_services.topic_schedule(actor=w.staff, topic=t, data={"start_on": start})
        assert field in exc.value.field_errors
    with pytest.raises(Invalid):
        plan_services.topic_schedule(actor=w.staff, topic=t, data={"start_on": "2026-06-02", "end_on": "2026-06-01"})
    assert ConsultationTopic.objects.get(pk=t.pk).state == "approved" and not Meeting.objects.exists()


def test_attendance_many_writes_the_facts_the_single_path_writes(w):
    clock.set_to(TODAY)
    from xieshang.consultation.tests.factories import walk_to

    a = walk_to("held", w)
    clock.set_to(TODAY)
    b = walk_to("held", w)
    members = [w.member_row().pk, w.member_row(w.other_member).pk]
    rows = [{"member": members[0], "status": "present", "half_days": 2}, {"member": members[1], "status": "absent"}]
    for row in rows:
        services.attendance_record(actor=w.staff, meeting=a, data=row)
    assert services.attendance_record_many(actor=w.staff, meeting=b, rows=rows) == 2

    def facts(m):
        return sorted(DutyFact.objects.filter(object_id=m.pk, kind__startswith="consultation.meeting")
                      .values_list("member_id", "kind", "quantity", "occurred_on"))

    assert facts(a) == facts(b) and len(facts(b)) == 2
    services.attendance_record_many(actor=w.staff, meeting=b, rows=[{"member": members[1], "status": "present"}])
    assert len(facts(b)) == 2 and dict((f[0], f[1]) for f in facts(b))[members[1]].endswith("present")
    with pytest.raises(Invalid):
        services.attendance_record_many(actor=w.staff, meeting=b, rows=[{"member": w.member_row(w.outsider).pk,
                                                                         "status": "present"}])
    with pytest.raises(Forbidden):
        services.attendance_record_many(actor=w.leader, meeting=b, rows=rows)


def test_statistics_count_topics(w):
    topic_to("declined", w)
    topic_to("withdrawn", w)
    org = Organization.objects.create(committee=w.committee, name="九三学社", kind="party")
    plan_services.topic_shortlist(actor=w.staff, topic=submit(w, w.staff, source="organization", organization=org.pk),
                                  month=6)
    topic_to("approved", w)
    stats = meeting_statistics(w.committee, 2026)
    assert stats["topics_received"] == 3 and stats["topics_approved"] == 2
    assert stats["topics_by_source"] == {"member": 2, "organization": 1, "special_committee": 0}
    assert meeting_statistics(w.committee, 2025)["topics_received"] == 0
