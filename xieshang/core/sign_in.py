"""Signing in, the lock-out and password changes: the services the sign-in page, the API's token endpoint
and the Django admin's sign-in all go through (re-exported by `core.services`). ADR 0002, 0013.

Failed attempts (`LoginFailure`, with the client's address from `core.addresses`) are counted three ways
within XIESHANG_LOCKOUT_MINUTES:

- per account and address: XIESHANG_LOCKOUT_FAILURES lock that account *for that address* for the window.
  The owner signing in from somewhere else is not locked out by someone guessing elsewhere;
- per address, whatever the accounts: XIESHANG_LOCKOUT_ADDRESS_FAILURES lock the address for the window;
- per account, from every address: XIESHANG_SLOWDOWN_FAILURES slow the account down (never a hard lock):
  one attempt per XIESHANG_SLOWDOWN_SECONDS, or, for an account with a second factor, no wait but the code
  must come with the password (a guessed password alone then tells nothing). An address the account has
  signed in from before is not slowed down (`is_known_address`): strangers cannot keep the owner out.

Refused attempts while locked or slowed are not counted and write one audit event per window, not one each.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit, second_factor
from .addresses import client_address
from .errors import ErrorCode, Invalid, ServiceError
from .models import Event, LoginFailure

PENDING_KEY = "xieshang_sign_in_pending"  # the session's half-done sign-in: password right, code to come
MUST_ENROL_KEY = "xieshang_must_enrol"  # the session's user must set up a second factor before anything else


class LockedOut(ServiceError):
    code = ErrorCode.LOCKED_OUT
    status = 429


class Throttled(ServiceError):
    code = ErrorCode.THROTTLED
    status = 429


class SecondFactorRequired(ServiceError):
    """The password was right (or, while slowed down, not yet checked): the account's code is needed."""

    code = ErrorCode.OTP_REQUIRED
    status = 401

    def __init__(self, message=None, *, user=None):
        super().__init__(message or _("Enter the code from your authenticator app (or a recovery code)."))
        self.user = user


class EnrolmentRequired(ServiceError):
    code = ErrorCode.OTP_ENROLMENT_REQUIRED
    status = 403


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.XIESHANG_LOCKOUT_MINUTES)


def _series_end(failures, limit: int) -> datetime.datetime | None:
    """When the lock made by `limit` failures of `failures` within the window ends (counted from the last
    of them, so the lock lasts as long as the message says), or None."""
    if limit <= 0:
        return None
    times = list(failures.order_by("-created_at", "-id").values_list("created_at", flat=True)[:limit])
    if len(times) < limit or times[0] - times[-1] > _window():
        return None
    ends = times[0] + _window()
    return ends if ends > timezone.now() else None


def lockout_ends_at(username: str, address: str | None = None) -> datetime.datetime | None:
    """When the lock-out of this account for this address (or of the address itself) ends, or None."""
    pair = _series_end(LoginFailure.objects.filter(username__iexact=username, ip_address=address),
                       settings.XIESHANG_LOCKOUT_FAILURES)
    whole = (_series_end(LoginFailure.objects.filter(ip_address=address), settings.XIESHANG_LOCKOUT_ADDRESS_FAILURES)
             if address else None)
    return max((end for end in (pair, whole) if end is not None), default=None)


def is_locked_out(username: str, address: str | None = None) -> bool:
    return lockout_ends_at(username, address) is not None


def is_known_address(username: str, address: str | None) -> bool:
    """Has this account signed in successfully from this address before (its `auth.sign_in` events)?"""
    account = _account(username) if address else None
    return account is not None and Event.objects.filter(
        actor_id=account.pk, action="auth.sign_in", ip_address=address).exists()


def slowdown_until(username: str, address: str | None = None) -> datetime.datetime | None:
    """Until when the next attempt for this account must wait (failures from every address), or None when it
    is not slowed down. A slowed-down account is never locked: one attempt per XIESHANG_SLOWDOWN_SECONDS.
    An address from which the account has signed in before is not slowed down at all: a stranger failing once
    every window from new addresses cannot keep the owner out (the lock per account and address still holds)."""
    limit = settings.XIESHANG_SLOWDOWN_FAILURES
    if limit <= 0:
        return None
    now = timezone.now()
    times = list(LoginFailure.objects.filter(username__iexact=username, created_at__gt=now - _window())
                 .order_by("-created_at", "-id").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    until = times[0] + datetime.timedelta(seconds=settings.XIESHANG_SLOWDOWN_SECONDS)
    if until <= now or is_known_address(username, address):
        return None
    return until


def _clean_name(username: str) -> str:
    # The name as it is counted and recorded: no NUL (PostgreSQL refuses it in text and JSON) and no
    # longer than a user name can be, whatever a client sends to the API.
    return (username or "").strip().replace("\x00", "")[:150]


def _record_once(action: str, key: str, address: str | None, request) -> None:
    """One audit event of this kind for this account and address per window, however many attempts."""
    since = timezone.now() - _window()
    if not Event.objects.filter(action=action, payload__username=key, ip_address=address,
                                created_at__gte=since).exists():
        with transaction.atomic():
            audit.record(actor=None, action=action, payload={"username": key}, request=request)


def _refuse_if_locked(key: str, address: str | None, request) -> None:
    ends = lockout_ends_at(key, address)
    if ends is not None:
        _record_once("auth.locked_out_attempt", key, address, request)
        raise _locked_out(ends)


def _fail(key: str, address: str | None, request, action: str = "auth.sign_in_failed") -> datetime.datetime | None:
    """Count one failure and record it; when it completes a lock, record that too. Returns the lock's end."""
    with transaction.atomic():
        LoginFailure.objects.create(username=key, ip_address=address)
        audit.record(actor=None, action=action, payload={"username": key}, request=request)
        ends = lockout_ends_at(key, address)
        if ends is not None:  # this failure completed the series: the lock starts now
            audit.record(actor=None, action="auth.locked_out", payload={"username": key}, request=request)
    return ends


def _locked_out(ends: datetime.datetime) -> LockedOut:
    minutes = max(1, math.ceil((ends - timezone.now()).total_seconds() / 60))
    return LockedOut(
        ngettext(
            "Too many failed sign-ins. This account is locked for %(minutes)d more minute.",
            "Too many failed sign-ins. This account is locked for %(minutes)d more minutes.",
            minutes,
        )
        % {"minutes": minutes}
    )


def _throttled(until: datetime.datetime) -> Throttled:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return Throttled(
        ngettext(
            "Too many failed sign-ins for this account. Wait %(seconds)d second and try again.",
            "Too many failed sign-ins for this account. Wait %(seconds)d seconds and try again.",
            seconds,
        )
        % {"seconds": seconds}
    )


def _account(key: str):
    from .models import User

    return User.objects.filter(username__iexact=key, is_active=True).first() if key else None


def auth_check_credentials(*, username: str, password: str, request=None, otp: str | None = None):
    """The user for these credentials, or raise. Counts failures, locks out and slows down (see above).

    Used by the sign-in page, the API's token endpoint and the Django admin alike. For an account with a
    second factor, `otp` (its code or a recovery code) is checked too; without it `SecondFactorRequired`
    is raised (carrying the user) once the password is known to be right, so that a page can ask for the
    code next. While the account is slowed down the code must come with the password.
    """
    key = _clean_name(username)
    address = client_address(request)
    _refuse_if_locked(key, address, request)
    until = slowdown_until(key, address)
    if until is not None:
        account = _account(key)
        if account is not None and second_factor.is_enrolled(account):
            if not otp:  # no wait, but no clue either whether the password alone was right
                raise SecondFactorRequired(user=None)
        else:
            _record_once("auth.throttled", key, address, request)
            raise _throttled(until)
    user = authenticate(request, username=username, password=password) if key == (username or "").strip() else None
    if user is None:
        ends = _fail(key, address, request)
        if ends is not None:
            raise _locked_out(ends)
        raise Invalid(_("The user name or password is not correct."))
    if second_factor.is_enrolled(user):
        if not otp:
            raise SecondFactorRequired(user=user)
        used = second_factor.verify(user, otp)
        if used is None:
            ends = _fail(key, address, request, action="auth.second_factor_failed")
            if ends is not None:
                raise _locked_out(ends)
            raise Invalid(_("The code is not correct."), field_errors={"otp": [_("The code is not correct.")]})
        user.second_factor_used = used
    return user


def clear_failures(user, request=None) -> None:
    """A successful sign-in forgets the failures of this account from this address (not those from other
    addresses: the owner's success must not give someone guessing elsewhere a fresh series)."""
    LoginFailure.objects.filter(username__iexact=user.username, ip_address=client_address(request)).delete()


def _complete(request, user) -> None:
    used = getattr(user, "second_factor_used", None)
    with transaction.atomic():
        login(request, user)
        clear_failures(user, request)
        audit.record(actor=user, action="auth.sign_in", obj=user, request=request,
                     payload={"second_factor": used} if used else None)
    # (django-otp marks the session verified at login(): `second_factor.verify` left the device on the user.)
    request.session.pop(PENDING_KEY, None)
    if second_factor.is_required(user) and not second_factor.is_enrolled(user):
        # When the password was given: the forced enrolment asks it again only once this is old
        # (second_factor.password_needed).
        request.session[MUST_ENROL_KEY] = timezone.now().isoformat()


def auth_sign_in(*, request, username: str, password: str, otp: str | None = None):
    """Sign in with the page's form. Returns the user when signed in, or None when the account's code is
    needed next (the session remembers the half-done sign-in for XIESHANG_SECOND_FACTOR_MINUTES:
    `auth_sign_in_code`)."""
    try:
        user = auth_check_credentials(username=username, password=password, request=request, otp=otp)
    except SecondFactorRequired as exc:
        if exc.user is None:  # slowed down: the code must come with the password, on the same form
            raise
        request.session[PENDING_KEY] = {"user": exc.user.pk, "backend": exc.user.backend,
                                        "at": timezone.now().isoformat()}
        return None
    _complete(request, user)
    return user


def pending_user(request):
    """The user whose password was right and whose code is awaited in this session, or None."""
    from .models import User

    pending = request.session.get(PENDING_KEY) if hasattr(request, "session") else None
    if not pending:
        return None
    started = datetime.datetime.fromisoformat(pending["at"])
    if timezone.now() - started > datetime.timedelta(minutes=settings.XIESHANG_SECOND_FACTOR_MINUTES):
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def auth_sign_in_code(*, request, code: str):
    """The second step of signing in: the code of the account whose password was given in this session."""
    user = pending_user(request)
    if user is None:
        raise Invalid(_("The sign-in has expired. Enter your user name and password again."), detail="expired")
    key, address = user.username, client_address(request)
    try:
        _refuse_if_locked(key, address, request)
    except LockedOut:
        request.session.pop(PENDING_KEY, None)
        raise
    used = second_factor.verify(user, code)
    if used is None:
        ends = _fail(key, address, request, action="auth.second_factor_failed")
        if ends is not None:
            request.session.pop(PENDING_KEY, None)
            raise _locked_out(ends)
        raise Invalid(field_errors={"code": [_("The code is not correct.")]})
    user.second_factor_used = used
    _complete(request, user)
    return user


def auth_sign_out(*, request) -> None:
    user = request.user
    if user.is_authenticated:
        with transaction.atomic():
            audit.record(actor=user, action="auth.sign_out", obj=user, request=request)
    logout(request)


# --- Passwords ------------------------------------------------------------------------------------


def validate_new_password(user, password: str, field: str = "password") -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if not password:
        raise Invalid(field_errors={field: [_("This field is required.")]})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(field_errors={field: list(exc.messages)})


def password_replace(user, password: str, *, keep_token=None) -> int:
    """Inside the caller's transaction: set the new password and end what the old one opened. Every session
    ends (Django checks each session against the password's hash) and every API token of the user is revoked
    except `keep_token` (the one making a self-service change). Returns how many tokens were revoked."""
    from django.utils.module_loading import import_string

    from . import registry

    user.set_password(password)
    user.save(update_fields=["password"])
    return sum(import_string(path)(user, keep=keep_token) or 0 for path in registry.credentials_changed_handlers())


def password_confirm(actor, password: str, *, request=None, action: str, field: str):
    """A signed-in user's own password asked again before a sensitive change: refused while the account is
    locked for this address, and a wrong one counts towards the lock-out like a failed sign-in (recorded as
    `action`). Returns the user with its password hash; raises LockedOut or Invalid on `field`."""
    from .models import User

    key, address = actor.username, client_address(request)
    _refuse_if_locked(key, address, request)
    user = User.objects.get(pk=actor.pk)  # with its password hash (a cached user has none)
    if not password or not user.check_password(password):
        ends = _fail(key, address, request, action=action)
        if ends is not None:
            raise _locked_out(ends)
        raise Invalid(field_errors={field: [_("The current password is not correct.")]})
    return user


def auth_password_change(*, actor, old: str, new: str, request=None, keep_token=None) -> int:
    """A signed-in user changes their own password. The old one must be right (a wrong one counts towards
    the lock-out like a failed sign-in). The session making the change stays signed in, the others end;
    all API tokens are revoked except `keep_token`. Returns how many tokens were revoked."""
    if actor is None or not actor.is_authenticated:
        raise Invalid()
    user = password_confirm(actor, old, request=request, action="auth.password_change_failed", field="old")
    if new == old:
        raise Invalid(field_errors={"new": [_("The new password must differ from the current one.")]})
    validate_new_password(user, new, field="new")
    with transaction.atomic():
        revoked = password_replace(user, new, keep_token=keep_token)
        audit.record(actor=user, action="user.password_changed", obj=user, request=request,
                     payload={"tokens_revoked": revoked})
    if request is not None and getattr(request, "session", None) is not None and keep_token is None:
        update_session_auth_hash(request, user)  # this browser stays signed in
    return revoked
