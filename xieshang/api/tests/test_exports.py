"""Background exports over the API: POST /proposals/exports → 202 → GET /exports/{id} → the file."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xieshang.core import exports
from xieshang.core.models import Export, Notification

from .conftest import make_proposal

pytestmark = pytest.mark.django_db


def _rows(response):
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len([v for v in rows[0] if v is not None]) == 1  # the title row (core.exports.write_table)
    return rows[1:]


@pytest.fixture
def listed(people):
    make_proposal(people, "registered", title="关于水资源保护的提案")
    make_proposal(people, "assigned", title="关于乡村振兴的提案")
    make_proposal(people, "draft", title="草稿不导出")
    return people


def test_the_flow_202_then_done_then_the_file(listed, django_capture_on_commit_callbacks):
    api = listed.api_staff
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = api.post("proposals/exports", {"state": "assigned"})
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["state"] == "queued" and job["kind"] == "proposals_api" and job["file_url"] is None
    assert job["url"] == f"/api/v1/exports/{job['id']}"

    # Not ready yet: the state says so, and the file is 409 with a stable code.
    assert api.get(job["url"]).json()["state"] == "queued"
    early = api.get(f"exports/{job['id']}/file")
    assert early.status_code == 409 and early.json()["code"] == "export_not_ready" and early["Retry-After"]

    for callback in callbacks:  # the commit: the worker runs it
        callback()
    done = api.get(job["url"]).json()
    assert done["state"] == "done" and done["row_count"] == 1 and done["expires_at"]
    assert done["file_url"] == f"/api/v1/exports/{job['id']}/file"
    file = api.get(done["file_url"])
    assert file.status_code == 200
    assert file["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _rows(file)
    assert rows[0][:3] == ("提案号", "案由", "提案人")  # the columns of GET /proposals/export.xlsx
    assert [r[1] for r in rows[1:]] == ["关于乡村振兴的提案"]
    assert Notification.objects.filter(recipient=listed.staff, kind="export.done").exists()
    assert [e["id"] for e in api.get("exports").json()] == [job["id"]]


def test_the_file_is_in_the_language_of_the_request(listed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = listed.api_staff.in_language("en").post("proposals/exports", {}).json()
    rows = _rows(listed.api_staff.get(f"exports/{job['id']}/file"))
    assert rows[0][:3] == ("Number", "Subject", "Proposer") and len(rows) == 3


def test_an_empty_body_exports_the_whole_list(listed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = listed.api_staff.post("proposals/exports")
    assert r.status_code == 202, r.content
    assert Export.objects.get(pk=r.json()["id"]).row_count == 2


def test_someone_else_gets_404(listed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = listed.api_staff.post("proposals/exports", {}).json()
    for api in (listed.api_leader, listed.api_proposer):
        assert api.get(job["url"]).status_code == 404
        file = api.get(f"exports/{job['id']}/file")
        assert file.status_code == 404 and file.json()["code"] == "not_found"
        assert api.get(f"exports/{job['id'] + 100}").status_code == 404
        assert api.get("exports").json() == []


def test_bad_filters_are_refused(listed):
    r = listed.api_staff.post("proposals/exports", {"state": "nonsense"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error" and "state" in r.json()["fields"]
    assert not Export.objects.exists()


def test_a_failed_export_says_why(listed, monkeypatch, django_capture_on_commit_callbacks):
    def broken(handle, **kwargs):
        raise ValueError("broken")

    monkeypatch.setattr("xieshang.proposals.exports.write_proposal_list_api", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = listed.api_staff.post("proposals/exports", {}).json()
    state = listed.api_staff.get(job["url"]).json()
    assert state["state"] == "failed" and state["error"] and state["file_url"] is None
    r = listed.api_staff.get(f"exports/{job['id']}/file")
    assert r.status_code == 409 and r.json()["code"] == "export_failed"


def test_an_expired_export_is_gone(listed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = listed.api_staff.post("proposals/exports", {}).json()
    Export.objects.filter(pk=job["id"]).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    r = listed.api_staff.get(f"exports/{job['id']}/file")
    assert r.status_code == 410 and r.json()["code"] == "export_expired"
    exports.prune_exports()
    assert listed.api_staff.get(f"exports/{job['id']}/file").status_code == 410


def test_the_direct_export_refuses_a_list_above_the_inline_limit(listed, settings):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    r = listed.api_staff.get("proposals/export.xlsx")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "export_too_large" and "/api/v1/proposals/exports" in body["message"]
    small = listed.api_staff.get("proposals/export.xlsx", {"state": "assigned"})
    assert small.status_code == 200 and len(_rows(small)) == 2
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 2
    assert listed.api_staff.get("proposals/export.xlsx").status_code == 200
