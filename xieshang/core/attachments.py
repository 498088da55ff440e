"""Attachments: files uploaded to any object (reply letters, opinion reports' material, minutes, photos …).

One core model (`core.Attachment`: committee, object, file, original name, size, purpose, uploader). Core checks
the file (type and size) and stores it; the app decides who may attach, see and remove:

    # in the app's service, after its own permission check, inside its transaction
    attachment_add(actor=actor, committee=report.committee, obj=report, file=upload, purpose="material")

    # in the app's view or API endpoint: the app's visibility rule, core streams the file (hidden → 404)
    report = selectors.report_get(request.user, pk)              # 404 when the user may not see the report
    return attachment_download(report, attachment_id, visible=selectors.may_see_files(request.user, report))

`attachment_check` is the same check alone, for a service that validates its input before it creates the
object the file will belong to (the reply letter: proposals.services._clean_letter).
"""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import audit
from .errors import Forbidden, Invalid
from .models import Attachment, Committee, Role

# What may be uploaded unless a caller narrows it: documents, spreadsheets, images, PDF.
ALLOWED_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".txt", ".jpg", ".jpeg", ".png",
)
NAME_LIMIT = 200  # Attachment.original_name
PURPOSE_LIMIT = 32  # Attachment.purpose

# What the first bytes of a file of each type are (MIME sniffing): a file whose content does not match its
# extension (an executable renamed .pdf, a web page renamed .jpg) is refused like a wrong type.
_OLE = (b"\xd0\xcf\x11\xe0",)  # .doc .xls .ppt .wps .et (OLE compound files)
_ZIP = (b"PK",)  # .docx .xlsx .pptx (zip packages)
SIGNATURES = {
    ".pdf": (b"%PDF",), ".doc": _OLE, ".wps": _OLE + _ZIP, ".xls": _OLE, ".et": _OLE + _ZIP, ".ppt": _OLE,
    ".docx": _ZIP, ".xlsx": _ZIP, ".pptx": _ZIP, ".jpg": (b"\xff\xd8",), ".jpeg": (b"\xff\xd8",),
    ".png": (b"\x89PNG",),
}
# The content type a download of each extension is served with (and the API shows).
CONTENT_TYPES = {
    ".pdf": "application/pdf", ".doc": "application/msword", ".wps": "application/vnd.ms-works",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel", ".et": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
}
# Invalid.detail of the refusals, for callers that answer with their own status (the API: 415, 413).
FILE_TYPE, FILE_TOO_LARGE, FILE_EMPTY = "file_type", "file_too_large", "file_empty"
_UNSAFE_NAME = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


def max_bytes() -> int:
    return settings.XIESHANG_MAX_UPLOAD_MB * 1024 * 1024


def _types_text(extensions) -> str:
    return ", ".join(extensions)


def extension_of(name) -> str:
    return os.path.splitext(_short_name(name))[1].lower()


def content_type_of(attachment_or_name) -> str:
    """The content type a file is served with, from its (checked) extension."""
    name = getattr(attachment_or_name, "original_name", attachment_or_name)
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


def _content_matches(file, extension: str) -> bool:
    """Do the first bytes of `file` fit `extension` (SIGNATURES; a text file holds no NUL byte)?"""
    try:
        position = file.tell()
        file.seek(0)
        head = file.read(2048) or b""
        file.seek(position)
    except (AttributeError, OSError, ValueError):
        return False
    if isinstance(head, str):
        head = head.encode()
    if extension == ".txt":
        return b"\x00" not in head
    signatures = SIGNATURES.get(extension)
    return signatures is None or head.startswith(signatures)


def attachment_check(file, *, field: str = "file", extensions=ALLOWED_EXTENSIONS):
    """The uploaded `file` if its type (extension, and content that fits it) and size are acceptable;
    Invalid on `field` otherwise, with the allowed types or the size limit in the message and `detail`
    FILE_TYPE, FILE_TOO_LARGE or FILE_EMPTY."""
    if not file:
        raise Invalid(field_errors={field: [_("Choose a file.")]}, detail=FILE_EMPTY)
    extension = extension_of(getattr(file, "name", "") or "")
    if extension not in extensions:
        raise Invalid(field_errors={field: [
            _("Upload a file of one of these types: %(types)s.") % {"types": _types_text(extensions)}
        ]}, detail=FILE_TYPE)
    size = getattr(file, "size", None) or 0
    if size > max_bytes():
        raise Invalid(field_errors={field: [
            _("The file is larger than %(mb)d MB.") % {"mb": settings.XIESHANG_MAX_UPLOAD_MB}
        ]}, detail=FILE_TOO_LARGE)
    if size == 0:
        raise Invalid(field_errors={field: [_("The file is empty.")]}, detail=FILE_EMPTY)
    if not _content_matches(file, extension):
        raise Invalid(field_errors={field: [
            _("The content of the file does not match its type %(type)s.") % {"type": extension}
        ]}, detail=FILE_TYPE)
    return file


def _short_name(name: str) -> str:
    """A file name safe to keep and to send back: the last part of any path (/ or \\), without control
    or direction-changing characters, at most NAME_LIMIT characters (the extension kept)."""
    name = _UNSAFE_NAME.sub("", str(name or "")).replace("\\", "/")
    name = os.path.basename(name).strip().lstrip(".") or "file"
    if len(name) <= NAME_LIMIT:
        return name
    stem, ext = os.path.splitext(name)
    return stem[: NAME_LIMIT - len(ext)] + ext


def attachment_add(*, actor, committee, obj, file, purpose: str = "", field: str = "file",
                   extensions=ALLOWED_EXTENSIONS) -> Attachment:
    """Attach the uploaded `file` to `obj` (any saved model instance) in `committee`.

    The calling service has already checked that `actor` may attach files to `obj`; this checks the file
    (Invalid on `field` when its type or size is refused), stores it and records the audit event
    "attachment.add" (on the attachment; the payload names the object)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if obj is None or getattr(obj, "pk", None) is None:
        raise ValueError("attachments belong to a saved object")
    purpose = str(purpose or "")
    if len(purpose) > PURPOSE_LIMIT:
        raise ValueError(f"purpose is at most {PURPOSE_LIMIT} characters")
    attachment_check(file, field=field, extensions=extensions)
    committee_id = getattr(committee, "pk", committee)
    content_type = ContentType.objects.get_for_model(obj.__class__)
    with transaction.atomic():
        row = Attachment(
            committee_id=committee_id, content_type=content_type, object_id=str(obj.pk),
            original_name=_short_name(getattr(file, "name", "")), size=file.size, purpose=purpose,
            uploaded_by=actor,
        )
        row.file.save(row.original_name, file, save=False)
        row.save()
        audit.record(
            actor=actor, action="attachment.add", obj=row,
            committee=committee if isinstance(committee, Committee) else Committee(pk=committee_id),
            payload={"object": f"{content_type.app_label}.{content_type.model}:{obj.pk}", "name": row.original_name,
                     "size": row.size, "purpose": purpose},
        )
    return row


def attachments_of(obj, purpose: str | None = None) -> QuerySet[Attachment]:
    """The attachments of `obj` (of one purpose, when given), oldest first."""
    content_type = ContentType.objects.get_for_model(obj.__class__)
    rows = Attachment.objects.filter(content_type=content_type, object_id=str(obj.pk))
    if purpose is not None:
        rows = rows.filter(purpose=purpose)
    return rows.order_by("uploaded_at", "id")


def attachment_remove(*, actor, attachment: Attachment) -> None:
    """Remove an attachment and, after the commit, its file. The uploader or the committee's office staff or
    administrators may (Forbidden otherwise); the calling service checks anything more the app requires."""
    from .selectors import has_role

    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if attachment.uploaded_by_id != actor.pk and not has_role(actor, attachment.committee_id, Role.STAFF, Role.ADMIN):
        raise Forbidden()
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        audit.record(
            actor=actor, action="attachment.remove", obj=attachment, committee=attachment.committee,
            payload={"object": f"{attachment.content_type.app_label}.{attachment.content_type.model}:"
                               f"{attachment.object_id}", "name": attachment.original_name,
                     "purpose": attachment.purpose},
        )
        Attachment.objects.filter(pk=attachment.pk).delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# --- Downloads ------------------------------------------------------------------------------------


def attachment_get(obj, attachment_id, *, purpose: str | None = None) -> Attachment:
    """The attachment `attachment_id` of `obj` (Http404 when `obj` has no such attachment)."""
    try:
        number = int(attachment_id)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    row = attachments_of(obj, purpose).filter(pk=number).first()
    if row is None:
        raise Http404
    return row


def attachment_response(attachment: Attachment | None, *, visible: bool, as_attachment: bool = True) -> FileResponse:
    """Stream the attachment's file under its original name. Http404 — the same answer as for a missing file —
    when there is none, when the app's visibility rule said no (`visible`), or when the file is gone."""
    if attachment is None or not visible or not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=as_attachment, filename=_short_name(attachment.original_name),
                        content_type=content_type_of(attachment))


def attachment_download(obj, attachment_id=None, *, visible: bool, purpose: str | None = None) -> FileResponse:
    """The download of one attachment of `obj`: `attachment_id`, or else the latest of `purpose`.

    `visible` is the app's answer to "may this user have the files of `obj`?"; the check happens before
    anything is read, and every refusal is the same 404."""
    if not visible:
        raise Http404
    if attachment_id is not None:
        row = attachment_get(obj, attachment_id, purpose=purpose)
    else:
        row = attachments_of(obj, purpose).order_by("-uploaded_at", "-id").first()
    return attachment_response(row, visible=visible)
