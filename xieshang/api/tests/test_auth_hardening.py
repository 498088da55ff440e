"""Issue #12 through the API: the token endpoint takes the second factor's code, counts failures per (account,
address); `POST /api/v1/me/password` changes the caller's password and revokes the other tokens and sessions."""

import pytest
from django.test import Client
from django_otp.oath import totp

from xieshang.api.models import ApiToken
from xieshang.core import second_factor
from xieshang.core.models import Event

from .conftest import PASSWORD, ApiClient, issue_token

pytestmark = pytest.mark.django_db
NEW = "a-new-long-passphrase"


def code_of(device, ahead=0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"


@pytest.fixture
def user(committee, make_user):
    return make_user(committee, "staff", username="wang.staff")


@pytest.fixture
def enrolled(user, settings):
    # django-otp's own slow-down after a wrong code (1 s, doubling) is not what these tests are about.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device = second_factor.second_factor_enrol_start(actor=user)
    codes = second_factor.second_factor_enrol_confirm(actor=user, code=code_of(device), password=PASSWORD)
    device.refresh_from_db()
    return device, codes


def from_address(address) -> ApiClient:
    return ApiClient(client=Client(REMOTE_ADDR=address), lang="en")


def test_an_account_with_a_second_factor_needs_its_code_for_a_token(anon_api, user, enrolled):
    device, codes = enrolled
    missing = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD})
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    wrong = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "otp": "000000x"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid"
    assert Event.objects.filter(action="auth.second_factor_failed").count() == 1
    right = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "otp": code_of(device, 1)})
    assert right.status_code == 200, right.content
    recovery = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "otp": codes[0]})
    assert recovery.status_code == 200
    again = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "otp": codes[0]})
    assert again.status_code == 401  # a recovery code works once
    assert ApiToken.objects.filter(user=user).count() == 2


def test_a_wrong_password_with_a_code_is_refused_without_saying_which(anon_api, user, enrolled):
    device, _codes = enrolled
    r = anon_api.post("auth/token", {"username": "wang.staff", "password": "bad", "otp": code_of(device, 1)})
    assert r.status_code == 401 and r.json()["code"] == "invalid"


def test_an_administrator_without_a_second_factor_gets_no_token(anon_api, committee, make_user):
    make_user(committee, "admin", username="the-admin")
    r = anon_api.post("auth/token", {"username": "the-admin", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["code"] == "otp_enrolment_required"
    assert not ApiToken.objects.exists()


def test_token_failures_lock_the_address_not_the_owner(user, settings):
    settings.XIESHANG_LOCKOUT_FAILURES = 3
    attacker = from_address("198.51.100.7")
    codes = [attacker.post("auth/token", {"username": "wang.staff", "password": "bad"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert attacker.post("auth/token", {"username": "wang.staff", "password": PASSWORD}).status_code == 429
    owner = from_address("203.0.113.9").post("auth/token", {"username": "wang.staff", "password": PASSWORD})
    assert owner.status_code == 200


def test_a_slowed_down_account_answers_throttled(user, settings):
    settings.XIESHANG_SLOWDOWN_FAILURES = 3
    for n in range(3):
        from_address(f"198.51.100.{n}").post("auth/token", {"username": "wang.staff", "password": "bad"})
    r = from_address("203.0.113.9").post("auth/token", {"username": "wang.staff", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "throttled" and "Wait" in r.json()["message"]


# --- POST /api/v1/me/password --------------------------------------------------------------------------


def test_changing_the_password_keeps_this_token_and_revokes_the_others(user):
    this, other = issue_token(user), issue_token(user)
    browser = Client()
    browser.force_login(user)
    r = ApiClient(this, lang="en").post("me/password", {"old": PASSWORD, "new": NEW})
    assert r.status_code == 200, r.content
    assert r.json() == {"tokens_revoked": 1}
    assert ApiClient(this).get("me").status_code == 200
    assert ApiClient(other).get("me").status_code == 401
    assert browser.get("/")["Location"].startswith("/login/")  # the sessions have ended
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert Event.objects.filter(action="user.password_changed", actor=user).count() == 1


def test_a_wrong_current_password_is_422_on_the_field(user):
    token = issue_token(user)
    r = ApiClient(token, lang="en").post("me/password", {"old": "wrong", "new": NEW})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and "old" in r.json()["fields"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("new", ["short", "12345678901234", "password1234", "wang.staff1"])
def test_a_weak_new_password_is_422_on_the_field(user, new):
    token, other = issue_token(user), issue_token(user)
    r = ApiClient(token, lang="en").post("me/password", {"old": PASSWORD, "new": new})
    assert r.status_code == 422 and list(r.json()["fields"]) == ["new"]
    assert ApiClient(other).get("me").status_code == 200  # nothing revoked


def test_the_password_body_is_validated(user):
    token = issue_token(user)
    r = ApiClient(token).post("me/password", {"old": PASSWORD})
    assert r.status_code in (400, 422)
    assert ApiClient(token).post("me/password", {"old": "x\x00" * 3, "new": "y" * 5000}).status_code in (400, 422)


def test_changing_the_password_needs_a_caller(anon_api, db):
    assert anon_api.post("me/password", {"old": PASSWORD, "new": NEW}).status_code == 401


def test_a_browser_session_keeps_itself_when_it_changes_the_password(user):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    r = browser.post("/api/v1/me/password", {"old": PASSWORD, "new": NEW}, content_type="application/json",
                     headers={"X-CSRFToken": _mask_cipher_secret(secret)})
    assert r.status_code == 200, r.content
    assert browser.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("otp", ["\x00123456", "１２３４５６", "' OR 1=1 --", "x" * 32, "\u202e654321", "12 34 56\x00"])
def test_hostile_codes_are_refused_not_errors(anon_api, user, enrolled, otp):
    r = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "otp": otp})
    assert r.status_code == 401 and r.json()["code"] == "invalid"


def test_a_code_typed_with_spaces_or_a_dash_is_accepted(anon_api, user, enrolled):
    device, _codes = enrolled
    code = code_of(device, 1)
    r = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "otp": f" {code[:3]}-{code[3:]} "})
    assert r.status_code == 200
