"""What every app's API module shares: the caller's committee, and reading an action's body."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection

from django.utils.translation import gettext as _

from xieshang.core.errors import ErrorCode, Forbidden
from xieshang.core.workflow import MAX_ID

from .auth import committee_for
from .errors import VALIDATION_ERROR, ApiError


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
