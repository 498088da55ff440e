"""Meetings and consultation topics search the core index (kinds "meeting" and "topic"): found by a word of the title
and of the text through the list pages and (topics) the API; whoever may not see them (a member who did not submit
the topic, a unit user, another committee's office) finds nothing; a changed meeting title is found by its new word
and no longer by the old one; hostile text neither breaks the pages nor comes back unescaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.consultation import services
from xieshang.consultation.tests.factories import make_world, plan, plan_data, walk_to
from xieshang.consultation.tests.plan_factories import submit
from xieshang.consultation.tests.test_views import client
from xieshang.core import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_world()
    w.meeting = plan(w, title="关于冰雪旅游发展的专题协商会", notice="请委员围绕滑雪场配套建设准备发言。", place="州政协五楼")
    plan(w, title="关于供暖保障的专题协商会", notice="热源不足。")
    w.topic = submit(w, title="加快河湖长制落实", reason="水库移民安置点群众反映强烈。")
    submit(w, w.other_member, title="发展普惠托育", reason="托位供给不足。")
    return w


def _hits(c, list_name, detail_name, obj, q) -> tuple[int, bool]:
    r = c.get(reverse(list_name), {"q": q})
    return r.status_code, f'href="{reverse(detail_name, args=[obj.pk])}"' in r.content.decode()


def _meeting(c, w, q):
    return _hits(c, "consultation:meetings", "consultation:meeting", w.meeting, q)


def _topic(c, w, q):
    return _hits(c, "consultation:topics", "consultation:topic", w.topic, q)


def _api_topics(user, q) -> list[int]:
    r = ApiClient(issue_token(user)).get("consultation/topics", {"q": q})
    assert r.status_code == 200, r.content
    return [item["id"] for item in r.json()["items"]]


def test_the_kinds_are_declared_and_written_by_the_services(w):
    kinds = search.kinds()
    assert kinds["meeting"].model == "consultation.Meeting" and kinds["topic"].model == "consultation.ConsultationTopic"
    assert search.matching_ids(w.committee, "meeting", "州政协五楼") == [w.meeting.pk]  # the place
    assert search.matching_ids(w.committee, "topic", "张委员") == [w.topic.pk]  # who submitted it: a name
    assert search.matching_ids(w.committee, "topic", "张委员", scope=search.WORDS) == []
    walk_to("held", w, w.meeting)
    for kind in ("meeting", "topic"):  # the services kept the index current
        assert search.reindex(kind=kind, stale_only=True) == {kind: 0}


def test_found_by_a_word_of_the_title_and_of_the_text(w):
    staff = client(w.staff)
    for q in ("冰雪旅游", "滑雪场"):
        assert _meeting(staff, w, q) == (200, True), q
    for q in ("河湖长制", "移民安置", "张委员"):
        assert _topic(staff, w, q) == (200, True), q
        assert _api_topics(w.staff, q) == [w.topic.pk], q
    assert _meeting(staff, w, "没有这个词") == (200, False) and _topic(staff, w, "没有这个词") == (200, False)
    assert _meeting(client(w.leader), w, "冰雪 滑雪") == (200, True)
    assert _api_topics(w.member, "移民安置") == [w.topic.pk]  # the submitter finds their own topic
    meetings = ApiClient(issue_token(w.staff)).get("meetings", {"q": "滑雪场"})
    assert meetings.status_code == 200 and [m["id"] for m in meetings.json()["items"]] == [w.meeting.pk]
    assert ApiClient(issue_token(w.staff)).get("meetings", {"q": "没有这个词"}).json()["items"] == []


def test_who_may_not_see_finds_nothing(w):
    assert _api_topics(w.other_member, "移民安置") == []  # a member sees only the topics they submitted
    assert _api_topics(w.unit, "移民安置") == []
    for user in (w.member, w.other_member, w.unit):
        assert _meeting(client(user), w, "冰雪旅游") == (404, False)
        assert _topic(client(user), w, "河湖长制") == (404, False)
    other = make_world()
    assert _meeting(client(other.staff), w, "冰雪旅游") == (200, False)
    assert _topic(client(other.staff), w, "河湖长制") == (200, False)
    assert _api_topics(other.staff, "河湖长制") == []


def test_a_changed_title_is_found_by_its_new_word(w):
    services.meeting_act(actor=w.staff, meeting=w.meeting, action="update",
                         data=plan_data(w, title="关于冰川保护的专题协商会", notice="请准备发言。"))
    staff = client(w.staff)
    assert _meeting(staff, w, "冰川保护") == (200, True)
    assert _meeting(staff, w, "冰雪旅游") == (200, False) and _meeting(staff, w, "滑雪场") == (200, False)
    walk_to("held", w, w.meeting)
    services.meeting_send_minutes(actor=w.staff, meeting=w.meeting, minutes="会议形成了冰川监测网络的共识。")
    assert _meeting(staff, w, "冰川监测") == (200, True)  # the minutes are searched


def test_hostile_text_does_not_break_the_search(w):
    markup = "<script>alert(1)</script>"
    meeting = plan(w, title=f"{markup}孤立\ud800代理", notice=f"{markup}通知")  # the service drops the surrogate
    topic = submit(w, title=f"{markup}孤立\ud800议题", reason=markup)
    staff = client(w.staff)
    assert _hits(staff, "consultation:meetings", "consultation:meeting", meeting, "孤立代理") == (200, True)
    assert _hits(staff, "consultation:topics", "consultation:topic", topic, "孤立议题") == (200, True)
    assert _api_topics(w.staff, "孤立议题") == [topic.pk]
    for name in ("consultation:meetings", "consultation:topics"):
        r = staff.get(reverse(name), {"q": markup})
        assert r.status_code == 200 and markup not in r.content.decode(), name
        for raw in ("%ED%A0%80", "%ED%A0%80%E4%BB%A3", "%00", "%22%27%3E%3C", "*" * 300):
            assert staff.get(f"{reverse(name)}?q={raw}").status_code == 200, (name, raw)
    assert ApiClient(issue_token(w.staff)).get("consultation/topics?q=%ED%A0%80").status_code in (200, 422)


def test_a_renamed_member_reaches_the_topics_documents(w):
    """A topic names the member who submitted it: renamed in administration, it is found by the new name at once
    and no longer by the old one (SearchKind.names)."""
    from xieshang.core import services as core_services

    member = w.member_row()
    old = member.name

    def found(text):
        return set(search.matching_ids(w.committee.pk, "topic", text) or ())

    assert w.topic.pk in found(old)
    core_services.member_save(actor=w.admin, committee=w.committee, member=member, name="慕容新名", term=member.term,
                              sector=member.sector, organization=member.organization)
    assert w.topic.pk in found("慕容新名") and w.topic.pk not in found(old)
