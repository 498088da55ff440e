"""Factories for the plan and topic tests, and `topic_to`: a topic brought to any state through the services.

    w = make_world()                 # (factories.make_world) committee, staff, admin, leader, unit, three members
    plan = open_plan(w)              # the 2026 plan, its call open until 2026-03-20 (today is 2026-03-02)
    topic = submit(w)                # w.member's topic (thematic, in their own name)
    topic = topic_to("scheduled", w) # through shortlist, both approvals and scheduling
"""

from __future__ import annotations

import datetime

from xieshang.consultation import plan_services
from xieshang.consultation.models import ConsultationPlan, ConsultationTopic
from xieshang.consultation.tests.factories import TODAY, World
from xieshang.core import clock

DEADLINE = datetime.date(2026, 3, 20)
CHAIR_DAY = datetime.date(2026, 3, 25)
PARTY_DAY = datetime.date(2026, 4, 2)
MEETING_DAY = datetime.date(2026, 5, 12)


def open_plan(w: World, year: int = 2026) -> ConsultationPlan:
    found = ConsultationPlan.objects.filter(committee=w.committee, year=year).first()
    if found is not None:
        return found
    return plan_services.plan_create(actor=w.staff, committee=w.committee, data={
        "year": year, "deadline": DEADLINE.isoformat(), "text": "请于3月20日前报送协商议题。"})


def topic_data(**fields) -> dict:
    return {"title": "加快普惠托育服务体系建设", "reason": "托育服务供给不足，群众关注。", "form": "thematic",
            "source": "member", **fields}


def submit(w: World, user=None, **fields) -> ConsultationTopic:
    open_plan(w)
    return plan_services.topic_submit(actor=user or w.member, committee=w.committee, data=topic_data(**fields))


def approve(w: World, plan) -> None:
    clock.set_to(CHAIR_DAY)
    plan_services.plan_approve_chair(actor=w.staff, plan=plan, date=CHAIR_DAY.isoformat(), document="主席会议纪要〔2026〕3号")
    clock.set_to(PARTY_DAY)
    plan_services.plan_approve_party(actor=w.staff, plan=plan, date=PARTY_DAY.isoformat(), document="昌州党办〔2026〕9号")


def topic_to(state: str, w: World, topic: ConsultationTopic | None = None) -> ConsultationTopic:
    """submitted, shortlisted, approved, scheduled, declined, merged, withdrawn."""
    clock.set_to(TODAY)
    topic = topic or submit(w)
    if state == "declined":
        plan_services.topic_decline(actor=w.staff, topic=topic, reason="建议以提案形式提出。")
    elif state == "merged":
        other = submit(w, w.other_member, title="发展普惠托育")
        plan_services.topics_merge(actor=w.staff, into=other, topics=[topic])
    elif state == "withdrawn":
        plan_services.topic_withdraw(actor=w.member, topic=topic)
    elif state in ("shortlisted", "approved", "scheduled"):
        plan_services.topic_shortlist(actor=w.staff, topic=topic, month=5)
        if state != "shortlisted":
            approve(w, topic.plan)
        if state == "scheduled":
            topic.refresh_from_db()
            plan_services.topic_schedule(actor=w.staff, topic=topic, data={
                "start_on": MEETING_DAY.isoformat(), "half_days": 1, "place": "州政协三楼会议室",
                "members": [w.member_row().pk, w.member_row(w.other_member).pk]})
    topic.refresh_from_db()
    return topic
