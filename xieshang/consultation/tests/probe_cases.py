"""Meetings in the probe's access matrix (core/tests/test_probe_matrix.py; the world: core/tests/probe.py, whose
build_consultation calls `build` below).

Objects: consultation.planned (the office's and leaders' only) and consultation.notified (the probe's member
invited). The office (staff, administrators) and leaders read every meeting; a member the meetings they are invited
to once the notice is out; units none. The list is for the office and leaders; "my meetings" and the code page for
members. The desk's writes are the office's: a leader or an invited member who posts gets 403.
"""

from xieshang.core.tests.probe import OFFICE, Creator, Endpoint, Page

NOBODY = frozenset()
READERS = OFFICE | {"leader"}
ME = frozenset({"member"})
SEEN_NOT_OFFICE = (("leader", 403), ("member", 403))
NOT_INVITED = (("staff", 403), ("admin", 403), ("leader", 403))  # they see the meeting; only the invited sign up

PAGES = [
    Page("consultation:meetings", ok=READERS),
    Page("consultation:meeting_new", ok=OFFICE),
    Page("consultation:mine", ok=ME),
    Page("consultation:sign_in", ok=ME),
    Page("consultation:meeting", obj="missing", ok=NOBODY),
    Page("consultation:meeting_edit", obj="missing", ok=NOBODY),
    Page("consultation:notice_docx", obj="missing", ok=NOBODY),
    Page("consultation:minutes_docx", obj="missing", ok=NOBODY),
    Page("consultation:minutes_docx", obj="consultation.notified", ok=NOBODY),  # no minutes yet: 404 for all
    Page("consultation:leave", obj="missing", ok=NOBODY),
    Page("consultation:meeting_act", obj="missing", args=(("action", "notify"),), ok=NOBODY, method="post"),
    Page("consultation:attendance", obj="missing", ok=NOBODY, method="post"),
    Page("consultation:leave_decide", obj="missing", args=(("leave_id", "@missing"),), ok=NOBODY, method="post"),
    Page("consultation:speech_add", obj="missing", ok=NOBODY, method="post"),
    Page("consultation:outcome_add", obj="missing", ok=NOBODY, method="post"),
    Page("consultation:feedback", obj="missing", ok=NOBODY, method="post"),
    Page("consultation:sign_up", obj="missing", ok=NOBODY, method="post"),
    Page("consultation:meeting", obj="consultation.planned", ok=READERS),
    Page("consultation:meeting", obj="consultation.notified", ok=READERS | ME),
    Page("consultation:meeting_edit", obj="consultation.planned", ok=OFFICE, status=(("leader", 403),)),
    Page("consultation:notice_docx", obj="consultation.notified", ok=READERS | ME),
    Page("consultation:notice_docx", obj="consultation.planned", ok=READERS),
    Page("consultation:attendance", obj="consultation.notified", ok=OFFICE, method="post", status=SEEN_NOT_OFFICE),
    Page("consultation:speech_add", obj="consultation.notified", ok=OFFICE, method="post", status=SEEN_NOT_OFFICE),
    Page("consultation:meeting_act", obj="consultation.notified", args=(("action", "hold"),), ok=OFFICE,
         method="post", status=SEEN_NOT_OFFICE),
    Page("consultation:meeting_act", obj="consultation.planned", args=(("action", "notify"),), ok=OFFICE,
         method="post", status=(("leader", 403),)),
    Page("consultation:sign_up", obj="consultation.notified", ok=ME, method="post", status=NOT_INVITED),
    Page("consultation:leave", obj="consultation.notified", ok=ME, status=NOT_INVITED),
    # The year's plan and its topics: the office and leaders read them; a submitter their own topic
    Page("consultation:plan", ok=READERS),
    Page("consultation:topics", ok=READERS),
    Page("consultation:my_topics", ok=OFFICE | ME),
    Page("consultation:topic_new", ok=OFFICE | ME),
    Page("consultation:plan_new", ok=OFFICE, method="post"),
    Page("consultation:topic", obj="consultation.topic", ok=READERS | ME),
    Page("consultation:topic", obj="missing", ok=NOBODY),
    Page("consultation:topic_act", obj="consultation.topic", args=(("action", "shortlist"),), ok=OFFICE,
         method="post", status=SEEN_NOT_OFFICE),
    Page("consultation:topic_act", obj="missing", args=(("action", "shortlist"),), ok=NOBODY, method="post"),
    Page("consultation:plan_docx", obj="consultation.plan", ok=READERS),
    Page("consultation:plan_docx", obj="missing", ok=NOBODY),
    Page("consultation:plan_act", obj="consultation.plan", args=(("action", "approve_chair"),), ok=OFFICE,
         method="post", status=(("leader", 403),)),
    Page("consultation:plan_act", obj="missing", args=(("action", "approve_chair"),), ok=NOBODY, method="post"),
]

API = [Endpoint("/api/v1/meetings"), Endpoint("/api/v1/consultation/topics"), Endpoint("/api/v1/consultation/plans")]
for path in ("/api/v1/consultation/topics/{id}", "/api/v1/consultation/topics/{id}/events"):
    API += [Endpoint(path, obj="consultation.topic", ok=READERS | ME), Endpoint(path, obj="missing", ok=NOBODY)]
for path in ("/api/v1/consultation/plans/{id}", "/api/v1/consultation/plans/{id}/events"):
    API += [Endpoint(path, obj="consultation.plan", ok=READERS), Endpoint(path, obj="missing", ok=NOBODY)]
API += [Endpoint("/api/v1/meetings/{id}/minutes.docx", obj=obj, ok=NOBODY)  # no minutes yet: 404 for all
        for obj in ("consultation.notified", "missing")]
for path in ("/api/v1/meetings/{id}", "/api/v1/meetings/{id}/events", "/api/v1/meetings/{id}/notice.docx"):
    API += [
        Endpoint(path, obj="consultation.planned", ok=READERS),
        Endpoint(path, obj="consultation.notified", ok=READERS | ME),
        Endpoint(path, obj="missing", ok=NOBODY),
    ]


def build(world) -> None:
    """A planned meeting and a notified one inviting the probe's member (for core/tests/probe.py)."""
    import datetime

    from xieshang.consultation import services
    from xieshang.core import clock

    day = (clock.today() + datetime.timedelta(days=40)).isoformat()
    data = {"kind": "consultation", "form": "thematic", "title": "探针：专题协商会", "start_on": day,
            "members": [world.objects["core.member"].pk]}
    planned = services.meeting_create(actor=world.users["staff"], committee=world.committee, data=data)
    notified = services.meeting_create(actor=world.users["staff"], committee=world.committee, data=data)
    services.meeting_notify(actor=world.users["staff"], meeting=notified)
    world.objects.update({"consultation.planned": planned, "consultation.notified": notified})
    from xieshang.consultation import plan_services

    plan = plan_services.plan_create(actor=world.users["staff"], committee=world.committee, data={
        "year": clock.today().year, "deadline": (clock.today() + datetime.timedelta(days=20)).isoformat()})
    topic = plan_services.topic_submit(actor=world.users["member"], committee=world.committee, data={
        "title": "探针：协商议题", "reason": "理由", "form": "thematic", "source": "member"})
    world.objects.update({"consultation.plan": plan, "consultation.topic": topic})


# --- Hostile input (core/tests/test_probe_hostile.py) ---------------------------------------------------------


def _meeting(world, text):
    import datetime

    from xieshang.consultation import services
    from xieshang.core import clock

    return services.meeting_create(actor=world.users["staff"], committee=world.committee, data={
        "kind": "consultation", "form": "sector", "title": text[:120], "place": text[:120], "notice": text[:4000],
        "start_on": (clock.today() + datetime.timedelta(days=30)).isoformat()})


def _meeting_pages(world, meeting):
    from django.urls import reverse

    return [("staff", reverse("consultation:meeting", args=[meeting.pk]), "html"),
            ("staff", reverse("consultation:meetings"), "html"),
            ("staff", reverse("consultation:meetings") + "?format=xlsx", "xlsx"),
            ("staff", reverse("consultation:notice_docx", args=[meeting.pk]), "docx"),
            ("staff", f"/api/v1/meetings/{meeting.pk}", "json")]


def _topic(world, text):
    import datetime

    from xieshang.consultation import plan_services
    from xieshang.consultation.models import ConsultationPlan
    from xieshang.core import clock

    year = clock.today().year
    if not ConsultationPlan.objects.filter(committee=world.committee, year=year).exists():
        plan_services.plan_create(actor=world.users["staff"], committee=world.committee, data={
            "year": year, "deadline": (clock.today() + datetime.timedelta(days=20)).isoformat(), "text": text[:4000]})
    return plan_services.topic_submit(actor=world.users["member"], committee=world.committee, data={
        "title": text[:120], "reason": text[:3000], "form": "sector", "source": "member"})


def _topic_pages(world, topic):
    from django.urls import reverse

    return [("staff", reverse("consultation:topic", args=[topic.pk]), "html"),
            ("staff", reverse("consultation:topics"), "html"),
            ("staff", reverse("consultation:topics") + "?format=xlsx", "xlsx"),
            ("staff", reverse("consultation:plan") + f"?year={topic.year}", "html"),
            ("member", reverse("consultation:my_topics"), "html"),
            ("staff", f"/api/v1/consultation/topics/{topic.pk}", "json")]


CREATORS = [Creator("consultation.meeting", _meeting, _meeting_pages),
            Creator("consultation.topic", _topic, _topic_pages)]
