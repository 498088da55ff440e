"""The liaison app in the probe's access matrix (core/tests/test_probe_matrix.py; the world: core/tests/probe.py).

The office (staff, administrators) and leaders read every report, rule, task, visit and suggestion; members and
handling units see none (404, the same as missing). The registers' writes are the office's; leaders approve
reports and record their own visits. The probe's world builds no liaison objects: object pages are declared on
"missing" (the same 404 for everybody); the app's own tests cover the objects (tests/test_permissions.py).
"""

from xieshang.core.tests.probe import OFFICE, Creator, Endpoint, Page

NOBODY = frozenset()
READERS = OFFICE | {"leader"}
LEADER = frozenset({"leader"})

PAGES = [
    Page("liaison:reports", ok=READERS),
    Page("liaison:approvals", ok=LEADER),
    Page("liaison:report_new", ok=OFFICE),
    Page("liaison:register_docx", ok=READERS),
    Page("liaison:rules", ok=READERS),
    Page("liaison:rule_new", ok=OFFICE),
    Page("liaison:tasks", ok=READERS),
    Page("liaison:task_new", ok=OFFICE),
    Page("liaison:visits", ok=READERS),
    Page("liaison:my_visits", ok=LEADER),
    Page("liaison:visit_new", ok=READERS),
    Page("liaison:suggestions", ok=READERS),
    Page("liaison:report", obj="missing", ok=NOBODY),
    Page("liaison:report_docx", obj="missing", ok=NOBODY),
    Page("liaison:report_act", obj="missing", args=(("action", "submit"),), ok=NOBODY, method="post"),
    Page("liaison:rule", obj="missing", ok=NOBODY),
    Page("liaison:rule_revise", obj="missing", ok=NOBODY, method="post"),
    Page("liaison:rule_file", obj="missing", args=(("attachment_id", "@missing"),), ok=NOBODY),
    Page("liaison:task", obj="missing", ok=NOBODY),
    Page("liaison:task_act", obj="missing", args=(("action", "note"),), ok=NOBODY, method="post"),
    Page("liaison:visit", obj="missing", ok=NOBODY),
    Page("liaison:visit_edit", obj="missing", ok=NOBODY),
    Page("liaison:suggestion_add", obj="missing", ok=NOBODY, method="post"),
    Page("liaison:suggestion_act", obj="missing", args=(("action", "convert"),), ok=NOBODY, method="post"),
]

API = [
    Endpoint("/api/v1/liaison/reports"),  # empty for those who see none
    Endpoint("/api/v1/liaison/rules"),
    Endpoint("/api/v1/liaison/tasks"),
    Endpoint("/api/v1/liaison/visits"),
    Endpoint("/api/v1/liaison/stats", ok=READERS),
    Endpoint("/api/v1/liaison/reports/register.docx", ok=READERS),
]
for path in ("/api/v1/liaison/reports/{id}", "/api/v1/liaison/reports/{id}/events",
             "/api/v1/liaison/reports/{id}/document.docx", "/api/v1/liaison/rules/{id}",
             "/api/v1/liaison/rules/{id}/events", "/api/v1/liaison/tasks/{id}", "/api/v1/liaison/tasks/{id}/events",
             "/api/v1/liaison/visits/{id}", "/api/v1/liaison/visits/{id}/events", "/api/v1/liaison/suggestions/{id}",
             "/api/v1/liaison/suggestions/{id}/events"):
    API.append(Endpoint(path, obj="missing", ok=NOBODY))


def _report(world, text):
    from xieshang.liaison import services

    return services.report_create(actor=world.users["staff"], committee=world.committee, data={
        "kind": "special", "title": text[:120], "body": text[:20000]})


def _report_pages(world, report):
    from django.urls import reverse

    return [("staff", reverse("liaison:report", args=[report.pk]), "html"),
            ("staff", reverse("liaison:reports"), "html"),
            ("staff", reverse("liaison:reports") + "?format=xlsx", "xlsx"),
            ("staff", reverse("liaison:report_docx", args=[report.pk]), "docx"),
            ("staff", f"/api/v1/liaison/reports/{report.pk}", "json")]


def _visit(world, text):
    from xieshang.core import clock
    from xieshang.liaison import services

    return services.visit_create(actor=world.users["leader"], committee=world.committee, data={
        "date": clock.today().isoformat(), "place": text[:120], "subject": text[:120], "heard": text[:4000],
        "people": [{"kind": "entrepreneur", "name": text[:60]}], "suggestions": [text[:1500]]})


def _visit_pages(world, visit):
    from django.urls import reverse

    return [("leader", reverse("liaison:visit", args=[visit.pk]), "html"),
            ("staff", reverse("liaison:visits"), "html"),
            ("staff", reverse("liaison:visits") + "?format=xlsx", "xlsx"),
            ("staff", f"/api/v1/liaison/visits/{visit.pk}", "json")]


CREATORS = [Creator("liaison.report", _report, _report_pages), Creator("liaison.visit", _visit, _visit_pages)]
