"""Every write of the API app: issuing, using and revoking API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from django.utils.translation import gettext as _

from xieshang.core import audit, second_factor
from xieshang.core.errors import Forbidden
from xieshang.core.sign_in import EnrolmentRequired, auth_check_credentials, clear_failures

from .models import ApiToken

TOKEN_PREFIX = "xs_"
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_days() -> int:
    return int(getattr(settings, "XIESHANG_API_TOKEN_DAYS", 30))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_issue(*, username: str, password: str, name: str = "", request=None,
                    otp: str | None = None) -> tuple[ApiToken, str]:
    """Check the credentials like the sign-in page (failures count towards the lock-out and are
    audited; an account with a second factor sends its code as `otp`), then create a token. An account that
    must have a second factor but has none set up gets no token until it sets one up in the browser.
    Returns (the stored row, the token itself: shown only once)."""
    user = auth_check_credentials(username=username, password=password, request=request, otp=otp)
    if second_factor.is_required(user) and not second_factor.is_enrolled(user):
        raise EnrolmentRequired(_("Set up two-step sign-in in the browser (your account page) before using the API."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "")[:64],
            prefix=raw[:10],
            key_hash=hash_token(raw),
            expires_at=now + datetime.timedelta(days=token_days()),
        )
        # A successful sign-in clears the failures from this address, as on the sign-in page.
        clear_failures(user, request)
        audit.record(
            actor=user,
            action="api.token_issued",
            obj=token,
            payload={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
            request=request,
        )
    return token, raw


def api_token_authenticate(raw: str) -> tuple:
    """(user, token) for a live token of an active user, else (None, None).
    Marks the token as used (at most once a minute, not on every request)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None, None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None, None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def api_token_revoke(*, actor, token: ApiToken, request=None) -> ApiToken:
    """Revoke a token: its owner or a platform administrator may."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if token.user_id != actor.pk and not actor.is_superuser:
        raise Forbidden()
    if token.revoked_at is not None:  # revoking twice changes nothing
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api.token_revoked", obj=token, payload={"prefix": token.prefix}, request=request)
    return token


def api_tokens_revoke_all(user, keep: ApiToken | None = None) -> int:
    """Inside a password change or reset (core.sign_in.password_replace): revoke every live token of the user
    except `keep` (the token making a self-service change). Returns how many."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        live = live.exclude(pk=keep.pk)
    return live.update(revoked_at=timezone.now())
