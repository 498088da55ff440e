"""POST /api/v1/proposals/{id}/attachments and the detail's `attachments` (xieshang.proposals.attachments):
201, the errors 413 / 415 / 422 / 403 / 404 in the one error shape, downloads only for those who may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xieshang.api.tests.conftest import make_proposal
from xieshang.core.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 survey"


def pdf(name="调研报告.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_api_upload_201_and_the_detail_lists_the_files(people):
    proposal = make_proposal(people, "draft")
    response = people.api_proposer.post_multipart(f"proposals/{proposal.pk}/attachments", {"file": pdf()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["size"], body["content_type"]) == ("调研报告.pdf", len(PDF), "application/pdf")
    detail = people.api_proposer.get(f"proposals/{proposal.pk}").json()
    assert [a["name"] for a in detail["attachments"]] == ["调研报告.pdf"]
    file = people.api_proposer.get(detail["attachments"][0]["url"].removeprefix("/api/v1/"))
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF


def test_api_errors_413_415_422_404_in_the_one_shape(people, settings):
    proposal = make_proposal(people, "draft")
    url = f"proposals/{proposal.pk}/attachments"
    wrong = people.api_proposer.post_multipart(url, {"file": pdf("病毒.exe", b"MZ")})
    assert wrong.status_code == 415 and wrong.json()["code"] == "invalid" and "file" in wrong.json()["fields"]
    disguised = people.api_proposer.post_multipart(url, {"file": pdf("报告.pdf", b"<script>alert(1)</script>")})
    assert disguised.status_code == 415
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    big = people.api_proposer.post_multipart(url, {"file": pdf(content=b"%PDF" + b"0" * (1024 * 1024))})
    assert big.status_code == 413 and "1 MB" in big.json()["fields"]["file"][0]
    none = people.api_proposer.post_multipart(url, {"other": "x"})
    assert none.status_code == 422 and none.json()["code"] == "invalid"
    for api in (people.api_outsider, people.api_staff, people.api_lead):  # a draft is its proposer's alone
        hidden = api.post_multipart(url, {"file": pdf()})
        assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    assert people.api_proposer.post_multipart("proposals/999999/attachments", {"file": pdf()}).status_code == 404
    assert not Attachment.objects.exists()


def test_api_after_registration_403_and_others_see_no_files(people):
    proposal = make_proposal(people, "submitted")
    ok = people.api_proposer.post_multipart(f"proposals/{proposal.pk}/attachments", {"file": pdf()})
    assert ok.status_code == 201
    people.api_staff.act(proposal.pk, "register")
    late = people.api_proposer.post_multipart(f"proposals/{proposal.pk}/attachments", {"file": pdf()})
    assert late.status_code == 403 and late.json()["code"] == "forbidden"
    assert [a["name"] for a in people.api_staff.get(f"proposals/{proposal.pk}").json()["attachments"]] == ["调研报告.pdf"]
    file_url = f"proposals/{proposal.pk}/attachments/{ok.json()['id']}"
    assert people.api_outsider.get(file_url).status_code == 404
    assert people.api_proposer.delete(file_url).status_code == 403  # no longer a draft
