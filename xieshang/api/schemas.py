"""Schemas shared by the routers."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    detail: str | None = None


# The error responses every authenticated endpoint may give.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class UnitRef(Schema):
    id: int
    name: str


class SessionRef(Schema):
    id: int
    label: str
    year: int


try:  # django-ninja ≥ 1.5
    from ninja import Status
except ImportError:  # pragma: no cover - older ninja: a (status, body) tuple means the same

    def Status(status_code, value):  # noqa: N802
        return status_code, value
