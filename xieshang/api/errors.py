"""One shape for every error the API returns:

    {"code": "<stable code>", "message": "<in the request's language>", "fields": {"name": ["…"]}}

`code` is a value of xieshang.core.errors.ErrorCode, or "validation_error" for a request that does
not match the schema (or whose body is not a JSON object), "unauthenticated" for a request without valid
credentials, "too_large" (413) for a body above DATA_UPLOAD_MAX_MEMORY_SIZE, "server_error" (500) for an
exception nobody expected (logged with its traceback; the answer says nothing of it).
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.errors import AuthenticationError, HttpError, ValidationError

from xieshang.core.errors import ErrorCode, ServiceError, http_status

VALIDATION_ERROR = "validation_error"
UNAUTHENTICATED = "unauthenticated"
TOO_LARGE = "too_large"
SERVER_ERROR = "server_error"

logger = logging.getLogger("django.request")  # where Django logs the 500s of the pages


class ApiError(Exception):
    """An error raised by the API layer itself (not by a service)."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}
        super().__init__(message)


def error_body(code: str, message, fields: dict | None = None, detail: str = "") -> dict:
    body = {"code": code, "message": force_str(message)}
    if fields:
        body["fields"] = {name: [force_str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
                          for name, msgs in fields.items()}
    if detail:
        body["detail"] = detail
    return body


def not_found_error() -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND.value, _("Not found."))


# --- Validation errors of the request schema ---------------------------------------------


def _pydantic_message(error: dict) -> str:
    """A translated message for one pydantic error (Django's own messages where one fits)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("“%(value)s” value must be either True or False.") % {"value": error.get("input", "")}
    if kind in {"date_parsing", "date_from_datetime_parsing", "date_type"}:
        return _("Enter a valid date.")
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        shown = int(error.get("input_length", 0))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": shown}
    if kind == "string_too_short":
        limit = int(ctx.get("min_length", 0))
        shown = int(error.get("input_length", 0))
        return ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": shown}
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt", ""))
        }
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt", ""))
        }
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": error.get("input", "")
        }
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # a schema's own validator said what is wrong (e.g. the length limit)
    return _("Enter a valid value.")


def _field_name(loc) -> str:
    """("body", "payload", "title") → "title"; ("query", "page") → "page"; nested → "units.0.role"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "cookie", "file"}:
        parts = parts[1:]
    # Ninja names the whole body after the view's parameter ("payload", "data" …): drop it.
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters", "body"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return fields


# --- Handlers ---------------------------------------------------------------------------


def install(api) -> None:
    """Register the handlers on a NinjaAPI instance."""

    def respond(request, status, body, headers=None):
        response = api.create_response(request, body, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return respond(request, http_status(exc), error_body(exc.code.value, exc.message, exc.field_errors, exc.detail))

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.fields), exc.headers)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        body = error_body(VALIDATION_ERROR, _("Some of the data is not valid."), validation_fields(exc.errors))
        return respond(request, 422, body)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        body = error_body(UNAUTHENTICATED, _("Sign in, or send a valid API token (Authorization: Bearer …)."))
        return respond(request, 401, body, {"WWW-Authenticate": 'Bearer realm="xieshang"'})

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:
            return respond(request, 400, error_body(ErrorCode.INVALID.value, _("The request body is not valid JSON.")))
        if exc.status_code == 403:  # ninja's own CSRF check
            return respond(request, 403, error_body(ErrorCode.FORBIDDEN.value, _("You are not allowed to do this.")))
        if exc.status_code == 404:
            return respond(request, 404, error_body(ErrorCode.NOT_FOUND.value, _("Not found.")))
        if exc.status_code == 429:
            return respond(request, 429, error_body(ErrorCode.LOCKED_OUT.value, _("Too many requests.")))
        return respond(request, exc.status_code, error_body(ErrorCode.INVALID.value, force_str(exc)))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, error_body(ErrorCode.NOT_FOUND.value, _("Not found.")))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return respond(request, 413, error_body(TOO_LARGE, _("The request is too large.")))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        """Anything else: the JSON 500, never the HTML page (nor a traceback); logged as Django logs one."""
        logger.error("Internal Server Error: %s", request.path, exc_info=exc,
                     extra={"status_code": 500, "request": request})
        return respond(request, 500, error_body(SERVER_ERROR, _("Something went wrong on our side. Please try again later.")))
