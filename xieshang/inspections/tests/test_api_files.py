"""The API of the inspections' attached files and of the year's plan's approval: the codes of the pages (hidden =
404, not allowed = 403, refused input = 422 with `fields`, stale version = 409) through
/api/v1/consultation/{inspections|supervision}/{id}/files and /api/v1/consultation/inspections/plan-approvals/{year}."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core.attachments import attachments_of
from xieshang.inspections.models import FilePurpose, PlanApproval
from xieshang.inspections.tests.factories import make_world, walk_supervision_to, walk_to
from xieshang.inspections.tests.test_files_and_approval import APPROVAL, PARTY, PDF, PNG

pytestmark = pytest.mark.django_db

PLAN = "consultation/inspections/plan-approvals"


@pytest.fixture
def w():
    return make_world()  # "today" is 2026-03-02


def api(user):
    return ApiClient(issue_token(user))


def put(client: ApiClient, path: str, data: dict, headers=None):
    return client.client.put(client.url(path), json.dumps(data), content_type="application/json",
                             headers=client.headers(headers))


def pdf(name="调研材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- Files --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["inspections", "supervision"])
def test_the_office_uploads_lists_downloads_and_removes_files(w, kind):
    obj = walk_to("under_way", w) if kind == "inspections" else walk_supervision_to("under_way", w)
    base = f"consultation/{kind}/{obj.pk}/files"
    staff = api(w.staff)
    assert staff.get(base).json() == []
    r = staff.post_multipart(base, {"file": pdf(), "purpose": "report"})
    assert r.status_code == 201, r.json()
    report = r.json()
    assert (report["name"], report["purpose"], report["size"]) == ("调研材料.pdf", "report", len(PDF))
    with translation.override("zh-hans"):  # 报告文稿 once the fragments are merged into the catalogue
        assert report["purpose_label"] == str(FilePurpose.REPORT.label)
    assert report["content_type"] == "application/pdf"
    r = staff.post_multipart(base, {"file": SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
                                    "purpose": "photo"})
    assert r.status_code == 201 and r.json()["purpose"] == "photo"
    r = staff.post_multipart(base, {"file": pdf("材料.pdf")})  # no purpose: findings material
    assert r.status_code == 201 and r.json()["purpose"] == "material"
    listed = staff.get(base).json()
    assert [f["purpose"] for f in listed] == ["report", "photo", "material"]
    assert listed[0]["url"] == f"/api/v1/{base}/{report['id']}"
    r = staff.get(listed[0]["url"])
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert "attachment" in r["Content-Disposition"]
    r = staff.delete(f"{base}/{report['id']}")
    assert r.status_code == 204
    assert [f["purpose"] for f in staff.get(base).json()] == ["photo", "material"]
    assert staff.get(f"{base}/{report['id']}").status_code == 404
    assert staff.delete(f"{base}/{report['id']}").status_code == 404
    assert attachments_of(obj).count() == 2


@pytest.mark.parametrize("kind", ["inspections", "supervision"])
def test_readers_download_but_may_not_upload_and_others_see_nothing(w, kind):
    obj = walk_to("under_way", w) if kind == "inspections" else walk_supervision_to("under_way", w)
    base = f"consultation/{kind}/{obj.pk}/files"
    file_id = api(w.admin).post_multipart(base, {"file": pdf()}).json()["id"]
    for user in (w.leader, w.member):  # a leader, a member of the team: read and download, no upload or removal
        client = api(user)
        assert [f["id"] for f in client.get(base).json()] == [file_id]
        r = client.get(f"{base}/{file_id}")
        assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
        r = client.post_multipart(base, {"file": pdf()})
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
        assert client.delete(f"{base}/{file_id}").status_code == 403
    for user in (w.outsider, w.unit):  # not on the team, a unit: the same 404 as a missing item
        client = api(user)
        for r in (client.get(base), client.get(f"{base}/{file_id}"), client.post_multipart(base, {"file": pdf()}),
                  client.delete(f"{base}/{file_id}")):
            assert r.status_code == 404 and r.json()["code"] == "not_found"
    missing = f"consultation/{kind}/2147483647/files"
    assert api(w.staff).get(missing).status_code == 404
    assert api(w.staff).post_multipart(missing, {"file": pdf()}).status_code == 404
    assert attachments_of(obj).count() == 1


def test_a_refused_file_is_415_413_or_422_on_its_field(w, settings):
    """As the proposals' attachments: 415 for a type or content refused, 413 above the size limit, 422 otherwise."""
    obj = walk_to("under_way", w)
    base = f"consultation/inspections/{obj.pk}/files"
    staff = api(w.staff)
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    for data, status, field in (
        ({"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")}, 415, "file"),
        ({"file": pdf(), "purpose": "photo"}, 415, "file"),  # a photo is JPEG or PNG
        ({"file": SimpleUploadedFile("假.pdf", b"not a pdf at all", content_type="application/pdf")}, 415, "file"),
        ({"file": SimpleUploadedFile("大.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")}, 413,
         "file"),
        ({"purpose": "report"}, 422, "file"),  # no file
        ({"file": pdf(), "purpose": "other"}, 422, "purpose"),
    ):
        r = staff.post_multipart(base, data)
        assert r.status_code == status, (data, r.json())
        assert r.json()["code"] == "invalid" and field in r.json()["fields"], r.json()
    r = staff.post(base, {"file": "x"})  # JSON is no upload
    assert r.status_code == 422 and "file" in r.json()["fields"]
    assert attachments_of(obj).count() == 0
    # another item's file is not this one's
    other = walk_supervision_to("under_way", w)
    file_id = staff.post_multipart(f"consultation/supervision/{other.pk}/files", {"file": pdf()}).json()["id"]
    assert staff.get(f"{base}/{file_id}").status_code == 404
    assert staff.delete(f"{base}/{file_id}").status_code == 404


# --- The year's plan's approval -----------------------------------------------------------------------------------


def test_the_plans_approval_is_recorded_versioned_and_final(w):
    staff = api(w.staff)
    r = staff.get(f"{PLAN}/2026")
    assert r.status_code == 200, r.json()
    assert r.json() == {"year": 2026, "recorded": False, "final": False, "chair_approved_on": None,
                        "chair_document": "", "party_approved_on": None, "party_document": "", "version": 0,
                        "may_record": True}
    assert r["ETag"] == '"0"'
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, "expected_version": 0})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["recorded"], body["final"], body["version"]) == (True, False, 1)
    assert body["chair_approved_on"] == APPROVAL["chair_approved_on"] and body["chair_document"] == APPROVAL["chair_document"]
    # a stale version: 409 conflict (body or If-Match), nothing changes
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, "chair_document": "纪要〔2026〕2号", "expected_version": 0})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, "chair_document": "纪要〔2026〕2号"}, headers={"If-Match": '"7"'})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert PlanApproval.objects.get().chair_document == APPROVAL["chair_document"]
    # a date in the future: 422 on the field
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, "chair_approved_on": "2026-03-03", "expected_version": 1})
    assert r.status_code == 422 and "chair_approved_on" in r.json()["fields"]
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, **PARTY, "party_approved_on": "2026-03-03"})
    assert r.status_code == 422 and "party_approved_on" in r.json()["fields"]
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, "party_approved_on": "2026-02-10"})  # a date without its number
    assert r.status_code == 422 and "party_document" in r.json()["fields"]
    r = put(staff, f"{PLAN}/2026", {"chair_document": "x"})
    assert r.status_code == 422 and "chair_approved_on" in r.json()["fields"]
    # the Party committee's approval: final
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, **PARTY}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["final"] is True and r.json()["version"] == 2
    assert r.json()["may_record"] is False and r["ETag"] == '"2"'
    r = put(staff, f"{PLAN}/2026", {**APPROVAL, **PARTY, "expected_version": 2})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition" and r.json()["detail"] == "plan_approved"
    assert PlanApproval.objects.get().version == 2


def test_who_reads_and_records_the_plans_approval(w):
    assert put(api(w.admin), f"{PLAN}/2026", APPROVAL).status_code == 200
    leader = api(w.leader)
    r = leader.get(f"{PLAN}/2026")
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["may_record"] is False
    r = put(leader, f"{PLAN}/2026", {**APPROVAL, "chair_document": "改"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    for user in (w.member, w.outsider, w.unit):  # they see no plan: the same 404 as a missing one
        client = api(user)
        assert client.get(f"{PLAN}/2026").status_code == 404
        assert put(client, f"{PLAN}/2026", {**APPROVAL, "chair_document": "改"}).status_code == 404
    assert ApiClient().get(f"{PLAN}/2026").status_code == 401
    staff = api(w.staff)
    for year in (1999, 2101, 99999999999):  # no plan's year
        assert staff.get(f"{PLAN}/{year}").status_code == 404
        assert put(staff, f"{PLAN}/{year}", APPROVAL).status_code == 404
    assert PlanApproval.objects.get().chair_document == APPROVAL["chair_document"]
