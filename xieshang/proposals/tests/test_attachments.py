"""Files attached to a proposal (proposals.attachments): who may attach, see, download and remove them, in
which states; the checks of type, content and size; the detail page, the API and the proposal form (Word)."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import Attachment, Event
from xieshang.proposals import attachments, documents, selectors
from xieshang.proposals.tests.factories import make_member, make_unit, walk_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 survey"


def pdf(name="调研报告.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="现场照片.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n....", content_type="image/png")


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


# --- The service and its rule ------------------------------------------------------------------------------


def test_the_proposer_attaches_while_drafting_and_until_registration(committee):
    p, actors = walk_to("draft", committee=committee)
    row = attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=pdf())
    assert (row.original_name, row.size, row.purpose, row.uploaded_by) == ("调研报告.pdf", len(PDF), "material",
                                                                          actors.proposer)
    assert Event.objects.filter(action="attachment.add", object_id=str(row.pk)).exists()
    for state in ("cosigning", "submitted", "returned"):
        q, a = walk_to(state, committee=committee)
        assert attachments.proposal_attachment_add(actor=a.proposer, proposal=q, file=png()).pk
    for state in ("registered", "handling", "withdrawn"):
        q, a = walk_to(state, committee=committee)
        with pytest.raises(Forbidden):
            attachments.proposal_attachment_add(actor=a.proposer, proposal=q, file=pdf())


def test_the_office_attaches_while_it_reviews_and_nobody_else_does(committee):
    p, actors = walk_to("submitted", committee=committee)
    assert attachments.proposal_attachment_add(actor=actors.staff, proposal=p, file=pdf()).uploaded_by == actors.staff
    for user in (actors.leader, actors.cosigner):  # they see it, they may not attach
        with pytest.raises(Forbidden):
            attachments.proposal_attachment_add(actor=user, proposal=p, file=pdf())
    outsider = make_member(committee)
    _unit, unit_user = make_unit(committee)
    for user in (outsider, unit_user):  # they do not see it at all: the same 404 as a missing proposal
        with pytest.raises(NotFound):
            attachments.proposal_attachment_add(actor=user, proposal=p, file=pdf())
    draft, a2 = walk_to("draft", committee=committee)
    with pytest.raises(NotFound):  # another member's draft
        attachments.proposal_attachment_add(actor=actors.staff, proposal=draft, file=pdf())


def test_types_content_and_size_are_checked_with_clear_messages(committee, settings):
    p, actors = walk_to("draft", committee=committee)
    with pytest.raises(Invalid) as err:
        attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=pdf("setup.exe", b"MZ"))
    assert err.value.detail == "file_type" and ".pdf" in str(err.value.field_errors["file"][0])
    with pytest.raises(Invalid) as err:
        attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=pdf("假的.pdf", b"MZ\x90"))
    assert err.value.detail == "file_type"
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    with pytest.raises(Invalid) as err:
        attachments.proposal_attachment_add(actor=actors.proposer, proposal=p,
                                            file=pdf(content=b"%PDF" + b"0" * (1024 * 1024)))
    assert err.value.detail == "file_too_large" and "1 MB" in str(err.value.field_errors["file"][0])
    assert not Attachment.objects.exists()


def test_the_uploader_removes_while_it_is_a_draft(committee):
    p, actors = walk_to("draft", committee=committee)
    row = attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=pdf())
    attachments.proposal_attachment_remove(actor=actors.proposer, proposal=p, attachment=row.pk)
    assert not Attachment.objects.filter(pk=row.pk).exists()
    q, a = walk_to("submitted", committee=committee)
    mine = attachments.proposal_attachment_add(actor=a.proposer, proposal=q, file=pdf())
    staffs = attachments.proposal_attachment_add(actor=a.staff, proposal=q, file=pdf())
    with pytest.raises(Forbidden):  # submitted: no longer a draft
        attachments.proposal_attachment_remove(actor=a.proposer, proposal=q, attachment=mine.pk)
    with pytest.raises(Forbidden):  # not the uploader
        attachments.proposal_attachment_remove(actor=a.proposer, proposal=q, attachment=staffs.pk)
    with pytest.raises(NotFound):  # a file of another proposal
        attachments.proposal_attachment_remove(actor=actors.proposer, proposal=p, attachment=mine.pk)


def test_who_sees_the_files(committee):
    p, actors = walk_to("handling", committee=committee)
    outsider = make_member(committee)
    for user in (actors.proposer, actors.cosigner, actors.staff, actors.leader, actors.unit_users[0]):
        assert attachments.may_see_attachments(user, p)
    p.is_public = True
    p.save(update_fields=["is_public"])
    assert selectors.can_see(outsider, p) and not attachments.may_see_attachments(outsider, p)


# --- Pages -----------------------------------------------------------------------------------------------


def test_the_detail_lists_the_files_and_downloads_them_for_those_who_may(committee):
    p, actors = walk_to("draft", committee=committee)
    c = client_of(actors.proposer)
    response = c.post(reverse("proposals:attachment_add", args=[p.pk]), {"file": pdf('<img src=x onerror="alert(1)">调研.pdf')})
    assert response.status_code == 302
    row = Attachment.objects.get()
    page = c.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'data-testid="attachment"' in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;调研.pdf" in page
    assert "<img src=x" not in page and 'data-testid="remove-attachment"' in page
    url = reverse("proposals:attachment", args=[p.pk, row.pk])
    download = c.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    for user in (make_member(committee), actors.staff):  # a draft: only its proposer sees it
        assert client_of(user).get(url).status_code == 404
    assert client_of(actors.proposer).get(reverse("proposals:attachment", args=[p.pk, row.pk + 99])).status_code == 404
    refused = c.post(reverse("proposals:attachment_add", args=[p.pk]), {"file": pdf("x.html", b"<html>")})
    assert refused.status_code == 422 and ".pdf" in refused.content.decode()
    assert c.post(reverse("proposals:attachment_remove", args=[p.pk, row.pk])).status_code == 302
    assert not Attachment.objects.exists()


def test_an_outsider_gets_404_for_the_pages_of_a_proposal_they_cannot_see(committee):
    p, actors = walk_to("submitted", committee=committee)
    row = attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=pdf())
    _unit, unit_user = make_unit(committee)
    c = client_of(unit_user)
    assert c.get(reverse("proposals:attachment", args=[p.pk, row.pk])).status_code == 404
    assert c.post(reverse("proposals:attachment_add", args=[p.pk]), {"file": pdf()}).status_code == 404
    assert c.post(reverse("proposals:attachment_remove", args=[p.pk, row.pk])).status_code == 404
    assert Attachment.objects.count() == 1


# --- The proposal form (Word) lists them --------------------------------------------------------------------


def test_the_proposal_form_lists_the_attachments(committee):
    p, actors = walk_to("submitted", committee=committee)
    attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=pdf())
    attachments.proposal_attachment_add(actor=actors.proposer, proposal=p, file=png("=1+1 照片.png"))
    p.refresh_from_db()
    document = docx.Document(io.BytesIO(documents.proposal_docx(p)))
    texts = [para.text for para in document.paragraphs]
    first = texts.index("附件：1. 调研报告.pdf")
    assert texts[first + 1] == "2. =1+1 照片.png"
    assert documents.proposal_values(p)["附件"] == "1. 调研报告.pdf\n2. =1+1 照片.png"
    q, a = walk_to("submitted", committee=committee)
    assert not any(t.startswith("附件") for t in (x.text for x in docx.Document(
        io.BytesIO(documents.proposal_docx(q))).paragraphs))
