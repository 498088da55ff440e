"""The activity screens per role: plan, publish, hold (attendance), correct, close, cancel, outcomes, photos;
only the offered actions are shown; a keeper of another place sees a published activity but may not act (403)
and does not see a planned one (404); errors keep what was typed; the list makes a fixed number of queries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client

from xieshang.core import clock
from xieshang.core.attachments import attachments_of
from xieshang.core.models import DutyFact
from xieshang.grassroots import services
from xieshang.grassroots.models import Activity, ActivityMember, Attendance, Outcome
from xieshang.grassroots.tests.activity_kit import count_queries, login, url
from xieshang.grassroots.tests.factories import make_world, new_demand, plan_activity

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def w():
    return make_world()


def _actions(response) -> set[str]:
    return {e["action"] for e in response.context["actions"]}


def _published(w, **fields):
    activity = plan_activity(w, **fields)
    services.activity_publish(actor=w.keeper, activity=activity)
    activity.refresh_from_db()
    return activity


def _held(w, **fields):
    activity = _published(w, **fields)
    m1, m2 = w.member_row(), w.member_row(w.other_member)
    services.activity_hold(actor=w.keeper, activity=activity, present=[m1], leave=[m2], citizens_count=12,
                           units_present=[w.unit_row], minutes="居民代表发言，部门现场回应。")
    activity.refresh_from_db()
    return activity


# --- Planning ---------------------------------------------------------------------------------------------------------


def test_keeper_plans_an_activity_with_members_and_departments(w):
    c = login(w.keeper)
    page = c.get(url("activity_new"))
    assert page.status_code == 200
    assert page.context["form"].initial["place"] == w.place.pk  # the keeper's one place, chosen
    m1, m2 = w.member_row(), w.member_row(w.other_member)
    response = c.post(url("activity_new"), {
        "kind": "consultation", "topic": "背街小巷改造协商", "date": clock.today().isoformat(), "start_time": "09:30",
        "location": "社区会议室", "place": w.place.pk, "members": [m1.pk, m2.pk], "units": [w.unit_row.pk],
        "citizens_invited": "居民代表10名", "notice": "请各位委员准时参加。",
    })
    activity = Activity.objects.get(topic="背街小巷改造协商")
    assert response.status_code == 302 and response["Location"] == url("activity", activity.pk)
    assert activity.place == w.place and activity.start_time == datetime.time(9, 30)
    assert set(activity.participants.values_list("member_id", flat=True)) == {m1.pk, m2.pk}
    assert list(activity.units_invited.all()) == [w.unit_row]


def test_plan_errors_keep_what_was_typed(w):
    c = login(w.keeper)
    response = c.post(url("activity_new"), {"kind": "consultation", "topic": "保留的主题<b>", "date": "2026-13-45",
                                            "location": "保留的地点", "notice": "保留的通知"})
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    html = response.content.decode()
    assert "保留的主题&lt;b&gt;" in html and "保留的地点" in html and "保留的通知" in html
    # a place the keeper does not keep: the service's message next to the field
    response = c.post(url("activity_new"), {"kind": "consultation", "topic": "别人的站点", "place": w.other_place.pk,
                                            "date": clock.today().isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors.get("place")
    assert "别人的站点" in response.content.decode()
    assert not Activity.objects.filter(topic="别人的站点").exists()


def test_who_may_plan(w):
    assert login(w.member).get(url("activity_new")).status_code == 404
    assert login(w.unit).get(url("activity_new")).status_code == 404
    from xieshang.core.models import SpecialCommittee

    assert "special_committee" not in login(w.keeper).get(url("activity_new")).context["form"].fields
    special = SpecialCommittee.objects.create(committee=w.committee, name="社会和法制委员会")
    page = login(w.staff).get(url("activity_new"))
    assert page.status_code == 200 and "special_committee" in page.context["form"].fields
    response = login(w.staff).post(url("activity_new"), {"kind": "consultation", "topic": "专委会协商",
                                                         "date": clock.today().isoformat(),
                                                         "special_committee": special.pk})
    assert response.status_code == 302
    assert Activity.objects.get(topic="专委会协商").special_committee == special
    assert Client().get(url("activity_new")).status_code == 302  # sign in first


def test_edit_the_plan(w):
    activity = plan_activity(w)
    c = login(w.keeper)
    page = c.get(url("activity_edit", activity.pk))
    assert page.status_code == 200 and page.context["form"].initial["topic"] == activity.topic
    response = c.post(url("activity_edit", activity.pk), {
        "kind": "consultation", "topic": "改过的主题", "date": activity.date.isoformat(),
        "members": [w.member_row().pk], "version": activity.version})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.topic == "改过的主题"
    assert list(activity.participants.values_list("member_id", flat=True)) == [w.member_row().pk]
    # an out-of-date page: the message, the typed text kept
    response = c.post(url("activity_edit", activity.pk), {
        "kind": "consultation", "topic": "过时的修改", "date": activity.date.isoformat(), "version": 1})
    assert response.status_code == 200 and "过时的修改" in response.content.decode()


# --- Seeing and acting per role -------------------------------------------------------------------------------------


def test_the_offered_actions_per_state(w):
    activity = plan_activity(w)
    c = login(w.keeper)
    assert _actions(c.get(url("activity", activity.pk))) == {"update", "publish", "hold", "cancel"}
    c.post(url("activity_act", activity.pk, "publish"), {"version": activity.version})
    activity.refresh_from_db()
    assert activity.state == "published"
    assert _actions(c.get(url("activity", activity.pk))) == {"update", "hold", "cancel"}
    future = plan_activity(w, date=clock.today() + datetime.timedelta(days=5))
    assert "hold" not in _actions(c.get(url("activity", future.pk)))  # not before its date
    response = c.get(url("activity_record", future.pk))
    assert response.status_code == 302


def test_keeper_of_another_place_sees_published_but_may_not_act(w):
    planned = plan_activity(w)
    other = login(w.other_keeper)
    assert other.get(url("activity", planned.pk)).status_code == 404
    assert other.post(url("activity_act", planned.pk, "publish")).status_code == 404
    assert other.get(url("activity_edit", planned.pk)).status_code == 404
    published = _published(w)
    page = other.get(url("activity", published.pk))
    assert page.status_code == 200 and page.context["actions"] == []
    assert other.post(url("activity_act", published.pk, "cancel"), {"reason": "不想办"}).status_code == 403
    assert other.get(url("activity_edit", published.pk)).status_code == 403
    assert other.get(url("activity_record", published.pk)).status_code == 403
    held = _held(w)
    assert other.post(url("activity_act", held.pk, "close")).status_code == 403
    assert other.post(url("outcome_add", held.pk), {"text": "x", "owner_kind": "committee"}).status_code == 403
    published.refresh_from_db()
    assert published.state == "published"


def test_members_units_leaders_staff_see(w):
    planned = plan_activity(w)  # both members invited
    assert login(w.member).get(url("activity", planned.pk)).status_code == 200
    assert login(w.leader).get(url("activity", planned.pk)).status_code == 200
    assert login(w.unit).get(url("activity", planned.pk)).status_code == 404
    staff = login(w.staff).get(url("activity", planned.pk))
    assert "publish" in _actions(staff)
    assert login(w.member).get(url("activity", planned.pk)).context["actions"] == []
    assert login(w.keeper).get(url("activity", 999999)).status_code == 404


def test_hold_with_the_attendance_checklist(w):
    activity = _published(w)
    m1, m2 = w.member_row(), w.member_row(w.other_member)
    from xieshang.core.tests.factories import MemberFactory

    extra = MemberFactory(committee=w.committee, name="值班委员")
    c = login(w.keeper)
    page = c.get(url("activity_record", activity.pk))
    assert page.status_code == 200 and page.context["action"] == "hold"
    assert len(page.context["form"].rows) == 2
    response = c.post(url("activity_record", activity.pk), {
        f"att_{m1.pk}": "present", f"att_{m2.pk}": "leave", "added": [extra.pk], "citizens_count": "25",
        "units_present": [w.unit_row.pk], "minutes": "一、情况通报\n二、讨论", "version": activity.version})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.state == "held" and activity.citizens_count == 25
    status = dict(ActivityMember.objects.filter(activity=activity).values_list("member_id", "status"))
    assert status == {m1.pk: Attendance.PRESENT, m2.pk: Attendance.LEAVE, extra.pk: Attendance.PRESENT}
    assert DutyFact.objects.filter(member=m1).exists() and not DutyFact.objects.filter(member=m2).exists()
    detail = c.get(url("activity", activity.pk))
    assert _actions(detail) == {"record", "close"}
    assert "一、情况通报" in detail.content.decode()
    # correct the record: m2 came after all
    page = c.get(url("activity_record", activity.pk))
    assert page.context["action"] == "record"
    response = c.post(url("activity_record", activity.pk), {
        f"att_{m1.pk}": "present", f"att_{m2.pk}": "present", f"att_{extra.pk}": "absent", "citizens_count": "30",
        "minutes": "更正后的纪要", "version": activity.version + 0})
    assert response.status_code == 302
    assert ActivityMember.objects.get(activity=activity, member=m2).status == Attendance.PRESENT
    assert ActivityMember.objects.get(activity=activity, member=extra).status == Attendance.ABSENT


def test_hold_errors_keep_the_minutes(w):
    activity = _published(w)
    c = login(w.keeper)
    response = c.post(url("activity_record", activity.pk), {"citizens_count": "-3", "minutes": "不能丢的纪要"})
    assert response.status_code == 200
    assert "citizens_count" in response.context["form"].errors
    assert "不能丢的纪要" in response.content.decode()
    activity.refresh_from_db()
    assert activity.state == "published"


def test_close_and_cancel(w):
    held = _held(w)
    c = login(w.keeper)
    assert c.post(url("activity_act", held.pk, "close"), {"version": held.version}).status_code == 302
    held.refresh_from_db()
    assert held.state == "closed"
    assert login(w.keeper).get(url("activity", held.pk)).context["actions"] == []
    planned = plan_activity(w)
    response = c.post(url("activity_act", planned.pk, "cancel"), {"reason": ""})
    assert response.status_code == 200
    assert response.context["actions"][-1]["form"].errors.get("reason")
    assert c.post(url("activity_act", planned.pk, "cancel"), {"reason": "场地临时征用"}).status_code == 302
    planned.refresh_from_db()
    assert planned.state == "cancelled"
    assert c.post(url("activity_act", planned.pk, "hold")).status_code == 404  # no such button


def test_outcomes_add_and_mark_done(w):
    held = _held(w)
    c = login(w.keeper)
    page = c.get(url("activity", held.pk))
    assert page.context["outcome_form"] is not None
    due = (clock.today() + datetime.timedelta(days=30)).isoformat()
    response = c.post(url("outcome_add", held.pk), {"text": "完成背街小巷路灯更换", "owner_kind": "unit",
                                                    "owner_unit": w.unit_row.pk, "due_on": due})
    assert response.status_code == 302
    outcome = Outcome.objects.get(activity=held)
    assert outcome.owner_unit == w.unit_row and outcome.due_on.isoformat() == due
    # a unit owner without the unit: the schema's message, the text kept
    response = c.post(url("outcome_add", held.pk), {"text": "缺少责任单位的成果", "owner_kind": "unit"})
    assert response.status_code == 200 and "缺少责任单位的成果" in response.content.decode()
    assert Outcome.objects.filter(activity=held).count() == 1
    member = w.member_row()
    assert c.post(url("outcome_add", held.pk), {"text": "委员跟踪", "owner_kind": "member",
                                                "owner_member": member.pk}).status_code == 302
    assert login(w.member).post(url("outcome_done", held.pk, outcome.pk)).status_code == 403
    assert c.post(url("outcome_done", held.pk, outcome.pk)).status_code == 302
    outcome.refresh_from_db()
    assert outcome.state == "done" and outcome.done_on == clock.today()
    html = c.get(url("activity", held.pk)).content.decode()
    assert "完成背街小巷路灯更换" in html and member.name in html


def test_photos(w):
    held = _held(w)
    c = login(w.keeper)
    upload = io.BytesIO(PNG)
    upload.name = "现场.png"
    assert c.post(url("activity_photo_add", held.pk), {"file": upload}).status_code == 302
    photo = attachments_of(held, "photo").get()
    shown = login(w.other_keeper).get(url("activity_photo", held.pk, photo.pk))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    fake = io.BytesIO(b"not a picture at all")
    fake.name = "evil.png"
    response = c.post(url("activity_photo_add", held.pk), {"file": fake})
    assert response.status_code == 200 and response.context["photo_form"].errors
    assert login(w.other_keeper).post(url("activity_photo_remove", held.pk, photo.pk)).status_code == 403
    assert c.post(url("activity_photo_remove", held.pk, photo.pk)).status_code == 302
    assert not attachments_of(held, "photo").exists()


def test_demands_raised_at_the_activity_are_listed(w):
    held = _held(w)
    demand = new_demand(w, activity=held.pk)
    html = login(w.keeper).get(url("activity", held.pk)).content.decode()
    assert demand.tracking_code in html
    assert "13800138000" not in html


# --- The list ---------------------------------------------------------------------------------------------------------------


def test_the_list_filters_and_exports(w):
    held = _held(w)
    reception = plan_activity(w, kind="reception_day", topic="接待日")
    elsewhere = services.activity_create(actor=w.other_keeper, committee=w.committee, data={
        "topic": "阜康协商", "date": clock.today().isoformat(), "place": w.other_place.pk})
    c = login(w.staff)
    rows = lambda **p: {a.pk for a in c.get(url("activities"), p).context["rows"]}  # noqa: E731
    assert rows() == {held.pk, reception.pk, elsewhere.pk}
    assert rows(kind="reception_day") == {reception.pk}
    assert rows(state="held") == {held.pk}
    assert rows(county="阜康市") == {elsewhere.pk}
    assert rows(place=w.place.pk) == {held.pk, reception.pk}
    assert rows(year=clock.today().year, month=clock.today().month) == {held.pk, reception.pk, elsewhere.pk}
    assert rows(q="阜康") == {elsewhere.pk}
    assert rows(state="nonsense", year="abc") == {held.pk, reception.pk, elsewhere.pk}  # dropped, never a 500
    page = c.get(url("activities"), {"sort": "-topic"})
    assert [a.topic for a in page.context["rows"]] == sorted((a.topic for a in page.context["rows"]), reverse=True)
    # the other keeper: the published ones of others (not the planned reception day), and their own
    assert {a.pk for a in login(w.other_keeper).get(url("activities")).context["rows"]} == {held.pk, elsewhere.pk}
    assert held.pk in {a.pk for a in login(w.member).get(url("activities")).context["rows"]}
    response = c.get(url("activities"), {"format": "xlsx", "kind": "consultation"})
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    topics = {row[1] for row in values[2:]}
    assert topics == {held.topic, "阜康协商"}
    assert values[2][6] is not None


def test_a_planned_activity_is_not_listed_for_another_keeper(w):
    planned = plan_activity(w)
    assert planned.pk not in {a.pk for a in login(w.other_keeper).get(url("activities")).context["rows"]}


@pytest.mark.parametrize("who", ["staff", "keeper", "member"])
def test_list_queries_do_not_grow_with_rows(w, who):
    _held(w)
    c = login(getattr(w, who))
    small, response = count_queries(c, url("activities"), {"page_size": "100"})
    assert len(response.context["rows"]) == 1
    for i in range(6):
        activity = _held(w, topic=f"协商{i}")
        services.outcome_add(actor=w.keeper, activity=activity, data={"text": "成果", "owner_kind": "committee"})
    big, response = count_queries(c, url("activities"), {"page_size": "100"})
    assert len(response.context["rows"]) == 7
    assert big == small, f"{who}: {small} queries with one row, {big} with seven"


def test_detail_queries_do_not_grow(w):
    held = _held(w)
    c = login(w.keeper)
    small, _r = count_queries(c, url("activity", held.pk))
    for i in range(4):
        services.outcome_add(actor=w.keeper, activity=held, data={"text": f"成果{i}", "owner_kind": "unit",
                                                                   "owner_unit": w.unit_row.pk})
        new_demand(w, activity=held.pk)
    big, _r = count_queries(c, url("activity", held.pk))
    assert big == small


def test_hostile_text_is_shown_as_text_in_both_languages(w):
    from django.conf import settings

    hostile = '<script>alert(1)</script>"\'{{ x }}'
    activity = _held(w, topic=hostile, notice=hostile)
    c = login(w.keeper)
    for language in ("zh-hans", "en"):
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for path in (url("activities"), url("activity", activity.pk), url("place", w.place.pk)):
            html = c.get(path).content.decode()
            assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    assert "Consultation activities" in c.get(url("activities")).content.decode()


def test_links_from_a_place_and_to_recording_a_demand(w):
    page = login(w.staff).get(url("activity_new"), {"place": w.other_place.pk})
    assert page.context["form"].initial["place"] == w.other_place.pk
    assert "place" not in login(w.staff).get(url("activity_new")).context["form"].initial
    held = _held(w)
    link = url("demand_new") + f"?activity={held.pk}"
    assert link in login(w.keeper).get(url("activity", held.pk)).content.decode()
    assert link not in login(w.other_keeper).get(url("activity", held.pk)).content.decode()
    assert login(w.keeper).get(link).context["form"].initial["activity"] == held.pk
