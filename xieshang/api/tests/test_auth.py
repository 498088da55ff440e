"""Tokens: issued for a user name and password (lock-out and audit as on the sign-in page), used as
`Authorization: Bearer`, stored hashed, expiring and revocable; the browser session works too, with CSRF."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from xieshang.api.models import ApiToken
from xieshang.core.models import Event, LoginFailure

from .conftest import PASSWORD, ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(committee, make_user):
    return make_user(committee, "staff", username="wang.staff")


def test_token_is_issued_for_good_credentials_and_stored_hashed(anon_api, user):
    r = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD, "name": "mobile app"})
    assert r.status_code == 200, r.content
    body = r.json()
    token = body["token"]
    assert token.startswith("xs_") and len(token) > 40
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.key_hash, row.prefix)  # the token itself is never stored
    assert token.startswith(row.prefix)
    assert row.name == "mobile app"
    assert row.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert abs(datetime.datetime.fromisoformat(body["expires_at"]) - row.expires_at) < datetime.timedelta(seconds=1)
    assert Event.objects.filter(action="api.token_issued", actor=user).count() == 1


def test_token_authenticates_requests_and_marks_last_use(anon_api, user):
    token = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD}).json()["token"]
    r = ApiClient(token).get("me")
    assert r.status_code == 200
    assert r.json()["user"]["username"] == "wang.staff"
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer xs_not-a-real-token", "Bearer abc", "Token xs_abc", "Basic d2FuZzpwdw=="],
)
def test_missing_or_bad_tokens_are_401_unauthenticated(user, header):
    client = Client()
    r = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_bad_credentials_are_refused_and_counted(anon_api, user):
    r = anon_api.post("auth/token", {"username": "wang.staff", "password": "wrong-password"})
    assert r.status_code == 401
    body = r.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert not ApiToken.objects.exists()
    assert LoginFailure.objects.filter(username="wang.staff").count() == 1
    assert Event.objects.filter(action="auth.sign_in_failed").count() == 1


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(anon_api, user):
    wrong_password = anon_api.post("auth/token", {"username": "wang.staff", "password": "nope"}).json()
    unknown = anon_api.post("auth/token", {"username": "nobody.here", "password": "nope"}).json()
    assert wrong_password == unknown


def test_repeated_failures_lock_the_account_out_through_the_api(anon_api, user, settings):
    settings.XIESHANG_LOCKOUT_FAILURES = 3
    codes = [anon_api.post("auth/token", {"username": "wang.staff", "password": "bad"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]  # the third failure completes the series: locked from now on
    # Even the right password is refused while locked out.
    r = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out"
    assert "15" in r.json()["message"]  # minutes left, in the message
    assert not ApiToken.objects.exists()
    assert Event.objects.filter(action="auth.locked_out").count() == 1
    assert Event.objects.filter(action="auth.locked_out_attempt").count() == 1


def test_lockout_message_is_in_the_request_language(anon_api, user, settings):
    settings.XIESHANG_LOCKOUT_FAILURES = 1
    zh = anon_api.post("auth/token", {"username": "wang.staff", "password": "bad"}).json()
    en = anon_api.in_language("en").post("auth/token", {"username": "wang.staff", "password": "bad"}).json()
    assert zh["code"] == en["code"] == "locked_out"
    assert "Too many failed sign-ins" in en["message"]
    assert zh["message"]  # its Chinese text is the core app's (merged into the catalogue by the lead)


def test_a_successful_token_request_clears_earlier_failures(anon_api, user, settings):
    settings.XIESHANG_LOCKOUT_FAILURES = 3
    for _ in range(2):
        anon_api.post("auth/token", {"username": "wang.staff", "password": "bad"})
    assert anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD}).status_code == 200
    assert anon_api.post("auth/token", {"username": "wang.staff", "password": "bad"}).status_code == 401


def test_inactive_user_gets_no_token_and_loses_existing_tokens(anon_api, user):
    token = anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD}).json()["token"]
    user.is_active = False
    user.save()
    assert ApiClient(token).get("me").status_code == 401
    assert anon_api.post("auth/token", {"username": "wang.staff", "password": PASSWORD}).status_code == 401


def test_expired_token_is_refused(api_as, user):
    api = api_as(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(seconds=1),
                                              created_at=timezone.now() - datetime.timedelta(days=31))
    assert api.get("me").status_code == 401


def test_token_can_be_revoked_by_its_owner(api_as, user):
    api = api_as(user)
    other = api_as(user)  # a second token of the same user stays valid
    r = api.delete("auth/token")
    assert r.status_code == 204
    assert api.get("me").status_code == 401
    assert other.get("me").status_code == 200
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=False).count() == 1
    assert Event.objects.filter(action="api.token_revoked", actor=user).count() == 1


def test_revoking_needs_a_token_request(user):
    client = Client()
    client.force_login(user)
    r = client.delete("/api/v1/auth/token")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid"


def test_token_request_body_is_validated(anon_api, user):
    r = anon_api.post("auth/token", {"username": "wang.staff"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    assert body["fields"] == {"password": ["这个字段是必填项。"]}
    en = anon_api.in_language("en").post("auth/token", {"username": "wang.staff"}).json()
    assert en["fields"] == {"password": ["This field is required."]}
    assert en["message"] == "Some of the data is not valid."


def test_malformed_json_is_400_invalid(user):
    r = Client().post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"


# --- The browser's session ---------------------------------------------------------------------


def test_session_reads_need_no_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    r = client.get("/api/v1/me")
    assert r.status_code == 200
    assert r.json()["user"]["username"] == "wang.staff"


def test_session_writes_need_the_csrf_token(committee, make_user):
    from xieshang.core.tests.factories import MemberFactory

    member_user = make_user(committee, "member")
    assert MemberFactory._meta.model.objects.filter(user=member_user).exists()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)
    r = client.post("/api/v1/proposals", {"title": "关于加强社区养老服务的提案"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    # With the token from the cookie (as the pages' JavaScript sends it) the write goes through the checks.
    client.get("/api/v1/docs")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    r = client.post("/api/v1/proposals", {"title": ""}, content_type="application/json",
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 422  # past authentication and CSRF: an empty title is invalid
    assert r.json()["fields"]["title"]


def test_unauthenticated_write_is_401_not_a_csrf_refusal(db):
    r = Client(enforce_csrf_checks=True).post("/api/v1/proposals", {"title": "x"}, content_type="application/json")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_bearer_writes_need_no_csrf(committee, make_user, api_as):
    user = make_user(committee, "member")
    api = api_as(user)
    api.client = Client(enforce_csrf_checks=True)
    r = api.post("proposals", {"title": ""})
    assert r.status_code == 422  # reached validation: no CSRF refusal


def test_token_issue_needs_no_csrf(user):
    r = Client(enforce_csrf_checks=True).post(
        "/api/v1/auth/token", {"username": "wang.staff", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 200


def test_only_the_owner_or_a_platform_administrator_revokes_a_token(user, make_user, committee):
    from xieshang.api import services
    from xieshang.core.errors import Forbidden

    token, _raw = services.api_token_issue(username="wang.staff", password=PASSWORD)
    colleague = make_user(committee, "admin")
    with pytest.raises(Forbidden):
        services.api_token_revoke(actor=colleague, token=token)
    root = make_user(None, is_superuser=True, is_staff=True)
    services.api_token_revoke(actor=root, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active


def test_administrators_see_and_revoke_tokens_in_the_admin(user, make_user, api_as):
    api = api_as(user)
    root = make_user(None, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    listing = client.get("/django-admin/api/apitoken/")
    assert listing.status_code == 200
    row = ApiToken.objects.get(user=user)
    assert row.prefix in listing.content.decode() and row.key_hash not in listing.content.decode()
    r = client.post("/django-admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]})
    assert r.status_code == 302
    assert api.get("me").status_code == 401
    assert Event.objects.filter(action="api.token_revoked", actor=root).exists()
