"""Who is calling: a bearer token (`Authorization: Bearer xs_…`) or the browser's session.

A session-authenticated request that changes something must carry the CSRF token
(X-CSRFToken header), exactly like a form post; bearer requests need none.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from xieshang.core.errors import ErrorCode
from xieshang.core.middleware import SESSION_KEY
from xieshang.core.selectors import committee_list, default_committee

from . import services
from .errors import ApiError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user, row = services.api_token_authenticate(token)
        if user is None:
            return None
        # The rest of the request (audit, selectors, the committee middleware) sees the token's user.
        request.user = user
        request.api_token = row
        return user


class SessionCsrfAuth(APIKeyCookie):
    """Django's session, with the CSRF check for unsafe methods. Unlike ninja's SessionAuth, a request
    without a signed-in session is simply not authenticated by it (401), not refused for CSRF (403)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise ApiError(403, ErrorCode.FORBIDDEN.value, _("The CSRF token is missing or not valid."))
        return user

    def authenticate(self, request: HttpRequest, key):  # pragma: no cover - __call__ does the work
        return None


def committee_for(request):
    """The committee the caller works in.

    `X-Committee: <code or id>` chooses one of the caller's committees explicitly; otherwise the one
    chosen in the browser session, otherwise the caller's default committee.
    """
    user = request.auth
    wanted = (request.headers.get("X-Committee") or "").strip()
    committees = committee_list(user)
    if wanted:
        if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:
            committee = next((c for c in committees if c.pk == int(wanted)), None)
        else:
            committee = next((c for c in committees if c.code == wanted[:32]), None)
        if committee is None:
            raise ApiError(404, ErrorCode.NOT_FOUND.value, _("Not found."))
        return committee
    session = getattr(request, "session", None)
    if session is not None and getattr(request, "api_token", None) is None:
        cid = session.get(SESSION_KEY)
        if cid:
            committee = next((c for c in committees if c.pk == cid), None)
            if committee is not None:
                return committee
    return default_committee(user)
