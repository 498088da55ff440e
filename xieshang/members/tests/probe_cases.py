"""Members' duty in the probe's access matrix (core/tests/test_probe_matrix.py; the world: core/tests/probe.py).

Objects: core.member (the probe member's own Member row). The world has no object whose id is a year, so the
rules' paths are probed with the "missing" id (a year out of range: 404 for everybody); who may read the rules
of a real year is tested in test_api.py (office 200, everybody else 404).
"""

from xieshang.core.tests.probe import OFFICE, Creator, Endpoint, Page

NOBODY = frozenset()
READERS = OFFICE | {"leader"}

ME = frozenset({"member"})

PAGES = [
    Page("members:my_duty", ok=ME),  # only a member of the committee has a duty record
    Page("members:member_duty", obj="core.member", ok=READERS | ME),
    Page("members:member_duty", obj="missing", ok=NOBODY),
    Page("members:rules", ok=OFFICE),
    Page("members:rules_xlsx", args=(("year", 2026),), ok=OFFICE),
    Page("members:rules_json", args=(("year", 2026),), ok=OFFICE),
    Page("members:list", ok=READERS),
    # POST only: the refused roles get 403 from the service (the probe member is of the committee)
    Page("members:fact_add", obj="core.member", method="post", ok=OFFICE, denied=403),
    Page("members:adjust", obj="core.member", method="post", ok=frozenset({"leader"}), denied=403),
    # a fact id nobody has: 404 for everybody (a member's query about their own fact: test_hand.py)
    Page("members:fact_query", args=(("fact_id", 999999),), method="post", ok=NOBODY),
    Page("members:fact_attachment", args=(("pk", 999999), ("attachment_id", 999999)), ok=NOBODY),
    Page("members:fact_remove", args=(("pk", 999999),), method="post", ok=NOBODY),
    Page("members:alerts", ok=OFFICE),
    Page("members:queries", ok=OFFICE),
    Page("members:procedure", obj="core.member", method="post", ok=OFFICE, denied=403),
    Page("members:courses", ok=READERS | ME),
    Page("members:course", args=(("pk", 999999),), ok=NOBODY),  # a course of the committee: test_training.py
    Page("members:duty_docx", obj="core.member", ok=READERS | ME),
    Page("members:duty_docx", obj="missing", ok=NOBODY),
    Page("members:duty_reports", method="post", ok=READERS),
]

API = [
    Endpoint("/api/v1/members/{id}/duty", obj="core.member", ok=READERS | {"member"}),
    Endpoint("/api/v1/members/{id}/duty", obj="missing", ok=NOBODY),
    Endpoint("/api/v1/duty/rules/{year}", args=(("year", "@missing"),), ok=NOBODY),
    Endpoint("/api/v1/duty/rules/{year}/table.xlsx", args=(("year", "@missing"),), ok=NOBODY),
    Endpoint("/api/v1/duty/scores", ok=READERS),
    Endpoint("/api/v1/duty/alerts", ok=OFFICE),
    Endpoint("/api/v1/duty/queries", ok=OFFICE),
    Endpoint("/api/v1/training/courses", ok=READERS | ME),
    Endpoint("/api/v1/training/courses/{id}", obj="missing", ok=NOBODY),
]

def _rules(world, text):
    """A rule set whose band and category are named with the hostile text (refused above 60 characters)."""
    from xieshang.members import selectors, services

    staff = world.users["staff"]
    version = selectors.duty_rules_get(staff, world.committee, 2026).version
    document = {"base": 0, "bands": [{"name": text, "min": None}],
                "categories": [{"name": text, "items": [{"kind": "activity", "points": 1, "per": "item"}]}]}
    return services.duty_rules_put(actor=staff, committee=world.committee, year=2026, document=document,
                                   version=version)


def _rules_pages(world, row):
    from django.urls import reverse

    return [("staff", reverse("members:rules") + "?year=2026", "html"),
            ("staff", reverse("members:rules_xlsx", args=[2026]), "xlsx"),
            ("staff", "/api/v1/duty/rules/2026", "json"),
            ("member", reverse("members:my_duty") + "?year=2026", "html"),
            ("staff", reverse("members:member_duty", args=[world.objects["core.member"].pk]) + "?year=2026", "html")]


def _hand_fact(world, text):
    """A fact added by hand whose reason is the hostile text (cut to 500 characters), and an adjustment whose
    reason is it too."""
    import datetime

    from xieshang.members import services

    member = world.objects["core.member"]
    services.score_adjust(actor=world.users["leader"], committee=world.committee, member=member.pk, year=2026,
                          points="1", reason=text[:500])
    return services.manual_fact_add(actor=world.users["staff"], committee=world.committee, member=member.pk,
                                    kind="public_service", quantity="1", occurred_on=datetime.date(2026, 3, 1),
                                    note=text[:500])


def _hand_pages(world, row):
    from django.urls import reverse

    return [("staff", reverse("members:member_duty", args=[row.member_id]) + "?year=2026", "html"),
            ("leader", reverse("members:list") + "?year=2026", "html"),
            ("leader", reverse("members:list") + "?year=2026&format=xlsx", "xlsx"),
            ("member", reverse("members:my_duty") + "?year=2026", "html"),
            ("staff", f"/api/v1/members/{row.member_id}/duty?year=2026", "json"),
            ("member", reverse("members:duty_docx", args=[row.member_id]) + "?year=2026", "docx")]


def _course(world, text):
    """A course titled and placed with the hostile text (cut to 120 characters), the probe member enrolled."""
    import datetime

    from xieshang.members import services

    staff = world.users["staff"]
    course = services.course_save(actor=staff, committee=world.committee, title=text[:120], kind="study",
                                  held_on=datetime.date(2026, 3, 1), hours="3", place=text[:120])
    services.enrol(actor=staff, committee=world.committee, course=course.pk,
                   member_ids=[world.objects["core.member"].pk])
    return course


def _course_pages(world, row):
    from django.urls import reverse

    return [("staff", reverse("members:courses") + "?year=2026", "html"),
            ("staff", reverse("members:course", args=[row.pk]), "html"),
            ("member", reverse("members:course", args=[row.pk]), "html")]


CREATORS = [Creator("members.rules", _rules, _rules_pages), Creator("members.hand_fact", _hand_fact, _hand_pages),
            Creator("members.course", _course, _course_pages)]
