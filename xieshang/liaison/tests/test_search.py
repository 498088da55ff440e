"""The liaison registers search the core index (kinds party_report, working_rule, assigned_task, contact_visit):
an object is found by a word of its title and of its text through the register's page and the API; members,
unit users and another committee's office find nothing; a changed title is found by its new word and no longer by
the old one; hostile text (markup, a lone surrogate) neither breaks the page nor comes back unescaped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock, search
from xieshang.liaison import services

from .factories import make_world, new_report, new_task, new_visit

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def w():
    w = make_world()
    w.report = new_report(w, title="关于冰雪旅游发展的报告", body="报告正文提到滑雪场配套不足。")
    w.rule = services.rule_create(actor=w.staff, committee=w.committee, data={
        "title": "政协党组议事规则", "meeting": "第十五次主席会议", "adopted_on": clock.today().isoformat(),
        "note": "明确票决事项"})
    w.task = new_task(w, title="开展河湖长制专项监督", content="组织委员走访水库移民安置点。")
    w.visit = new_visit(w, subject="走访番茄酱厂", heard="企业反映冷链运输成本高。",
                        people=[{"kind": "entrepreneur", "name": "赵厂长", "affiliation": "红果公司"}])
    # one of each that must not be found by the words above
    new_report(w, title="关于供暖保障的报告", body="热源不足。")
    new_task(w, title="推进一机制三清单落实")
    new_visit(w, subject="走访葡萄酒庄", heard="用工难。")
    return w


# register (page URL name, detail URL name, API path), the object, a word of its title, a word of its text
def _cases(w):
    return [
        (("liaison:reports", "liaison:report", "liaison/reports"), w.report, "冰雪旅游", "滑雪场"),
        (("liaison:rules", "liaison:rule", "liaison/rules"), w.rule, "议事规则", "票决事项"),
        (("liaison:tasks", "liaison:task", "liaison/tasks"), w.task, "河湖长制", "移民安置"),
        (("liaison:visits", "liaison:visit", "liaison/visits"), w.visit, "番茄酱", "冷链运输"),
    ]


def _page_hits(client, names, obj, q) -> tuple[int, bool]:
    r = client.get(reverse(names[0]), {"q": q})
    return r.status_code, f'href="{reverse(names[1], args=[obj.pk])}' in r.content.decode()


def _api_ids(api, path, q) -> list[int] | None:
    r = api.get(path, {"q": q})
    if r.status_code != 200:
        return None
    return [item["id"] for item in r.json()["items"]]


def test_every_kind_is_declared_and_indexed_by_the_services(w):
    kinds = search.kinds()
    for kind, model in (("party_report", "liaison.PartyReport"), ("working_rule", "liaison.WorkingRule"),
                        ("assigned_task", "liaison.AssignedTask"), ("contact_visit", "liaison.ContactVisit")):
        assert kinds[kind].model == model and kinds[kind].version_field == "version"
    assert search.matching_ids(w.committee, "party_report", "冰雪旅游") == [w.report.pk]
    assert search.matching_ids(w.committee, "contact_visit", "赵厂长") == [w.visit.pk]  # the people met: names
    assert search.matching_ids(w.committee, "contact_visit", "赵厂长", scope=search.WORDS) == []
    services.report_act(actor=w.staff, report=w.report, action="submit")
    for kind in ("party_report", "working_rule", "assigned_task", "contact_visit"):  # the services kept it current
        assert search.reindex(kind=kind, stale_only=True) == {kind: 0}


def test_found_by_a_word_of_the_title_and_of_the_text_through_the_page_and_the_api(w):
    staff, api = _client(w.staff), ApiClient(issue_token(w.staff))
    for names, obj, title_word, text_word in _cases(w):
        for q in (title_word, text_word):
            assert _page_hits(staff, names, obj, q) == (200, True), (names[0], q)
            assert _api_ids(api, names[2], q) == [obj.pk], (names[2], q)
        assert _page_hits(staff, names, obj, "没有这个词") == (200, False)
        assert _api_ids(api, names[2], "没有这个词") == []
    leader = _client(w.leader)
    assert _page_hits(leader, ("liaison:reports", "liaison:report"), w.report, "冰雪 滑雪场") == (200, True)


def test_who_may_not_see_the_registers_finds_nothing(w):
    for user in (w.member, w.unit):
        api = ApiClient(issue_token(user))
        for names, obj, title_word, _text_word in _cases(w):
            status, found = _page_hits(_client(user), names, obj, title_word)
            assert status == 404 and not found, (names[0], user)
            assert obj.pk not in (_api_ids(api, names[2], title_word) or []), (names[2], user)
    other = make_world()  # the office of another committee searches its own registers only
    staff, api = _client(other.staff), ApiClient(issue_token(other.staff))
    for names, obj, title_word, _text_word in _cases(w):
        assert _page_hits(staff, names, obj, title_word) == (200, False), names[0]
        assert _api_ids(api, names[2], title_word) == [], names[2]


def test_a_changed_title_is_found_by_its_new_word(w):
    staff = _client(w.staff)
    services.report_act(actor=w.staff, report=w.report, action="update",
                        data={"kind": "immediate", "title": "关于冰川保护的报告", "body": w.report.body})
    names = ("liaison:reports", "liaison:report")
    assert _page_hits(staff, names, w.report, "冰川保护") == (200, True)
    assert _page_hits(staff, names, w.report, "冰雪旅游") == (200, False)
    services.visit_update(actor=w.leader, visit=w.visit, data={
        "date": w.visit.date.isoformat(), "place": w.visit.place, "subject": "走访辣椒加工厂", "heard": w.visit.heard,
        "people": [{"kind": "expert", "name": "钱专家"}]})
    names = ("liaison:visits", "liaison:visit")
    assert _page_hits(staff, names, w.visit, "辣椒加工") == (200, True)
    assert _page_hits(staff, names, w.visit, "番茄酱") == (200, False)
    assert _page_hits(staff, names, w.visit, "钱专家") == (200, True)  # the people met, replaced
    assert _page_hits(staff, names, w.visit, "赵厂长") == (200, False)
    # a progress note and a revision are searched too
    services.task_act(actor=w.staff, task=w.task, action="note", data={"text": "已完成库区排查。"})
    assert _page_hits(staff, ("liaison:tasks", "liaison:task"), w.task, "库区排查") == (200, True)
    services.rule_revise(actor=w.staff, rule=w.rule, data={"date": clock.today().isoformat(),
                                                           "meeting": "第二十次主席会议", "note": "增加回避条款"})
    assert _page_hits(staff, ("liaison:rules", "liaison:rule"), w.rule, "回避条款") == (200, True)


def test_hostile_text_does_not_break_the_search(w):
    markup = "<script>alert(1)</script>"
    report = new_report(w, title=f"{markup}孤立\ud800代理", body=f"{markup}正文")  # the service drops the surrogate
    staff, api = _client(w.staff), ApiClient(issue_token(w.staff))
    names = ("liaison:reports", "liaison:report")
    assert _page_hits(staff, names, report, "孤立代理") == (200, True)
    assert _api_ids(api, "liaison/reports", "孤立代理") == [report.pk]
    r = staff.get(reverse("liaison:reports"), {"q": markup})
    assert r.status_code == 200 and markup not in r.content.decode()
    assert f'href="{reverse("liaison:report", args=[report.pk])}' in r.content.decode()  # "script", "alert", "1"
    for path in ("liaison:reports", "liaison:rules", "liaison:tasks", "liaison:visits"):
        for raw in ("%ED%A0%80", "%ED%A0%80%E4%BB%A3", "%00", "%22%27%3E%3C", "*" * 300):
            assert staff.get(f"{reverse(path)}?q={raw}").status_code == 200, (path, raw)
    assert api.get("liaison/reports?q=%ED%A0%80").status_code in (200, 422)
    assert api.get("liaison/reports", {"q": markup}).status_code == 200


def test_a_renamed_special_committee_reaches_the_tasks_documents(w):
    """A task names the special committee carrying it out: renamed in administration, the task is found by the
    new name at once and no longer by the old one (SearchKind.names)."""
    from xieshang.core import services as core_services
    from xieshang.core.models import SpecialCommittee

    sc = SpecialCommittee.objects.create(committee=w.committee, name="社会和法制委员会")
    task = new_task(w, title="开展物业管理条例执法检查", owner_kind="special_committee", special_committee=sc.pk)

    def found(text):
        return set(search.matching_ids(w.committee.pk, "assigned_task", text) or ())

    assert found("社会和法制委员会") == {task.pk}
    core_services.special_committee_save(actor=w.admin, committee=w.committee, special_committee=sc, name="社会法制委员会")
    assert found("社会法制委员会") == {task.pk} and found("社会和法制委员会") == set()


def test_the_suggestions_register_searches_the_index():
    """A suggestion is found by words of its text in any order (the index, not a substring), by the office's
    note and by its visit's subject; a suggestion of another visit is not; the services keep the documents
    current (a converted one, a visit renamed); members find nothing."""
    w = make_world()
    visit = new_visit(w, subject="走访番茄酱厂", suggestions=["修复老城区主干道的路灯", "建设农贸市场冷库"])
    lamp, market = visit.suggestions.order_by("id")
    new_visit(w, subject="走访葡萄酒庄", suggestions=["改善酒庄道路"])
    staff = _client(w.staff)

    def found(q, client=staff):
        r = client.get(reverse("liaison:suggestions"), {"q": q})
        page = r.content.decode()
        return r.status_code, [row.text for row in (lamp, market) if row.text in page]

    assert found("路灯") == (200, [lamp.text])
    assert found("路灯 老城区") == (200, [lamp.text])  # words in another order: a substring search misses it
    assert found("番茄酱") == (200, [lamp.text, market.text])  # the visit's subject
    assert found("没有这个词") == (200, [])
    services.suggestion_act(actor=w.staff, suggestion=market, action="note", data={"note": "已转交商务局研究"})
    assert found("商务局") == (200, [market.text])
    services.visit_update(actor=w.leader, visit=visit, data={
        "date": visit.date.isoformat(), "place": visit.place, "subject": "走访辣椒加工厂", "heard": visit.heard})
    assert found("辣椒加工") == (200, [lamp.text, market.text]) and found("番茄酱") == (200, [])
    assert search.reindex(kind="visit_suggestion", stale_only=True) == {"visit_suggestion": 0}
    assert found("路灯", _client(w.member))[0] == 404
