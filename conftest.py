"""Fixtures shared by every app's tests."""

import os
import types

os.environ.setdefault("XIESHANG_TESTING", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _audit_purge_allowed(request, django_db_blocker):
    """Let the suite empty its databases between tests (the audit table refuses deletes otherwise).

    A test that proves the audit table's immutability turns it off with
    `xieshang.core.audit.allow_purge(connection, False)` and back on at its end.
    """
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    from django.db import connections

    from xieshang.core.audit import allow_purge

    with django_db_blocker.unblock():
        for conn in connections.all():
            conn._xieshang_audit_purge = True
            if conn.connection is not None:
                allow_purge(conn, True)
    yield


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    from xieshang.core import calendar
    from xieshang.core.sms import LocmemSmsBackend

    from xieshang.core import clock

    cache.clear()
    calendar._overrides.cache_clear()
    from xieshang.core import categories

    categories.forget_memo()  # committee ids come again in the next test
    # The calendar is read again each minute (a change made by another process): a measured request that
    # crossed a minute would count one more query. Tests stand in one minute; the refresh test sets its own.
    monkeypatch.setattr(calendar, "time", types.SimpleNamespace(monotonic=lambda: 0.0))
    LocmemSmsBackend.outbox.clear()
    LocmemSmsBackend.keys.clear()
    # Each test starts in the default language: a request through the test client activates the reader's
    # language in this thread (core's language middleware) and would leave it to the next test.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
    clock.reset()


@pytest.fixture(autouse=True)
def _hot_cache_off(request, settings):
    """A test marked `hot_cache_off` proves what is read from the database, or writes rows straight into it
    (bypassing the services that forget the hot cache): it runs without the hot cache also in CI's run of
    the suite with XIESHANG_HOT_CACHE_SECONDS=60 (ADR 0009)."""
    if request.node.get_closest_marker("hot_cache_off"):
        settings.XIESHANG_HOT_CACHE_SECONDS = 0


@pytest.fixture
def committee(db):
    from xieshang.core.tests.factories import CommitteeFactory, SessionFactory, TermFactory

    c = CommitteeFactory(code="changji", name="昌吉回族自治州政协", short_name="昌吉州政协")
    term = TermFactory(committee=c)
    for number, year in ((1, 2023), (2, 2024), (3, 2025), (4, 2026)):
        SessionFactory(term=term, number=number, year=year, is_current=(year == 2026))
    return c


@pytest.fixture
def make_user(db):
    """make_user(committee, "staff") → a user holding that role; unit=... for handling-unit users."""
    from xieshang.core.tests.factories import MemberFactory, UserFactory, grant

    def _make(committee=None, *roles, unit=None, username=None, **kwargs):
        user = UserFactory(**({"username": username} if username else {}), **kwargs)
        for role in roles:
            grant(user, committee, role, unit=unit if role == "unit" else None)
            if role == "member":
                MemberFactory(committee=committee, user=user)
        return user

    return _make


def _chromium_path() -> str | None:
    import shutil

    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """Playwright's Chromium on the system's browser. Skipped without Chromium, except under CI=true."""
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required for browser tests under CI=true (install Debian's chromium)")
        pytest.skip("Chromium is not installed; browser tests skipped")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _holidays_after_flush(request):
    """Transactional tests (live server, browser) empty every table afterwards, the holiday
    calendar that migration core/0003 seeds included: put it back before such a test runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from xieshang.core import calendar
        from xieshang.core.models import Holiday

        if not Holiday.objects.filter(committee__isnull=True).exists():
            calendar.load_from_package()
    yield
