"""The administration screens (/admin/): who may see them, committee isolation, and that every
write through them goes through a service and leaves an audit event."""

import datetime

import pytest
from django.urls import reverse

from xieshang.core import calendar, services
from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import (
    Event, HandlingUnit, Holiday, Member, Organization, PartyCommittee, RoleAssignment, Sector, Session,
    SpecialCommittee, Term, TimerSetting, User,
)
from xieshang.core.tests.factories import (
    CommitteeFactory, HandlingUnitFactory, MemberFactory, OrganizationFactory, SectorFactory, TermFactory,
    UserFactory, grant,
)

LIST_PAGES = [
    "core:admin_home", "core:admin_committee", "core:admin_party_committee", "core:admin_terms",
    "core:admin_term_new", "core:admin_session_new", "core:admin_sectors", "core:admin_sector_new",
    "core:admin_special_committees", "core:admin_special_committee_new", "core:admin_organizations",
    "core:admin_organization_new", "core:admin_units", "core:admin_unit_new", "core:admin_units_import",
    "core:admin_members", "core:admin_member_new", "core:admin_members_import", "core:admin_users",
    "core:admin_user_new", "core:admin_timers", "core:admin_calendar",
    "core:admin_stations", "core:admin_station_new", "core:admin_studios", "core:admin_studio_new",
]


@pytest.fixture
def admin(committee, make_user):
    return make_user(committee, "admin", username="admin-a")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def other(db):
    """Committee B, with an administrator and a row of every kind."""
    b = CommitteeFactory(code="other", name="乙县政协")
    term = TermFactory(committee=b)
    session = Session.objects.create(term=term, number=1, year=2024)
    admin_b = UserFactory(username="admin-b")
    grant(admin_b, b, "admin")
    sector = SectorFactory(committee=b, name="乙界别")
    unit = HandlingUnitFactory(committee=b, name="乙县教育局")
    org = OrganizationFactory(committee=b, name="乙党派")
    special = SpecialCommittee.objects.create(committee=b, name="乙专委会")
    member = MemberFactory(committee=b, name="乙委员", sector=sector)
    grant(member.user, b, "member")
    holiday = Holiday.objects.create(date=datetime.date(2026, 6, 1), committee=b, name="乙县节")
    return {
        "committee": b, "term": term, "session": session, "admin": admin_b, "sector": sector, "unit": unit,
        "organization": org, "special": special, "member": member, "holiday": holiday,
        "role": RoleAssignment.objects.get(user=admin_b, committee=b),
    }


def events(action):
    return list(Event.objects.filter(action=action))


# --- Who may see the screens -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/members/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", ["staff", "member", "unit", "leader"])
def test_non_admin_gets_404_everywhere(client, committee, make_user, role):
    unit = HandlingUnitFactory(committee=committee) if role == "unit" else None
    client.force_login(make_user(committee, role, unit=unit))
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    response = client.post(reverse("core:admin_sector_new"), {"name": "经济界"})
    assert response.status_code == 404
    assert not Sector.objects.filter(name="经济界").exists()


def test_admin_of_another_committee_gets_404(client, committee, other):
    """An administrator of B, working in B, has no screens for A (and A is not in their header)."""
    client.force_login(other["admin"])
    sector_a = SectorFactory(committee=committee)
    assert client.get(reverse("core:admin_sector_edit", args=[sector_a.pk])).status_code == 404


def test_every_screen_renders_for_the_admin(admin_client):
    for name in LIST_PAGES:
        response = admin_client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Content-Security-Policy" in response


def test_navigation_links_to_administration(admin_client, client, committee, make_user):
    response = admin_client.get(reverse("core:admin_sectors"))
    assert "core:admin_home" in [item["name"] for item in response.context["nav_items"]]
    staff = make_user(committee, "staff")
    client.force_login(staff)
    response = client.get(reverse("core:inbox"))
    assert "core:admin_home" not in [item["name"] for item in response.context["nav_items"]]


def test_rows_of_another_committee_are_not_found(admin_client, committee, other):
    get_404 = [
        ("core:admin_sector_edit", other["sector"].pk), ("core:admin_unit_edit", other["unit"].pk),
        ("core:admin_organization_edit", other["organization"].pk),
        ("core:admin_special_committee_edit", other["special"].pk),
        ("core:admin_member_edit", other["member"].pk), ("core:admin_term_edit", other["term"].pk),
        ("core:admin_session_edit", other["session"].pk), ("core:admin_user", other["admin"].pk),
    ]
    for name, pk in get_404:
        assert admin_client.get(reverse(name, args=[pk])).status_code == 404, name
    post_404 = [
        ("core:admin_sector_delete", other["sector"].pk), ("core:admin_role_revoke", other["role"].pk),
        ("core:admin_holiday_delete", other["holiday"].pk), ("core:admin_user_password", other["admin"].pk),
        ("core:admin_user_role_grant", other["admin"].pk),
    ]
    for name, pk in post_404:
        assert admin_client.post(reverse(name, args=[pk]), {"password": "x", "password2": "x", "role": "admin"}).status_code == 404, name
    response = admin_client.post(reverse("core:admin_unit_edit", args=[other["unit"].pk]), {"name": "改名", "kind": "government"})
    assert response.status_code == 404
    other["unit"].refresh_from_db()
    assert other["unit"].name == "乙县教育局"
    assert Sector.objects.filter(pk=other["sector"].pk).exists()
    assert RoleAssignment.objects.filter(pk=other["role"].pk).exists()


def test_lists_show_only_this_committees_rows(admin_client, committee, other):
    SectorFactory(committee=committee, name="甲界别")
    MemberFactory(committee=committee, name="甲委员")
    pages = {
        "core:admin_sectors": ("甲界别", "乙界别"), "core:admin_members": ("甲委员", "乙委员"),
        "core:admin_units": (None, "乙县教育局"), "core:admin_users": ("admin-a", "admin-b"),
        "core:admin_calendar": (None, "乙县节"),
    }
    for name, (mine, theirs) in pages.items():
        html = admin_client.get(reverse(name), {"year": 2026} if name == "core:admin_calendar" else {}).content.decode()
        if mine:
            assert mine in html, name
        assert theirs not in html, name


def test_a_row_of_another_committee_cannot_be_chosen_in_a_form(admin_client, committee, other):
    response = admin_client.post(reverse("core:admin_member_new"), {
        "name": "张三", "term": other["term"].pk, "sector": other["sector"].pk,
    })
    assert response.status_code == 422
    assert not Member.objects.filter(name="张三").exists()


def test_superuser_administers_every_committee(client, committee, other):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    client.post(reverse("core:switch_committee"), {"committee": other["committee"].pk})
    response = client.get(reverse("core:admin_sectors"))
    assert response.status_code == 200
    assert "乙界别" in response.content.decode()


def test_services_refuse_non_admins(committee, make_user, other):
    staff = make_user(committee, "staff")
    with pytest.raises(Forbidden):
        services.sector_save(actor=staff, committee=committee, name="经济界")
    admin_b = other["admin"]
    with pytest.raises(NotFound):  # admin of B handing A's row to B's service call
        services.sector_save(actor=admin_b, committee=other["committee"], sector=SectorFactory(committee=committee),
                             name="x")


# --- Writes leave audit events --------------------------------------------------------------------


def test_create_and_change_a_sector_records_events(admin_client, committee, admin):
    response = admin_client.post(reverse("core:admin_sector_new"), {"name": "经济界", "sort_order": "2"})
    assert response.status_code == 302
    sector = Sector.objects.get(committee=committee, name="经济界")
    [created] = events("sector.created")
    assert created.actor == admin and created.committee == committee and created.object_id == str(sector.pk)

    admin_client.post(reverse("core:admin_sector_edit", args=[sector.pk]), {"name": "经济界别", "sort_order": "2"})
    sector.refresh_from_db()
    assert sector.name == "经济界别"
    [updated] = events("sector.updated")
    assert updated.payload["changes"] == {"name": ["经济界", "经济界别"]}
    # The edit page shows the history.
    assert "sector.updated" in admin_client.get(reverse("core:admin_sector_edit", args=[sector.pk])).content.decode()


def test_duplicate_name_is_refused_next_to_the_field_and_input_kept(admin_client, committee):
    SectorFactory(committee=committee, name="经济界")
    response = admin_client.post(reverse("core:admin_sector_new"), {"name": "经济界", "sort_order": "7"})
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["name"]
    assert 'value="7"' in response.content.decode()
    assert Sector.objects.filter(committee=committee, name="经济界").count() == 1
    assert not events("sector.created")


def test_same_name_in_another_committee_is_fine(admin_client, committee, other):
    response = admin_client.post(reverse("core:admin_sector_new"), {"name": "乙界别", "sort_order": "0"})
    assert response.status_code == 302
    assert Sector.objects.filter(name="乙界别").count() == 2


def test_delete_a_sector_in_use_is_refused(admin_client, committee):
    used = SectorFactory(committee=committee, name="在用界别")
    MemberFactory(committee=committee, sector=used)
    unused = SectorFactory(committee=committee, name="空界别")
    response = admin_client.post(reverse("core:admin_sector_delete", args=[used.pk]), follow=True)
    assert "该界别仍在使用中" in response.content.decode()  # the message, in the default language
    assert Sector.objects.filter(pk=used.pk).exists()
    admin_client.post(reverse("core:admin_sector_delete", args=[unused.pk]))
    assert not Sector.objects.filter(pk=unused.pk).exists()
    assert [e.object_repr for e in events("sector.deleted")] == ["空界别"]


def test_special_committee_and_organization(admin_client, committee):
    admin_client.post(reverse("core:admin_special_committee_new"), {"name": "提案委员会", "sort_order": "1"})
    admin_client.post(reverse("core:admin_organization_new"), {"name": "民革", "kind": "party"})
    assert SpecialCommittee.objects.filter(committee=committee, name="提案委员会").exists()
    assert Organization.objects.get(committee=committee, name="民革").kind == "party"
    assert events("special_committee.created") and events("organization.created")
    response = admin_client.get(reverse("core:admin_organizations"), {"kind": "group"})
    assert "民革" not in response.content.decode()


def test_committee_settings_and_party_committee(admin_client, committee):
    response = admin_client.post(reverse("core:admin_committee"), {
        "name": committee.name, "short_name": "昌吉州政协", "portal_name": "有事昌商量·邀你建吉言",
    })
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.portal_name == "有事昌商量·邀你建吉言"
    assert events("committee.updated")[0].payload["changes"]["portal_name"] == ["", "有事昌商量·邀你建吉言"]
    response = admin_client.post(reverse("core:admin_committee"), {"name": "", "short_name": "x"})
    assert response.status_code == 422 and response.context["form"].errors["name"]

    admin_client.post(reverse("core:admin_party_committee"), {"name": "中共昌吉州委"})
    admin_client.post(reverse("core:admin_party_committee"), {"name": "中共昌吉回族自治州委员会"})
    assert PartyCommittee.objects.get(committee=committee).name == "中共昌吉回族自治州委员会"
    assert len(events("party_committee.created")) == 1 and len(events("party_committee.updated")) == 1


def test_terms_and_sessions(admin_client, committee):
    old = Term.objects.get(committee=committee)
    response = admin_client.post(reverse("core:admin_term_new"), {
        "number": "14", "start_year": "2028", "end_year": "2032", "is_current": "on",
    })
    assert response.status_code == 302
    new = Term.objects.get(committee=committee, number=14)
    old.refresh_from_db()
    assert new.is_current and not old.is_current
    assert events("term.created")

    response = admin_client.post(reverse("core:admin_term_new"), {"number": "15", "start_year": "2030", "end_year": "2029"})
    assert response.status_code == 422 and response.context["form"].errors["end_year"]

    response = admin_client.post(reverse("core:admin_session_new"), {"term": new.pk, "number": "1", "year": "2027"})
    assert response.status_code == 422 and response.context["form"].errors["year"]  # outside the term
    response = admin_client.post(reverse("core:admin_session_new"), {
        "term": new.pk, "number": "1", "year": "2028", "opens_on": "2028-01-10", "closes_on": "2028-01-14",
        "is_current": "on",
    })
    assert response.status_code == 302
    assert Session.objects.filter(term__committee=committee, is_current=True).get().term == new
    assert events("session.created")
    response = admin_client.post(reverse("core:admin_session_new"), {"term": new.pk, "number": "1", "year": "2029"})
    assert response.status_code == 422 and response.context["form"].errors["number"]


def test_handling_unit_form_checks_the_phone(admin_client, committee):
    response = admin_client.post(reverse("core:admin_unit_new"), {
        "name": "州教育局", "kind": "government", "contact_phone": "12ab", "is_active": "on",
    })
    assert response.status_code == 422
    assert response.context["form"].errors["contact_phone"]
    assert "州教育局" in response.content.decode()  # what was typed is kept
    response = admin_client.post(reverse("core:admin_unit_new"), {
        "name": "州教育局", "kind": "government", "contact_person": "李四", "contact_phone": "0994 2345678",
        "is_active": "on",
    })
    assert response.status_code == 302
    unit = HandlingUnit.objects.get(committee=committee, name="州教育局")
    assert unit.contact_phone == "0994-2345678"
    assert events("handling_unit.created")[0].object_id == str(unit.pk)
    admin_client.post(reverse("core:admin_unit_edit", args=[unit.pk]), {"name": "州教育局", "kind": "government"})
    unit.refresh_from_db()
    assert not unit.is_active
    assert events("handling_unit.updated")[0].payload["changes"]["is_active"] == [True, False]


def test_lists_filter_search_and_paginate(admin_client, committee):
    for i in range(30):
        HandlingUnit.objects.create(committee=committee, name=f"州单位{i:02d}", kind="government" if i % 2 else "party")
    response = admin_client.get(reverse("core:admin_units"))
    assert response.context["page"].paginator.num_pages == 2
    response = admin_client.get(reverse("core:admin_units"), {"kind": "party", "page": "2"})
    assert response.status_code == 200 and response.context["page"].number == 1  # 15 rows: one page
    response = admin_client.get(reverse("core:admin_units"), {"q": "单位07"})
    assert [u.name for u in response.context["page"]] == ["州单位07"]
    assert "州单位08" not in response.content.decode()


def test_member_create_makes_account_and_role(admin_client, committee, admin):
    sector = SectorFactory(committee=committee, name="经济界")
    special = SpecialCommittee.objects.create(committee=committee, name="经济委员会")
    response = admin_client.post(reverse("core:admin_member_new"), {
        "name": "王芳", "gender": "female", "ethnicity": "回族", "term": Term.objects.get(committee=committee).pk,
        "sector": sector.pk, "special_committees": [special.pk], "is_standing_committee_member": "on",
        "employer": "州人民医院院长", "phone": "139 0994 0001", "email": "wf@example.org", "is_active": "on",
    })
    assert response.status_code == 302, response.context["form"].errors
    member = Member.objects.get(committee=committee, name="王芳")
    assert member.phone == "13909940001" and member.is_standing_committee_member
    assert list(member.special_committees.all()) == [special]
    user = member.user
    assert user.username == "13909940001" and not user.has_usable_password()
    assert RoleAssignment.objects.filter(user=user, committee=committee, role="member").exists()
    assert {e.action for e in Event.objects.filter(actor=admin)} >= {"user.created", "member.created", "role.granted"}

    response = admin_client.post(reverse("core:admin_member_edit", args=[member.pk]), {
        "name": "王芳", "term": member.term_id, "sector": sector.pk, "phone": "13909940002", "is_active": "on",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    user.refresh_from_db()
    assert member.phone == "13909940002" and user.phone == "13909940002"  # the account follows
    changes = events("member.updated")[0].payload["changes"]
    assert changes["phone"] == ["13909940001", "13909940002"]
    assert changes["special_committees"] == [["经济委员会"], []]


def test_member_form_shows_bad_input_next_to_the_fields(admin_client, committee):
    response = admin_client.post(reverse("core:admin_member_new"), {
        "name": "赵六", "term": Term.objects.get(committee=committee).pk, "phone": "12345", "email": "not-an-email",
    })
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "email" in errors
    assert not Member.objects.filter(name="赵六").exists()
    response = admin_client.post(reverse("core:admin_member_new"), {
        "name": "赵六", "term": Term.objects.get(committee=committee).pk, "phone": "12345",
    })
    assert response.status_code == 422 and response.context["form"].errors["phone"]
    assert 'value="赵六"' in response.content.decode()


def test_member_can_link_an_existing_account(admin_client, committee, other):
    person = other["member"].user
    response = admin_client.post(reverse("core:admin_member_new"), {
        "name": "乙委员", "term": Term.objects.get(committee=committee).pk, "username": person.username,
    })
    assert response.status_code == 302
    assert Member.objects.filter(committee=committee, user=person).exists()
    response = admin_client.post(reverse("core:admin_member_new"), {
        "name": "乙委员", "term": Term.objects.get(committee=committee).pk, "username": person.username,
    })
    assert response.status_code == 422 and response.context["form"].errors["username"]


# --- Users and roles ------------------------------------------------------------------------------


def test_create_account_grant_and_revoke_roles(admin_client, committee, admin):
    unit = HandlingUnitFactory(committee=committee, name="州住建局")
    response = admin_client.post(reverse("core:admin_user_new"), {
        "username": "zhujian", "full_name": "住建联络员", "phone": "13800000001", "is_active": "on", "role": "unit",
    })
    assert response.status_code == 422
    assert response.context["form"].errors["handling_unit"]  # a unit role must name the unit
    response = admin_client.post(reverse("core:admin_user_new"), {
        "username": "zhujian", "full_name": "住建联络员", "phone": "13800000001", "is_active": "on", "role": "unit",
        "handling_unit": unit.pk,
    })
    user = User.objects.get(username="zhujian")
    assert response["Location"] == reverse("core:admin_user", args=[user.pk])
    assert not user.has_usable_password()
    role = RoleAssignment.objects.get(user=user, committee=committee)
    assert role.role == "unit" and role.handling_unit == unit

    response = admin_client.post(reverse("core:admin_user_password", args=[user.pk]),
                                 {"password": "short", "password2": "short"})
    assert response.status_code == 422 and response.context["password_form"].errors["password"]
    admin_client.post(reverse("core:admin_user_password", args=[user.pk]),
                      {"password": "Zhujian-2026-pass", "password2": "Zhujian-2026-pass"})
    user.refresh_from_db()
    assert user.check_password("Zhujian-2026-pass")
    [pw_event] = events("user.password_set")
    assert "Zhujian" not in str(pw_event.payload)

    admin_client.post(reverse("core:admin_user_role_grant", args=[user.pk]), {"role": "staff"})
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {"unit", "staff"}
    response = admin_client.post(reverse("core:admin_user_role_grant", args=[user.pk]), {"role": "staff"})
    assert response.status_code == 422  # already held
    admin_client.post(reverse("core:admin_role_revoke", args=[role.pk]))
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {"staff"}
    assert [e.payload["role"] for e in events("role.granted") if e.object_id == str(user.pk)] == ["unit", "staff"]
    assert [e.payload["role"] for e in events("role.revoked")] == ["unit"]


def test_grant_a_role_to_an_existing_account_by_name(admin_client, committee, other):
    person = other["member"].user
    response = admin_client.post(reverse("core:admin_role_grant"), {"grant-username": "nobody", "grant-role": "staff"})
    assert response.status_code == 422 and response.context["grant_form"].errors["username"]
    response = admin_client.post(reverse("core:admin_role_grant"), {"grant-username": person.username, "grant-role": "staff"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=person, committee=committee, role="staff").exists()


def test_the_last_administrator_cannot_be_revoked(admin_client, committee, admin):
    row = RoleAssignment.objects.get(user=admin, committee=committee, role="admin")
    response = admin_client.post(reverse("core:admin_role_revoke", args=[row.pk]), follow=True)
    assert "至少要保留一名管理员" in response.content.decode()
    assert RoleAssignment.objects.filter(pk=row.pk).exists()


def test_an_account_shared_with_another_committee_cannot_be_taken_over(admin_client, committee, other):
    """Admin of A may give B's administrator a role in A, but not set that account's password."""
    admin_b = other["admin"]
    grant(admin_b, committee, "staff")
    response = admin_client.get(reverse("core:admin_user", args=[admin_b.pk]))
    assert response.status_code == 200 and response.context["password_form"] is None
    response = admin_client.post(reverse("core:admin_user_password", args=[admin_b.pk]),
                                 {"password": "Takeover-2026-x", "password2": "Takeover-2026-x"})
    assert response.status_code == 422
    admin_b.refresh_from_db()
    assert not admin_b.check_password("Takeover-2026-x")
    assert not events("user.password_set")


# --- Timers and calendar ---------------------------------------------------------------------------


def test_timers_set_and_reset(admin_client, committee):
    response = admin_client.get(reverse("core:admin_timers"))
    assert 'data-testid="timer-proposal.reply"' in response.content.decode()
    prefix = "proposal-reply"
    response = admin_client.post(reverse("core:admin_timer_set", args=["proposal.reply"]),
                                 {f"{prefix}-amount": "-1", f"{prefix}-unit": "months"})
    assert response.status_code == 422
    admin_client.post(reverse("core:admin_timer_set", args=["proposal.reply"]),
                      {f"{prefix}-amount": "2", f"{prefix}-unit": "months"})
    assert TimerSetting.objects.get(committee=committee, key="proposal.reply").amount == 2
    assert events("timer.set")
    admin_client.post(reverse("core:admin_timer_reset", args=["proposal.reply"]))
    assert not TimerSetting.objects.filter(committee=committee).exists()
    assert events("timer.reset")
    assert admin_client.post(reverse("core:admin_timer_set", args=["nope"])).status_code == 404


def test_holiday_calendar_local_days(admin_client, committee):
    this_year = datetime.date.today().year
    response = admin_client.post(f"{reverse('core:admin_calendar')}?year={this_year}", {
        "date": f"{this_year}-07-16", "is_working_day": "0", "name": "古尔邦节",
    })
    assert response.status_code == 302
    row = Holiday.objects.get(date=datetime.date(this_year, 7, 16), committee=committee)
    assert not row.is_working_day and not calendar.is_working_day(row.date, committee)
    [event] = events("calendar.day_set")
    assert event.committee == committee and event.actor is not None
    response = admin_client.get(reverse("core:admin_calendar"), {"year": this_year})
    assert "古尔邦节" in response.content.decode()
    # Ordinary administrators cannot touch the national calendar.
    assert "national" not in response.context["form"].fields
    national = Holiday.objects.filter(committee__isnull=True, date__year=this_year).first()
    if national is not None:
        admin_client.post(reverse("core:admin_holiday_delete", args=[national.pk]))
        assert Holiday.objects.filter(pk=national.pk).exists()
    response = admin_client.post(f"{reverse('core:admin_calendar')}?year={this_year}", {"date": "not a date"})
    assert response.status_code == 422 and response.context["form"].errors["date"]
    admin_client.post(reverse("core:admin_holiday_delete", args=[row.pk]))
    assert not Holiday.objects.filter(pk=row.pk).exists()
    assert events("calendar.day_deleted")


def test_calendar_warning_when_this_or_next_year_has_no_national_days(client, admin_client, committee):
    this_year = datetime.date.today().year
    Holiday.objects.filter(date__year__in=[this_year, this_year + 1]).delete()
    calendar.invalidate()
    response = admin_client.get(reverse("core:admin_home"))
    html = response.content.decode()
    assert 'data-testid="calendar-warning"' in html and f"{this_year}, {this_year + 1}" in html

    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    for year in (this_year, this_year + 1):
        response = client.post(reverse("core:admin_calendar"), {
            "date": f"{year}-10-01", "is_working_day": "0", "name": "国庆节", "national": "on",
        })
        assert response.status_code == 302
    assert Holiday.objects.get(date=datetime.date(this_year + 1, 10, 1)).committee is None
    response = client.get(reverse("core:admin_home"))
    assert 'data-testid="calendar-warning"' not in response.content.decode()


def test_services_check_legality(committee, make_user):
    admin = make_user(committee, "admin")
    with pytest.raises(Invalid) as exc:
        services.role_grant(actor=admin, committee=committee, user=admin, role="unit")
    assert "handling_unit" in exc.value.field_errors
    other_unit = HandlingUnitFactory()
    with pytest.raises(NotFound):
        services.role_grant(actor=admin, committee=committee, user=admin, role="unit", handling_unit=other_unit)


# --- Django's admin ---------------------------------------------------------------------------------


def test_django_admin_is_for_superusers_only(client, committee, admin):
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    assert client.get("/django-admin/").status_code == 302  # to its sign-in page
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/django-admin/core/event/").status_code == 200
    assert client.get("/django-admin/core/event/add/").status_code == 403


def test_odd_query_parameters_never_fail(admin_client):
    odd = {"page": "x", "year": "abc", "edit": "abc", "term": "abc", "kind": "zzz", "sector": "abc", "sort": "password"}
    for name in LIST_PAGES:
        assert admin_client.get(reverse(name), odd).status_code == 200, name
