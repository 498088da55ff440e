"""The committee a signed-in user is working in (chosen in the header; remembered in the session)."""

from django.contrib.auth import SESSION_KEY as USER_KEY
from django.utils.functional import SimpleLazyObject

from . import calendar, timers
from .cache import prime, unprime
from .models import Committee
from .selectors import (
    committee_list,
    default_committee,
    hot_cache_seconds,
    organisation_version_key,
    principal_key,
    unread_key,
)

SESSION_KEY = "xieshang_committee_id"


def _committee_for(request):
    user = request.user
    if not user.is_authenticated:
        return None
    cid = request.session.get(SESSION_KEY)
    if cid:
        for committee in committee_list(user):
            if committee.pk == cid:
                return committee
    return default_committee(user)


class CommitteeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import categories

        request.committee = SimpleLazyObject(lambda: _committee_for(request))
        primed = _prime(request)
        token = categories.request_started(request)  # the committee's category list: read afresh per request
        try:
            return self.get_response(request)
        finally:
            categories.request_finished(token)
            if primed:
                unprime()


def _prime(request) -> bool:
    """With the hot cache on, read the small keys every signed-in page reads in one round trip
    (`core.cache.prime`): the user with their roles, the unread badge, the calendar's version and the
    session committee's organisation version and timers."""
    session = getattr(request, "session", None)
    user_id = session.get(USER_KEY) if session is not None and session.session_key else None
    if not user_id or not hot_cache_seconds():
        return False
    keys = [principal_key(user_id), unread_key(user_id), calendar.VERSION_KEY]
    if cid := session.get(SESSION_KEY):
        keys += [organisation_version_key(cid), timers.cache_key(cid)]
    prime(keys)
    return True


def committee_of_request(request) -> Committee | None:
    committee = getattr(request, "committee", None)
    # Unwrap the lazy object so that `is None` works.
    if committee is not None and not committee:
        return None
    return committee._wrapped if hasattr(committee, "_wrapped") and committee._wrapped is not None else committee


class LanguageMiddleware:
    """Chinese unless the person chose otherwise.

    The pages ignore the browser's Accept-Language: an office computer set up in English still
    shows the Chinese interface, and English is one click away (the choice is kept in the
    language cookie by Django's set_language view). The API answers in the request's language
    (Accept-Language), as API clients expect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = settings.LANGUAGE_CODE
            if cookie:
                try:
                    language = translation.get_supported_language_variant(cookie)
                except LookupError:
                    language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",) if not request.path.startswith("/api/") else ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SessionTouchMiddleware:
    """The idle timeout without a write on every request.

    A session expires SESSION_COOKIE_AGE after it was last saved. Saving it on every request
    (SESSION_SAVE_EVERY_REQUEST) made every page a database write — at a plenary peak, hundreds a
    second, and on SQLite every page waiting for the single writer. Instead, a signed-in session is
    saved again only when its last save is SESSION_TOUCH_SECONDS (60) old or more, so it ends between
    SESSION_COOKIE_AGE − 60 s and SESSION_COOKIE_AGE after the last request. Placed after
    SessionMiddleware, so the save happens in its response phase.
    """

    KEY = "_xieshang_touched"

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.interval = int(getattr(settings, "SESSION_TOUCH_SECONDS", 60))

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not (session.session_key or session.modified):
            return response
        from django.utils import timezone

        now = int(timezone.now().timestamp())
        touched = session.get(self.KEY)
        # A session being saved anyway (sign-in, a message …) records the time of that save.
        if session.modified or not isinstance(touched, int) or not 0 <= now - touched < self.interval:
            session[self.KEY] = now
        return response


class SecondFactorEnrolmentMiddleware:
    """An account that must have a second factor and signed in without one (an administrator, or staff and
    leaders of a committee that requires it; `core.sign_in` marks the session) may open only the enrolment
    page and sign out until it has set one up. Reads the session only: no query on ordinary requests."""

    ALLOWED = ("core:account_second_factor", "core:logout", "set_language", "javascript-catalog")

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed: frozenset[str] | None = None

    def allowed(self) -> frozenset[str]:
        if self._allowed is None:
            from django.urls import reverse

            self._allowed = frozenset(reverse(name) for name in self.ALLOWED)
        return self._allowed

    def __call__(self, request):
        from django.conf import settings

        from .sign_in import MUST_ENROL_KEY

        session = getattr(request, "session", None)
        if session is not None and session.get(MUST_ENROL_KEY) and request.user.is_authenticated:
            path = request.path_info
            if path not in self.allowed() and not path.startswith(settings.STATIC_URL):
                return _enrolment_first(request, path)
        return self.get_response(request)


def _enrolment_first(request, path: str):
    from django.http import JsonResponse
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    message = _("Your role requires two-step sign-in. Set it up now to continue.")
    if path.startswith("/api/"):
        return JsonResponse({"code": "otp_enrolment_required", "message": message}, status=403)
    return redirect("core:account_second_factor")
