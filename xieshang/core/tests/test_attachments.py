"""Attachments (core.attachments): what may be uploaded, where it goes, who removes it, and downloads that
answer 404 for whatever the app hides — also through the reply letters, now core attachments."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from xieshang.core import attachments
from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.models import Attachment, Event
from xieshang.core.tests.factories import HandlingUnitFactory
from xieshang.proposals import services
from xieshang.proposals.models import REPLY_LETTER, Reply
from xieshang.proposals.tests.factories import make_committee, make_member, make_role_user, walk_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 minutes of the meeting"


def _pdf(name="会议纪要.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def place():
    committee = make_committee()
    return committee, HandlingUnitFactory(committee=committee), make_member(committee), make_role_user(committee, "staff")


def test_a_file_is_stored_with_its_name_size_purpose_and_an_audit_event(place):
    committee, obj, member, _staff = place
    row = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(), purpose="minutes")
    row.refresh_from_db()
    assert (row.original_name, row.size, row.purpose, row.uploaded_by, row.target) == (
        "会议纪要.pdf", len(PDF), "minutes", member, obj)
    assert row.file.read() == PDF
    event = Event.objects.get(action="attachment.add")
    assert event.actor == member and event.committee == committee and event.object_id == str(row.pk)
    assert event.payload["purpose"] == "minutes" and event.payload["name"] == "会议纪要.pdf"
    other = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf("照片.JPG", b"\xff\xd8"))
    assert list(attachments.attachments_of(obj)) == [row, other]
    assert list(attachments.attachments_of(obj, purpose="minutes")) == [row]
    assert list(attachments.attachments_of(committee)) == []


def test_wrong_types_are_refused_with_the_allowed_types_shown(place):
    committee, obj, member, _staff = place
    for name in ("setup.exe", "script.js", "no-extension", "page.html"):
        with pytest.raises(Invalid) as err:
            attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(name))
        message = str(err.value.field_errors["file"][0])
        assert ".pdf" in message and ".docx" in message and ".jpg" in message
    # a caller may narrow the types and name its own field
    with pytest.raises(Invalid) as err:
        attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf("表格.xlsx"),
                                   field="letter", extensions=(".pdf",))
    assert list(err.value.field_errors) == ["letter"] and ".pdf" in str(err.value.field_errors["letter"][0])
    assert not Attachment.objects.exists() and not Event.objects.filter(action="attachment.add").exists()


def test_too_large_and_empty_files_are_refused_with_the_limit_shown(place, settings):
    committee, obj, member, _staff = place
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    with pytest.raises(Invalid) as err:
        attachments.attachment_add(actor=member, committee=committee, obj=obj,
                                   file=_pdf(content=b"%PDF" + b"0" * (1024 * 1024)))
    assert "1 MB" in str(err.value.field_errors["file"][0])
    settings.XIESHANG_MAX_UPLOAD_MB = 2
    with pytest.raises(Invalid) as err:
        attachments.attachment_add(actor=member, committee=committee, obj=obj,
                                   file=_pdf(content=b"%PDF" + b"0" * (2 * 1024 * 1024)))
    assert "2 MB" in str(err.value.field_errors["file"][0])
    with pytest.raises(Invalid):
        attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(content=b""))
    assert not Attachment.objects.exists()
    # exactly at the limit is accepted
    assert attachments.attachment_add(actor=member, committee=committee, obj=obj,
                                      file=_pdf(content=b"%PDF" + b"0" * (2 * 1024 * 1024 - 4)))


def test_anonymous_cannot_attach_and_a_long_name_is_shortened_keeping_its_type(place):
    committee, obj, member, _staff = place
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        attachments.attachment_add(actor=AnonymousUser(), committee=committee, obj=obj, file=_pdf())
    row = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf("长" * 300 + ".pdf"))
    assert len(row.original_name) == 200 and row.original_name.endswith(".pdf")


def test_removal_by_the_uploader_or_staff_only_and_the_file_goes_after_the_commit(
        place, django_capture_on_commit_callbacks):
    committee, obj, member, staff = place
    other = make_member(committee)
    row = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf())
    storage, name = row.file.storage, row.file.name
    with pytest.raises(Forbidden):
        attachments.attachment_remove(actor=other, attachment=row)
    with django_capture_on_commit_callbacks(execute=True):
        attachments.attachment_remove(actor=member, attachment=row)
    assert not Attachment.objects.exists() and not storage.exists(name)
    assert Event.objects.filter(action="attachment.remove", actor=member).count() == 1
    second = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf())
    with django_capture_on_commit_callbacks(execute=True):
        attachments.attachment_remove(actor=staff, attachment=second)
    assert not Attachment.objects.exists()


def test_download_streams_what_the_app_lets_see_and_404s_the_rest(place):
    committee, obj, member, _staff = place
    other_obj = HandlingUnitFactory(committee=committee)
    row = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(), purpose="minutes")
    response = attachments.attachment_download(obj, row.pk, visible=True)
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    latest = attachments.attachment_download(obj, visible=True, purpose="minutes")  # the latest of a purpose
    assert b"".join(latest.streaming_content) == PDF
    for call in (
        lambda: attachments.attachment_download(obj, row.pk, visible=False),  # the app hides it
        lambda: attachments.attachment_download(other_obj, row.pk, visible=True),  # not this object's
        lambda: attachments.attachment_download(obj, row.pk, visible=True, purpose="photo"),
        lambda: attachments.attachment_download(obj, row.pk + 1000, visible=True),
        lambda: attachments.attachment_download(obj, "x' OR 1=1", visible=True),
        lambda: attachments.attachment_download(obj, 2**70, visible=True),
        lambda: attachments.attachment_download(other_obj, visible=True, purpose="minutes"),
    ):
        with pytest.raises(Http404):
            call()
    row.file.storage.delete(row.file.name)  # the file went missing from the disk
    with pytest.raises(Http404):
        attachments.attachment_download(obj, row.pk, visible=True)


def test_a_reply_letter_is_a_core_attachment_and_its_download_follows_the_proposals_rules():
    proposal, actors = walk_to("handling")
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 reply", content_type="application/pdf")
    proposal = services.proposal_act(
        actor=actors.unit_users[0], proposal=proposal, action="reply",
        data={"outcome": "adopted", "text": "已采纳。", "letter": letter})
    reply = Reply.objects.get(proposal=proposal)
    row = Attachment.objects.get()
    assert (row.target, row.purpose, row.original_name, row.uploaded_by) == (
        reply, REPLY_LETTER, "答复函.pdf", actors.unit_users[0])
    assert reply.letter.name == row.file.name and reply.letter_attachment == row
    url = reverse("proposals:reply_letter", args=[proposal.pk, reply.pk])
    proposer = Client()
    proposer.force_login(actors.proposer)
    download = proposer.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 reply"
    assert 'filename="' in download["Content-Disposition"] or "filename*=" in download["Content-Disposition"]
    outsider = Client()
    outsider.force_login(make_member(actors.committee))  # cannot see the proposal: the same 404 as nothing
    assert outsider.get(url).status_code == 404
    assert proposer.get(reverse("proposals:reply_letter", args=[proposal.pk, reply.pk + 99])).status_code == 404
    # deleting a reply deletes its attachment rows (GenericRelation)
    Reply.objects.filter(pk=reply.pk).delete()
    assert not Attachment.objects.exists()


def test_a_reply_without_a_letter_has_none():
    proposal, actors = walk_to("replied")
    reply = Reply.objects.get(proposal=proposal)
    assert reply.letter is None and reply.letter_attachment is None
    client = Client()
    client.force_login(actors.proposer)
    assert client.get(reverse("proposals:reply_letter", args=[proposal.pk, reply.pk])).status_code == 404


def test_stored_files_keep_their_path(place):
    """The migration points Attachment rows at files already stored (the former reply letters' paths)."""
    committee, obj, member, _staff = place
    from django.core.files.storage import default_storage

    name = default_storage.save("proposals/letters/2024/旧答复函.pdf", ContentFile(b"%PDF old"))
    row = Attachment.objects.create(committee=committee, content_type_id=attachments.ContentType.objects.get_for_model(
        obj).pk, object_id=str(obj.pk), file=name, original_name="旧答复函.pdf", size=8, uploaded_by=member)
    response = attachments.attachment_download(obj, row.pk, visible=True)
    assert b"".join(response.streaming_content) == b"%PDF old"


def test_content_that_does_not_match_the_type_is_refused_with_a_stable_detail(place, settings):
    committee, obj, member, _staff = place
    for name, content in (("report.pdf", b"MZ\x90\x00 an executable"), ("photo.jpg", b"<html><script>"),
                          ("table.xlsx", b"%PDF-1.4"), ("notes.txt", b"text\x00with a NUL")):
        with pytest.raises(Invalid) as err:
            attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(name, content))
        assert err.value.detail == attachments.FILE_TYPE, name
    with pytest.raises(Invalid) as err:
        attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf("setup.exe", b"MZ"))
    assert err.value.detail == attachments.FILE_TYPE
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    with pytest.raises(Invalid) as err:
        attachments.attachment_add(actor=member, committee=committee, obj=obj,
                                   file=_pdf(content=b"%PDF" + b"0" * (1024 * 1024)))
    assert err.value.detail == attachments.FILE_TOO_LARGE
    assert not Attachment.objects.exists()
    for name, content in (("照片.png", b"\x89PNG\r\n"), ("表格.xlsx", b"PK\x03\x04"), ("旧.doc", b"\xd0\xcf\x11\xe0"),
                          ("说明.txt", "说明".encode())):
        row = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(name, content))
        assert attachments.content_type_of(row) == attachments.CONTENT_TYPES[name[name.rindex("."):]]


@pytest.mark.parametrize("hostile, kept", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\evil.pdf", "evil.pdf"),
    ("line\r\nSet-Cookie: x=1.pdf", "lineSet-Cookie: x=1.pdf"),
    ("报告\u202egpj.pdf", "报告gpj.pdf"),
    ('<script>alert("x")</script>.pdf', "script>.pdf"),  # a "/" is a path: its last part is kept
    ('<img src=x onerror="alert(1)">.pdf', '<img src=x onerror="alert(1)">.pdf'),  # text, escaped where shown
    (".pdf", None),
])
def test_hostile_file_names_are_kept_harmless(place, hostile, kept):
    committee, obj, member, _staff = place
    if kept is None:  # nothing but an extension: no name, no type
        with pytest.raises(Invalid):
            attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(hostile))
        return
    row = attachments.attachment_add(actor=member, committee=committee, obj=obj, file=_pdf(hostile))
    assert row.original_name == kept
    assert ".." not in row.file.name and "\\" not in row.file.name
    response = attachments.attachment_response(row, visible=True)
    assert "\n" not in response["Content-Disposition"] and response["Content-Type"] == "application/pdf"
    response.close()
