"""The place screens per role: the directory by county (keepers, residents, rota, the year's figures), one place,
the office's form (errors keep input), a member's stations and duty days, the overview of staff and leaders;
a fixed number of queries whatever the number of places."""

from __future__ import annotations

import datetime
import io

import pytest

from xieshang.core import clock
from xieshang.core.models import LiaisonStation
from xieshang.grassroots import services
from xieshang.grassroots.models import ActivityMember, Place, PlaceMember
from xieshang.grassroots.tests.activity_kit import count_queries, login, url
from xieshang.grassroots.tests.factories import make_keeper, make_place, make_world, plan_activity, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _hold(w, place=None, keeper=None, **fields):
    activity = plan_activity(w, place=(place or w.place).pk, **fields) if keeper is None else services.activity_create(
        actor=keeper, committee=w.committee, data={"topic": "协商", "date": clock.today().isoformat(),
                                                   "place": place.pk, "members": [w.member_row().pk]})
    services.activity_hold(actor=keeper or w.keeper, activity=activity, present=[w.member_row()], citizens_count=8)
    return activity


# --- The directory -----------------------------------------------------------------------------------------------------


def test_the_directory_by_county_with_keepers_residents_and_figures(w):
    PlaceMember.objects.create(place=w.place, member=w.member_row())
    _hold(w)
    walk_to("answered", w)
    walk_to("received", w)
    response = login(w.member).get(url("places"))
    assert response.status_code == 200
    groups = {g["county"]: g for g in response.context["groups"]}
    assert set(groups) == {"昌吉市", "阜康市"}
    row = groups["昌吉市"]["places"][0]
    assert row.keepers == [w.keeper] and row.resident_members == [w.member_row()]
    assert (row.figures.activities, row.figures.received, row.figures.answered) == (1, 2, 1)
    assert row.figures.answer_rate == "50%"
    html = response.content.decode()
    assert w.member_row().name in html and w.keeper.display_name in html
    assert "13800138000" not in html
    only = login(w.member).get(url("places"), {"county": "阜康市"}).context["groups"]
    assert [g["county"] for g in only] == ["阜康市"]
    assert login(w.member).get(url("places"), {"kind": "bogus", "year": "x"}).status_code == 200


def test_the_directory_exports_to_excel(w):
    response = login(w.staff).get(url("places"), {"format": "xlsx"})
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[1].value for row in list(sheet.iter_rows())[2:]}
    assert names == {w.place.name, w.other_place.name}


def test_directory_and_overview_queries_do_not_grow_with_places(w):
    PlaceMember.objects.create(place=w.place, member=w.member_row())
    _hold(w)
    walk_to("answered", w)
    staff = login(w.staff)
    small_places, _r = count_queries(staff, url("places"))
    small_overview, _r = count_queries(staff, url("overview"))
    for i in range(5):
        place = make_place(w.committee, county=["奇台县", "木垒县"][i % 2], reception_days="10")
        keeper = make_keeper(w.committee, place)
        PlaceMember.objects.create(place=place, member=w.member_row(w.other_member))
        _hold(w, place=place, keeper=keeper)
    big_places, response = count_queries(staff, url("places"))
    assert response.context["count"] == 7
    big_overview, response = count_queries(staff, url("overview"))
    assert len(response.context["groups"]) == 4
    assert (big_places, big_overview) == (small_places, small_overview)


# --- One place ----------------------------------------------------------------------------------------------------------


def test_a_place_page(w):
    held = _hold(w)
    planned = plan_activity(w, date=clock.today() + datetime.timedelta(days=3), topic="下周的协商")
    page = login(w.keeper).get(url("place", w.place.pk))
    assert page.status_code == 200
    assert planned in page.context["upcoming"] and held in page.context["recent"]
    assert page.context["may_have_record"] and page.context["may_plan"] and not page.context["is_office"]
    other = login(w.other_keeper).get(url("place", w.place.pk))
    assert planned not in other.context["upcoming"]  # a planned activity of another place stays hidden
    assert not other.context["may_have_record"] and not other.context["may_plan"]
    assert login(w.staff).get(url("place", w.place.pk)).context["is_office"]
    assert login(w.member).get(url("place", 999999)).status_code == 404


# --- The office's form ----------------------------------------------------------------------------------------------------


def test_staff_add_and_edit_a_place(w):
    for who in ("keeper", "member", "leader", "unit"):
        assert login(getattr(w, who)).get(url("place_new")).status_code == 404
        assert login(getattr(w, who)).get(url("place_edit", w.place.pk)).status_code == 404
    from xieshang.core.tests.factories import UserFactory, grant

    admin = UserFactory()
    grant(admin, w.committee, "admin")  # a new station or studio is core's administration (administrators)
    c = login(admin)
    assert c.get(url("place_new")).status_code == 200
    m1, m2 = w.member_row(), w.member_row(w.other_member)
    response = c.post(url("place_new"), {
        "kind": "station", "name": "三工镇委员联络站", "county": "昌吉市", "township": "三工镇", "address": "三工镇政府院内",
        "reception_days": "5，15、25", "on_duty": "2", "public": "on", "members": [m1.pk, m2.pk]})
    place = Place.objects.get(name="三工镇委员联络站")
    assert response.status_code == 302 and response["Location"] == url("place", place.pk)
    assert place.reception_days == "5,15,25" and LiaisonStation.objects.filter(name="三工镇委员联络站").exists()
    assert set(place.residents.values_list("member_id", flat=True)) == {m1.pk, m2.pk}
    c = login(w.staff)  # office staff change the rota and the residents
    page = c.get(url("place_edit", place.pk))
    assert page.status_code == 200 and "kind" not in page.context["form"].fields
    response = c.post(url("place_edit", place.pk), {
        "name": "三工镇委员联络站", "county": "昌吉市", "township": "三工镇", "address": "三工镇政府院内",
        "reception_days": "10",
        "on_duty": "3", "members": [m1.pk]})
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.reception_days, place.on_duty, place.public) == ("10", 3, False)
    assert list(place.residents.values_list("member_id", flat=True)) == [m1.pk]


def test_place_form_errors_keep_input(w):
    c = login(w.staff)
    response = c.post(url("place_new"), {"kind": "station", "name": "保留的站名", "county": "昌吉市",
                                         "township": "保留的街道", "reception_days": "32号", "on_duty": "2"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("reception_days")
    html = response.content.decode()
    assert "保留的站名" in html and "保留的街道" in html
    response = c.post(url("place_new"), {"kind": "sector_studio", "name": "界别工作室", "county": "昌吉市",
                                         "on_duty": "2"})
    assert response.status_code == 200 and response.context["form"].errors.get("special_committee")
    assert not Place.objects.filter(name__in=["保留的站名", "界别工作室"]).exists()


# --- My stations ------------------------------------------------------------------------------------------------------------


def test_my_stations_duty_days_and_activities(w):
    member = w.member_row()
    PlaceMember.objects.create(place=w.place, member=member)
    soon = clock.today() + datetime.timedelta(days=4)
    reception = services.activity_create(actor=w.keeper, committee=w.committee, data={
        "kind": "reception_day", "topic": "接待日", "date": soon.isoformat(), "place": w.place.pk,
        "members": [member.pk]})
    services.activity_publish(actor=w.keeper, activity=reception)
    held = _hold(w)
    response = login(w.member).get(url("my_stations"))
    assert response.status_code == 200
    assert response.context["residences"] == [w.place]
    assert [row.activity_id for row in response.context["duty"]] == [reception.pk]
    assert {row.activity_id for row in response.context["invited"]} == {reception.pk, held.pk}
    assert ActivityMember.objects.get(activity=held, member=member).status == "present"
    assert login(w.keeper).get(url("my_stations")).status_code == 404  # not a member


# --- The overview -------------------------------------------------------------------------------------------------------------


def test_the_overview_for_staff_and_leaders(w):
    _hold(w)
    walk_to("answered", w)
    walk_to("received", w)
    for who in ("keeper", "member", "unit"):
        assert login(getattr(w, who)).get(url("overview")).status_code == 404
    response = login(w.leader).get(url("overview"), {"year": clock.today().year})
    assert response.status_code == 200
    groups = {g["county"]: g for g in response.context["groups"]}
    assert groups["昌吉市"]["figures"].activities == 1 and groups["昌吉市"]["figures"].received == 2
    assert groups["昌吉市"]["figures"].answer_share == 50 and groups["昌吉市"]["activity_share"] == 100
    assert response.context["total"].places == 2
    html = response.content.decode()
    assert 'class="w-50"' in html and "style=" not in html.split("<main", 1)[-1]
    last_year = login(w.staff).get(url("overview"), {"year": clock.today().year - 1})
    assert last_year.context["total"].received == 0
