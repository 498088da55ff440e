"""Endpoints of background exports (xieshang.core.exports): the state of one and its file.

An export is asked for by its app's endpoint (POST /api/v1/proposals/exports); it is written by the
worker, and only the caller who asked for it sees it here (anyone else: 404, as for a missing one).
"""

from __future__ import annotations

import datetime

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from xieshang.core import exports as background
from xieshang.core.models import Export
from xieshang.core.selectors import export_get, exports_of

from .errors import ApiError
from .schemas import ERRORS, ErrorOut

router = Router(tags=["exports"])

# Error codes of exports (besides those of every endpoint).
EXPORT_TOO_LARGE = "export_too_large"  # GET …/export.xlsx of a list longer than the inline limit: 409
EXPORT_NOT_READY = "export_not_ready"  # the file of a queued or running export: 409 (with Retry-After)
EXPORT_FAILED = "export_failed"  # the file of a failed export: 409
EXPORT_EXPIRED = "export_expired"  # the file of an export past its expiry: 410
RETRY_AFTER_SECONDS = 5


class ExportOut(Schema):
    id: int
    kind: str = Field(..., description="What is exported, e.g. `proposals_api` (the proposal list).")
    state: str = Field(..., description="`queued`, `running`, `done` or `failed`.")
    row_count: int | None = Field(None, description="Rows written (once done).")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    expires_at: datetime.datetime | None = Field(None, description="The file can be downloaded until then.")
    error: str = Field("", description="Why it failed (state `failed`).")
    url: str = Field(..., description="This export (poll it until `state` is `done` or `failed`).")
    file_url: str | None = Field(None, description="The file, when it can be downloaded.")


def export_out(export) -> dict:
    ready = background.is_downloadable(export)
    return {
        "id": export.pk, "kind": export.kind, "state": export.state, "row_count": export.row_count,
        "created_at": export.created_at, "started_at": export.started_at, "finished_at": export.finished_at,
        "expires_at": export.expires_at, "error": background.message_of(export),
        "url": reverse("api:export_detail", kwargs={"id": export.pk}),
        "file_url": reverse("api:export_file", kwargs={"id": export.pk}) if ready else None,
    }


@router.get("", response={200: list[ExportOut], **ERRORS}, summary="My exports", operation_id="exports_list")
def export_list(request):
    """The caller's own background exports, newest first (at most 100)."""
    return [export_out(e) for e in exports_of(request.auth)[:100]]


@router.get("/{int:id}", response={200: ExportOut, **ERRORS}, summary="One export (its state)",
            operation_id="exports_get", url_name="export_detail")
def export_detail(request, id: int):
    return export_out(export_get(request.auth, id))


@router.get("/{int:id}/file", response={200: None, **ERRORS, 410: ErrorOut}, summary="The file of a finished export",
            operation_id="exports_file", url_name="export_file")
def export_file(request, id: int):
    """The file once the export is `done`. Before: 409 `export_not_ready` (with Retry-After); after a
    failure: 409 `export_failed`; after `expires_at`: 410 `export_expired`."""
    export = export_get(request.auth, id)
    if export.state in (Export.State.QUEUED, Export.State.RUNNING):
        raise ApiError(409, EXPORT_NOT_READY, _("The file is not ready yet. Ask again in a few seconds."),
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if export.state == Export.State.FAILED:
        raise ApiError(409, EXPORT_FAILED, _("This export failed: %(message)s") % {"message": background.message_of(export)})
    handle = None
    if background.is_downloadable(export):
        try:
            handle = export.file.open("rb")
        except (FileNotFoundError, OSError):
            handle = None
    if handle is None:
        raise ApiError(410, EXPORT_EXPIRED, _("This export has expired. Export the list again."))
    return FileResponse(handle, as_attachment=True, filename=background.filename_of(export),
                        content_type=background.content_type_of(export))
