"""What every app's API module shares: the caller's committee, reading an action's body, a timeline, and the
read endpoints of a resource (its list, one item, its timeline)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Collection
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from xieshang.core import audit
from xieshang.core.errors import ErrorCode, Forbidden, Invalid
from xieshang.core.workflow import MAX_ID

from .auth import committee_for
from .errors import VALIDATION_ERROR, ApiError
from .schemas import ERRORS


# An upload refused for its type or content answers 415, for its size 413 (core.attachments' detail); any
# other refusal of the file (none, empty, too many files) 422 — all with the one error shape.
UPLOAD_STATUS = {"file_type": 415, "file_too_large": 413}


@contextlib.contextmanager
def upload_refusals():
    """Around a service that stores an uploaded file: its refusal for type or size becomes 415 or 413."""
    try:
        yield
    except Invalid as exc:
        status = UPLOAD_STATUS.get(exc.detail)
        if status is None:
            raise
        raise ApiError(status, exc.code.value, str(exc.message), exc.field_errors) from None


def committee_or_forbidden(request):
    """The committee the caller works in (token's choice or header); none → 403."""
    committee = committee_for(request)
    if committee is None:
        raise Forbidden()
    return committee


def has_huge_int(value, names_rows: bool = False, id_keys: Collection[str] = ()) -> bool:
    """Does the value hold a number no database id can be (also as text where it names a row: `names_rows`,
    or under one of `id_keys` in a nested object)?"""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > MAX_ID
    if names_rows and isinstance(value, str):
        text = value.strip().lstrip("-")
        return text.isascii() and text.isdigit() and int(text) > MAX_ID
    if isinstance(value, dict):
        return any(has_huge_int(v, names_rows or k in id_keys, id_keys) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_huge_int(v, names_rows, id_keys) for v in value)
    return False


def action_body(
    request, *, form_value: Callable[[str, list[str]], object], id_keys: Collection[str] = (),
    files: bool = False,
) -> tuple[dict, object]:
    """An action's data — the JSON object, or a multipart/url-encoded form (each key through `form_value`,
    uploaded files too when `files`) — and its expected version (`expected_version`, else `If-Match`).
    A number no database id can be is refused (422) before any query: anywhere when given as a number,
    as text under the keys in `id_keys`."""
    content_type = (request.content_type or "").lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {key: form_value(key, request.POST.getlist(key)) for key in request.POST}
        if files:
            for key in request.FILES:
                data[key] = request.FILES[key]
    else:
        raw = request.body
        if not raw.strip():
            data = {}
        else:
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, ErrorCode.INVALID.value, _("The request body is not valid JSON.")) from None
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ApiError(422, VALIDATION_ERROR, _("Some of the data is not valid."),
                               {"__all__": [_("Enter a valid value.")]})
    for key, value in data.items():
        if has_huge_int(value, key in id_keys or key == "expected_version", id_keys):
            raise ApiError(422, VALIDATION_ERROR, _("Some of the data is not valid."),
                           {key: [_("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": MAX_ID}]})
    version = data.pop("expected_version", None)
    if version is None:
        header = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
        version = header or None
    return data, version


def event_out(event) -> dict:
    """One audit event of a timeline as the API shows it (labels from the app's timeline selector)."""
    return {
        "id": event.pk,
        "action": event.action,
        "label": str(getattr(event, "label", "") or event.action),
        "actor": event.actor.display_name if event.actor_id else None,
        "created_at": event.created_at,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "from_label": str(getattr(event, "from_label", "") or ""),
        "to_label": str(getattr(event, "to_label", "") or ""),
        "payload": event.payload or {},
    }


def labelled_timeline(obj, *, label: Callable[[str], object], state_label: Callable[[str], object]) -> list[dict]:
    """The audit events of `obj` as the API shows them (`event_out`): each action named by `label` (else its
    code), the states by `state_label` (a state machine's)."""
    out = []
    for event in audit.timeline(obj):
        event.label = label(event.action) or event.action
        event.from_label = state_label(event.from_state) if event.from_state else ""
        event.to_label = state_label(event.to_state) if event.to_state else ""
        out.append(event_out(event))
    return out


def add_read_routes(
    router: Router,
    *,
    path: str,
    operation_id: str,
    name: str,
    get: Callable[[Any, Any, int], Any],
    out: Callable[[Any, Any], dict],
    schema: Any,
    summary: str,
    timeline: Callable[[Any], list[dict]],
    event_schema: Any,
    events_summary: str,
    committee: Callable[[HttpRequest], Any] = committee_for,
    tags: list[str] | None = None,
    page: Callable[[Any, Any, Any], dict] | None = None,
    page_schema: Any = None,
    filters: type[Schema] | None = None,
    list_summary: str = "",
) -> None:
    """Register on `router` the read endpoints of a resource at `path` whose bodies are only this:

    - with `page`: GET {path} (`{operation_id}_list`, `list_summary`, `page_schema`), the query parameters of
      `filters`: `page(user, committee, filters)`;
    - GET {path}/{id} (`{operation_id}_get`, `summary`, `schema`): `out(user, get(user, committee, id))`;
    - GET {path}/{id}/events (`{operation_id}_events`, `events_summary`, a list of `event_schema`):
      `timeline(get(user, committee, id))`.

    `committee(request)` is the caller's committee: `committee_for` (none: the selector finds nothing, 404) or
    `committee_or_forbidden` (none: 403). Every response also documents ERRORS. The views are named
    `{name}_list`, `{name}_detail`, `{name}_events` (their URL names) and have no docstring (no description).
    An endpoint that does more than this is written out in its module."""

    def listing(request, filters):
        return page(request.auth, committee(request), filters)

    def detail(request, id: int):
        return out(request.auth, get(request.auth, committee(request), id))

    def events(request, id: int):
        return timeline(get(request.auth, committee(request), id))

    for view, suffix in ((listing, "list"), (detail, "detail"), (events, "events")):
        view.__name__ = view.__qualname__ = f"{name}_{suffix}"
    if page is not None:
        listing.__annotations__["filters"] = Query[filters]  # type: ignore[valid-type]
        router.get(path, response={200: page_schema, **ERRORS}, summary=list_summary,
                   operation_id=f"{operation_id}_list", tags=tags)(listing)
    router.get(f"{path}/{{int:id}}", response={200: schema, **ERRORS}, summary=summary,
               operation_id=f"{operation_id}_get", tags=tags)(detail)
    router.get(f"{path}/{{int:id}}/events", response={200: list[event_schema], **ERRORS}, summary=events_summary,
               operation_id=f"{operation_id}_events", tags=tags)(events)
