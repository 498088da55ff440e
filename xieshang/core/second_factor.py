"""The second factor: an authenticator app's six-digit codes (TOTP) and ten recovery codes, kept by
django-otp (its TOTP and static devices). Any account may enrol (`second_factor_enrol_start` then
`second_factor_enrol_confirm`, on the page "Two-step sign-in"); administrators must, and staff and leaders
of a committee that requires it (`Committee.require_second_factor`). Signing in asks for the code after
the password (`core.sign_in`).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .errors import Invalid

RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"


def _devices():
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice, StaticDevice


def is_enrolled(user) -> bool:
    TOTPDevice, _static = _devices()
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def is_required(user) -> bool:
    """Must this account have a second factor? Platform administrators and committee administrators always;
    staff and leaders where their committee requires it."""
    from django.db.models import Q

    from .models import Role, RoleAssignment

    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        Q(role=Role.ADMIN) | Q(role__in=[Role.STAFF, Role.LEADER], committee__require_second_factor=True),
        user_id=user.pk,
    ).exists()


def verify(user, code: str) -> str | None:
    """Check a code of this account: "totp" for the authenticator's code, "recovery" for a recovery code
    (used up by this), None when it is not right. The device that took it is left on `user.otp_device`
    (django-otp then marks the session as verified when it signs in)."""
    TOTPDevice, StaticDevice = _devices()
    # Letters and digits only (spaces and dashes people type are dropped; no NUL reaches PostgreSQL).
    code = re.sub(r"[^0-9a-z]", "", (code or "").lower())[:16]
    if not code:
        return None
    if code.isdigit():
        for device in TOTPDevice.objects.filter(user_id=user.pk, confirmed=True):
            if device.verify_token(code):
                user.otp_device = device
                return "totp"
        return None
    for device in StaticDevice.objects.filter(user_id=user.pk, confirmed=True):
        if device.verify_token(code):
            user.otp_device = device
            return "recovery"
    return None


def recovery_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def second_factor_enrol_start(*, actor):
    """The authenticator to set up: a new secret, not yet in force until a code from it is confirmed
    (an unfinished one is reused, so reloading the page shows the same QR code)."""
    TOTPDevice, _static = _devices()
    device = TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user_id=actor.pk, name=DEVICE_NAME, confirmed=False)
    return device


def password_needed(actor, request=None) -> bool:
    """Must setting up an authenticator ask for the account's password? Always, except in the enrolment forced
    right after signing in (an account that must have a second factor and has none), within
    XIESHANG_SECOND_FACTOR_MINUTES of giving the password: a session left open must never be enough to set up
    or replace the second factor."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from .sign_in import MUST_ENROL_KEY

    session = getattr(request, "session", None)
    given = session.get(MUST_ENROL_KEY) if session is not None else None
    if not isinstance(given, str) or is_enrolled(actor):
        return True
    try:
        at = datetime.datetime.fromisoformat(given)
    except ValueError:
        return True
    return timezone.now() - at > datetime.timedelta(minutes=settings.XIESHANG_SECOND_FACTOR_MINUTES)


def second_factor_enrol_confirm(*, actor, code: str, request=None, password: str | None = None) -> list[str]:
    """Confirm the authenticator with one of its codes: it replaces any earlier one, and ten new recovery codes
    replace the old ones. The account's password is needed too (`password_needed`), checked like a password
    change: refused while locked out, a wrong one counts towards the lock-out (`user.second_factor_failed`).
    Returns the recovery codes (shown once)."""
    from django_otp.plugins.otp_static.models import StaticToken

    from .sign_in import password_confirm

    TOTPDevice, StaticDevice = _devices()
    if password_needed(actor, request):
        if not password:
            raise Invalid(field_errors={"password": [_("Enter your current password to set up two-step sign-in.")]})
        password_confirm(actor, password, request=request, action="user.second_factor_failed", field="password")
    device = TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).order_by("-id").first()
    code = "".join((code or "").split())
    if device is None:
        raise Invalid(field_errors={"code": [_("Start again: scan the new QR code.")]})
    if not code.isdigit() or not device.verify_token(code):
        raise Invalid(field_errors={"code": [_("The code is not correct. Check the time on your phone and try the "
                                               "newest code.")]})
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user_id=actor.pk).exclude(pk=device.pk).delete()[0] > 0
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user_id=actor.pk).delete()
        static = StaticDevice.objects.create(user_id=actor.pk, name="recovery codes", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
        audit.record(actor=actor, action="user.second_factor_enrolled", obj=actor, request=request,
                     payload={"replaced": replaced})
    return codes


def remove_devices(user) -> int:
    """Inside the caller's transaction: delete the user's authenticators and recovery codes; how many devices."""
    TOTPDevice, StaticDevice = _devices()
    return TOTPDevice.objects.filter(user_id=user.pk).delete()[0] + StaticDevice.objects.filter(user_id=user.pk).delete()[0]


def qr_svg(device) -> str:
    """The device's otpauth:// address as an SVG QR code (drawn here: no image service, no CDN)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=15, border=2)
    return image.to_string(encoding="unicode")


def secret_text(device) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
