"""Signing in and out through the pages: messages, lock-out, audit events, idle timeout, passwords."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from xieshang.core import audit
from xieshang.core.models import Event, LoginFailure
from xieshang.core.tests.factories import UserFactory

PASSWORD = "correct-horse-42"  # the factories' password
WRONG = "The user name or password is not correct."
LOCKED = "Too many failed sign-ins."


@pytest.fixture
def clock(monkeypatch):
    """Django's clock (sessions, auto_now fields, the services), moved by hand."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += datetime.timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", full_name="阿丽")


def sign_in(client, username, password, **extra):
    # The messages are checked in English: the pages follow the language cookie (the switch in the
    # header), not the browser's Accept-Language, so ask for English the way a person does.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post("/login/", {"username": username, "password": password, **extra})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def actions(**filters) -> list[str]:
    return list(Event.objects.filter(**filters).values_list("action", flat=True))


# --- Sign in and out ----------------------------------------------------------------


def test_sign_in_succeeds_and_is_recorded(client, alice):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)
    assert client.get("/").status_code == 200
    event = Event.objects.get(action="auth.sign_in")
    assert event.actor == alice
    assert event.ip_address == "127.0.0.1"
    assert list(audit.timeline(alice).values_list("action", flat=True)) == ["auth.sign_in"]


def test_sign_in_page_when_signed_in_goes_home(client, alice):
    client.force_login(alice)
    assert client.get("/login/")["Location"] == "/"


def test_sign_in_follows_a_safe_next_only(client, alice):
    assert sign_in(client, "alice", PASSWORD, next="/inbox/")["Location"] == "/inbox/"
    client.logout()
    assert sign_in(client, "alice", PASSWORD, next="https://evil.example/x")["Location"] == "/"


def test_wrong_password_keeps_the_message_and_the_user_name(client, alice):
    response = sign_in(client, "alice", "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG in html
    assert re.search(r'<input[^>]*name="username"[^>]*value="alice"', html)
    assert "not-the-password" not in html  # a password is never sent back
    assert not signed_in(client)
    assert actions() == ["auth.sign_in_failed"]
    assert Event.objects.get().payload == {"username": "alice"}
    assert LoginFailure.objects.filter(username="alice").count() == 1


def test_unknown_user_gets_the_same_message(client, db):
    html = sign_in(client, "nobody", "whatever-1234").content.decode()
    assert WRONG in html
    assert actions() == ["auth.sign_in_failed"]


def test_missing_password_is_shown_next_to_the_field(client, alice):
    html = sign_in(client, "alice", "").content.decode()
    assert 'class="field has-error"' in html
    assert "This field is required." in html
    assert re.search(r'name="username"[^>]*value="alice"', html)
    assert actions() == []  # nothing was tried


@pytest.mark.parametrize("username", ["a" * 151, "ali\x00ce", "<script>alert(1)</script>"])
def test_odd_user_names_get_a_message_not_an_error(client, alice, username):
    response = sign_in(client, username, PASSWORD)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("username", ["a" * 400, "ali\x00ce"])
def test_the_service_records_odd_names_safely(alice, username):
    """The API's token endpoint hands user names to the service without a form in between."""
    from xieshang.core.errors import Invalid
    from xieshang.core.services import auth_check_credentials

    with pytest.raises(Invalid):
        auth_check_credentials(username=username, password=PASSWORD)
    failure = LoginFailure.objects.get()
    assert len(failure.username) <= 150 and "\x00" not in failure.username
    assert "\x00" not in Event.objects.get().payload["username"]


def test_successful_sign_in_clears_earlier_failures(client, alice):
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES - 1):
        sign_in(client, "alice", "wrong-password")
    sign_in(client, "alice", PASSWORD)
    assert signed_in(client)
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_sign_out(client, alice):
    sign_in(client, "alice", PASSWORD)
    assert client.get("/logout/").status_code == 405  # only a POST signs out
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not signed_in(client)
    assert client.get("/")["Location"].startswith("/login/")
    assert actions() == ["auth.sign_in", "auth.sign_out"]
    assert Event.objects.get(action="auth.sign_out").actor == alice


def test_sign_out_when_not_signed_in_records_nothing(client, db):
    assert client.post("/logout/").status_code == 302
    assert actions() == []


# --- Lock-out -------------------------------------------------------------------------


def test_lock_out_after_too_many_failures(client, alice):
    limit = settings.XIESHANG_LOCKOUT_FAILURES
    assert limit >= 2
    for _ in range(limit - 1):
        assert WRONG in sign_in(client, "alice", "wrong-password").content.decode()
    last = sign_in(client, "alice", "wrong-password").content.decode()
    assert LOCKED in last  # the failure that completes the series already says so
    assert f"locked for {settings.XIESHANG_LOCKOUT_MINUTES} more minutes" in last

    # Even the right password is refused while the lock lasts; the attempt is recorded.
    response = sign_in(client, "alice", PASSWORD)
    assert LOCKED in response.content.decode()
    assert re.search(r'name="username"[^>]*value="alice"', response.content.decode())
    assert not signed_in(client)
    assert actions(action__startswith="auth.") == ["auth.sign_in_failed"] * limit + [
        "auth.locked_out",
        "auth.locked_out_attempt",
    ]
    # Attempts while locked are not counted as new failures.
    assert LoginFailure.objects.filter(username="alice").count() == limit


def test_lock_out_is_per_user_name_in_any_case(client, alice):
    bob = UserFactory(username="bob")
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        sign_in(client, "alice", "wrong-password")
    assert LOCKED in sign_in(client, "ALICE", PASSWORD).content.decode()
    assert sign_in(client, bob.username, PASSWORD).status_code == 302


def test_lock_lasts_the_whole_period_from_the_last_failure(client, alice, clock):
    limit, minutes = settings.XIESHANG_LOCKOUT_FAILURES, settings.XIESHANG_LOCKOUT_MINUTES
    sign_in(client, "alice", "wrong-password")
    clock.advance(minutes=minutes - 1)  # the others come just inside the window
    for _ in range(limit - 1):
        sign_in(client, "alice", "wrong-password")
    assert Event.objects.filter(action="auth.locked_out").count() == 1

    clock.advance(minutes=minutes - 1)  # the first failure has left the window, the lock has not ended
    response = sign_in(client, "alice", PASSWORD)
    assert "locked for 1 more minute." in response.content.decode()
    assert not signed_in(client)

    clock.advance(minutes=1, seconds=1)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert signed_in(client)


def test_failures_spread_over_more_than_the_window_do_not_lock(client, alice, clock):
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES * 2):
        sign_in(client, "alice", "wrong-password")
        clock.advance(minutes=settings.XIESHANG_LOCKOUT_MINUTES // settings.XIESHANG_LOCKOUT_FAILURES + 1)
    assert not Event.objects.filter(action="auth.locked_out").exists()
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_after_the_lock_a_new_series_is_needed_to_lock_again(client, alice, clock):
    limit = settings.XIESHANG_LOCKOUT_FAILURES
    for _ in range(limit):
        sign_in(client, "alice", "wrong-password")
    clock.advance(minutes=settings.XIESHANG_LOCKOUT_MINUTES, seconds=1)
    assert WRONG in sign_in(client, "alice", "wrong-password").content.decode()  # one more failure: not locked
    for _ in range(limit - 1):
        sign_in(client, "alice", "wrong-password")
    assert Event.objects.filter(action="auth.locked_out").count() == 2
    assert LOCKED in sign_in(client, "alice", PASSWORD).content.decode()


# --- Idle timeout --------------------------------------------------------------------------


def test_idle_timeout_settings():
    assert settings.SESSION_COOKIE_AGE == int(os.environ.get("XIESHANG_IDLE_MINUTES", "30")) * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # SessionTouchMiddleware saves at most once a minute
    assert settings.SESSION_TOUCH_SECONDS == 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_idle_session_ends_but_activity_keeps_it(client, alice, clock):
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sign_in(client, "alice", PASSWORD)

    for _ in range(3):  # each request starts the idle period again
        clock.advance(seconds=idle.total_seconds() - 60)
        assert client.get("/").status_code == 200

    clock.advance(seconds=idle.total_seconds() + 1)
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/inbox/"
    assert not signed_in(client)


def test_a_busy_session_is_saved_once_a_minute_not_on_every_request(client, alice, clock):
    """Requests within a minute of the last save do not write the session; the first one after it does,
    and the session then lasts the whole idle time from there."""
    from django.contrib.sessions.models import Session

    sign_in(client, "alice", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    for _ in range(5):
        clock.advance(seconds=10)
        assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == first  # 50 s: no write
    clock.advance(seconds=15)
    assert client.get("/").status_code == 200
    touched = Session.objects.get(session_key=key).expire_date
    assert touched == first + datetime.timedelta(seconds=65)
    clock.advance(seconds=settings.SESSION_COOKIE_AGE - 1)
    assert client.get("/inbox/").status_code == 200 and signed_in(client)


def test_anonymous_requests_create_no_session(client, db):
    from django.contrib.sessions.models import Session

    client.get("/public/")
    client.get("/login/")
    assert Session.objects.count() == 0


# --- Passwords -------------------------------------------------------------------------------


def test_argon2_is_the_production_hasher(tmp_path):
    """Outside the tests (which use a fast hasher for speed) new passwords are hashed with Argon2."""
    env = {k: v for k, v in os.environ.items() if k not in ("XIESHANG_TESTING", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="xieshang.settings", XIESHANG_DATA_DIR=str(tmp_path))
    code = "from django.conf import settings; print(settings.TESTING, *settings.PASSWORD_HASHERS)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    testing, default, *others = out.split()
    assert testing == "False"
    assert default == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.MD5PasswordHasher" not in others
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in settings.PASSWORD_HASHERS


def test_argon2_hashes_and_checks():
    encoded = make_password("a-long-passphrase-77", hasher="argon2")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("a-long-passphrase-77", encoded)
    assert not check_password("a-long-passphrase-78", encoded)


@pytest.mark.parametrize(
    "password",
    ["short-1", "1234567890123", "password123", "alice-zhang"],
    ids=["too short", "only digits", "common", "like the user name"],
)
def test_password_validators_refuse_weak_passwords(db, password):
    user = UserFactory.build(username="alice-zhang", full_name="Alice Zhang", email="alice.zhang@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_password_validators_accept_a_good_passphrase(db):
    user = UserFactory.build(username="alice")
    assert validate_password("橙子-bicycle-river-2025", user) is None
