"""Inspections and supervision items search the core index (kinds "inspection" and "supervision"): found by a word
of the topic and of the text (purpose, visits, recommendations, report; the body supervised) through the registers'
pages; whoever may not see an item finds nothing (members and units are refused the registers; inside the selectors a
member only finds the items of their team; another committee's office finds nothing); a changed topic is found by its
new word and no longer by the old one; hostile text neither breaks the pages nor comes back unescaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieshang.consultation.tests.test_views import client
from xieshang.core import search
from xieshang.inspections import selectors, services
from xieshang.inspections.lists import filter_inspections, filter_supervision
from xieshang.inspections.tests.factories import (
    action_data, make_world, plan, plan_data, supervision_data, walk_supervision_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_world()
    w.inspection = plan(w, title="冰雪旅游发展情况调研", purpose="了解滑雪场配套建设。")
    for action in ("set_team", "start", "add_visit"):  # w.member and w.other_member on the team
        services.inspection_act(actor=w.staff, inspection=w.inspection, action=action,
                                data=action_data(action, w, w.inspection))
    plan(w, title="设施农业提质增效调研", purpose="了解大棚建设。")
    w.item = services.supervision_create(actor=w.staff, committee=w.committee, data=supervision_data(
        w, title="河湖长制落实情况民主监督", body="州水利局", purpose="监督水库移民安置。"))
    services.supervision_create(actor=w.staff, committee=w.committee, data=supervision_data(w))
    return w


def _inspection(c, w, q):
    r = c.get(reverse("inspections:inspections"), {"q": q})
    return r.status_code, f'href="{reverse("inspections:inspection", args=[w.inspection.pk])}"' in r.content.decode()


def _item(c, w, q):
    r = c.get(reverse("inspections:supervision"), {"q": q})
    return r.status_code, f'href="{reverse("inspections:supervision_item", args=[w.item.pk])}"' in r.content.decode()


def test_the_kinds_are_declared_and_written_by_the_services(w):
    kinds = search.kinds()
    assert kinds["inspection"].model == "inspections.Inspection"
    assert kinds["supervision"].model == "inspections.SupervisionItem"
    assert search.matching_ids(w.committee, "inspection", "昌吉市") == [w.inspection.pk]  # the visit's place
    assert search.matching_ids(w.committee, "supervision", "州水利局") == [w.item.pk]  # the body supervised: a name
    assert search.matching_ids(w.committee, "supervision", "州水利局", scope=search.WORDS) == []
    for kind in ("inspection", "supervision"):  # the services kept the index current
        assert search.reindex(kind=kind, stale_only=True) == {kind: 0}


def test_found_by_a_word_of_the_topic_and_of_the_text(w):
    staff = client(w.staff)
    for q in ("冰雪旅游", "滑雪场", "数字农业园区"):  # topic, purpose, the units visited
        assert _inspection(staff, w, q) == (200, True), q
    for q in ("河湖长制", "移民安置", "水利局"):
        assert _item(staff, w, q) == (200, True), q
    assert _inspection(staff, w, "没有这个词") == (200, False) and _item(staff, w, "没有这个词") == (200, False)
    assert _inspection(client(w.leader), w, "冰雪 滑雪") == (200, True)
    for action in ("record_findings", "add_recommendation", "draft_report"):
        services.inspection_act(actor=w.staff, inspection=w.inspection, action=action,
                                data=action_data(action, w, w.inspection))
    for q in ("基础设施仍有短板", "农业大数据平台", "调研报告"):  # findings, recommendation, report title
        assert _inspection(staff, w, q) == (200, True), q


def test_who_may_not_see_finds_nothing(w):
    for user in (w.member, w.outsider, w.unit):  # the registers are the office's and the leaders'
        assert _inspection(client(user), w, "冰雪旅游") == (404, False)
        assert _item(client(user), w, "河湖长制") == (404, False)
    # inside the selectors: the member on the team finds the inspection, the member who is not does not
    on_team = filter_inspections(selectors.inspections_visible_to(w.member, w.committee), {"q": "冰雪旅游"})
    assert list(on_team.values_list("pk", flat=True)) == [w.inspection.pk]
    assert not filter_inspections(selectors.inspections_visible_to(w.outsider, w.committee), {"q": "冰雪旅游"}).exists()
    assert not filter_inspections(selectors.inspections_visible_to(w.unit, w.committee), {"q": "冰雪旅游"}).exists()
    assert not filter_supervision(selectors.supervision_visible_to(w.member, w.committee), {"q": "河湖长制"}).exists()
    # the API lists: the member on the team finds it, the one who is not finds nothing; the office finds both kinds
    from xieshang.api.tests.conftest import ApiClient, issue_token

    def api(user, path, q):
        r = ApiClient(issue_token(user)).get(f"consultation/{path}", {"q": q})
        assert r.status_code == 200, r.content
        return [item["id"] for item in r.json()["items"]]

    assert api(w.staff, "inspections", "滑雪场") == [w.inspection.pk] and api(w.staff, "inspections", "没有这个词") == []
    assert api(w.staff, "supervision", "移民安置") == [w.item.pk]
    assert api(w.member, "inspections", "冰雪旅游") == [w.inspection.pk]
    assert api(w.outsider, "inspections", "冰雪旅游") == [] and api(w.outsider, "supervision", "河湖长制") == []
    other = make_world()
    assert _inspection(client(other.staff), w, "冰雪旅游") == (200, False)
    assert _item(client(other.staff), w, "河湖长制") == (200, False)


def test_a_changed_topic_is_found_by_its_new_word(w):
    services.inspection_act(actor=w.staff, inspection=w.inspection, action="update",
                            data=plan_data(w, title="冰川保护情况调研", purpose="了解冰川监测。"))
    services.supervision_act(actor=w.staff, item=w.item, action="update",
                             data=supervision_data(w, title="湿地保护情况民主监督", body="州林草局"))
    staff = client(w.staff)
    assert _inspection(staff, w, "冰川保护") == (200, True) and _inspection(staff, w, "冰雪旅游") == (200, False)
    assert _item(staff, w, "湿地保护") == (200, True) and _item(staff, w, "河湖长制") == (200, False)
    assert _item(staff, w, "州林草局") == (200, True) and _item(staff, w, "州水利局") == (200, False)


def test_hostile_text_does_not_break_the_search(w):
    markup = "<script>alert(1)</script>"
    w.inspection = plan(w, title=f"{markup}孤立\ud800代理", purpose=markup)  # the service drops the surrogate
    w.item = walk_supervision_to("planned", w, services.supervision_create(
        actor=w.staff, committee=w.committee, data=supervision_data(w, title=f"{markup}孤立\ud800监督", body=markup)))
    staff = client(w.staff)
    assert _inspection(staff, w, "孤立代理") == (200, True) and _item(staff, w, "孤立监督") == (200, True)
    for name in ("inspections:inspections", "inspections:supervision"):
        r = staff.get(reverse(name), {"q": markup})
        assert r.status_code == 200 and markup not in r.content.decode(), name
        for raw in ("%ED%A0%80", "%ED%A0%80%E4%BB%A3", "%00", "%22%27%3E%3C", "*" * 300):
            assert staff.get(f"{reverse(name)}?q={raw}").status_code == 200, (name, raw)


def test_renames_in_administration_reach_the_documents(w):
    """A special committee or a report's author renamed through core's administration services: the items naming
    them are found by the new name at once, no longer by the old one (SearchKind.names, core.search.reindex_naming)."""
    from xieshang.core import services as core_services
    from xieshang.inspections.tests.factories import walk_to

    drafted = walk_to("report_drafted", w)
    author = drafted.report_author
    sc = drafted.special_committee
    item = services.supervision_create(actor=w.staff, committee=w.committee, data=supervision_data(
        w, title="义务教育资源配置民主监督", special_committee=sc.pk))

    def found(kind, text):
        return set(search.matching_ids(w.committee.pk, kind, text) or ())

    assert w.inspection.pk in found("inspection", "经济委员会") and found("supervision", "经济委员会") == {item.pk}
    core_services.special_committee_save(actor=w.admin, committee=w.committee, special_committee=sc, name="经济科技委员会")
    assert {w.inspection.pk, drafted.pk} <= found("inspection", "经济科技委员会")
    assert found("supervision", "经济科技委员会") == {item.pk}
    assert not found("inspection", "经济委员会") and not found("supervision", "经济委员会")
    core_services.member_save(actor=w.admin, committee=w.committee, member=author, name="欧阳新名", term=author.term,
                              sector=author.sector, organization=author.organization)
    assert found("inspection", "欧阳新名") == {drafted.pk}
