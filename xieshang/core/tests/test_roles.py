"""Roles per committee: the selectors, switching committee in the header, the menu by role."""

import re

import pytest
from django.http import HttpResponse
from django.urls import include, path

from xieshang.core import navigation, selectors
from xieshang.core.models import Committee, Role
from xieshang.core.tests.factories import CommitteeFactory, HandlingUnitFactory, UserFactory, grant


# A URL configuration in which every entry of the menu resolves, whichever apps are finished:
# the core's own pages plus stand-ins for the proposals and reports pages.
def _stand_in(request, *args, **kwargs):
    return HttpResponse("stand-in")


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "p/",
        include(
            (
                [
                    path("mine/", _stand_in, name="mine"),
                    path("all/", _stand_in, name="list"),
                    path("unit/", _stand_in, name="unit_inbox"),
                    path("overdue/", _stand_in, name="overdue"),
                ],
                "proposals",
            )
        ),
    ),
    path("r/", include(([path("proposals/", _stand_in, name="proposals")], "reports"))),
    path("", include("xieshang.core.urls")),
]


@pytest.fixture
def two_committees(committee):
    other = CommitteeFactory(code="urumqi", name="乌鲁木齐市政协", short_name="乌市政协")
    return committee, other


@pytest.fixture
def xu(two_committees, make_user):
    """Staff in Changji and a handling-unit user (州交通局) in Urumqi."""
    changji, urumqi = two_committees
    unit = HandlingUnitFactory(committee=urumqi, name="市交通运输局")
    user = make_user(changji, "staff", username="xu")
    grant(user, urumqi, Role.UNIT, unit=unit)
    user.unit = unit
    return user


# --- Selectors --------------------------------------------------------------------------------


def test_roles_are_held_per_committee(two_committees, xu):
    changji, urumqi = two_committees
    assert selectors.roles_of(xu, changji) == {Role.STAFF}
    assert selectors.roles_of(xu, urumqi) == {Role.UNIT}
    assert selectors.roles_of(xu, urumqi.pk) == {Role.UNIT}  # an id works as well
    assert selectors.has_role(xu, changji, Role.STAFF, Role.ADMIN)
    assert not selectors.has_role(xu, urumqi, Role.STAFF, Role.ADMIN)
    assert selectors.has_role(xu, urumqi, Role.UNIT)
    assert selectors.unit_ids_of(xu, urumqi) == {xu.unit.pk}
    assert selectors.unit_ids_of(xu, changji) == set()
    assert list(selectors.units_of(xu, urumqi)) == [xu.unit]
    assert set(selectors.committees_of(xu)) == {changji, urumqi}
    assert selectors.primary_role(xu, changji) == Role.STAFF
    assert selectors.primary_role(xu, urumqi) == Role.UNIT
    assert selectors.roles_of(xu, None) == set()


def test_several_roles_and_units_in_one_committee(committee, make_user):
    unit_a = HandlingUnitFactory(committee=committee)
    unit_b = HandlingUnitFactory(committee=committee)
    user = make_user(committee, "member", "leader")
    grant(user, committee, Role.UNIT, unit=unit_a)
    grant(user, committee, Role.UNIT, unit=unit_b)
    assert selectors.roles_of(user, committee) == {Role.MEMBER, Role.LEADER, Role.UNIT}
    assert selectors.unit_ids_of(user, committee) == {unit_a.pk, unit_b.pk}
    assert selectors.primary_role(user, committee) == Role.LEADER
    assert selectors.member_of(user, committee).user == user


def test_no_roles_for_strangers_anonymous_and_inactive_committees(two_committees, xu):
    from django.contrib.auth.models import AnonymousUser

    changji, urumqi = two_committees
    stranger = UserFactory()
    assert selectors.roles_of(stranger, changji) == set()
    assert list(selectors.committees_of(stranger)) == []
    assert selectors.default_committee(stranger) is None
    assert selectors.roles_of(AnonymousUser(), changji) == set()
    assert selectors.unit_ids_of(AnonymousUser(), urumqi) == set()

    Committee.objects.filter(pk=urumqi.pk).update(is_active=False)
    fresh = type(xu).objects.get(pk=xu.pk)  # roles are cached per user object (per request)
    assert selectors.roles_of(fresh, urumqi) == set()
    assert selectors.unit_ids_of(fresh, urumqi) == set()
    assert list(selectors.committees_of(fresh)) == [changji]


def test_a_platform_superuser_administers_every_active_committee(two_committees):
    changji, urumqi = two_committees
    root = UserFactory(is_superuser=True)
    assert selectors.roles_of(root, urumqi) == {Role.ADMIN}
    assert set(selectors.committees_of(root)) == {changji, urumqi}


def test_role_cache_is_per_user_object(committee, make_user):
    user = make_user(committee, "member")
    assert selectors.roles_of(user, committee) == {Role.MEMBER}
    grant(user, committee, Role.STAFF)  # the shortcut forgets the cache, as the services do
    assert selectors.roles_of(user, committee) == {Role.MEMBER, Role.STAFF}


# --- Switching committee --------------------------------------------------------------------------


def current_committee(client) -> str:
    return re.search(r'data-testid="home-role">(.*?)</p>', client.get("/").content.decode(), re.S).group(1)


def test_switch_between_committees_where_the_user_has_roles(client, two_committees, xu):
    changji, urumqi = two_committees
    client.force_login(xu)
    assert changji.name in current_committee(client) and "机关干部" in current_committee(client)

    response = client.post("/committee/", {"committee": urumqi.pk})
    assert response.status_code == 302 and response["Location"] == "/"
    shown = current_committee(client)
    assert urumqi.name in shown and "承办单位" in shown
    # The choice is remembered for the session.
    assert urumqi.name in current_committee(client)

    client.post("/committee/", {"committee": changji.pk})
    assert changji.name in current_committee(client)


def test_the_header_offers_the_users_committees_only(client, two_committees, xu):
    changji, urumqi = two_committees
    CommitteeFactory(code="hami", name="哈密市政协")
    client.force_login(xu)
    html = client.get("/").content.decode()
    options = re.findall(r'<option value="(\d+)"', html)
    assert sorted(map(int, options)) == sorted([changji.pk, urumqi.pk])


def test_no_switch_to_a_committee_without_a_role(client, two_committees, xu):
    changji, urumqi = two_committees
    foreign = CommitteeFactory(code="hami", name="哈密市政协")
    client.force_login(xu)
    client.post("/committee/", {"committee": urumqi.pk})
    for value in (foreign.pk, 999999, "abc", "", "1; DROP TABLE core_committee", "²", "9" * 40):
        assert client.post("/committee/", {"committee": value}).status_code == 404, value
    assert client.post("/committee/").status_code == 404
    assert urumqi.name in current_committee(client)  # unchanged
    assert foreign.name not in client.get("/").content.decode()


def test_the_first_committee_is_the_highest_level_one(client, committee, make_user):
    county = CommitteeFactory(code="aaa-county", name="阿县政协", level=Committee.Level.COUNTY, parent=committee)
    user = make_user(county, "member")
    grant(user, committee, Role.STAFF)
    assert selectors.default_committee(user) == committee  # the prefecture, though "aaa-county" sorts first
    client.force_login(user)
    assert committee.name in current_committee(client)


def test_switching_needs_a_post_and_a_signed_in_user(client, two_committees, xu):
    changji, urumqi = two_committees
    assert client.post("/committee/", {"committee": urumqi.pk})["Location"].startswith("/login/")
    client.force_login(xu)
    assert client.get("/committee/").status_code == 405


@pytest.mark.hot_cache_off  # switched off by hand (an UPDATE), past what forgets the cached committees
def test_a_committee_that_is_deactivated_falls_back_to_the_default(client, two_committees, xu):
    changji, urumqi = two_committees
    client.force_login(xu)
    client.post("/committee/", {"committee": urumqi.pk})
    Committee.objects.filter(pk=urumqi.pk).update(is_active=False)
    assert changji.name in current_committee(client)


# --- The menu by role -------------------------------------------------------------------------------


def nav_links(client) -> list[str]:
    html = client.get("/").content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav)


EXPECTED_MENU = {
    Role.MEMBER: ["/", "/p/mine/"],
    Role.STAFF: ["/", "/p/all/", "/p/overdue/", "/r/proposals/", "/exports/", "/categories/"],
    Role.LEADER: ["/", "/p/all/", "/p/overdue/", "/r/proposals/", "/exports/"],
    Role.UNIT: ["/", "/p/unit/"],
    Role.STATION: ["/"],
    Role.ADMIN: ["/", "/p/all/", "/p/overdue/", "/r/proposals/", "/exports/", "/categories/", "/admin/"],
}


@pytest.mark.parametrize("role", list(EXPECTED_MENU))
def test_the_menu_shows_the_items_of_the_role(client, settings, committee, make_user, role):
    settings.ROOT_URLCONF = __name__
    unit = HandlingUnitFactory(committee=committee) if role == Role.UNIT else None
    client.force_login(make_user(committee, role, unit=unit))
    assert nav_links(client) == EXPECTED_MENU[role]


def test_the_menu_follows_the_current_committee(client, settings, two_committees, xu):
    settings.ROOT_URLCONF = __name__
    changji, urumqi = two_committees
    client.force_login(xu)
    assert nav_links(client) == EXPECTED_MENU[Role.STAFF]
    client.post("/committee/", {"committee": urumqi.pk})
    assert nav_links(client) == EXPECTED_MENU[Role.UNIT]


def test_the_menu_marks_the_current_page(client, settings, committee, make_user):
    settings.ROOT_URLCONF = __name__
    client.force_login(make_user(committee, "staff"))
    html = client.get("/").content.decode()
    assert re.search(r'<a href="/" aria-current="page">', html)


class CoreOnly:
    """A URL configuration with the core's pages only."""

    urlpatterns = [path("", include("xieshang.core.urls"))]


def test_items_for_skips_pages_that_do_not_exist_yet(settings):
    settings.ROOT_URLCONF = CoreOnly
    names = [item["name"] for item in navigation.items_for({Role.STAFF, Role.ADMIN, Role.MEMBER})]
    assert names == ["core:home", "core:exports", "core:categories", "core:admin_home"]
    assert [item["name"] for item in navigation.items_for(set())] == ["core:home"]


def test_the_real_menu_of_an_administrator_and_of_a_member(client, committee, make_user):
    """With the project's own URLs: the administration entry is there for administrators only."""
    client.force_login(make_user(committee, "admin"))
    assert "/admin/" in nav_links(client)
    client.force_login(make_user(committee, "member"))
    links = nav_links(client)
    assert "/admin/" not in links and links[0] == "/"


def test_no_menu_without_a_role(client, committee):
    client.force_login(UserFactory())
    assert nav_links(client) == ["/"]
    assert "在本委员会尚无角色" in client.get("/").content.decode()
