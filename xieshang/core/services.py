"""Every write of the core app. One function per action: check, write in one transaction,
record the audit event, queue notifications after commit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, calendar
from .errors import Forbidden, Invalid, ServiceError, ErrorCode
from .models import Delivery, Holiday, LoginFailure, Notification, Role, TimerSetting
from .selectors import has_role


# --- Sign-in ----------------------------------------------------------------


class LockedOut(ServiceError):
    code = ErrorCode.LOCKED_OUT
    status = 429


def _recent_failures(username: str) -> int:
    since = timezone.now() - datetime.timedelta(minutes=settings.XIESHANG_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username__iexact=username, created_at__gte=since).count()


def is_locked_out(username: str) -> bool:
    return _recent_failures(username) >= settings.XIESHANG_LOCKOUT_FAILURES


def auth_check_credentials(*, username: str, password: str, request=None):
    """The user for these credentials, or raise. Counts failures and locks the name out.

    Used by the sign-in page and by the API's token endpoint alike.
    """
    username = (username or "").strip()
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if is_locked_out(username):
        with transaction.atomic():
            audit.record(actor=None, action="auth.locked_out_attempt", payload={"username": username}, request=request)
        raise LockedOut(
            _("Too many failed sign-ins. This account is locked for %(minutes)d minutes.")
            % {"minutes": settings.XIESHANG_LOCKOUT_MINUTES}
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            LoginFailure.objects.create(username=username, ip_address=ip)
            audit.record(actor=None, action="auth.sign_in_failed", payload={"username": username}, request=request)
            if _recent_failures(username) == settings.XIESHANG_LOCKOUT_FAILURES:
                audit.record(actor=None, action="auth.locked_out", payload={"username": username}, request=request)
        raise Invalid(_("The user name or password is not correct."))
    return user


def auth_sign_in(*, request, username: str, password: str):
    user = auth_check_credentials(username=username, password=password, request=request)
    with transaction.atomic():
        login(request, user)
        LoginFailure.objects.filter(username__iexact=user.username).delete()
        audit.record(actor=user, action="auth.sign_in", obj=user, request=request)
    return user


def auth_sign_out(*, request) -> None:
    user = request.user
    if user.is_authenticated:
        with transaction.atomic():
            audit.record(actor=user, action="auth.sign_out", obj=user, request=request)
    logout(request)


# --- Notifications -----------------------------------------------------------


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    committee=None,
    dedupe_key: str | None = None,
    channels: Iterable[str] = ("email",),
) -> list[Notification]:
    """Create in-app notifications now (inside the caller's transaction) and queue their
    delivery on e-mail/SMS for after the commit. With `dedupe_key`, a recipient who already
    has a notification with that key gets no second one (reminders are sent once)."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user, kind=kind, title=str(title)[:200], body=str(body), url=url,
                    committee=committee, dedupe_key=dedupe_key,
                )
        except IntegrityError:  # a concurrent copy of the same reminder won
            continue
        for channel in channels:
            address = user.email if channel == Delivery.Channel.EMAIL else getattr(user, "phone", "")
            if address:
                Delivery.objects.create(notification=notification, channel=channel, address=address)
        created.append(notification)
    if created:
        ids = [n.pk for n in created if n.deliveries.exists()]

        def enqueue():
            from .tasks import deliver_notification

            for pk in ids:
                deliver_notification.enqueue(pk)

        transaction.on_commit(enqueue)
    return created


def notification_mark_read(*, actor, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, all) of the actor's notifications read. Returns how many changed."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# --- Calendar and timers --------------------------------------------------------


def holiday_set(*, actor, date: datetime.date, is_working_day: bool, name: str = "", committee=None) -> Holiday:
    """Add or change one day of the calendar (national when committee is None: platform administrators only)."""
    if committee is None:
        if not actor.is_superuser:
            raise Forbidden()
    elif not has_role(actor, committee, Role.ADMIN):
        raise Forbidden()
    with transaction.atomic():
        row, created = Holiday.objects.update_or_create(
            date=date, committee=committee, defaults={"is_working_day": is_working_day, "name": name}
        )
        audit.record(
            actor=actor, action="calendar.day_set", obj=row, committee=committee,
            payload={"date": date.isoformat(), "is_working_day": is_working_day, "name": name, "created": created},
        )
        transaction.on_commit(calendar.invalidate)
    calendar.invalidate()
    return row


def timer_set(*, actor, committee, key: str, amount: int, unit: str) -> TimerSetting:
    from .timers import DEFAULT_TIMERS

    if not has_role(actor, committee, Role.ADMIN):
        raise Forbidden()
    if key not in DEFAULT_TIMERS:
        raise Invalid(field_errors={"key": [_("Unknown timer.")]})
    if unit not in TimerSetting.Unit.values or amount < 0:
        raise Invalid(field_errors={"unit": [_("Unknown unit.")]})
    with transaction.atomic():
        row, _created = TimerSetting.objects.update_or_create(
            committee=committee, key=key, defaults={"amount": amount, "unit": unit}
        )
        audit.record(actor=actor, action="timer.set", obj=row, committee=committee,
                     payload={"key": key, "amount": amount, "unit": unit})
    return row
