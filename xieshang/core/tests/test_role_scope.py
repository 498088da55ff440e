"""Roles bound to a scope: liaison stations and studios as organisation rows, the database constraints of
RoleAssignment, role_grant with its scope, users_with_role / office_users, the administration screens, the
one mapping of hidden → 404 and refused → 403, and the migration of the free-text station names (core/0007)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.core import services
from xieshang.core.errors import Conflict, Forbidden, Invalid, NotFound, http_status, page_error
from xieshang.core.models import Event, HandlingUnit, LiaisonStation, Role, RoleAssignment, SpecialCommittee, Studio
from xieshang.core.selectors import office_users, users_with_role
from xieshang.core.tests.factories import (
    CommitteeFactory, HandlingUnitFactory, LiaisonStationFactory, StudioFactory, UserFactory, grant,
)


@pytest.fixture
def admin(committee, make_user):
    return make_user(committee, Role.ADMIN, username="scope-admin")


@pytest.fixture
def places(committee):
    return {
        "unit": HandlingUnitFactory(committee=committee, name="州教育局"),
        "unit2": HandlingUnitFactory(committee=committee, name="州卫健委"),
        "station": LiaisonStationFactory(committee=committee, name="宁边路街道委员联络站"),
        "station2": LiaisonStationFactory(committee=committee, name="延安北路街道委员联络站"),
        "studio": StudioFactory(committee=committee, name="农业界委员工作室"),
        "special": SpecialCommittee.objects.create(committee=committee, name="提案委员会"),
    }


def _row(committee, role, **scope):
    with transaction.atomic():
        return RoleAssignment.objects.create(user=UserFactory(), committee=committee, role=role, **scope)


# --- The database refuses a role with the wrong scope ---------------------------------------------------


@pytest.mark.parametrize("role, scope", [
    (Role.STATION, {}),  # a station keeper names a place
    (Role.STATION, {"liaison_station": "station", "studio": "studio"}),  # one place only
    (Role.STATION, {"liaison_station": "station", "handling_unit": "unit"}),
    (Role.UNIT, {}),
    (Role.UNIT, {"handling_unit": "unit", "liaison_station": "station"}),
    (Role.MEMBER, {"studio": "studio"}),
    (Role.MEMBER, {"special_committee": "special"}),  # only staff and leaders name a special committee
    (Role.ADMIN, {"special_committee": "special"}),
    (Role.UNIT, {"handling_unit": "unit", "special_committee": "special"}),
    (Role.STAFF, {"handling_unit": "unit"}),
])
def test_the_database_refuses_a_role_with_the_wrong_scope(committee, places, role, scope):
    with pytest.raises(IntegrityError):
        _row(committee, role, **{field: places[key] for field, key in scope.items()})


@pytest.mark.parametrize("role, scope", [
    (Role.STATION, {"liaison_station": "station"}),
    (Role.STATION, {"studio": "studio"}),
    (Role.UNIT, {"handling_unit": "unit"}),
    (Role.STAFF, {}),
    (Role.STAFF, {"special_committee": "special"}),
    (Role.LEADER, {"special_committee": "special"}),
    (Role.MEMBER, {}),
])
def test_the_database_accepts_a_role_with_its_scope(committee, places, role, scope):
    row = _row(committee, role, **{field: places[key] for field, key in scope.items()})
    expected = places[next(iter(scope.values()))] if scope else None
    assert row.scope == expected


def test_one_row_per_user_role_and_scope(committee, places):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, committee=committee, role=Role.STATION, liaison_station=places["station"])
    RoleAssignment.objects.create(user=user, committee=committee, role=Role.STATION, liaison_station=places["station2"])
    RoleAssignment.objects.create(user=user, committee=committee, role=Role.STAFF)
    RoleAssignment.objects.create(user=user, committee=committee, role=Role.STAFF, special_committee=places["special"])
    for scope in ({"liaison_station": places["station"]}, {}, {"special_committee": places["special"]}):
        role = Role.STATION if "liaison_station" in scope else Role.STAFF
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(user=user, committee=committee, role=role, **scope)


def test_a_place_with_keepers_cannot_be_deleted_but_made_inactive(committee, places, admin):
    grant(UserFactory(), committee, Role.STATION, liaison_station=places["station"])
    with pytest.raises(Conflict):
        services.liaison_station_delete(actor=admin, committee=committee, station=places["station"])
    services.liaison_station_save(actor=admin, committee=committee, station=places["station"],
                                  name=places["station"].name, is_active=False)
    assert not LiaisonStation.objects.get(pk=places["station"].pk).is_active
    services.studio_delete(actor=admin, committee=committee, studio=places["studio"])
    assert not Studio.objects.filter(pk=places["studio"].pk).exists()


# --- role_grant with its scope ------------------------------------------------------------------------------


def test_role_grant_binds_the_role_to_its_scope(committee, places, admin):
    keeper, staff, member = UserFactory(), UserFactory(), UserFactory()
    row = services.role_grant(actor=admin, committee=committee, user=keeper, role=Role.STATION, studio=places["studio"])
    assert (row.liaison_station, row.studio) == (None, places["studio"])
    row = services.role_grant(actor=admin, committee=committee, user=staff, role=Role.STAFF,
                              special_committee=places["special"])
    assert row.scope == places["special"]
    # What a role does not take is dropped (the forms send every field).
    row = services.role_grant(actor=admin, committee=committee, user=member, role=Role.MEMBER,
                              liaison_station=places["station"], handling_unit=places["unit"],
                              special_committee=places["special"])
    assert row.scope is None
    event = Event.objects.filter(action="role.granted", object_id=str(keeper.pk)).get()
    assert event.payload["studio"] == "农业界委员工作室" and event.payload["liaison_station"] == ""


def test_role_grant_refuses_a_station_role_without_one_place(committee, places, admin):
    user = UserFactory()
    with pytest.raises(Invalid) as exc:
        services.role_grant(actor=admin, committee=committee, user=user, role=Role.STATION)
    assert "liaison_station" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        services.role_grant(actor=admin, committee=committee, user=user, role=Role.STATION,
                            liaison_station=places["station"], studio=places["studio"])
    assert "studio" in exc.value.field_errors
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_role_grant_refuses_a_place_of_another_committee(committee, admin):
    other = CommitteeFactory(code="other-scope")
    for scope in ({"liaison_station": LiaisonStationFactory(committee=other)},
                  {"studio": StudioFactory(committee=other)}):
        with pytest.raises(NotFound):
            services.role_grant(actor=admin, committee=committee, user=UserFactory(), role=Role.STATION, **scope)
    with pytest.raises(NotFound):
        services.role_grant(actor=admin, committee=committee, user=UserFactory(), role=Role.STAFF,
                            special_committee=SpecialCommittee.objects.create(committee=other, name="乙提案委"))


def test_role_grant_needs_an_administrator(committee, places, make_user):
    staff = make_user(committee, Role.STAFF)
    with pytest.raises(Forbidden):
        services.role_grant(actor=staff, committee=committee, user=UserFactory(), role=Role.STATION,
                            liaison_station=places["station"])


# --- users_with_role ------------------------------------------------------------------------------------------


def test_users_with_role_per_scope(committee, places):
    a, b, c, d, e, f = (UserFactory(username=f"scope-{n}") for n in "abcdef")
    grant(a, committee, Role.UNIT, unit=places["unit"])
    grant(b, committee, Role.UNIT, unit=places["unit2"])
    grant(c, committee, Role.STATION, liaison_station=places["station"])
    grant(d, committee, Role.STATION, studio=places["studio"])
    grant(e, committee, Role.STAFF, special_committee=places["special"])
    grant(f, committee, Role.STAFF)
    inactive = UserFactory(username="scope-inactive", is_active=False)
    grant(inactive, committee, Role.UNIT, unit=places["unit"])
    other = CommitteeFactory(code="other-users")
    grant(UserFactory(), other, Role.STAFF)

    def names(*args):
        return sorted(u.username for u in users_with_role(*args))

    assert names(committee, Role.UNIT, places["unit"]) == ["scope-a"]
    assert names(committee.pk, Role.UNIT, HandlingUnit(pk=places["unit2"].pk)) == ["scope-b"]
    assert names(committee, Role.UNIT) == ["scope-a", "scope-b"]
    assert names(committee, Role.STATION, places["station"]) == ["scope-c"]
    assert names(committee, Role.STATION, places["studio"]) == ["scope-d"]
    assert names(committee, Role.STATION, places["station2"]) == []
    assert names(committee, Role.STAFF, places["special"]) == ["scope-e"]
    assert names(committee, Role.STAFF) == ["scope-e", "scope-f"]  # every holder, whatever the scope
    with CaptureQueriesContext(connection) as ctx:
        list(users_with_role(committee, Role.STATION, places["station"]))
    assert len(ctx.captured_queries) == 1
    with pytest.raises(TypeError):
        users_with_role(committee, Role.UNIT, committee)


def test_office_users_are_the_staff_else_the_administrators(committee, places, make_user):
    admin = make_user(committee, Role.ADMIN)
    assert list(office_users(committee)) == [admin]
    staff = make_user(committee, Role.STAFF)
    assert list(office_users(committee)) == [staff]
    staff.is_active = False
    staff.save()
    assert list(office_users(committee)) == [admin]


# --- Administration screens ---------------------------------------------------------------------------------


def test_administrators_manage_stations_and_studios(client, committee, admin, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin)
    response = client.post(reverse("core:admin_station_new"), {
        "name": "阜康市城关镇委员联络站", "short_name": "城关镇联络站", "address": "城关镇便民服务中心",
        "sort_order": "2", "is_active": "on",
    })
    assert response.status_code == 302
    station = LiaisonStation.objects.get(committee=committee, name="阜康市城关镇委员联络站")
    assert (station.short_name, station.address, station.sort_order, station.is_active) == (
        "城关镇联络站", "城关镇便民服务中心", 2, True)
    response = client.post(reverse("core:admin_studio_new"), {"name": "医药卫生界委员工作室", "kind": "sector",
                                                             "is_active": "on"})
    assert response.status_code == 302
    studio = Studio.objects.get(committee=committee)
    assert studio.kind == Studio.Kind.SECTOR
    assert Event.objects.filter(action__in=["liaison_station.created", "studio.created"]).count() == 2

    page = client.get(reverse("core:admin_stations")).content.decode()
    assert "阜康市城关镇委员联络站" in page and "城关镇便民服务中心" in page
    assert "医药卫生界委员工作室" in client.get(reverse("core:admin_studios") + "?kind=sector").content.decode()
    assert "医药卫生界委员工作室" not in client.get(reverse("core:admin_studios") + "?kind=member").content.decode()

    # A name already used is refused, keeping what was typed.
    response = client.post(reverse("core:admin_station_new"), {"name": "阜康市城关镇委员联络站", "address": "新地址"})
    assert response.status_code == 422 and "新地址" in response.content.decode()

    # Granting a station role names the station; the user's page shows it.
    keeper = UserFactory(username="keeper")
    grant(keeper, committee, Role.MEMBER)
    response = client.post(reverse("core:admin_user_role_grant", args=[keeper.pk]),
                           {"role": "station", "liaison_station": station.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=keeper, role=Role.STATION).liaison_station == station
    assert "阜康市城关镇委员联络站" in client.get(reverse("core:admin_user", args=[keeper.pk])).content.decode()
    response = client.post(reverse("core:admin_role_grant"), {"grant-username": "keeper", "grant-role": "station"})
    assert response.status_code == 422
    assert "must name the liaison station or the studio" in response.content.decode()

    response = client.post(reverse("core:admin_station_delete", args=[station.pk]))
    assert response.status_code == 302 and LiaisonStation.objects.filter(pk=station.pk).exists()
    response = client.post(reverse("core:admin_studio_delete", args=[studio.pk]))
    assert response.status_code == 302 and not Studio.objects.filter(pk=studio.pk).exists()


def test_a_station_of_another_committee_is_not_found(client, committee, admin):
    other = CommitteeFactory(code="other-admin")
    station, studio = LiaisonStationFactory(committee=other), StudioFactory(committee=other)
    client.force_login(admin)
    assert client.get(reverse("core:admin_station_edit", args=[station.pk])).status_code == 404
    assert client.post(reverse("core:admin_studio_delete", args=[studio.pk])).status_code == 404
    user = UserFactory()
    grant(user, committee, Role.MEMBER)
    response = client.post(reverse("core:admin_user_role_grant", args=[user.pk]),
                           {"role": "station", "liaison_station": station.pk})
    assert response.status_code == 422  # not one of the choices
    assert not RoleAssignment.objects.filter(user=user, role=Role.STATION).exists()


def test_the_screens_are_not_found_for_a_non_administrator(client, committee, make_user):
    client.force_login(make_user(committee, Role.STAFF))
    for name in ("core:admin_stations", "core:admin_studios", "core:admin_station_new"):
        assert client.get(reverse(name)).status_code == 404


# --- One mapping of refusals to HTTP ------------------------------------------------------------------------


def test_one_mapping_of_refusals_to_http():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    assert [http_status(e()) for e in (NotFound, Forbidden, Conflict, Invalid)] == [404, 403, 409, 422]
    assert isinstance(page_error(NotFound()), Http404)
    assert isinstance(page_error(Forbidden()), PermissionDenied)
    error = Invalid()
    assert page_error(error) is error


# --- The migration of station_name (core/0007) --------------------------------------------------------------


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_station_names_into_stations():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before, after = [("core", "0006_deadline")], [("core", "0007_role_scope")]
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        Committee, User = old.get_model("core", "Committee"), old.get_model("core", "User")
        Role_ = old.get_model("core", "RoleAssignment")
        a = Committee.objects.create(code="mig-a", name="甲")
        b = Committee.objects.create(code="mig-b", name="乙")
        users = [User.objects.create(username=f"mig-{n}") for n in range(5)]
        Role_.objects.create(user=users[0], committee=a, role="station", station_name="宁边路街道委员联络站")
        Role_.objects.create(user=users[1], committee=a, role="station", station_name=" 宁边路街道委员联络站 ")
        Role_.objects.create(user=users[2], committee=b, role="station", station_name="宁边路街道委员联络站")
        Role_.objects.create(user=users[3], committee=b, role="station", station_name="")
        Role_.objects.create(user=users[4], committee=a, role="staff")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        Station, Role_ = new.get_model("core", "LiaisonStation"), new.get_model("core", "RoleAssignment")
        assert sorted(Station.objects.values_list("committee__code", "name")) == [
            ("mig-a", "宁边路街道委员联络站"), ("mig-b", "委员联络站"), ("mig-b", "宁边路街道委员联络站"),
        ]
        got = {r.user.username: (r.committee.code, r.liaison_station.name if r.liaison_station else None)
               for r in Role_.objects.select_related("user", "committee", "liaison_station")}
        assert got == {
            "mig-0": ("mig-a", "宁边路街道委员联络站"), "mig-1": ("mig-a", "宁边路街道委员联络站"),
            "mig-2": ("mig-b", "宁边路街道委员联络站"), "mig-3": ("mig-b", "委员联络站"), "mig-4": ("mig-a", None),
        }
        # And back: the names return.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        assert sorted(old.get_model("core", "RoleAssignment").objects.filter(role="station")
                      .values_list("station_name", flat=True)) == ["委员联络站", *["宁边路街道委员联络站"] * 3]
    finally:
        MigrationExecutor(connection).migrate(leaves)
