"""Issue #12: the lock-out counts per (account, address) and per address, slows an account down instead of locking
it, believes X-Forwarded-For only from trusted proxies; a password change ends the other sessions and tokens;
two-step sign-in (authenticator codes, recovery codes), required for administrators."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django_otp.oath import totp

from xieshang.api.models import ApiToken
from xieshang.core import second_factor, services
from xieshang.core.addresses import client_address
from xieshang.core.models import Event, LoginFailure
from xieshang.core.tests.test_auth import clock  # noqa: F401 - the fixture: Django's clock, moved by hand

PASSWORD = "correct-horse-42"  # the factories' password
ATTACKER, OWNER, ELSEWHERE = "198.51.100.7", "203.0.113.9", "192.0.2.44"
LOCKED = "Too many failed sign-ins."


@pytest.fixture
def alice(committee, make_user):
    return make_user(committee, "member", username="13800000001")  # members' user names are phone numbers


def browser(address=OWNER) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def code_of(device, ahead=0) -> str:
    """The authenticator's code now (ahead=1: the next one, which a device accepts too)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"


def enrol(user) -> tuple:
    device = second_factor.second_factor_enrol_start(actor=user)
    codes = second_factor.second_factor_enrol_confirm(actor=user, code=code_of(device), password=PASSWORD)
    device.refresh_from_db()
    return device, codes


# --- Lock-out per account and address ------------------------------------------------------------


def test_the_owner_signs_in_from_another_address_while_the_attackers_address_is_locked(alice):
    attacker = browser(ATTACKER)
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        sign_in(attacker, alice.username, "wrong-password")
    response = sign_in(attacker, alice.username, PASSWORD)  # even the right password, from there
    assert LOCKED in response.content.decode() and not signed_in(attacker)

    owner = browser(OWNER)
    assert sign_in(owner, alice.username, PASSWORD).status_code == 302
    assert signed_in(owner)
    # The owner's success does not give the attacker a fresh series.
    assert LOCKED in sign_in(attacker, alice.username, PASSWORD).content.decode()
    assert LoginFailure.objects.filter(ip_address=ATTACKER).count() == settings.XIESHANG_LOCKOUT_FAILURES


def test_one_address_guessing_many_accounts_is_locked_for_every_account(alice, settings):
    settings.XIESHANG_LOCKOUT_ADDRESS_FAILURES = 4
    attacker = browser(ATTACKER)
    for n in range(4):
        sign_in(attacker, f"1390000000{n}", "guess")
    response = sign_in(attacker, alice.username, PASSWORD)
    assert LOCKED in response.content.decode() and not signed_in(attacker)
    assert sign_in(browser(OWNER), alice.username, PASSWORD).status_code == 302


def test_failures_from_many_addresses_slow_the_account_down_without_locking_it(alice, settings, clock):
    settings.XIESHANG_SLOWDOWN_FAILURES, settings.XIESHANG_SLOWDOWN_SECONDS = 6, 30
    for n in range(6):  # one failure from each of six addresses: no address reaches its own lock
        sign_in(browser(f"198.51.100.{n + 10}"), alice.username, "wrong-password")
    owner = browser(OWNER)
    for _ in range(5):  # attempts while slowed down are refused without counting and without an event each
        response = sign_in(owner, alice.username, PASSWORD)
        assert response.status_code == 200 and "Wait 30 seconds" in response.content.decode()
    assert not signed_in(owner)
    assert Event.objects.filter(action="auth.throttled").count() == 1
    assert LoginFailure.objects.count() == 6

    clock.advance(seconds=31)  # no hard lock: after the wait, the owner signs in
    assert sign_in(owner, alice.username, PASSWORD).status_code == 302
    assert signed_in(owner)


def test_attempts_while_locked_write_one_event_per_window(alice, clock):
    attacker = browser(ATTACKER)
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES + 10):
        sign_in(attacker, alice.username, "wrong-password")
    assert Event.objects.filter(action="auth.locked_out_attempt").count() == 1
    assert Event.objects.filter(action="auth.sign_in_failed").count() == settings.XIESHANG_LOCKOUT_FAILURES
    clock.advance(minutes=settings.XIESHANG_LOCKOUT_MINUTES - 1)
    sign_in(attacker, alice.username, "wrong-password")
    assert Event.objects.filter(action="auth.locked_out_attempt").count() == 1  # the same window


def test_a_slowed_down_account_with_a_second_factor_gives_its_code_with_the_password(alice, settings):
    device, _codes = enrol(alice)
    settings.XIESHANG_SLOWDOWN_FAILURES = 3
    for n in range(3):
        sign_in(browser(f"198.51.100.{n + 10}"), alice.username, "wrong-password")
    owner = browser(OWNER)
    response = sign_in(owner, alice.username, PASSWORD)  # no wait, but the code must come on the same form
    html = response.content.decode()
    assert response.status_code == 200 and 'name="otp"' in html and not signed_in(owner)
    assert sign_in(owner, alice.username, PASSWORD, otp=code_of(device, ahead=1)).status_code == 302
    assert signed_in(owner)


# --- The client's address behind a proxy -------------------------------------------------------------


def _request(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(settings):
    settings.XIESHANG_TRUSTED_PROXIES = []
    assert client_address(_request("10.0.0.2", f"{OWNER}")) == "10.0.0.2"
    settings.XIESHANG_TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    assert client_address(_request("10.0.0.2", f"{OWNER}")) == OWNER
    # The right-most address that is not a trusted proxy: what the client wrote to the left is not believed.
    assert client_address(_request("10.0.0.2", f"1.2.3.4, {OWNER}, 10.0.0.3")) == OWNER
    assert client_address(_request("10.0.0.2", "")) == "10.0.0.2"
    assert client_address(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_address(_request("192.0.2.1", OWNER)) == "192.0.2.1"  # not from the proxy: REMOTE_ADDR


def test_behind_a_trusted_proxy_the_lock_out_counts_the_forwarded_address(alice, settings):
    settings.XIESHANG_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        proxy.post("/login/", {"username": alice.username, "password": "bad"}, headers={"X-Forwarded-For": ATTACKER})
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert Event.objects.filter(action="auth.sign_in_failed", ip_address=ATTACKER).exists()
    owner = proxy.post("/login/", {"username": alice.username, "password": PASSWORD},
                       headers={"X-Forwarded-For": OWNER})
    assert owner.status_code == 302


def test_an_untrusted_client_cannot_dodge_the_lock_out_with_a_forged_header(alice, settings):
    settings.XIESHANG_TRUSTED_PROXIES = []
    attacker = browser(ATTACKER)
    for n in range(settings.XIESHANG_LOCKOUT_FAILURES):
        attacker.post("/login/", {"username": alice.username, "password": "bad"},
                      headers={"X-Forwarded-For": f"192.0.2.{n}"})
    response = attacker.post("/login/", {"username": alice.username, "password": PASSWORD},
                             headers={"X-Forwarded-For": OWNER})
    assert LOCKED in response.content.decode()


# --- Password changes ----------------------------------------------------------------------------------


def _token(user) -> str:
    from xieshang.api.services import api_token_issue

    return api_token_issue(username=user.username, password=PASSWORD)[1]


def test_changing_the_password_on_the_page_ends_other_sessions_and_tokens_but_not_this_one(alice):
    here, elsewhere = browser(OWNER), browser(ELSEWHERE)
    sign_in(here, alice.username, PASSWORD)
    sign_in(elsewhere, alice.username, PASSWORD)
    token = _token(alice)
    response = here.post("/account/password/", {"old": PASSWORD, "new": "a-new-long-passphrase", "new2": "a-new-long-passphrase"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/")["Location"].startswith("/login/")  # the other session has ended
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    event = Event.objects.get(action="user.password_changed")
    assert event.actor == alice and event.payload == {"tokens_revoked": 1}
    assert "a-new-long-passphrase" not in str(Event.objects.values_list("payload", flat=True))


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("wrong-password", "a-new-long-passphrase", "old", "The current password is not correct."),
    (PASSWORD, "short", "new", "This password is too short."),
    (PASSWORD, "12345678901234", "new", "This password is entirely numeric."),
    (PASSWORD, PASSWORD, "new", "The new password must differ"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(alice, old, new, field, message):
    client = browser()
    sign_in(client, alice.username, PASSWORD)
    token = _token(alice)
    response = client.post("/account/password/", {"old": old, "new": new, "new2": new})
    assert response.status_code == 422
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert ApiToken.objects.get(key_hash__isnull=False).revoked_at is None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_wrong_current_passwords_count_towards_the_lock_out(alice):
    client = browser()
    sign_in(client, alice.username, PASSWORD)
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        client.post("/account/password/", {"old": "guess", "new": "a-new-long-passphrase", "new2": "a-new-long-passphrase"})
    response = client.post("/account/password/", {"old": PASSWORD, "new": "a-new-long-passphrase",
                                                  "new2": "a-new-long-passphrase"}, follow=True)
    assert LOCKED in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_an_administrators_reset_ends_every_session_and_token(committee, make_user, alice):
    admin = make_user(committee, "admin", username="the-admin")
    client = browser()
    sign_in(client, alice.username, PASSWORD)
    token = _token(alice)
    services.user_set_password(actor=admin, committee=committee, user=alice, password="a-new-long-passphrase")
    assert client.get("/")["Location"].startswith("/login/")
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert Event.objects.get(action="user.password_set").payload == {"tokens_revoked": 1}


def test_the_change_password_page_needs_a_signed_in_user(db):
    assert browser().get("/account/password/")["Location"].startswith("/login/")


# --- Two-step sign-in ----------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_confirms_a_code_and_shows_ten_recovery_codes_once(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = browser()
    sign_in(client, alice.username, PASSWORD)
    page = client.get("/account/two-step/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'data-testid="enrol-secret"' in html
    assert page["Cache-Control"] == "no-store"
    device = second_factor.second_factor_enrol_start(actor=alice)  # the one the page shows (reused)
    assert client.get("/account/two-step/").content.decode().count("<svg") == 1
    assert not second_factor.is_enrolled(alice)

    wrong = client.post("/account/two-step/", {"code": "000000" if code_of(device) != "000000" else "111111",
                                               "password": PASSWORD})
    assert wrong.status_code == 422 and "The code is not correct" in wrong.content.decode()
    assert not second_factor.is_enrolled(alice)

    done = client.post("/account/two-step/", {"code": code_of(device), "password": PASSWORD})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert second_factor.is_enrolled(alice) and second_factor.recovery_codes_left(alice) == 10
    assert Event.objects.filter(action="user.second_factor_enrolled", actor=alice).count() == 1
    later = client.get("/account/two-step/").content.decode()
    assert not any(code in later for code in codes)  # shown once
    assert "Two-step sign-in is on" in later


def test_sign_in_asks_for_the_code_after_the_password(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, _codes = enrol(alice)
    client = browser()
    response = sign_in(client, alice.username, PASSWORD, next="/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # not signed in before the code

    wrong = client.post("/login/code/", {"code": "12345"})
    assert wrong.status_code == 200 and "The code is not correct." in wrong.content.decode()
    assert LoginFailure.objects.filter(username=alice.username).count() == 1
    assert Event.objects.filter(action="auth.second_factor_failed").count() == 1

    right = client.post("/login/code/", {"code": code_of(device, ahead=1), "next": "/inbox/"})
    assert right.status_code == 302 and right["Location"] == "/inbox/"
    assert signed_in(client)
    assert Event.objects.get(action="auth.sign_in").payload == {"second_factor": "totp"}


def test_wrong_codes_lock_the_code_step_out_like_wrong_passwords(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    enrol(alice)
    client = browser()
    sign_in(client, alice.username, PASSWORD)
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        client.post("/login/code/", {"code": "999999x"})
    response = client.post("/login/code/", {"code": "123456"}, follow=True)
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(alice):
    _device, codes = enrol(alice)
    first = browser()
    sign_in(first, alice.username, PASSWORD)
    assert first.post("/login/code/", {"code": codes[3].upper()}).status_code == 302
    assert signed_in(first)
    assert Event.objects.get(action="auth.sign_in").payload == {"second_factor": "recovery"}
    assert second_factor.recovery_codes_left(alice) == 9

    again = browser()
    sign_in(again, alice.username, PASSWORD)
    response = again.post("/login/code/", {"code": codes[3]})
    assert response.status_code == 200 and not signed_in(again)


def test_the_code_step_expires(alice, clock):
    enrol(alice)
    client = browser()
    sign_in(client, alice.username, PASSWORD)
    clock.advance(minutes=settings.XIESHANG_SECOND_FACTOR_MINUTES, seconds=1)
    response = client.get("/login/code/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(db):
    assert browser().post("/login/code/", {"code": "123456"})["Location"] == "/login/"


def test_an_administrator_without_a_second_factor_is_sent_to_enrol_and_can_do_nothing_else(committee, make_user,
                                                                                         settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = make_user(committee, "admin", username="the-admin")
    client = browser()
    response = sign_in(client, "the-admin", PASSWORD)
    assert response["Location"] == "/account/two-step/"
    for path in ("/", "/inbox/", "/admin/", "/account/password/", "/proposals/"):
        assert client.get(path)["Location"] == "/account/two-step/", path
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "otp_enrolment_required"
    assert client.get("/account/two-step/").status_code == 200

    device = second_factor.second_factor_enrol_start(actor=admin)
    assert client.post("/account/two-step/", {"code": code_of(device)}).status_code == 200
    assert client.get("/").status_code == 200  # free to work now
    assert client.post("/logout/").status_code == 302


def test_an_administrator_may_sign_out_before_enrolling(committee, make_user):
    make_user(committee, "admin", username="the-admin")
    client = browser()
    sign_in(client, "the-admin", PASSWORD)
    assert client.post("/logout/")["Location"] == "/login/"
    assert not signed_in(client)


def test_a_committee_can_require_the_second_factor_of_its_staff_and_leaders(committee, make_user):
    from xieshang.core.tests.factories import CommitteeFactory

    admin = make_user(committee, "admin", username="the-admin")
    staff = make_user(committee, "staff", username="the-staff")
    other = CommitteeFactory(code="other")
    make_user(other, "staff", username="other-staff")
    assert not second_factor.is_required(staff)

    client = browser()
    client.force_login(admin)
    response = client.post("/admin/committee/", {"name": committee.name, "short_name": committee.short_name,
                                                 "portal_name": "", "require_second_factor": "on"})
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.require_second_factor
    event = Event.objects.get(action="committee.updated")
    assert event.payload["changes"]["require_second_factor"] == [False, True]

    assert sign_in(browser(), "the-staff", PASSWORD)["Location"] == "/account/two-step/"
    assert sign_in(browser(), "other-staff", PASSWORD)["Location"] == "/"
    assert sign_in(browser(), alice_like(committee, make_user), PASSWORD)["Location"] == "/"  # members never


def alice_like(committee, make_user) -> str:
    make_user(committee, "member", username="13800000009")
    return "13800000009"


def test_the_account_page_links_both_and_says_what_is_on(alice):
    client = browser()
    client.force_login(alice)
    html = client.get("/account/").content.decode()
    assert "/account/password/" in html and "/account/two-step/" in html and "Off" in html
    enrol(alice)
    assert "10 recovery codes left" in client.get("/account/").content.decode()


def test_replacing_an_authenticator_needs_the_password(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    old_device, old_codes = enrol(alice)
    client = browser()
    client.force_login(alice)
    page = client.get("/account/two-step/?new=1").content.decode()
    assert 'name="password"' in page
    new_device = second_factor.second_factor_enrol_start(actor=alice)
    refused = client.post("/account/two-step/", {"code": code_of(new_device)})
    assert refused.status_code == 422 and "Enter your current password" in refused.content.decode()
    assert second_factor.verify(alice, old_codes[0]) == "recovery"  # the old ones are still in force

    done = client.post("/account/two-step/", {"code": code_of(new_device), "password": PASSWORD})
    assert done.status_code == 200 and done.content.decode().count("<li><code>") == 10
    assert second_factor.verify(alice, old_codes[1]) is None  # replaced
    assert Event.objects.filter(action="user.second_factor_enrolled").last().payload == {"replaced": True}


def test_an_administrator_removes_a_lost_second_factor_on_the_user_page(committee, make_user, alice):
    admin = make_user(committee, "admin", username="the-admin")
    enrol(alice)
    client = browser()
    client.force_login(admin)
    page = client.get(f"/admin/users/{alice.pk}/").content.decode()
    assert f"/admin/users/{alice.pk}/two-step/reset/" in page
    response = client.post(f"/admin/users/{alice.pk}/two-step/reset/")
    assert response.status_code == 302
    assert not second_factor.is_enrolled(alice) and second_factor.recovery_codes_left(alice) == 0
    event = Event.objects.get(action="user.second_factor_reset")
    assert event.actor == admin and event.committee == committee
    assert sign_in(browser(), alice.username, PASSWORD)["Location"] == "/"  # the password alone again


@pytest.mark.parametrize("role", ["staff", "leader", "member"])
def test_only_administrators_remove_a_second_factor(committee, make_user, alice, role):
    other = make_user(committee, role, username=f"the-{role}")
    enrol(alice)
    client = browser()
    client.force_login(other)
    assert client.post(f"/admin/users/{alice.pk}/two-step/reset/").status_code in (403, 404)
    assert second_factor.is_enrolled(alice)


def test_an_administrator_of_another_committee_cannot_remove_it(committee, make_user, alice):
    from xieshang.core.tests.factories import CommitteeFactory

    stranger = make_user(CommitteeFactory(code="other"), "admin", username="other-admin")
    enrol(alice)
    client = browser()
    client.force_login(stranger)
    assert client.post(f"/admin/users/{alice.pk}/two-step/reset/").status_code == 404
    assert second_factor.is_enrolled(alice)


# --- Setting up an authenticator needs the password, checked like a password change ----------------


def test_a_first_set_up_from_the_account_page_needs_the_password(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = browser()
    client.force_login(alice)  # a session left open: not enough to put one's own authenticator on the account
    assert 'name="password"' in client.get("/account/two-step/").content.decode()
    device = second_factor.second_factor_enrol_start(actor=alice)
    refused = client.post("/account/two-step/", {"code": code_of(device)})
    assert refused.status_code == 422 and "Enter your current password" in refused.content.decode()
    wrong = client.post("/account/two-step/", {"code": code_of(device), "password": "not-the-password"})
    assert wrong.status_code == 422 and "The current password is not correct." in wrong.content.decode()
    assert not second_factor.is_enrolled(alice)
    done = client.post("/account/two-step/", {"code": code_of(device), "password": PASSWORD})
    assert done.status_code == 200 and second_factor.is_enrolled(alice)


def test_wrong_passwords_when_replacing_an_authenticator_count_and_lock(alice, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _old_device, old_codes = enrol(alice)
    client = browser()
    client.force_login(alice)
    device = second_factor.second_factor_enrol_start(actor=alice)
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        client.post("/account/two-step/", {"code": code_of(device), "password": "a-guess-guess"})
    assert LoginFailure.objects.filter(username=alice.username, ip_address=OWNER).count() == \
        settings.XIESHANG_LOCKOUT_FAILURES
    failed = Event.objects.filter(action="user.second_factor_failed", ip_address=OWNER)
    assert failed.count() == settings.XIESHANG_LOCKOUT_FAILURES
    assert Event.objects.filter(action="auth.locked_out").count() == 1
    # Locked: even the right password is refused now, and not counted again.
    locked = client.post("/account/two-step/", {"code": code_of(device), "password": PASSWORD})
    assert LOCKED in locked.content.decode()
    assert LoginFailure.objects.count() == settings.XIESHANG_LOCKOUT_FAILURES
    assert second_factor.verify(alice, old_codes[0]) == "recovery"  # nothing replaced


def test_the_forced_enrolment_skips_the_password_only_just_after_signing_in(committee, make_user, settings, clock):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = make_user(committee, "admin", username="the-admin")
    client = browser()
    assert sign_in(client, "the-admin", PASSWORD)["Location"] == "/account/two-step/"
    assert 'name="password"' not in client.get("/account/two-step/").content.decode()  # just given
    clock.advance(minutes=settings.XIESHANG_SECOND_FACTOR_MINUTES + 1)
    assert 'name="password"' in client.get("/account/two-step/").content.decode()
    device = second_factor.second_factor_enrol_start(actor=admin)
    refused = client.post("/account/two-step/", {"code": code_of(device)})
    assert refused.status_code == 422 and not second_factor.is_enrolled(admin)
    assert client.post("/account/two-step/", {"code": code_of(device), "password": PASSWORD}).status_code == 200
    assert second_factor.is_enrolled(admin)


def test_a_service_caller_without_a_session_gives_the_password(alice):
    from xieshang.core.errors import Invalid

    device = second_factor.second_factor_enrol_start(actor=alice)
    with pytest.raises(Invalid):
        second_factor.second_factor_enrol_confirm(actor=alice, code=code_of(device))
    assert not second_factor.is_enrolled(alice)


# --- The slow-down spares the addresses the owner signs in from ---------------------------------------


def test_a_stranger_rotating_addresses_cannot_slow_the_owner_down_at_a_known_address(alice, settings, clock):
    settings.XIESHANG_SLOWDOWN_FAILURES, settings.XIESHANG_SLOWDOWN_SECONDS = 6, 30
    home = browser(OWNER)
    assert sign_in(home, alice.username, PASSWORD).status_code == 302  # the owner's address, known from now on
    home.post("/logout/")
    for round_ in range(3):  # a failure from a new address every window keeps the account slowed down…
        for n in range(6):
            sign_in(browser(f"198.51.{round_}.{n + 10}"), alice.username, "wrong-password")
        stranger = sign_in(browser(f"198.51.{round_}.200"), alice.username, PASSWORD)
        assert "Wait" in stranger.content.decode()  # …for every address the account never signed in from
        assert sign_in(home, alice.username, PASSWORD).status_code == 302  # but not for the owner's
        home.post("/logout/")
        clock.advance(seconds=20)
    assert LoginFailure.objects.filter(ip_address=OWNER).count() == 0


# --- The trusted proxies' setting is checked once -------------------------------------------------------


def test_a_bad_trusted_proxy_entry_is_a_system_check_error_not_a_500(alice, settings, caplog):
    from xieshang.core.checks import trusted_proxies_check

    settings.XIESHANG_TRUSTED_PROXIES = []
    assert trusted_proxies_check() == []
    settings.XIESHANG_TRUSTED_PROXIES = ["10.0.0.1", "10.0.0.300/8", "proxy.local"]
    errors = trusted_proxies_check()
    assert [e.id for e in errors] == ["core.E001", "core.E001"]
    assert "'10.0.0.300/8'" in errors[0].msg and "'proxy.local'" in errors[1].msg
    with caplog.at_level("ERROR", logger="xieshang.core.addresses"):
        # The good entries still hold; the bad ones trust nothing and are logged once, not on every request.
        assert client_address(_request("10.0.0.1", OWNER)) == OWNER
        assert client_address(_request("10.0.0.9", OWNER)) == "10.0.0.9"
        response = browser().post("/login/", {"username": alice.username, "password": PASSWORD})
    assert response.status_code == 302
    assert sum("proxy.local" in r.getMessage() for r in caplog.records) == 1


# --- Password fields are bounded -------------------------------------------------------------------------


def test_an_overlong_password_never_reaches_the_hasher(alice, monkeypatch):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    def refuse(*args, **kwargs):
        raise AssertionError("an overlong password reached Argon2")

    monkeypatch.setattr(Argon2PasswordHasher, "verify", refuse)
    monkeypatch.setattr(Argon2PasswordHasher, "encode", refuse)
    huge = "x" * 4097
    page = sign_in(browser(), alice.username, huge)
    assert page.status_code == 200 and "at most 4096 characters" in page.content.decode()
    client = browser()
    client.force_login(alice)
    change = client.post("/account/password/", {"old": huge, "new": huge, "new2": huge})
    assert change.status_code == 422 and "at most 4096 characters" in change.content.decode()
    enrol_page = client.post("/account/two-step/", {"code": "123456", "password": huge})
    assert enrol_page.status_code == 422 and "at most 4096 characters" in enrol_page.content.decode()
    assert LoginFailure.objects.count() == 0
