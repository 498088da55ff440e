"""The hot cache (XIESHANG_HOT_CACHE_SECONDS, ADR 0009): the signed-in user, their roles, committees and
member ids, and each committee's timers, kept in the shared cache across requests — and forgotten the
moment a service (or the Django admin) changes them, so that no change waits for the expiry."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.core import services, timers
from xieshang.core.models import Role, RoleAssignment
from xieshang.core.tests.factories import UserFactory

PASSWORD = "correct-horse-42"


@pytest.fixture(autouse=True)
def hot_cache(settings):
    settings.XIESHANG_HOT_CACHE_SECONDS = 60


def _tables(ctx) -> set[str]:
    """The tables read by the captured queries (after FROM)."""
    found = set()
    for q in ctx.captured_queries:
        sql = q["sql"]
        for table in ("core_user", "core_roleassignment", "core_member", "core_timersetting"):
            if f'FROM "{table}"' in sql:
                found.add(table)
    return found


def _signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_second_page_reads_the_user_roles_and_timers_from_the_cache(client, committee, make_user):
    admin = make_user(committee, Role.ADMIN, Role.MEMBER)
    _signed_in(client, admin)
    assert client.get("/inbox/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/inbox/").status_code == 200
    assert not _tables(ctx) & {"core_user", "core_roleassignment", "core_member"}, [q["sql"] for q in ctx.captured_queries]


def test_a_revoked_role_takes_effect_on_the_next_request(client, committee, make_user):
    boss = make_user(committee, Role.ADMIN)
    admin = make_user(committee, Role.ADMIN)
    _signed_in(client, admin)
    assert client.get("/admin/").status_code == 200  # cached as an administrator
    services.role_revoke(actor=boss, committee=committee,
                         assignment=RoleAssignment.objects.get(user=admin, role=Role.ADMIN))
    assert client.get("/admin/").status_code == 404


def test_a_granted_role_takes_effect_on_the_next_request(client, committee, make_user):
    boss = make_user(committee, Role.ADMIN)
    staff = make_user(committee, Role.STAFF)
    _signed_in(client, staff)
    assert client.get("/admin/").status_code == 404  # cached without the role
    services.role_grant(actor=boss, committee=committee, user=staff, role=Role.ADMIN)
    assert client.get("/admin/").status_code == 200


def test_a_deactivated_account_is_signed_out_on_its_next_request(client, committee, make_user):
    boss = make_user(committee, Role.ADMIN)
    staff = make_user(committee, Role.STAFF)
    _signed_in(client, staff)
    assert client.get("/inbox/").status_code == 200
    services.user_save(actor=boss, committee=committee, user=staff, username=staff.username,
                       full_name=staff.full_name, is_active=False)
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_new_password_signs_out_the_other_sessions(client, committee, make_user):
    boss = make_user(committee, Role.ADMIN)
    staff = make_user(committee, Role.STAFF)
    _signed_in(client, staff)
    assert client.get("/inbox/").status_code == 200
    services.user_set_password(actor=boss, committee=committee, user=staff, password="another-horse-2026!")
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_renamed_committee_shows_its_new_name_at_once(client, committee, make_user):
    admin = make_user(committee, Role.ADMIN)
    _signed_in(client, admin)
    assert "昌吉州政协" in client.get("/inbox/").content.decode()
    services.committee_save(actor=admin, committee=committee, name="昌吉回族自治州政协", short_name="昌吉政协")
    page = client.get("/inbox/").content.decode()
    assert "昌吉政协" in page and "昌吉州政协" not in page


def test_a_new_membership_is_seen_at_once(client, committee, make_user):
    """An account linked to a new member row gets the member role and its member id for the visibility
    rules on its next request, though its roles were cached before."""
    from xieshang.core.selectors import member_ids_of

    admin = make_user(committee, Role.ADMIN)
    person = make_user(committee, Role.STAFF)
    _signed_in(client, person)
    client.get("/inbox/")
    member = services.member_save(actor=admin, committee=committee, name="新委员", term=committee.terms.get(),
                                  username=person.username)
    fresh = type(person).objects.get(pk=person.pk)
    assert member.pk in member_ids_of(fresh)
    from xieshang.core.selectors import roles_of

    assert Role.MEMBER in roles_of(fresh, committee)


def test_a_timer_set_or_reset_applies_at_once(committee, make_user):
    admin = make_user(committee, Role.ADMIN)
    assert timers.timer(committee, "proposal.reply") == (3, "months")  # cached: no own setting
    services.timer_set(actor=admin, committee=committee, key="proposal.reply", amount=2, unit="months")
    assert timers.timer(committee, "proposal.reply") == (2, "months")
    assert timers.deadline(committee, "proposal.reply", datetime.date(2026, 1, 5)) == datetime.date(2026, 3, 5)
    services.timer_reset(actor=admin, committee=committee, key="proposal.reply")
    assert timers.timer(committee, "proposal.reply") == (3, "months")
    with CaptureQueriesContext(connection) as ctx:
        timers.timer(committee, "proposal.reply")
    assert "core_timersetting" not in _tables(ctx)


def test_role_changes_in_the_django_admin_are_not_cached(client, committee, make_user):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    staff = make_user(committee, Role.STAFF)
    admin_client = type(client)()
    _signed_in(admin_client, superuser)
    _signed_in(client, staff)
    assert client.get("/admin/").status_code == 404
    response = admin_client.post("/django-admin/core/roleassignment/add/", {
        "user": staff.pk, "committee": committee.pk, "role": Role.ADMIN, "station_name": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/admin/").status_code == 200
    row = RoleAssignment.objects.get(user=staff, role=Role.ADMIN)
    assert admin_client.post(f"/django-admin/core/roleassignment/{row.pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.get("/admin/").status_code == 404


def test_without_the_hot_cache_every_request_reads_the_database(settings, client, committee, make_user):
    settings.XIESHANG_HOT_CACHE_SECONDS = 0
    admin = make_user(committee, Role.ADMIN)
    _signed_in(client, admin)
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/inbox/")
    assert {"core_user", "core_roleassignment"} <= _tables(ctx)


def test_a_page_reads_the_small_keys_in_one_round_trip_and_serves_each_once(client, committee, make_user):
    """CommitteeMiddleware primes the user, unread badge, calendar, organisation and timer keys; a key a
    service forgets within the request is read again, not served from the primed copy."""
    from xieshang.core.cache import prime, unprime
    from xieshang.core.selectors import unread_count, unread_key

    staff = make_user(committee, Role.STAFF)
    assert unread_count(staff) == 0  # cached as 0
    prime([unread_key(staff.pk)])
    try:
        services.notify(recipients=[staff], kind="test", title="一条通知", committee=committee)
        assert unread_count(staff) == 1
    finally:
        unprime()
    _signed_in(client, staff)
    assert "data-testid=\"unread-count\">1<" in client.get("/inbox/").content.decode()


def test_an_organisation_row_changed_in_the_django_admin_renews_the_option_lists(
        client, committee, django_capture_on_commit_callbacks):
    """The list filters' options are cached per organisation version (ADR 0006); the Django admin bypasses
    the services, so its saves bump the version themselves."""
    from xieshang.core.selectors import organisation_version
    from xieshang.core.tests.factories import HandlingUnitFactory

    unit = HandlingUnitFactory(committee=committee, name="州发展改革委")
    superuser = UserFactory(is_superuser=True, is_staff=True)
    _signed_in(client, superuser)
    before = organisation_version(committee.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/django-admin/core/handlingunit/{unit.pk}/change/", {
            "committee": committee.pk, "name": "州发展和改革委员会", "short_name": "", "kind": unit.kind,
            "contact_person": "", "phone": "", "is_active": "on", "sort_order": 0,
        })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert organisation_version(committee.pk) > before


# --- What the cached entry holds, its keys, and the one way to forget (issue 10, A.7) ---------------


def test_the_cached_user_keeps_no_password_hash_and_the_session_check_still_works(client, committee, make_user):
    import pickle

    from django.core.cache import cache

    from xieshang.core.selectors import principal_key

    staff = make_user(committee, Role.STAFF)
    _signed_in(client, staff)
    assert client.get("/inbox/").status_code == 200
    entry = cache.get(principal_key(staff.pk))
    staff.refresh_from_db()
    assert entry is not None and "password" not in entry["user"].__dict__
    assert staff.password.encode() not in pickle.dumps(entry)
    assert entry["session_hashes"][0] == staff.get_session_auth_hash()
    # served from the cache (no user query) and still signed in: the session hash was compared
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/inbox/").status_code == 200
    assert "core_user" not in _tables(ctx)


def test_a_session_whose_hash_does_not_match_the_cached_one_is_signed_out(client, committee, make_user):
    from django.contrib.auth import HASH_SESSION_KEY

    staff = make_user(committee, Role.STAFF)
    _signed_in(client, staff)
    assert client.get("/inbox/").status_code == 200  # cached
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_cached_user_reads_its_password_from_the_database_and_saving_it_keeps_the_password(committee, make_user):
    from xieshang.core.auth import CachedModelBackend

    staff = make_user(committee, Role.STAFF)
    backend = CachedModelBackend()
    backend.get_user(staff.pk)  # caches the entry
    cached = backend.get_user(staff.pk)
    assert "password" in cached.get_deferred_fields()
    cached.full_name = "改了名字"
    cached.save()  # a deferred password is not written (not blanked)
    fresh = type(staff).objects.get(pk=staff.pk)
    assert fresh.full_name == "改了名字" and fresh.check_password(PASSWORD)
    assert backend.get_user(staff.pk).check_password(PASSWORD)  # the deferred field loads on demand


def test_the_keys_carry_the_schema_version_and_another_version_is_not_read(monkeypatch, client, committee, make_user):
    from xieshang.core import cache as hot
    from xieshang.core.selectors import principal_key, unread_key

    assert principal_key(7) == f"xieshang:v{hot.SCHEMA}:principal:7"
    assert timers.cache_key(3) == f"xieshang:v{hot.SCHEMA}:timers:3"
    assert unread_key(7) == f"xieshang:v{hot.SCHEMA}:unread:7"
    admin = make_user(committee, Role.ADMIN)
    _signed_in(client, admin)
    client.get("/inbox/")  # cached under this schema
    monkeypatch.setattr(hot, "SCHEMA", hot.SCHEMA + 1)  # a deploy with another shape
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/inbox/").status_code == 200
    assert {"core_user", "core_roleassignment"} <= _tables(ctx)


def test_a_user_deleted_in_the_django_admin_is_signed_out_at_once(client, committee, make_user):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    staff = make_user(committee, Role.STAFF)
    admin_client = type(client)()
    _signed_in(admin_client, superuser)
    _signed_in(client, staff)
    assert client.get("/inbox/").status_code == 200  # cached
    response = admin_client.post(f"/django-admin/core/user/{staff.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_forget_everything_empties_the_cache(client, committee, make_user):
    from django.core.cache import cache

    from xieshang.core.cache import forget
    from xieshang.core.selectors import principal_key

    staff = make_user(committee, Role.STAFF)
    _signed_in(client, staff)
    client.get("/inbox/")
    assert cache.get(principal_key(staff.pk)) is not None
    forget(everything=True)  # what restore calls
    assert cache.get(principal_key(staff.pk)) is None


def test_only_core_cache_deletes_cache_keys():
    """Every invalidation goes through `core.cache.forget`: no other module deletes cache keys itself."""
    import re
    from pathlib import Path

    import xieshang

    deleting = re.compile(r"(?<![\w.])cache\.(delete|delete_many|clear)\(")

    root = Path(xieshang.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path == root / "core" / "cache.py":
            continue
        for match in deleting.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert not offenders, offenders


def test_the_settings_take_the_hot_cache_seconds_from_the_environment(monkeypatch):
    """CI runs the suite once with XIESHANG_HOT_CACHE_SECONDS=60: the settings honour it under the tests too
    (whose default is 0)."""
    import runpy

    import xieshang.settings as module

    monkeypatch.setenv("XIESHANG_HOT_CACHE_SECONDS", "60")
    assert runpy.run_path(module.__file__)["XIESHANG_HOT_CACHE_SECONDS"] == 60
    monkeypatch.delenv("XIESHANG_HOT_CACHE_SECONDS")
    assert runpy.run_path(module.__file__)["XIESHANG_HOT_CACHE_SECONDS"] == 0
