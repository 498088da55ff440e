"""The signed-in demand screens: the station board, the unit's inbox, the office's list, "demands I recorded",
the detail page with its actions, recording a demand, photos, the Excel export — per role; bad input keeps
what was typed and never gives a 500; a demand one may not see is the same 404 as a missing one; the
lists make a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.core import clock
from xieshang.core.errors import Conflict
from xieshang.grassroots import services
from xieshang.grassroots.models import Demand, DemandPhoto, DemandSource, DemandState
from xieshang.grassroots.tests.factories import ANSWER, TEXT, make_world, new_demand, walk_to

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def w():
    return make_world()


def client_for(user, language: str | None = None) -> Client:
    c = Client()
    c.force_login(user)
    if language:
        c.cookies["django_language"] = language
    return c


def detail(demand) -> str:
    return reverse("grassroots:demand", args=[demand.pk])


def act_url(demand, action: str) -> str:
    return reverse("grassroots:demand_act", args=[demand.pk, action])


def post_action(user, demand, action: str, **data):
    demand.refresh_from_db()
    return client_for(user).post(act_url(demand, action), {"expected_version": demand.version, **data})


def make_late(demand, days: int = 5) -> Demand:
    Demand.objects.filter(pk=demand.pk).update(due_on=clock.today() - datetime.timedelta(days=days))
    demand.refresh_from_db()
    return demand


# --- Pages per role ------------------------------------------------------------------------------------------

PAGES = {
    "grassroots:board": {"keeper": 200, "other_keeper": 200, "unit": 404, "other_unit": 404, "member": 404,
                         "staff": 404, "leader": 404},
    "grassroots:inbox": {"keeper": 404, "other_keeper": 404, "unit": 200, "other_unit": 200, "member": 404,
                         "staff": 404, "leader": 404},
    "grassroots:demands": {"keeper": 404, "other_keeper": 404, "unit": 404, "other_unit": 404, "member": 404,
                           "staff": 200, "leader": 200},
    "grassroots:mine": {"keeper": 200, "other_keeper": 200, "unit": 404, "other_unit": 404, "member": 200,
                        "staff": 200, "leader": 404},
    "grassroots:demand_new": {"keeper": 200, "other_keeper": 200, "unit": 404, "other_unit": 404, "member": 200,
                              "staff": 200, "leader": 404},
}


@pytest.mark.parametrize("url_name", list(PAGES))
def test_each_list_page_answers_each_role(w, url_name):
    demand = walk_to("referred", w)
    for role, status in PAGES[url_name].items():
        response = client_for(getattr(w, role)).get(reverse(url_name))
        assert response.status_code == status, (url_name, role)
        if status == 200 and url_name != "grassroots:demand_new":
            shown = {r.pk for r in response.context["rows"]}
            if url_name == "grassroots:mine":  # the keeper recorded it
                expected = role == "keeper"
            else:
                expected = role in ("keeper", "unit", "staff", "leader")
            assert (demand.pk in shown) == expected, (url_name, role)


def test_the_anonymous_visitor_is_sent_to_sign_in(w):
    response = Client().get(reverse("grassroots:board"))
    assert response.status_code == 302 and "next=" in response["Location"]


def _page(response, pk) -> str:
    """The page without what differs between any two requests (the CSRF token, the address)."""
    import re

    html = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode())
    return html.replace(f"/demands/{pk}/", "/demands/PK/")


DETAIL = {"keeper": (200, True), "other_keeper": (404, False), "unit": (200, True), "other_unit": (404, False),
          "member": (404, False), "staff": (200, True), "leader": (200, True)}


@pytest.mark.parametrize("role", list(DETAIL))
def test_the_detail_page_per_role_with_personal_data_only_for_those_who_handle_it(w, role):
    demand = walk_to("referred", w)
    status, personal = DETAIL[role]
    response = client_for(getattr(w, role)).get(detail(demand))
    assert response.status_code == status
    missing = client_for(getattr(w, role)).get(reverse("grassroots:demand", args=[demand.pk + 1000]))
    assert missing.status_code == 404
    if status == 404:  # the same page as a missing demand
        assert _page(response, demand.pk) == _page(missing, demand.pk + 1000)
        return
    html = response.content.decode()
    assert demand.tracking_code in html and TEXT in html
    assert ("13800138000" in html) is personal and ("张先生" in html) is personal
    assert 'data-testid="timeline"' in html and 'data-testid="deadlines"' in html


def test_a_member_sees_what_they_recorded_without_the_citizens_phone(w):
    demand = services.demand_create(actor=w.member, committee=w.committee, data={
        "text": "村里的灌溉渠年久失修，希望纳入今年的整治计划。", "phone": "13912345678", "name": "李大姐",
        "place": w.place.pk})
    assert demand.source == DemandSource.MEMBER
    c = client_for(w.member)
    rows = c.get(reverse("grassroots:mine")).context["rows"]
    assert [r.pk for r in rows] == [demand.pk]
    html = c.get(detail(demand)).content.decode()
    assert "灌溉渠" in html and "13912345678" not in html and "李大姐" not in html
    assert 'data-testid="personal-hidden"' in html
    assert 'data-testid="actions"' not in html  # a recorder reads; the place acts
    assert client_for(w.other_member).get(detail(demand)).status_code == 404


def test_the_detail_page_offers_exactly_the_available_actions(w):
    demand = new_demand(w)
    html = client_for(w.keeper).get(detail(demand)).content.decode()
    for action in ("accept", "decline", "refer", "convert", "answer", "classify"):
        assert f'data-testid="form-{action}"' in html, action
    for action in ("return", "confirm", "close", "publish", "unpublish"):
        assert f'data-testid="form-{action}"' not in html, action
    demand = walk_to("referred", w)
    unit_html = client_for(w.unit).get(detail(demand)).content.decode()
    assert 'data-testid="form-answer"' in unit_html and 'data-testid="form-return"' in unit_html
    assert 'data-testid="form-accept"' not in unit_html
    leader_html = client_for(w.leader).get(detail(demand)).content.decode()
    assert 'data-testid="actions"' not in leader_html


# --- Board and inbox ----------------------------------------------------------------------------------------


def test_the_board_shows_late_first_counts_and_the_record_button(w):
    fresh = new_demand(w, text="第一条诉求：小区停车位不足。")
    late = make_late(walk_to("accepted", w, new_demand(w, text="第二条诉求：菜市场污水外溢。")))
    other = services.demand_create(actor=w.other_keeper, committee=w.committee, data={"text": "别的站的诉求"})
    response = client_for(w.keeper).get(reverse("grassroots:board"))
    rows = response.context["rows"]
    assert [r.pk for r in rows] == [late.pk, fresh.pk]
    assert rows[0].late and not rows[1].late
    counts = response.context["counts"]
    assert counts["late"] == 1 and counts["total"] == 2
    assert dict((s, n) for s, _l, n in counts["states"])["received"] == 1
    html = response.content.decode()
    assert 'data-testid="record-demand"' in html and 'data-late="1"' in html
    assert other.tracking_code not in html
    only_late = client_for(w.keeper).get(reverse("grassroots:board"), {"late": "1"}).context["rows"]
    assert [r.pk for r in only_late] == [late.pk]
    received = client_for(w.keeper).get(reverse("grassroots:board"), {"state": "received"}).context["rows"]
    assert [r.pk for r in received] == [fresh.pk]


def test_the_unit_inbox_shows_due_dates_working_days_left_and_late_ones(w):
    on_time = walk_to("referred", w)
    late = make_late(walk_to("referred", w, new_demand(w, text="学校门口交通拥堵，希望增设红绿灯。")))
    response = client_for(w.unit).get(reverse("grassroots:inbox"))
    rows = response.context["rows"]
    assert [r.pk for r in rows] == [late.pk, on_time.pk]
    assert rows[1].days_left > 0 and rows[0].late
    html = response.content.decode()
    assert 'data-testid="days-left"' in html and 'data-testid="late"' in html
    assert 'data-testid="proposals-inbox"' in html
    assert client_for(w.other_unit).get(reverse("grassroots:inbox")).context["rows"] == []
    services.demand_answer(actor=w.unit, demand=on_time, text=ANSWER)
    answered = client_for(w.unit).get(reverse("grassroots:inbox"), {"tab": "answered"}).context["rows"]
    assert [r.pk for r in answered] == [on_time.pk]


# --- The office's list: filters, sort, search, bad input, Excel ----------------------------------------------


def test_the_office_list_filters_sorts_and_searches(w):
    a = walk_to("referred", w, new_demand(w, text="路灯不亮，夜间出行不安全。", category="society"))
    b = services.demand_create(actor=w.other_keeper, committee=w.committee,
                               data={"text": "农田灌溉用水紧张。", "category": "agriculture"})
    make_late(a)
    c = client_for(w.staff)
    url = reverse("grassroots:demands")

    def pks(**params):
        response = c.get(url, params)
        assert response.status_code == 200, params
        return [r.pk for r in response.context["rows"]]

    assert set(pks()) == {a.pk, b.pk}
    assert pks(state="referred") == [a.pk]
    assert pks(place=w.other_place.pk) == [b.pk]
    assert pks(county="阜康市") == [b.pk]
    assert pks(unit=w.unit_row.pk) == [a.pk]
    assert pks(category="agriculture") == [b.pk]
    assert pks(source="keeper", late="1") == [a.pk]
    assert set(pks(year=clock.today().year)) == {a.pk, b.pk}
    assert pks(q="灌溉") == [b.pk]
    assert pks(q=a.tracking_code) == [a.pk]
    assert pks(sort="place") == sorted([a.pk, b.pk], key=lambda pk: Demand.objects.get(pk=pk).place.name)
    assert pks(sort="late")[0] == a.pk


def test_bad_filter_values_are_dropped_with_a_message_never_a_500(w):
    walk_to("referred", w)
    c = client_for(w.staff)
    for params in ({"year": "abc"}, {"place": "x' OR 1=1"}, {"state": "nope"}, {"sort": "bogus"},
                   {"page": "999"}, {"page": "zz"}, {"page_size": "7"}, {"q": "x" * 500}, {"late": "maybe"},
                   {"unit": "-1"}):
        response = c.get(reverse("grassroots:demands"), params)
        assert response.status_code == 200, params
    response = c.get(reverse("grassroots:demands"), {"year": "abc", "category": "society"})
    assert "year" in response.context["filters"].errors
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert 'value="society" selected' in response.content.decode()  # the good filter stays chosen


def test_the_excel_export_opens_with_a_title_a_frozen_header_and_numbers(w):
    from openpyxl import load_workbook

    walk_to("referred", w)
    make_late(walk_to("accepted", w, new_demand(w, text="=HYPERLINK(\"http://x\") 公厕无人清扫")))
    response = client_for(w.staff).get(reverse("grassroots:demands"), {"format": "xlsx", "sort": "-received"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.freeze_panes == "A3"
    header = [c.value for c in sheet[2]]
    assert "Tracking code" in header or "查询码" in header
    days_col = header.index(next(h for h in header if h in ("Working days left", "剩余工作日")))
    values = [row[days_col].value for row in sheet.iter_rows(min_row=3)]
    assert len(values) == 2 and all(isinstance(v, int) for v in values)
    assert any(v < 0 for v in values) and any(v > 0 for v in values)
    texts = [c.value for row in sheet.iter_rows(min_row=3) for c in row if isinstance(c.value, str)]
    assert all("13800138000" not in t and "张先生" not in t for t in texts)  # no personal data
    formula = next(c for row in sheet.iter_rows(min_row=3) for c in row
                   if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert formula.data_type == "s"


@pytest.mark.parametrize("role,url_name", [("keeper", "grassroots:board"), ("unit", "grassroots:inbox"),
                                           ("member", "grassroots:mine")])
def test_every_list_exports_to_excel(w, role, url_name):
    from openpyxl import load_workbook

    walk_to("referred", w)
    services.demand_create(actor=w.member, committee=w.committee, data={"text": "委员走访记录的诉求", "place": w.place.pk})
    response = client_for(getattr(w, role)).get(reverse(url_name), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row >= 3


# --- Query counts ---------------------------------------------------------------------------------------------


def _count(client, url, params):
    client.get(url, params)  # warm the caches (session, roles, calendar)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _more(w, n: int):
    for i in range(n):
        walk_to("referred", w, new_demand(w, text=f"路面破损第{i}处，影响通行。"))
        make_late(walk_to("accepted", w, new_demand(w, text=f"噪音扰民第{i}起。")))
        services.demand_create(actor=w.member, committee=w.committee,
                               data={"text": f"走访记录{i}", "place": w.other_place.pk})


LISTS = [
    ("keeper", "grassroots:board", {}),
    ("keeper", "grassroots:board", {"late": "1", "sort": "-due"}),
    ("unit", "grassroots:inbox", {}),
    ("staff", "grassroots:demands", {}),
    ("staff", "grassroots:demands", {"q": "路面", "county": "昌吉市", "sort": "place"}),
    ("leader", "grassroots:demands", {"late": "1"}),
    ("member", "grassroots:mine", {}),
]


@pytest.mark.parametrize("role,url_name,params", LISTS)
def test_list_queries_do_not_grow_with_rows(w, role, url_name, params):
    _more(w, 2)
    client = client_for(getattr(w, role))
    small, response = _count(client, reverse(url_name), {**params, "page_size": "100"})
    assert len(response.context["rows"]) >= 1
    _more(w, 6)
    big, response = _count(client, reverse(url_name), {**params, "page_size": "100"})
    assert len(response.context["rows"]) > 2
    assert big == small, f"{url_name} {params}: {small} queries with few rows, {big} with more"
    print(f"{url_name} {params}: {small} queries")


# --- Each action through the page -------------------------------------------------------------------------------


def _state(demand) -> str:
    demand.refresh_from_db()
    return demand.state


def test_accept_refer_answer_confirm_through_the_pages(w):
    demand = new_demand(w)
    response = post_action(w.keeper, demand, "accept")
    assert response.status_code == 302 and response["Location"] == detail(demand)
    assert _state(demand) == DemandState.ACCEPTED
    due = clock.today() + datetime.timedelta(days=20)
    response = post_action(w.keeper, demand, "refer", unit=w.unit_row.pk, due_on=due.isoformat(), note="请尽快核实")
    assert response.status_code == 302 and _state(demand) == DemandState.REFERRED
    assert demand.unit_id == w.unit_row.pk and demand.due_on == due
    response = post_action(w.unit, demand, "answer", text=ANSWER)
    assert response.status_code == 302 and _state(demand) == DemandState.ANSWERED
    response = post_action(w.keeper, demand, "confirm", satisfied="no", comment="路灯又坏了")
    assert response.status_code == 302 and _state(demand) == DemandState.REFERRED and demand.reopened == 1
    post_action(w.unit, demand, "answer", text=ANSWER + "（复查）")
    response = post_action(w.keeper, demand, "confirm", satisfied="yes")
    assert response.status_code == 302 and _state(demand) == DemandState.CLOSED
    assert demand.satisfaction == "satisfied"
    html = client_for(w.keeper).get(detail(demand)).content.decode()
    assert html.count('data-action="demand.') >= 7  # the timeline with every event


def test_decline_needs_a_reason_and_keeps_nothing_lost(w):
    demand = new_demand(w)
    response = post_action(w.keeper, demand, "decline", reason="   ")
    assert response.status_code == 200 and _state(demand) == DemandState.RECEIVED
    assert 'data-testid="form-decline"' in response.content.decode()
    response = post_action(w.keeper, demand, "decline", reason="不属于本站受理范围，建议拨打12345。")
    assert response.status_code == 302 and _state(demand) == DemandState.DECLINED
    assert "12345" in client_for(w.keeper).get(detail(demand)).content.decode()


def test_a_refer_error_comes_back_next_to_its_field_with_the_note_kept(w):
    demand = new_demand(w)
    past = (clock.today() - datetime.timedelta(days=3)).isoformat()
    response = post_action(w.keeper, demand, "refer", unit=w.unit_row.pk, due_on=past, note="备注要保留")
    assert response.status_code == 200 and _state(demand) == DemandState.RECEIVED
    html = response.content.decode()
    assert "备注要保留" in html and "has-error" in html
    response = post_action(w.keeper, demand, "refer", unit=999999, note="再次保留")
    assert response.status_code == 200 and "再次保留" in response.content.decode()


def test_return_by_the_unit(w):
    demand = walk_to("referred", w)
    response = post_action(w.unit, demand, "return", reason="不属于我单位职责。")
    assert response.status_code == 302 and _state(demand) == DemandState.ACCEPTED and demand.unit_id is None


def test_convert_to_a_proposal_draft_for_a_member(w):
    demand = new_demand(w)
    html = client_for(w.keeper).get(detail(demand)).content.decode()
    assert 'name="member"' in html and 'name="unit"' in html  # the member and unit pickers
    response = post_action(w.keeper, demand, "convert", to="proposal", member=w.member_row().pk)
    assert response.status_code == 302 and _state(demand) == DemandState.CONVERTED
    assert demand.proposal_id is not None
    assert 'data-testid="proposal-link"' in client_for(w.keeper).get(detail(demand)).content.decode()


def test_answer_on_the_spot_classify_publish_unpublish_and_close(w):
    demand = new_demand(w, text="我的电话是13800138000，小区电梯经常停运。")
    assert post_action(w.keeper, demand, "classify", category="society").status_code == 302
    demand.refresh_from_db()
    assert demand.category == "society"
    assert post_action(w.keeper, demand, "answer", text=ANSWER).status_code == 302
    assert _state(demand) == DemandState.ANSWERED
    html = client_for(w.keeper).get(detail(demand)).content.decode()
    assert 'data-testid="form-publish"' in html and "1**********" in html  # the summary prefilled, masked
    assert 'data-testid="form-close"' not in html  # the quiet period has not passed
    response = post_action(w.keeper, demand, "publish", summary="小区电梯经常停运。")
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.public and demand.public_summary == "小区电梯经常停运。"
    assert post_action(w.keeper, demand, "unpublish").status_code == 302
    demand.refresh_from_db()
    assert not demand.public
    Demand.objects.filter(pk=demand.pk).update(answered_on=clock.today() - datetime.timedelta(days=30))
    assert 'data-testid="form-close"' in client_for(w.keeper).get(detail(demand)).content.decode()
    assert post_action(w.keeper, demand, "close").status_code == 302
    assert _state(demand) == DemandState.CLOSED and demand.satisfaction == "unconfirmed"


def test_a_stale_form_gets_the_conflict_message_and_keeps_what_was_typed(w):
    demand = new_demand(w)
    stale = demand.version
    services.demand_accept(actor=w.staff, demand=demand)  # someone else, meanwhile
    response = client_for(w.keeper).post(act_url(demand, "answer"), {"expected_version": stale, "text": "我写的答复"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "我写的答复" in html
    assert [str(m) for m in response.context["messages"]] == [str(Conflict.default_message)]
    assert _state(demand) == DemandState.ACCEPTED
    demand.refresh_from_db()
    assert f'value="{demand.version}"' in html  # sending it again acts on the page as it is now


def test_an_action_not_offered_or_unknown_is_refused_without_a_500(w):
    demand = new_demand(w)
    assert post_action(w.keeper, demand, "return", reason="x").status_code in (200, 403, 409)
    assert _state(demand) == DemandState.RECEIVED
    assert client_for(w.keeper).post(act_url(demand, "explode")).status_code == 404
    assert post_action(w.other_keeper, demand, "accept").status_code == 404
    assert post_action(w.leader, demand, "accept").status_code in (403, 409)
    assert client_for(w.keeper).get(act_url(demand, "accept")).status_code == 405
    assert _state(demand) == DemandState.RECEIVED


# --- Recording a demand and its photos ----------------------------------------------------------------------


def _png(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def test_a_keeper_records_a_demand_with_a_photo_that_only_those_who_see_it_can_open(w):
    c = client_for(w.keeper)
    page = c.get(reverse("grassroots:demand_new"))
    assert [v for v, _l in page.context["form"].fields["place"].choices] == [w.place.pk]
    response = c.post(reverse("grassroots:demand_new"), {
        "text": "广场健身器材损坏，存在安全隐患。", "category": "society", "place": w.place.pk,
        "name": "王大爷", "phone": "138-0013-8111", "photos": [_png()]})
    assert response.status_code == 302
    demand = Demand.objects.get(text__startswith="广场健身器材")
    assert demand.source == DemandSource.KEEPER and demand.phone == "13800138111" and demand.place == w.place
    photo = DemandPhoto.objects.get(demand=demand)
    url = reverse("grassroots:demand_photo", args=[demand.pk, photo.pk])
    got = c.get(url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == PNG
    for role in ("other_keeper", "unit", "member"):
        assert client_for(getattr(w, role)).get(url).status_code == 404, role
    assert client_for(w.staff).get(url).status_code == 200
    other = new_demand(w)
    assert c.get(reverse("grassroots:demand_photo", args=[other.pk, photo.pk])).status_code == 404


def test_recording_errors_keep_everything_typed(w):
    c = client_for(w.keeper)
    typed = {"text": "菜市场门口占道经营严重。", "category": "society", "place": w.place.pk, "name": "赵女士",
             "phone": "12345"}
    response = c.post(reverse("grassroots:demand_new"), typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "菜市场门口占道经营严重" in html and "赵女士" in html and 'value="12345"' in html
    assert "has-error" in html
    response = c.post(reverse("grassroots:demand_new"), {**typed, "phone": "", "place": w.other_place.pk})
    assert response.status_code == 200 and "菜市场门口占道经营严重" in response.content.decode()
    response = c.post(reverse("grassroots:demand_new"), {**typed, "phone": "", "text": ""})
    assert response.status_code == 200 and "赵女士" in response.content.decode()
    response = c.post(reverse("grassroots:demand_new"), {
        **typed, "phone": "", "photos": [_png("a.png").__class__("x.png", b"not an image", "image/png")]})
    assert response.status_code == 200 and "菜市场门口占道经营严重" in response.content.decode()
    assert not Demand.objects.filter(text__startswith="菜市场").exists()


def test_members_and_staff_record_for_any_place(w):
    for role in ("member", "staff"):
        response = client_for(getattr(w, role)).post(reverse("grassroots:demand_new"), {
            "text": f"{role}记录的诉求", "category": "other", "place": w.other_place.pk})
        assert response.status_code == 302, role
    assert Demand.objects.get(text="member记录的诉求").source == DemandSource.MEMBER
    assert Demand.objects.get(text="staff记录的诉求").place == w.other_place


# --- Languages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_render_in_both_languages(w, language):
    demand = walk_to("referred", w)
    for role, url in (("keeper", reverse("grassroots:board")), ("unit", reverse("grassroots:inbox")),
                      ("staff", reverse("grassroots:demands")), ("keeper", detail(demand)),
                      ("member", reverse("grassroots:demand_new"))):
        response = client_for(getattr(w, role), language).get(url)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode() or language == "zh-hans"
    html = client_for(w.keeper, "en").get(reverse("grassroots:board")).content.decode()
    assert "Station board" in html and "Record a demand" in html


def test_hostile_text_comes_out_as_text(w):
    hostile = "<script>alert('x')</script> {{ demand.phone }} \"引号\" & 符号"
    demand = new_demand(w, text=hostile)
    for url in (reverse("grassroots:board"), detail(demand)):
        html = client_for(w.keeper).get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
        assert "{{ demand.phone }}" in html


def test_the_detail_page_queries_do_not_grow_with_events_and_photos(w):
    demand = walk_to("referred", w)
    client = client_for(w.keeper)
    small, _response = _count(client, detail(demand), {})
    services.demand_return(actor=w.unit, demand=demand, reason="请补充地址。")
    services.demand_refer(actor=w.keeper, demand=demand, unit=w.unit_row, note="已补充")
    services.demand_answer(actor=w.unit, demand=demand, text=ANSWER)
    services.demand_confirm(actor=w.keeper, demand=demand, satisfied=False, comment="没有修好")
    for _i in range(2):
        DemandPhoto.objects.create(demand=demand, file="demands/x.png", content_type="image/png", size=10)
    big, response = _count(client, detail(demand), {})
    assert len(response.context["events"]) >= 7 and len(response.context["photos"]) == 2
    assert big == small
