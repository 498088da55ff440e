"""The API checks a category against the committee's own list (core.categories): an unknown code is 422 with a
clear message on the field `category`, a category the committee added is accepted, and the answers carry
`category_label` from the list. Proposals, clues, opinion reports and demands."""

import datetime

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import categories, clock
from xieshang.core.models import Category

pytestmark = pytest.mark.django_db


def _unknown(r, code="nonsense"):
    assert r.status_code == 422, r.content
    message = " ".join(r.json()["fields"]["category"])
    assert code in message and "categor" in message.lower() or "类别" in message, message


def test_proposals_refuse_an_unknown_category_and_take_the_committee_s_own(people):
    api = people.api_proposer
    _unknown(api.post("proposals", {"title": "关于类别的提案", "category": "nonsense"}))
    categories.category_create(actor=people.staff, committee=people.committee, name="民族团结", code="unity")
    r = api.post("proposals", {"title": "关于民族团结的提案", "category": "unity"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["category"] == "unity" and body["category_label"] == "民族团结"
    _unknown(api.patch(f"proposals/{body['id']}", {"category": "nonsense", "expected_version": body["version"]}))
    listed = api.get("proposals").json()["items"]
    assert [(i["category"], i["category_label"]) for i in listed] == [("unity", "民族团结")]
    assert api.get("proposals", {"category": "nonsense"}).status_code == 422
    r = api.post("proposals", {"title": "没有类别的提案"})  # none given: the committee's default
    assert r.status_code == 201 and r.json()["category"] == "other"
    listed = api.get("categories").json()
    assert [c["code"] for c in listed][-2:] == ["other", "unity"] and listed[-1]["label"] == "民族团结"


def test_a_category_out_of_use_is_refused_for_new_records(people):
    row = Category.objects.get(committee=people.committee, code="ecology")
    categories.category_set_active(actor=people.staff, committee=people.committee, category=row, active=False)
    r = people.api_proposer.post("proposals", {"title": "关于生态的提案", "category": "ecology"})
    assert r.status_code == 422 and "生态文明建设" in " ".join(r.json()["fields"]["category"])


def test_clues_refuse_an_unknown_category(people):
    _unknown(people.api_proposer.post("proposals/clues", {"title": "线索", "text": "内容", "category": "nonsense"}))
    r = people.api_proposer.post("proposals/clues", {"title": "线索", "text": "内容", "category": "society"})
    assert r.status_code == 201 and r.json()["category_label"] == "社会建设"


def test_opinion_reports_refuse_an_unknown_category():
    from xieshang.opinions.tests.factories import make_actors

    clock.set_to(datetime.date(2026, 3, 2))
    actors = make_actors()
    api = ApiClient(issue_token(actors.author), "zh-hans")
    _unknown(api.post("opinions", {"title": "关于类别的建议", "body": "正文", "category": "nonsense"}))
    r = api.post("opinions", {"title": "关于类别的建议", "body": "正文", "category": "culture"})
    assert r.status_code == 201, r.content
    assert r.json()["category_label"] == "文化建设"
    assert api.get("opinions").json()["items"][0]["category_label"] == "文化建设"


def test_demands_refuse_an_unknown_category():
    from xieshang.grassroots.tests.factories import make_world

    clock.set_to(datetime.date(2026, 3, 2))
    w = make_world()
    api = ApiClient(issue_token(w.keeper), "zh-hans")
    text = "小区门口路灯坏了一个月，晚上出行不便，希望尽快修好。"
    _unknown(api.post("demands", {"text": text, "phone": "13800138000", "category": "nonsense"}))
    r = api.post("demands", {"text": text, "phone": "13800138000", "category": "society"})
    assert r.status_code == 201 and r.json()["category_label"] == "社会建设"
    _unknown(api.post(f"demands/{r.json()['id']}/actions/classify", {"category": "nonsense"}))
    assert api.get("demands", {"category": "nonsense"}).status_code == 422
