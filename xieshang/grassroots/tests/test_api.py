"""The grassroots API: /api/v1/places, /api/v1/activities, /api/v1/demands — the journey, the codes, who sees
the citizen's personal data, bad input, filters and fixed query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.core.sms import LocmemSmsBackend
from xieshang.grassroots import services
from xieshang.grassroots.models import Demand, DemandState, Outcome
from xieshang.grassroots.tests.factories import ANSWER, TEXT, make_world, new_demand, plan_activity, walk_to

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    LocmemSmsBackend.keys.clear()


@pytest.fixture
def w():
    clock.set_to(TODAY)
    return make_world()


@pytest.fixture
def api(w):
    """api(role) → an ApiClient with a token of that role of the world (anonymous: none)."""
    clients = {}

    def _get(role, lang="zh-hans"):
        if (role, lang) not in clients:
            user = w.by_role(role)
            clients[(role, lang)] = ApiClient(issue_token(user) if user else None, lang)
        return clients[(role, lang)]

    return _get


def act(client, pk, action, data=None, kind="demands", **headers):
    return client.post(f"{kind}/{pk}/actions/{action}", data or {}, headers=headers or None)


def actions_of(body) -> set[str]:
    return {a["action"] for a in body["actions"]}


# --- Demands: the journey ---------------------------------------------------------------------------------


def test_keeper_records_accepts_refers_unit_answers_keeper_records_the_verdict(w, api):
    r = api("keeper").post("demands", {"text": TEXT, "phone": "138 0013 8000", "name": "张先生", "category": "society"})
    assert r.status_code == 201, r.content
    body = r.json()
    pk, code = body["id"], body["tracking_code"]
    assert body["state"] == "received" and len(code) == 10
    assert body["place"]["id"] == w.place.pk  # the keeper's own place by default
    assert body["phone"] == "13800138000" and body["name"] == "张先生"
    assert body["source"] == "keeper" and body["category"] == "society"
    assert {"accept", "decline", "refer", "convert", "answer", "classify"} <= actions_of(body)

    r = act(api("keeper"), pk, "accept")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = act(api("keeper"), pk, "refer", {"unit": w.unit_row.pk, "expected_version": r.json()["version"]})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "referred" and r.json()["unit"]["id"] == w.unit_row.pk
    assert r.json()["due_on"] > TODAY.isoformat() and r.json()["holder"] == w.unit_row.name

    unit_view = api("unit").get(f"demands/{pk}").json()
    assert unit_view["phone"] == "13800138000"  # the unit may call the citizen back
    assert actions_of(unit_view) == {"answer", "return"}
    r = act(api("unit"), pk, "answer", {"text": ANSWER})
    assert r.status_code == 200 and r.json()["state"] == "answered"
    assert r.json()["answered_by_unit"]["id"] == w.unit_row.pk and not r.json()["answered_late"]

    r = act(api("keeper"), pk, "confirm", {"satisfied": True, "comment": "电话回访：满意"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert r.json()["satisfaction"] == "satisfied" and r.json()["closed_on"] == TODAY.isoformat()
    r = act(api("keeper"), pk, "publish", {"summary": "小区路灯维修"})
    assert r.status_code == 200 and r.json()["public"] and "unpublish" in actions_of(r.json())

    events = api("keeper").get(f"demands/{pk}/events").json()
    assert [e["action"] for e in events] == ["demand.create", "demand.accept", "demand.refer", "demand.answer",
                                             "demand.confirm", "demand.publish"]
    assert events[2]["to_state"] == "referred" and events[2]["to_label"]
    assert all(e["label"] and e["label"] != e["action"] for e in events)


def test_the_citizens_demand_through_the_api_from_the_public_door_to_the_verdict(w, api,
                                                                               django_capture_on_commit_callbacks):
    """Issue #13's "done when" through the API: the citizen submits with an SMS code (public door, no token),
    the keeper accepts and refers it, the unit answers within its due date, the citizen follows and confirms."""
    import re

    citizen = ApiClient()
    with django_capture_on_commit_callbacks(execute=True):  # the SMS leaves after the commit
        r = citizen.post("public/phone-codes", {"phone": "13912340000"})
    assert r.status_code == 202, r.content
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", LocmemSmsBackend.outbox[-1][1]).group(1)
    r = citizen.post("public/demands", {"phone": "13912340000", "code": code, "text": TEXT, "place": w.place.pk,
                                        "name": "李四"})
    assert r.status_code == 201, r.content
    tracking = r.json()["tracking_code"]
    demand = Demand.objects.get(tracking_code=tracking)
    assert citizen.get(f"public/demands/{tracking}").json()["state"] == "received"

    body = api("keeper").get(f"demands/{demand.pk}").json()
    assert body["source"] == "portal" and body["phone"] == "13912340000" and body["name"] == "李四"
    assert act(api("keeper"), demand.pk, "accept", {"expected_version": body["version"]}).status_code == 200
    r = act(api("keeper"), demand.pk, "refer", {"unit": w.unit_row.pk})
    assert r.status_code == 200 and r.json()["state"] == "referred"
    due = r.json()["due_on"]
    assert citizen.get(f"public/demands/{tracking}").json()["holder"] == w.unit_row.name
    assert demand.pk in [i["id"] for i in api("unit").get("demands", {"group": "at_unit"}).json()["items"]]
    r = act(api("unit"), demand.pk, "answer", {"text": ANSWER})
    assert r.status_code == 200 and r.json()["answered_on"] <= due and not r.json()["answered_late"]

    tracked = citizen.get(f"public/demands/{tracking}").json()
    assert tracked["state"] == "answered" and tracked["answer"] == ANSWER
    assert "13912340000" not in str(tracked) and "李四" not in str(tracked)
    r = citizen.post(f"public/demands/{tracking}/confirm", {"satisfied": True})
    assert r.status_code == 200 and r.json()["state"] == "closed" and r.json()["satisfaction"] == "satisfied"
    assert api("keeper").get(f"demands/{demand.pk}").json()["state"] == "closed"


def test_recording_a_demand_returns_its_code_and_checks_the_input(w, api):
    r = api("keeper").post("demands", {"text": "  "})
    assert r.status_code == 422 and "text" in r.json()["fields"]
    r = api("keeper", "en").post("demands", {"text": "x" * 2001})
    assert r.status_code == 422 and "2000" in " ".join(r.json()["fields"]["text"]).replace(",", "")
    r = api("keeper").post("demands", {"text": TEXT, "phone": "12345"})
    assert r.status_code == 422 and "phone" in r.json()["fields"]
    r = api("keeper").post("demands", {"text": TEXT, "place": w.other_place.pk})
    assert r.status_code == 422 and "place" in r.json()["fields"]
    r = api("keeper").post("demands", {"text": TEXT, "category": "nonsense"})
    assert r.status_code == 422
    r = api("keeper").post("demands", {"text": TEXT, "place": 2**70})
    assert r.status_code == 422
    assert not Demand.objects.exists()
    # staff name the place; without one: a clear message
    r = api("staff").post("demands", {"text": TEXT})
    assert r.status_code == 422 and "place" in r.json()["fields"]
    r = api("staff").post("demands", {"text": TEXT, "place": w.other_place.pk})
    assert r.status_code == 201 and r.json()["place"]["id"] == w.other_place.pk
    # a member records one met on a visit: they see it, without the citizen's phone
    r = api("member").post("demands", {"text": TEXT, "place": w.place.pk, "phone": "13900000000"})
    assert r.status_code == 201 and r.json()["source"] == "member"
    assert r.json()["phone"] is None and r.json()["name"] is None and r.json()["actions"] == []
    assert api("keeper").get(f"demands/{r.json()['id']}").json()["phone"] == "13900000000"
    # a unit's user and a leader do not record demands; nobody without a token
    assert api("unit").post("demands", {"text": TEXT, "place": w.place.pk}).status_code == 403
    assert api("leader").post("demands", {"text": TEXT, "place": w.place.pk}).status_code == 403
    assert api("anonymous").post("demands", {"text": TEXT}).status_code == 401


def test_personal_data_only_for_keepers_the_unit_staff_and_leaders(w, api):
    demand = walk_to("referred", w)
    seen = {}
    for role in ("keeper", "other_keeper", "unit", "other_unit", "member", "other_member", "staff", "leader"):
        r = api(role).get(f"demands/{demand.pk}")
        seen[role] = r.status_code if r.status_code != 200 else (r.json()["phone"], r.json()["name"])
    full = ("13800138000", "张先生")
    assert seen == {"keeper": full, "other_keeper": 404, "unit": full, "other_unit": 404, "member": 404,
                    "other_member": 404, "staff": full, "leader": full}
    # the list never carries personal data
    items = api("staff").get("demands").json()["items"]
    assert items and all("phone" not in i and "name" not in i for i in items)
    assert "13800138000" not in api("staff").get("demands").content.decode()


def test_a_unit_that_returns_a_demand_gets_it_back_without_personal_data(w, api):
    demand = walk_to("referred", w)
    r = act(api("unit"), demand.pk, "return", {"reason": "不属于本单位职责，请转住建局。"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "accepted" and r.json()["unit"] is None
    assert r.json()["phone"] is None and r.json()["actions"] == []
    assert api("unit").get(f"demands/{demand.pk}").status_code == 404
    assert {"refer", "answer", "decline"} <= actions_of(api("keeper").get(f"demands/{demand.pk}").json())


def test_the_codes_of_demand_actions(w, api):
    demand = walk_to("received", w)
    assert act(api("leader"), demand.pk, "accept").status_code == 403  # sees it, may not act
    assert act(api("unit"), demand.pk, "accept").status_code == 404  # not referred to the unit
    assert act(api("other_keeper"), demand.pk, "accept").status_code == 404
    assert act(api("keeper"), demand.pk, "no_such_action").status_code == 404
    assert act(api("keeper"), 999999, "accept").status_code == 404
    assert act(api("anonymous"), demand.pk, "accept").status_code == 401
    r = act(api("keeper"), demand.pk, "confirm", {"satisfied": True})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = act(api("keeper"), demand.pk, "decline", {})
    assert r.status_code == 422 and "reason" in r.json()["fields"]
    r = act(api("keeper"), demand.pk, "refer", {"unit": 999999})
    assert r.status_code == 422 and "unit" in r.json()["fields"]
    r = act(api("keeper"), demand.pk, "refer", {"unit": 2**70})
    assert r.status_code == 422
    r = act(api("keeper"), demand.pk, "refer", {"unit": "abc"})
    assert r.status_code == 422 and "unit" in r.json()["fields"]
    r = act(api("keeper"), demand.pk, "convert", {"to": "letter", "member": w.member_row().pk})
    assert r.status_code == 422 and "to" in r.json()["fields"]
    r = act(api("keeper"), demand.pk, "accept", {"expected_version": demand.version + 1})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = act(api("keeper"), demand.pk, "accept", **{"If-Match": str(demand.version + 1)})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert api("keeper").post(f"demands/{demand.pk}/actions/accept", None).status_code == 200  # no body: fine
    r = api("keeper").client.post(f"/api/v1/demands/{demand.pk}/actions/decline", "{not json",
                                  content_type="application/json", headers=api("keeper").headers())
    assert r.status_code == 400
    r = api("keeper").client.post(f"/api/v1/demands/{demand.pk}/actions/decline", "[1]",
                                  content_type="application/json", headers=api("keeper").headers())
    assert r.status_code == 422
    assert Demand.objects.get(pk=demand.pk).state == DemandState.ACCEPTED


def test_close_waits_for_the_quiet_period(w, api):
    demand = walk_to("answered", w)
    r = act(api("keeper"), demand.pk, "close")
    assert r.status_code == 422 and r.json()["detail"] == "quiet_period"
    assert "close" not in actions_of(api("keeper").get(f"demands/{demand.pk}").json())
    clock.set_to(TODAY + datetime.timedelta(days=30))
    assert "close" in actions_of(api("keeper").get(f"demands/{demand.pk}").json())
    r = act(api("keeper"), demand.pk, "close")
    assert r.status_code == 200 and r.json()["state"] == "closed" and r.json()["satisfaction"] == "unconfirmed"


def test_convert_into_a_members_draft(w, api):
    demand = walk_to("accepted", w)
    r = act(api("keeper"), demand.pk, "convert", {"to": "opinion", "member": w.member_row().pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "converted" and body["opinion"] and body["member"]["id"] == w.member_row().pk
    r = act(api("keeper"), demand.pk, "answer", {"text": "已形成社情民意信息报送。"})
    assert r.status_code == 200 and r.json()["state"] == "answered"


def test_decline_classify_and_the_reason(w, api):
    demand = walk_to("received", w)
    r = act(api("keeper"), demand.pk, "classify", {"category": "ecology"})
    assert r.status_code == 200 and r.json()["category"] == "ecology"
    r = act(api("staff"), demand.pk, "decline", {"reason": "不属于受理范围，建议拨打12345。"})
    assert r.status_code == 200 and r.json()["state"] == "declined"
    assert r.json()["decline_reason"].startswith("不属于") and r.json()["actions"] == []


# --- Demands: lists -----------------------------------------------------------------------------------------


def test_demand_list_filters_sort_and_pages(w, api):
    a = walk_to("received", w)
    b = walk_to("referred", w, new_demand(w, text="菜市场门口积水严重，雨天无法通行。"))
    c = walk_to("answered", w)
    other = services.demand_create(actor=w.other_keeper, committee=w.committee, data={"text": "阜康的诉求"})
    staff = api("staff")
    assert staff.get("demands").json()["count"] == 4
    assert [i["id"] for i in staff.get("demands", {"state": "referred"}).json()["items"]] == [b.pk]
    assert {i["id"] for i in staff.get("demands", {"group": "open"}).json()["items"]} == {a.pk, b.pk, other.pk}
    assert {i["id"] for i in staff.get("demands", {"group": "answered"}).json()["items"]} == {c.pk}
    assert {i["id"] for i in staff.get("demands", {"place": w.other_place.pk}).json()["items"]} == {other.pk}
    assert {i["id"] for i in staff.get("demands", {"unit": w.unit_row.pk}).json()["items"]} == {b.pk, c.pk}
    assert [i["id"] for i in staff.get("demands", {"q": "菜市场"}).json()["items"]] == [b.pk]
    assert [i["id"] for i in staff.get("demands", {"q": a.tracking_code.lower()}).json()["items"]] == [a.pk]
    assert staff.get("demands", {"year": 2025}).json()["count"] == 0
    assert staff.get("demands", {"source": "portal"}).json()["count"] == 0
    # who sees what
    assert {i["id"] for i in api("keeper").get("demands").json()["items"]} == {a.pk, b.pk, c.pk}
    assert {i["id"] for i in api("other_keeper").get("demands").json()["items"]} == {other.pk}
    assert {i["id"] for i in api("unit").get("demands").json()["items"]} == {b.pk, c.pk}
    assert api("other_unit").get("demands").json()["count"] == 0
    assert api("member").get("demands").json()["count"] == 0
    assert api("leader").get("demands").json()["count"] == 4
    # late ones
    clock.set_to(TODAY + datetime.timedelta(days=60))
    late = {i["id"] for i in staff.get("demands", {"late": True}).json()["items"]}
    assert late == {a.pk, b.pk, other.pk}
    assert all(i["late"] for i in staff.get("demands", {"late": True}).json()["items"])
    assert {i["id"] for i in staff.get("demands", {"late": False}).json()["items"]} == {c.pk}
    # sort and pages
    codes = [i["due_on"] or "" for i in staff.get("demands", {"sort": "due_on", "group": "open"}).json()["items"]]
    assert codes == sorted(codes)
    page = staff.get("demands", {"page_size": 3, "page": 2}).json()
    assert page["count"] == 4 and len(page["items"]) == 1
    assert staff.get("demands", {"page": 99}).json()["items"] == []
    assert staff.get("demands", {"state": "nonsense"}).status_code == 422
    assert staff.get("demands", {"sort": "phone"}).status_code == 422
    assert staff.get("demands", {"page_size": 1000}).status_code == 422
    assert api("anonymous").get("demands").status_code == 401


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_lists_make_a_fixed_number_of_queries(w, api):
    new_demand(w)
    plan_activity(w)
    for role in ("staff", "keeper"):
        client = api(role)
        client.get("demands")  # warm the token's and roles' caches
        few = {path: _queries(client, path) for path in ("demands", "activities", "places")}
        for i in range(6):
            walk_to("referred", w)
            plan_activity(w, topic=f"议事会{i}")
        many = {path: _queries(client, path) for path in ("demands", "activities", "places")}
        assert many == few, (role, few, many)


def test_details_make_a_fixed_number_of_queries(w, api):
    small = walk_to("received", w)
    big = walk_to("closed", w)
    staff = api("staff")
    staff.get(f"demands/{small.pk}")
    assert _queries(staff, f"demands/{small.pk}") == _queries(staff, f"demands/{big.pk}")
    a = plan_activity(w, members=[])
    b = plan_activity(w)
    services.activity_hold(actor=w.keeper, activity=b, present=[w.member_row()], citizens_count=5)
    for i in range(3):
        services.outcome_add(actor=w.keeper, activity=b, data={"text": f"成果{i}", "owner_kind": "unit",
                                                               "owner_unit": w.unit_row.pk})
    services.activity_hold(actor=w.keeper, activity=a)
    services.outcome_add(actor=w.keeper, activity=a, data={"text": "成果", "owner_kind": "committee"})
    assert _queries(staff, f"activities/{a.pk}") == _queries(staff, f"activities/{b.pk}")


# --- Activities ----------------------------------------------------------------------------------------------


def test_activity_journey(w, api):
    keeper = api("keeper")
    r = keeper.post("activities", {"topic": "老旧小区加装电梯协商议事会", "date": TODAY.isoformat(),
                                   "members": [w.member_row().pk, w.member_row(w.other_member).pk],
                                   "units": [w.unit_row.pk], "location": "社区议事厅"})
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert body["state"] == "planned" and body["place"]["id"] == w.place.pk
    assert {m["status"] for m in body["members"]} == {"invited"} and len(body["members"]) == 2
    assert actions_of(body) == {"update", "publish", "hold", "cancel"}
    # a member sees it once the notice is out
    assert api("member").get(f"activities/{pk}").status_code == 200  # invited
    assert api("unit").get(f"activities/{pk}").status_code == 404
    r = act(keeper, pk, "publish", kind="activities")
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert api("unit").get(f"activities/{pk}").status_code == 200
    assert act(api("member"), pk, "hold", kind="activities").status_code == 403
    r = act(keeper, pk, "hold", {"present": [w.member_row().pk], "leave": [w.member_row(w.other_member).pk],
                                 "citizens_count": 23, "units_present": [w.unit_row.pk], "minutes": "议定三项。"},
            kind="activities")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "held" and body["citizens_count"] == 23
    assert {m["member"]: m["status"] for m in body["members"]} == {
        w.member_row().pk: "present", w.member_row(w.other_member).pk: "leave"}
    assert [u["id"] for u in body["units_present"]] == [w.unit_row.pk]

    r = keeper.post(f"activities/{pk}/outcomes", {"text": "三个月内完成加装电梯方案", "owner_kind": "unit",
                                                   "owner_unit": w.unit_row.pk, "due_on": "2026-06-30"})
    assert r.status_code == 201, r.content
    outcome = r.json()
    assert outcome["owner"] == w.unit_row.name and outcome["state"] == "open"
    r = keeper.post(f"activities/{pk}/outcomes", {"text": "x", "owner_kind": "unit"})
    assert r.status_code == 422
    assert api("member").post(f"activities/{pk}/outcomes", {"text": "x", "owner_kind": "committee"}).status_code == 403
    r = keeper.post(f"activities/{pk}/outcomes/{outcome['id']}/done", {"note": "方案已印发"})
    assert r.status_code == 200 and r.json()["state"] == "done" and r.json()["done_on"] == TODAY.isoformat()
    assert keeper.post(f"activities/{pk}/outcomes/999999/done", {}).status_code == 404
    r = act(keeper, pk, "close", kind="activities")
    assert r.status_code == 200 and r.json()["state"] == "closed" and r.json()["actions"] == []
    assert [o["state"] for o in r.json()["outcomes"]] == ["done"]
    events = keeper.get(f"activities/{pk}/events").json()
    assert [e["action"] for e in events] == ["activity.create", "activity.publish", "activity.hold",
                                             "activity.outcome_add", "activity.outcome_done", "activity.close"]


def test_activity_codes_and_bad_input(w, api):
    activity = plan_activity(w, date=TODAY + datetime.timedelta(days=7))
    keeper = api("keeper")
    r = act(keeper, activity.pk, "hold", {}, kind="activities")
    assert r.status_code == 422 and r.json()["detail"] == "not_yet"  # held only on or after its date
    r = act(keeper, activity.pk, "close", kind="activities")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = act(keeper, activity.pk, "cancel", {}, kind="activities")
    assert r.status_code == 422 and "reason" in r.json()["fields"]
    r = act(keeper, activity.pk, "update", {"topic": "", "date": "soon"}, kind="activities")
    assert r.status_code == 422 and {"topic", "date"} <= set(r.json()["fields"])
    r = act(keeper, activity.pk, "publish", {"expected_version": 99}, kind="activities")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert act(keeper, activity.pk, "nothing", kind="activities").status_code == 404
    assert act(api("other_keeper"), activity.pk, "publish", kind="activities").status_code == 404
    assert act(api("leader"), activity.pk, "publish", kind="activities").status_code == 403
    assert keeper.post(f"activities/{activity.pk}/outcomes", {"text": "x", "owner_kind": "committee"}).status_code == 422
    r = keeper.post("activities", {"topic": "议事", "date": TODAY.isoformat(), "place": w.other_place.pk})
    assert r.status_code == 422 and "place" in r.json()["fields"]
    r = keeper.post("activities", {"topic": "议事", "date": TODAY.isoformat(), "members": [2**70]})
    assert r.status_code == 422
    assert api("member").post("activities", {"topic": "议事", "date": TODAY.isoformat()}).status_code == 403
    r = api("staff").post("activities", {"topic": "州政协专委会议事", "date": TODAY.isoformat(), "place": w.other_place.pk})
    assert r.status_code == 201 and r.json()["place"]["id"] == w.other_place.pk
    r = act(keeper, activity.pk, "update", {"topic": "新的议题", "date": TODAY.isoformat(), "members": []},
            kind="activities")
    assert r.status_code == 200 and r.json()["topic"] == "新的议题" and r.json()["members"] == []


def test_activity_list_filters(w, api):
    a = plan_activity(w, topic="加装电梯议事会")
    b = plan_activity(w, topic="背街小巷整治议事会", date=TODAY - datetime.timedelta(days=40))
    services.activity_publish(actor=w.keeper, activity=b)
    c = services.activity_create(actor=w.other_keeper, committee=w.committee,
                                 data={"topic": "阜康议事", "date": TODAY.isoformat(), "kind": "reception_day"})
    staff = api("staff")
    assert staff.get("activities").json()["count"] == 3
    assert [i["id"] for i in staff.get("activities", {"q": "电梯"}).json()["items"]] == [a.pk]
    assert [i["id"] for i in staff.get("activities", {"state": "published"}).json()["items"]] == [b.pk]
    assert {i["id"] for i in staff.get("activities", {"group": "upcoming"}).json()["items"]} == {a.pk, b.pk, c.pk}
    assert [i["id"] for i in staff.get("activities", {"kind": "reception_day"}).json()["items"]] == [c.pk]
    assert [i["id"] for i in staff.get("activities", {"place": w.other_place.pk}).json()["items"]] == [c.pk]
    assert [i["id"] for i in staff.get("activities", {"sort": "date"}).json()["items"]][0] == b.pk
    assert staff.get("activities", {"year": 2020}).json()["count"] == 0
    assert staff.get("activities", {"page_size": 2}).json()["items"].__len__() == 2
    # a keeper sees their place's plans and every published one; the unit only published ones
    assert {i["id"] for i in api("keeper").get("activities").json()["items"]} == {a.pk, b.pk}
    assert {i["id"] for i in api("unit").get("activities").json()["items"]} == {b.pk}
    assert staff.get("activities", {"group": "bogus"}).status_code == 422


# --- Places --------------------------------------------------------------------------------------------------


def test_places(w, api):
    services.place_save(actor=w.staff, committee=w.committee, place=w.place, data={
        "name": w.place.name, "county": "昌吉市", "township": "宁边路街道", "reception_days": "20，10",
        "members": [w.member_row().pk], "public": True})
    member = api("member")
    body = member.get("places").json()
    assert body["count"] == 2
    assert [i["county"] for i in body["items"]] == ["昌吉市", "阜康市"]
    assert member.get("places", {"county": "阜康市"}).json()["items"][0]["id"] == w.other_place.pk
    assert member.get("places", {"q": "宁边路"}).json()["count"] == 1
    assert member.get("places", {"kind": "sector_studio"}).json()["count"] == 0
    assert [i["id"] for i in api("keeper").get("places", {"mine": True}).json()["items"]] == [w.place.pk]
    detail = api("keeper").get(f"places/{w.place.pk}").json()
    assert detail["reception_days"] == [10, 20] and detail["is_keeper"]
    assert [r["member"] for r in detail["residents"]] == [w.member_row().pk]
    assert not member.get(f"places/{w.place.pk}").json()["is_keeper"]
    assert member.get("places/999999").status_code == 404
    assert api("anonymous").get("places").status_code == 401
    from xieshang.grassroots.tests.factories import make_world as another

    foreign = another().place
    assert member.get(f"places/{foreign.pk}").status_code == 404  # another committee's place


def test_english_messages(w, api):
    demand = walk_to("received", w)
    r = act(api("keeper", "en"), demand.pk, "confirm", {"satisfied": True})
    assert r.status_code == 409 and "not possible" in r.json()["message"]
    assert Outcome.objects.count() == 0


def test_the_schemas_names_are_the_apps_own():
    """The OpenAPI document names each schema once: a schema of another router with the same class name would
    replace ours (or ours theirs), and answers would no longer match the document (the fuzzer found it)."""
    from ninja import Schema

    import xieshang.api.grassroots as ours
    import xieshang.api.main  # noqa: F401 - every router loaded

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    mine = {c.__name__ for c in every(Schema) if c.__module__ == ours.__name__}
    clashes = sorted(f"{c.__module__}.{c.__name__}" for c in every(Schema)
                     if c.__name__ in mine and c.__module__.startswith("xieshang.") and c.__module__ != ours.__name__)
    assert mine and clashes == []
