"""Errors that services raise; views and the API turn them into messages and status codes.

Each carries a stable `code` (for the API and tests) and a translated message for people.
"""

import enum

from django.utils.translation import gettext_lazy as _


class ErrorCode(str, enum.Enum):
    NOT_FOUND = "not_found"  # does not exist, or the user may not see it (same answer for both)
    FORBIDDEN = "forbidden"  # visible, but this user may not do this
    ILLEGAL_TRANSITION = "illegal_transition"  # the action is not legal in the current state
    CONFLICT = "conflict"  # someone else changed the object first
    INVALID = "invalid"  # the data given is not acceptable
    LOCKED_OUT = "locked_out"  # too many failed sign-ins
    THROTTLED = "throttled"  # too many failed sign-ins of this account from everywhere: wait a little
    OTP_REQUIRED = "otp_required"  # the account has a second factor: send its code with the password
    OTP_ENROLMENT_REQUIRED = "otp_enrolment_required"  # this account must first set up a second factor


class ServiceError(Exception):
    code: ErrorCode = ErrorCode.INVALID
    status = 422
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, code: ErrorCode | None = None, field_errors: dict | None = None, detail: str = ""):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.field_errors = field_errors or {}
        self.detail = detail  # a finer machine-readable reason, e.g. "objection_window_closed"
        super().__init__(str(self.message))


class NotFound(ServiceError):
    code = ErrorCode.NOT_FOUND
    status = 404
    default_message = _("Not found.")


class Forbidden(ServiceError):
    code = ErrorCode.FORBIDDEN
    status = 403
    default_message = _("You are not allowed to do this.")


class IllegalTransition(ServiceError):
    code = ErrorCode.ILLEGAL_TRANSITION
    status = 409
    default_message = _("This action is not possible in the current state.")


class Conflict(ServiceError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = _("Someone else changed this in the meantime. Reload and try again.")


class Invalid(ServiceError):
    code = ErrorCode.INVALID
    status = 422
    default_message = _("Some of the data is not valid.")


# --- The one mapping to HTTP (pages and the API) ---------------------------------------------------


def http_status(exc: ServiceError) -> int:
    """The HTTP status of a service's refusal, the same for pages and the API: hidden or missing → 404 (the
    same answer for both), refused → 403, not possible now or changed meanwhile → 409, invalid → 422 (each
    error class's `status`)."""
    return exc.status


def page_error(exc: ServiceError) -> Exception:
    """What a page raises for a refusal it does not show on a form: Http404 (the 404 page) for a hidden or
    missing object, PermissionDenied (the 403 page) for a refused one; any other error itself."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    status = http_status(exc)
    if status == 404:
        return Http404()
    if status == 403:
        return PermissionDenied(str(exc.message))
    return exc


def pages(view):
    """A page view whose selectors and services may refuse: NotFound is the 404 page, Forbidden the 403 page
    (both through `page_error`). Errors a view shows on its form it catches itself."""
    import functools

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, Forbidden) as exc:
            raise page_error(exc) from None

    return wrapped
