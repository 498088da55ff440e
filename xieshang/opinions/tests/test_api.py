"""The opinion reports API: /api/v1/opinions … — the journey, the codes, bad input and fixed query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.core.models import Notification
from xieshang.opinions.models import Adoption, OpinionReport
from xieshang.opinions.tests.factories import OpinionReportFactory, make_actors, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    clock.set_to(datetime.date(2026, 3, 2))
    return make_actors()


@pytest.fixture
def api(actors):
    """api(name) → an ApiClient with a token of that actor."""
    clients = {}

    def _get(name, lang="zh-hans"):
        if (name, lang) not in clients:
            user = getattr(actors, name)
            clients[(name, lang)] = ApiClient(issue_token(user), lang)
        return clients[(name, lang)]

    return _get


def act(client, pk, action, data=None, **headers):
    return client.post(f"opinions/{pk}/actions/{action}", data or {}, headers=headers or None)


def test_the_whole_journey_through_the_api(actors, api):
    r = api("author").post("opinions", {"title": "关于改善乡村学校寄宿条件的建议", "body": "乡村学校寄宿条件差，建议改造。"})
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert body["state"] == "draft" and body["situation"] == "乡村学校寄宿条件差，建议改造。"
    assert {a["action"] for a in body["available_actions"]} == {"update", "submit", "withdraw"}

    assert act(api("author"), pk, "submit").json()["state"] == "submitted"
    r = act(api("staff"), pk, "edit", {"body": "编辑后的全文。"})
    assert r.status_code == 200 and r.json()["state"] == "editing"
    assert [v["is_staff_edit"] for v in r.json()["versions"]] == [False, True]
    assert act(api("staff"), pk, "send_for_approval").json()["state"] == "awaiting_approval"
    assert act(api("leader"), pk, "approve").json()["state"] == "approved"

    recipients = api("staff").get("opinions/recipients").json()
    assert [x["name"] for x in recipients] == ["州委", "州政府", "自治区政协", "全国政协"]
    r = act(api("staff"), pk, "forward", {"recipients": [recipients[0]["id"], recipients[2]["id"]]})
    assert r.status_code == 200, r.content
    detail = r.json()
    assert detail["state"] == "forwarded" and detail["bulletin"]["number"] == 1
    assert [x["recipient"]["name"] for x in detail["recipients"]] == ["州委", "自治区政协"]

    adoption = {"recipient": recipients[2]["id"], "level": "province", "kind": "single"}
    assert act(api("staff"), pk, "record_adoption", adoption).status_code == 200
    r = act(api("staff"), pk, "record_adoption", adoption)  # twice: one record
    assert r.status_code == 200 and len(r.json()["adoptions"]) == 1
    assert r.json()["adoptions"][0]["level"] == "province"
    r = act(api("staff"), pk, "record_instruction",
            {"level": "prefecture", "leader": "王某某", "date": "2026-03-10", "text": "请州教育局研究办理。"})
    assert r.status_code == 200 and r.json()["instructions"][0]["leader"] == "王某某"
    assert act(api("staff"), pk, "close").json()["state"] == "closed"

    # the submitter sees each outcome on the report
    mine = api("author").get(f"opinions/{pk}").json()
    assert [o["action"] for o in mine["outcomes"]] == ["edit", "approve", "forward", "record_adoption", "record_instruction", "close"]
    assert mine["body"] == "编辑后的全文。"
    events = api("author").get(f"opinions/{pk}/events").json()
    assert [e["action"] for e in events][:2] == ["opinion.create", "opinion.submit"]
    assert Notification.objects.filter(recipient=actors.author, kind__startswith="opinion.").count() >= 5


def test_codes(actors, api):
    report = walk_to("submitted", actors)
    assert act(api("staff"), report.pk, "approve").status_code == 403  # visible, not a leader
    assert act(api("leader"), report.pk, "forward", {"recipients": [1]}).status_code == 403
    r = act(api("staff"), report.pk, "forward", {"recipients": [actors.recipients[0].pk]})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = act(api("staff"), report.pk, "return", {})
    assert r.status_code == 422 and "reason" in r.json()["fields"]
    assert act(api("staff"), report.pk, "no_such_action").status_code == 404
    assert act(api("staff"), 999999, "submit").status_code == 404
    assert act(api("other"), report.pk, "submit").status_code == 404  # not visible to another member
    r = act(api("staff"), report.pk, "start_editing", {"expected_version": report.version - 1})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert act(api("staff"), report.pk, "start_editing", {"expected_version": report.version}).status_code == 200
    r = act(api("staff"), report.pk, "return", {"reason": "x"}, **{"If-Match": "1"})
    assert r.status_code == 409
    r = api("staff").post(f"opinions/{report.pk}/actions/return", None)
    assert r.status_code == 422
    r = act(api("staff"), report.pk, "forward", {"recipients": [2**70]})
    assert r.status_code == 422


def test_a_member_never_sees_another_members_draft(actors, api):
    report = walk_to("draft", actors)
    for name in ("other", "staff", "leader", "unit", "station"):
        assert api(name).get(f"opinions/{report.pk}").status_code == 404, name
        assert api(name).get(f"opinions/{report.pk}/events").status_code == 404, name
        assert report.pk not in [i["id"] for i in api(name).get("opinions").json()["items"]], name
    assert api("coauthor").get(f"opinions/{report.pk}").status_code == 200
    assert ApiClient().get(f"opinions/{report.pk}").status_code == 401


def test_over_long_text_is_refused_with_the_limit(actors, api):
    r = api("author").post("opinions", {"title": "标题", "body": "字" * 1501})
    assert r.status_code == 422
    message = " ".join(r.json()["fields"]["__all__"])
    assert "1,501" in message and "1,500" in message
    r = api("author", "en").post("opinions", {"title": "t", "body": "x" * 2000})
    assert "at most 1,500" in " ".join(r.json()["fields"]["__all__"])
    assert not OpinionReport.objects.exists()
    r = api("author").post("opinions", {"title": "标" * 101, "body": "x"})
    assert r.status_code == 422 and "title" in r.json()["fields"]


def test_combine_through_the_api_answers_with_the_combined_report(actors, api):
    a = walk_to("submitted", actors)
    b = walk_to("submitted", actors, author=actors.other, coauthors=[], title="另一篇")
    r = act(api("staff"), b.pk, "combine", {"reports": [a.pk], "title": "综合稿", "body": "综合后的全文"})
    assert r.status_code == 200, r.content
    combined = r.json()
    assert combined["is_combined"] and combined["state"] == "editing"
    assert sorted(x["id"] for x in combined["combined_reports"]) == sorted([a.pk, b.pk])
    assert {x["user"] for x in combined["authors"]} == {actors.author.pk, actors.coauthor.pk, actors.other.pk}
    assert api("other").get(f"opinions/{combined['id']}").status_code == 200
    assert api("other").get(f"opinions/{b.pk}").json()["combined_into"] == combined["id"]


def test_combine_refused_while_another_staff_member_edits(actors, api):
    a = walk_to("submitted", actors)
    b = walk_to("editing", actors, title="正在编辑的一篇")  # held by actors.staff
    r = act(api("staff2"), a.pk, "combine", {"reports": [b.pk], "title": "综合稿", "body": "综合"})
    assert r.status_code == 409 and r.json()["detail"] == "being_edited"
    assert "正在编辑的一篇" in r.json()["message"]


def test_list_filters_sort_and_pages(actors, api):
    walk_to("submitted", actors, title="关于牧区饮水安全的建议")
    walk_to("forwarded", actors, title="关于城市停车难的建议")
    walk_to("draft", actors, title="草稿")
    staff = api("staff")
    assert staff.get("opinions").json()["count"] == 2
    assert [i["title"] for i in staff.get("opinions", {"state": "forwarded"}).json()["items"]] == ["关于城市停车难的建议"]
    assert staff.get("opinions", {"group": "in_office"}).json()["count"] == 1
    assert [i["title"] for i in staff.get("opinions", {"q": "牧区饮水"}).json()["items"]] == ["关于牧区饮水安全的建议"]
    assert staff.get("opinions", {"year": 2025}).json()["count"] == 0
    member = actors.author.memberships.get().pk
    assert staff.get("opinions", {"submitter": member}).json()["count"] == 2
    titles = [i["title"] for i in staff.get("opinions", {"sort": "title"}).json()["items"]]
    assert titles == sorted(titles)
    page = staff.get("opinions", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert api("author").get("opinions", {"mine": True}).json()["count"] == 3
    assert staff.get("opinions", {"state": "nonsense"}).status_code == 422
    assert staff.get("opinions", {"sort": "password"}).status_code == 422


def test_the_api_sorts_as_the_pages_name_them(actors, api):
    """One definition of the sorts (opinions/lists.REPORT_SORTS): every sort the page's list offers is the API's,
    and the API orders by it as the page does."""
    from django.urls import reverse

    from xieshang.opinions.lists import REPORT_SORTS
    from xieshang.opinions.tests._screens import client_for

    for title in ("乙关于牧区饮水安全的建议", "甲关于城市停车难的建议", "丙关于社区养老的建议"):
        walk_to("submitted", actors, title=title)
    staff = api("staff")
    page = client_for(actors.staff)
    for sort in (s.key for s in REPORT_SORTS):
        answer = staff.get("opinions", {"sort": sort})
        assert answer.status_code == 200, sort
        on_page = [r.title for r in page.get(reverse("opinions:list"), {"tab": "all", "sort": sort}).context["rows"]]
        assert [i["title"] for i in answer.json()["items"]] == on_page, sort
    assert staff.get("opinions", {"sort": "submitted_at"}).status_code == 422  # the old name is gone


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_list_makes_a_fixed_number_of_queries(actors, api):
    staff = api("staff")
    OpinionReportFactory(committee=actors.committee)
    staff.get("opinions")  # warm the caches of the token and roles
    few = _queries(staff, "opinions")
    for _ in range(15):
        OpinionReportFactory(committee=actors.committee)
    many = _queries(staff, "opinions")
    assert many == few, (few, many)


def test_detail_makes_a_fixed_number_of_queries(actors, api):
    small = walk_to("forwarded", actors)
    big = walk_to("forwarded", actors, title="大的一篇")
    for i in range(3):
        from xieshang.opinions import services

        services.opinion_record_adoption(actor=actors.staff, report=big, recipient=actors.recipients[i],
                                         level=["prefecture", "province", "national"][i])
        services.opinion_record_instruction(actor=actors.staff, report=big, level="prefecture", leader=f"领导{i}",
                                            date=datetime.date(2026, 3, 5), text="阅")
    staff = api("staff")
    staff.get(f"opinions/{small.pk}")
    assert _queries(staff, f"opinions/{small.pk}") == _queries(staff, f"opinions/{big.pk}")
    assert Adoption.objects.filter(report=big).count() == 3
