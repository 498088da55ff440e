"""Issue #12 item 3: /django-admin/ is no side door. Its sign-in is the product's (lock-out, second factor, audit);
every save and delete there writes the audit event the services write, with old and new values."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.test import Client

from xieshang.api.models import ApiToken
from xieshang.core.admin import AuditedAdmin
from xieshang.core.models import Event, LoginFailure, Role, RoleAssignment, Sector
from xieshang.core.tests.factories import SectorFactory, UserFactory, grant

PASSWORD = "correct-horse-42"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root):
    client = Client()
    client.force_login(root)
    return client


def test_every_registered_admin_is_audited():
    registered = admin.site._registry
    assert registered
    plain = [model.__name__ for model, model_admin in registered.items() if not isinstance(model_admin, AuditedAdmin)]
    assert plain == []


def test_the_admin_sign_in_page_is_the_products(db):
    client = Client()
    response = client.get("/django-admin/login/?next=/django-admin/core/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fdjango-admin%2Fcore%2Fuser%2F"
    # Posting a password to the admin's own page signs nobody in.
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.post("/django-admin/login/", {"username": "root", "password": PASSWORD})
    assert SESSION_KEY not in client.session


def test_admin_sign_in_is_locked_out_and_audited(root):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.XIESHANG_LOCKOUT_FAILURES):
        client.post("/login/?next=/django-admin/", {"username": "root", "password": "guess"})
    response = client.post("/login/", {"username": "root", "password": PASSWORD, "next": "/django-admin/"})
    assert "Too many failed sign-ins." in response.content.decode()
    assert LoginFailure.objects.filter(username="root").count() == settings.XIESHANG_LOCKOUT_FAILURES
    assert Event.objects.filter(action="auth.locked_out").count() == 1


def test_a_platform_administrator_is_sent_to_enrol_before_the_admin(root):
    client = Client()
    response = client.post("/login/", {"username": "root", "password": PASSWORD, "next": "/django-admin/"})
    assert response["Location"] == "/account/two-step/"
    assert client.get("/django-admin/")["Location"] == "/account/two-step/"


def test_the_admin_sign_out_is_recorded(root_client, root):
    assert root_client.post("/django-admin/logout/").status_code == 302
    assert SESSION_KEY not in root_client.session
    assert Event.objects.filter(action="auth.sign_out", actor=root).count() == 1


def test_a_role_changed_in_the_admin_writes_the_event_with_old_and_new_values(root_client, root, committee):
    person = UserFactory(username="li")
    row = grant(person, committee, Role.MEMBER)
    url = f"/django-admin/core/roleassignment/{row.pk}/change/"
    form = root_client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(user=person.pk, committee=committee.pk, role=Role.STAFF, _save="Save")
    for key in ("handling_unit", "liaison_station", "studio", "special_committee"):
        data[key] = data.get(key) or ""
    response = root_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    row.refresh_from_db()
    assert row.role == Role.STAFF
    event = Event.objects.get(action="role.updated")
    assert event.actor == root and event.committee == committee
    assert event.payload["changes"] == {"role": [Role.MEMBER, Role.STAFF]}
    assert event.payload["via"] == "django-admin"


def test_adding_and_deleting_in_the_admin_write_events(root_client, root, committee):
    response = root_client.post("/django-admin/core/sector/add/", {"committee": committee.pk, "name": "农业界",
                                                                    "sort_order": 3})
    assert response.status_code == 302
    sector = Sector.objects.get(name="农业界")
    created = Event.objects.get(action="sector.created")
    assert created.payload["changes"]["name"] == [None, "农业界"] and created.committee == committee

    other = SectorFactory(committee=committee, name="经济界")
    response = root_client.post(f"/django-admin/core/sector/{sector.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = Event.objects.get(action="sector.deleted")
    assert deleted.payload["name"] == "农业界" and deleted.payload["values"]["name"] == "农业界"

    response = root_client.post("/django-admin/core/sector/", {"action": "delete_selected", "_selected_action": [other.pk],
                                                               "post": "yes"})
    assert response.status_code == 302
    assert Event.objects.filter(action="sector.deleted").count() == 2


def test_a_grant_in_the_admin_is_recorded_as_a_grant(root_client, committee):
    person = UserFactory(username="li")
    response = root_client.post("/django-admin/core/roleassignment/add/", {
        "user": person.pk, "committee": committee.pk, "role": Role.ADMIN,
        "handling_unit": "", "liaison_station": "", "studio": "", "special_committee": "",
    })
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=person, role=Role.ADMIN).exists()
    assert Event.objects.get(action="role.granted").payload["changes"]["role"] == [None, Role.ADMIN]


def test_a_user_saved_in_the_admin_records_changes_but_never_the_password_hash(root_client, root):
    person = UserFactory(username="li", full_name="李")
    form = root_client.get(f"/django-admin/core/user/{person.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions",
                                                                                  "last_login", "date_joined")}
    data.update(full_name="李四", is_superuser="on", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    response = root_client.post(f"/django-admin/core/user/{person.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = Event.objects.get(action="user.updated")
    assert event.payload["changes"]["full_name"] == ["李", "李四"]
    assert event.payload["changes"]["is_superuser"] == [False, True]
    assert "password" not in event.payload["changes"] and person.password not in str(event.payload)


def test_the_admin_password_page_goes_through_the_service(root_client, root):
    from xieshang.api.services import api_token_issue

    person = UserFactory(username="li")
    api_token_issue(username="li", password=PASSWORD)
    url = f"/django-admin/core/user/{person.pk}/password/"
    response = root_client.post(url, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase",
                                      "usable_password": "true"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-long-passphrase")
    assert ApiToken.objects.get().revoked_at is not None
    event = Event.objects.get(action="user.password_set")
    assert event.actor == root and event.payload == {"tokens_revoked": 1}


def test_the_admins_own_password_page_is_the_products(root_client):
    assert root_client.get("/django-admin/password_change/")["Location"] == "/account/password/"


def test_the_admin_can_be_switched_off(settings, root_client):
    import importlib

    from django.urls import clear_url_caches

    import xieshang.urls

    assert root_client.get("/django-admin/").status_code == 200
    settings.XIESHANG_DJANGO_ADMIN = False
    try:
        importlib.reload(xieshang.urls)
        clear_url_caches()
        assert root_client.get("/django-admin/").status_code == 404
        assert root_client.get("/django-admin/core/user/").status_code == 404
    finally:
        settings.XIESHANG_DJANGO_ADMIN = True
        importlib.reload(xieshang.urls)
        clear_url_caches()


def test_an_inlines_rows_are_recorded_one_by_one(root_client, root):
    """A static device's recovery codes are an inline on its page: adding, changing and deleting one writes the
    event a row saved on its own page writes (the code itself is a secret: its change is named, not shown)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    person = UserFactory(username="li")
    device = StaticDevice.objects.create(user=person, name="recovery codes", confirmed=True)
    kept, changed, gone = (StaticToken.objects.create(device=device, token=t) for t in ("keptkept", "oldcode1", "gonegone"))
    url = f"/django-admin/otp_static/staticdevice/{device.pk}/change/"
    assert root_client.get(url).status_code == 200
    data = {"user": person.pk, "name": "recovery codes", "confirmed": "on",
            "token_set-TOTAL_FORMS": 4, "token_set-INITIAL_FORMS": 3, "token_set-MIN_NUM_FORMS": 0,
            "token_set-MAX_NUM_FORMS": 1000, "_save": "Save"}
    rows = [(kept, "keptkept", False), (changed, "newcode1", False), (gone, "gonegone", True)]
    for n, (token, value, delete) in enumerate(rows):
        data.update({f"token_set-{n}-id": token.pk, f"token_set-{n}-device": device.pk, f"token_set-{n}-token": value})
        if delete:
            data[f"token_set-{n}-DELETE"] = "on"
    data.update({"token_set-3-id": "", "token_set-3-device": device.pk, "token_set-3-token": "addedcd1"})
    response = root_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert set(StaticToken.objects.values_list("token", flat=True)) == {"keptkept", "newcode1", "addedcd1"}

    events = Event.objects.filter(action__startswith="static_token.")
    assert sorted(events.values_list("action", flat=True)) == [
        "static_token.created", "static_token.deleted", "static_token.updated"]
    for event in events:
        assert event.actor == root and event.payload["via"] == "django-admin"
        assert not {"keptkept", "oldcode1", "newcode1", "gonegone", "addedcd1"} & set(str(event.payload).split("'"))
    updated = events.get(action="static_token.updated")
    assert updated.object_id == str(changed.pk) and updated.payload["secrets_changed"] == ["token"]
    created = events.get(action="static_token.created")
    assert created.payload["changes"]["device"] == [None, device.pk] and created.payload["secrets_changed"] == ["token"]
    deleted = events.get(action="static_token.deleted")
    assert deleted.object_id == str(gone.pk) and deleted.payload["values"]["device"] == device.pk
    assert not Event.objects.filter(action="static_token.updated", object_id=str(kept.pk)).exists()
