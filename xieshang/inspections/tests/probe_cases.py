"""Inspections, democratic supervision and special supervisors in the probe's access matrix
(core/tests/test_probe_matrix.py). The probe's world builds no inspection yet (core/tests/probe.py is core's), so the
object pages are declared on a missing object (the same 404 for everybody); the lists: the office (staff,
administrators) and leaders; "my inspections and teams": members and leaders; the creating pages: the office.
The app's own tests (test_permissions.py, test_views.py) cover the objects role by role.
"""

from xieshang.core.tests.probe import OFFICE, Creator, Endpoint, Page

NOBODY = frozenset()
READERS = OFFICE | {"leader"}

PAGES = [
    Page("inspections:board", ok=READERS),
    Page("inspections:plan_docx", args=(("year", 2026),), ok=READERS),
    Page("inspections:inspections", ok=READERS),
    Page("inspections:inspection_new", ok=OFFICE),
    Page("inspections:supervision", ok=READERS),
    Page("inspections:supervision_new", ok=OFFICE),
    Page("inspections:supervisors", ok=READERS),
    Page("inspections:supervisor_new", ok=OFFICE),
    Page("inspections:mine", ok=frozenset({"member", "leader"})),
]
for name in ("inspections:inspection", "inspections:inspection_edit", "inspections:report_docx",
             "inspections:supervision_item", "inspections:supervision_edit", "inspections:supervisor",
             "inspections:supervisor_edit"):
    PAGES.append(Page(name, obj="missing", ok=NOBODY))
for name in ("inspections:inspection_act", "inspections:supervision_act"):
    PAGES.append(Page(name, obj="missing", args=(("action", "start"),), ok=NOBODY, method="post"))
PAGES.append(Page("inspections:supervisor_report", obj="missing", ok=NOBODY, method="post"))
# The plan's approval: the office records it; a leader reads the board but may not (403); others: no such page.
PAGES.append(Page("inspections:plan_approval", args=(("year", 2026),), ok=OFFICE, method="post",
                  status=(("leader", 403),)))
for prefix in ("inspection", "supervision"):  # the files of an item nobody may see: the same 404
    PAGES.append(Page(f"inspections:{prefix}_file_add", obj="missing", ok=NOBODY, method="post"))
    PAGES.append(Page(f"inspections:{prefix}_file", obj="missing", args=(("attachment_id", "@missing"),), ok=NOBODY))
    PAGES.append(Page(f"inspections:{prefix}_file_remove", obj="missing", args=(("attachment_id", "@missing"),),
                      ok=NOBODY, method="post"))

API = [Endpoint("/api/v1/consultation/inspections"), Endpoint("/api/v1/consultation/supervision"),
       Endpoint("/api/v1/consultation/special-supervisors")]
for path in ("/api/v1/consultation/inspections/{id}", "/api/v1/consultation/inspections/{id}/events",
             "/api/v1/consultation/supervision/{id}", "/api/v1/consultation/supervision/{id}/events",
             "/api/v1/consultation/special-supervisors/{id}", "/api/v1/consultation/inspections/{id}/files",
             "/api/v1/consultation/supervision/{id}/files"):
    API.append(Endpoint(path, obj="missing", ok=NOBODY))
for path in ("/api/v1/consultation/inspections/{id}/files/{file_id}",
             "/api/v1/consultation/supervision/{id}/files/{file_id}"):
    API.append(Endpoint(path, obj="missing", args=(("file_id", "@missing"),), ok=NOBODY))
# The plan's approval of a year no plan has (2000–2100): the same 404 for everybody; the roles on a real year in
# tests/test_api_files.py (office and leaders read it, the office records it, a leader 403).
API.append(Endpoint("/api/v1/consultation/inspections/plan-approvals/{year}", args=(("year", "@missing"),), ok=NOBODY))


# --- Hostile input (core/tests/test_probe_hostile.py) ---------------------------------------------------------


def _inspection(world, text):
    from xieshang.core import clock
    from xieshang.inspections import services

    today = clock.today()
    return services.inspection_create(actor=world.users["staff"], committee=world.committee, data={
        "kind": "research", "title": text[:120], "purpose": text[:20000], "year": today.year,
        "planned_month": today.month})


def _inspection_pages(world, obj):
    from django.urls import reverse

    return [("staff", reverse("inspections:inspection", args=[obj.pk]), "html"),
            ("staff", reverse("inspections:inspections"), "html"),
            ("staff", reverse("inspections:inspections") + "?format=xlsx", "xlsx"),
            ("staff", reverse("inspections:plan_docx", args=[obj.year]), "docx"),
            ("staff", f"/api/v1/consultation/inspections/{obj.pk}", "json")]


def _supervision(world, text):
    from xieshang.core import clock
    from xieshang.inspections import services

    return services.supervision_create(actor=world.users["staff"], committee=world.committee, data={
        "title": text[:120], "body": text[:120], "purpose": text[:20000], "year": clock.today().year})


def _supervision_pages(world, obj):
    from django.urls import reverse

    return [("staff", reverse("inspections:supervision_item", args=[obj.pk]), "html"),
            ("staff", reverse("inspections:supervision"), "html"),
            ("staff", reverse("inspections:supervision") + "?format=xlsx", "xlsx"),
            ("staff", f"/api/v1/consultation/supervision/{obj.pk}", "json")]


CREATORS = [Creator("inspections.inspection", _inspection, _inspection_pages),
            Creator("inspections.supervision", _supervision, _supervision_pages)]
