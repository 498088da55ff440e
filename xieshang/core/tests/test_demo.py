"""The `xieshang demo` command: the demo committee, its members and accounts; idempotency; loaders."""

import io
import re
import sys

import pytest
from django.conf import settings
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import translation

from xieshang.core import demo_data
from xieshang.core.management.commands import demo as demo_command
from xieshang.core.models import (
    Committee,
    HandlingUnit,
    Member,
    Organization,
    PartyCommittee,
    Role,
    RoleAssignment,
    Sector,
    Session,
    SpecialCommittee,
    Term,
    User,
)

pytestmark = pytest.mark.django_db

ACCOUNT_ROLES = {
    "admin": ("admin", "Administrator"),
    "staff": ("staff", "Office staff"),
    "leader": ("leader", "Leader"),
    "member": ("member", "Member"),
    "member2": ("member", "Member"),
    "unit": ("unit", "Handling unit"),
    "unit2": ("unit", "Handling unit"),
    "station": ("station", "Station keeper"),
}


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    """The row count of every table of every installed app (loaders' tables included)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in ("sessions.Session",):
            continue
        counts[model._meta.label] = model._default_manager.count()
    return counts


# --- What it creates -------------------------------------------------------------------------


def test_committees_term_and_sessions():
    run_demo("--core-only")
    changji = Committee.objects.get(code="changji")
    assert (changji.name, changji.short_name, changji.level) == ("昌吉回族自治州政协", "昌吉州政协", "prefecture")
    assert changji.portal_name == "有事昌商量·邀你建吉言"
    assert (changji.parent.code, changji.parent.level, changji.parent.name) == ("xinjiang", "provincial", "新疆维吾尔自治区政协")
    county = Committee.objects.get(code="changjishi")
    assert (county.level, county.parent) == ("county", changji)
    assert PartyCommittee.objects.get(committee=changji).name == "中共昌吉州委"

    term = Term.objects.get(committee=changji, is_current=True)
    assert term.number == 13 and term.start_year <= 2022 and term.end_year >= 2026
    sessions = Session.objects.filter(term=term)
    assert {s.year: s.number for s in sessions} == {2024: 3, 2025: 4, 2026: 5}
    assert [s.year for s in sessions if s.is_current] == [2026]
    assert all(s.opens_on.month == 1 and s.opens_on.year == s.year and s.closes_on > s.opens_on for s in sessions)
    with translation.override("zh-hans"):
        assert str(sessions.get(year=2024)) == "第十三届三次会议"


def test_organisation_of_the_prefecture():
    run_demo("--core-only")
    changji = Committee.objects.get(code="changji")
    special = set(SpecialCommittee.objects.filter(committee=changji).values_list("name", flat=True))
    assert {"提案委员会", "经济委员会", "农业和农村委员会", "人口资源环境委员会", "教科卫体委员会", "社会和法制委员会",
            "文化文史和学习委员会", "民族和宗教委员会"} <= special
    sectors = set(Sector.objects.filter(committee=changji).values_list("name", flat=True))
    assert {"中共", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "无党派人士", "共青团", "工会", "妇联",
            "工商联", "科技界", "教育界", "文化艺术界", "医药卫生界", "体育界", "新闻出版界", "经济界", "农业界",
            "社会福利和社会保障界", "少数民族界", "宗教界", "特邀人士"} <= sectors
    kinds = set(Organization.objects.filter(committee=changji).values_list("kind", flat=True))
    assert kinds == {k.value for k in Organization.Kind}

    units = HandlingUnit.objects.filter(committee=changji)
    assert units.count() >= 40
    short = {u.short_name: u for u in units}
    for name in ("州发改委", "州工信局", "州教育局", "州农业农村局", "州卫健委", "州中级人民法院", "州人民检察院", "团州委",
                 "州税务局", "国网昌吉供电公司"):
        assert name in short, name
    assert short["州中级人民法院"].kind == HandlingUnit.Kind.COURT
    assert short["国网昌吉供电公司"].kind == HandlingUnit.Kind.ENTERPRISE
    assert {u.kind for u in units} == {k.value for k in HandlingUnit.Kind}
    assert all(u.contact_person and re.fullmatch(r"0994-\d{7}", u.contact_phone) for u in units)
    # in the office's order (the government's office first), some with other names the pickers find
    assert units.order_by("sort_order").first().short_name == "州政府办"
    assert len({u.sort_order for u in units}) == units.count()
    assert "发改委" in short["州发改委"].aliases


def test_about_three_hundred_varied_members():
    run_demo("--core-only")
    changji = Committee.objects.get(code="changji")
    members = list(
        Member.objects.filter(committee=changji).select_related("user", "sector").prefetch_related("special_committees")
    )
    assert len(members) == demo_data.MEMBER_COUNT == 300
    assert len({m.name for m in members}) == 300
    phones = [m.phone for m in members]
    assert len(set(phones)) == 300 and all(re.fullmatch(r"139\d{8}", p) for p in phones)
    assert len(set(User.objects.values_list("phone", flat=True))) == User.objects.count()

    ethnicities = [m.ethnicity for m in members]
    assert ethnicities.count("汉族") > 150
    for minority in ("回族", "哈萨克族", "维吾尔族"):
        assert ethnicities.count(minority) >= 15, minority
    assert all("·" in m.name for m in members if m.ethnicity in ("维吾尔族", "哈萨克族"))
    assert {m.gender for m in members} == {"male", "female"}
    assert all(m.sector.name == "妇联" and m.gender == "female" or m.sector.name != "妇联" for m in members)

    standing = sum(m.is_standing_committee_member for m in members)
    assert 0.15 * 300 <= standing <= 0.25 * 300
    assert all(1 <= len(m.special_committees.all()) <= 2 for m in members)
    assert all(m.employer and m.address and m.term_id and m.sector_id for m in members)
    counties = tuple(demo_data.COUNTIES)
    assert all(m.address.startswith(counties) for m in members)

    # Every member signs in with nothing but the demo accounts' password, and holds the member role.
    member_role = set(
        RoleAssignment.objects.filter(committee=changji, role=Role.MEMBER).values_list("user_id", flat=True)
    )
    assert {m.user_id for m in members} <= member_role
    demo_usernames = set(ACCOUNT_ROLES)
    for m in members:
        assert m.user.has_usable_password() == (m.user.username in demo_usernames)
        assert m.user.full_name == m.name


def test_demo_accounts():
    run_demo("--core-only")
    changji = Committee.objects.get(code="changji")
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()
    for username in ACCOUNT_ROLES:
        user = User.objects.get(username=username)
        assert user.check_password("xieshang-demo")
        assert re.search(r"[\u4e00-\u9fff]", user.full_name) and user.email

    admin = User.objects.get(username="admin")
    assert set(RoleAssignment.objects.filter(user=admin, role=Role.ADMIN).values_list("committee__code", flat=True)) == {
        "changji", "changjishi"
    }
    assert User.objects.get(username="staff").full_name == "王丽"
    member = Member.objects.get(committee=changji, user__username="member")
    assert member.sector.name == "农业界"
    assert Member.objects.filter(committee=changji, user__username="member2").exists()
    assert RoleAssignment.objects.get(user__username="unit").handling_unit.short_name == "州农业农村局"
    assert RoleAssignment.objects.get(user__username="unit2").handling_unit.short_name == "州发改委"
    station = RoleAssignment.objects.get(user__username="station")
    assert (station.role, station.liaison_station.name) == (Role.STATION, "昌吉市宁边路街道委员联络站")


def test_command_prints_the_accounts_table():
    out = run_demo("--core-only")
    for username in ACCOUNT_ROLES:
        assert re.search(rf"^{username}\s+xieshang-demo\s+\S", out, re.MULTILINE), username
    assert "王丽" in out and "州农业农村局" in out


@pytest.mark.parametrize("username", list(ACCOUNT_ROLES))
def test_demo_account_signs_in_and_lands_on_home_with_role(client, username):
    run_demo("--core-only")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/login/", {"username": username, "password": "xieshang-demo"}, follow=True)
    if username == "admin":  # an administrator sets up two-step sign-in first (core.second_factor)
        assert response.redirect_chain[-1][0] == "/account/two-step/"
        return
    assert response.redirect_chain and response.redirect_chain[-1][0] == "/"
    role, label = ACCOUNT_ROLES[username]
    assert response.context["role"] == role
    html = response.content.decode()
    paragraph = re.search(r'data-testid="home-role">(.*?)</p>', html, re.DOTALL).group(1)
    assert label in paragraph
    assert User.objects.get(username=username).full_name in paragraph


def test_generated_member_cannot_sign_in(client):
    run_demo("--core-only")
    response = client.post("/login/", {"username": "wy001", "password": "xieshang-demo"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Idempotency -----------------------------------------------------------------------------


def _snapshot():
    return {
        "members": list(Member.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values_list("username", "password", "full_name", "phone", "email")),
        "roles": sorted(RoleAssignment.objects.values_list("user_id", "committee_id", "role", "handling_unit_id", "liaison_station_id")),
        "units": list(HandlingUnit.objects.order_by("pk").values()),
        "seats": sorted(Member.special_committees.through.objects.values_list("member_id", "specialcommittee_id")),
    }


def test_core_data_is_idempotent():
    run_demo("--core-only")
    counts, snapshot = table_counts(), _snapshot()
    out = run_demo("--core-only")
    assert table_counts() == counts
    assert _snapshot() == snapshot
    assert " 0 created" in out and not re.search(r": [1-9]\d* (created|added|set)", out)


@pytest.mark.long
def test_full_command_with_every_loader_is_idempotent():
    run_demo()
    counts = table_counts()
    run_demo()
    assert table_counts() == counts


def test_rerun_restores_a_changed_demo_password_and_keeps_existing_flags():
    run_demo("--core-only")
    admin = User.objects.get(username="admin")
    admin.set_password("something-else-42")
    admin.is_staff = True  # an operator's own change to an existing account
    admin.save()
    run_demo("--core-only")
    admin.refresh_from_db()
    assert admin.check_password("xieshang-demo")
    assert admin.is_staff and not admin.is_superuser


# --- Further loaders -------------------------------------------------------------------------

CALLS = []


def first_loader(demo, stdout=None):
    CALLS.append(("first", demo["committee"].code, sorted(demo["units"])[:1], stdout is not None))
    return {"from_first": 42}


def second_loader(stdout=None):
    CALLS.append(("second",))


def third_loader(demo):
    CALLS.append(("third", demo["from_first"]))


def test_loaders_run_in_order_and_missing_modules_are_skipped(monkeypatch):
    CALLS.clear()
    monkeypatch.setattr(
        demo_command,
        "DEMO_LOADERS",
        [
            "xieshang.no_such_app.demo.load",
            f"{__name__}.first_loader",
            "xieshang.core.no_such_module.load",
            f"{__name__}.second_loader",
            f"{__name__}.third_loader",
        ],
    )
    run_demo()
    assert [c[0] for c in CALLS] == ["first", "second", "third"]
    assert CALLS[0][1] == "changji" and CALLS[0][3] is True
    assert CALLS[2] == ("third", 42)

    CALLS.clear()
    run_demo("--core-only")
    assert CALLS == []


def test_missing_function_in_existing_module_is_an_error(monkeypatch):
    monkeypatch.setattr(demo_command, "DEMO_LOADERS", [f"{__name__}.no_such_loader"])
    with pytest.raises(CommandError):
        run_demo()


def test_import_error_inside_a_loader_module_is_not_hidden(monkeypatch, tmp_path):
    package = tmp_path / "demo_broken_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "demo.py").write_text("import no_such_dependency_xyz\n\ndef load(demo):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(demo_command, "DEMO_LOADERS", ["demo_broken_pkg.demo.load"])
    try:
        with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
            run_demo()
    finally:
        sys.modules.pop("demo_broken_pkg", None)
        sys.modules.pop("demo_broken_pkg.demo", None)


def test_loaders_come_from_the_apps_declarations(monkeypatch):
    """Without a list set here, the command runs what the installed apps declare, in their order."""
    from xieshang.core import registry

    CALLS.clear()
    monkeypatch.setattr(demo_command, "DEMO_LOADERS", None)
    monkeypatch.setattr(registry, "declarations", lambda: (
        registry.Declarations(demo_loaders=(f"{__name__}.first_loader",)),
        registry.Declarations(),
        registry.Declarations(demo_loaders=(f"{__name__}.second_loader",)),
    ))
    assert demo_command.loaders() == [f"{__name__}.first_loader", f"{__name__}.second_loader"]
    run_demo()
    assert [c[0] for c in CALLS] == ["first", "second"]
