"""The duty API: the rules of a year (GET/PUT, Excel), the try-out, a member's duty."""

import copy
import json

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.members.models import DutyRuleSet

from .factories import make_people, record
from .tables import TABLE_SEVENTY, TABLE_ZERO

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(committee):
    return make_people(committee)


def client(user, lang="en"):
    return ApiClient(issue_token(user), lang=lang)


def put(api, year, document, version):
    return api.client.put(f"/api/v1/duty/rules/{year}", json.dumps(document),
                          content_type="application/json", headers=api.headers({"If-Match": f'"{version}"'}))


def test_rules_get_put_round_trip_with_etag(people):
    staff = client(people.staff)
    got = staff.get("duty/rules/2026")
    assert got.status_code == 200 and got["ETag"] == '"0"' and got.json()["categories"] == []
    saved = put(staff, 2026, TABLE_ZERO, 0)
    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] == '"1"'
    got = staff.get("duty/rules/2026")
    assert got.json()["bands"][0] == {"name": "优秀", "min": 85} and got["ETag"] == '"1"'
    # the same document with expected_version in the body
    body = dict(TABLE_SEVENTY, expected_version=1)
    assert put(staff, 2026, body, "").status_code == 200
    assert DutyRuleSet.objects.get().version == 2


def test_rules_stale_version_is_409(people):
    staff, admin = client(people.staff), client(people.admin)
    assert put(staff, 2026, TABLE_ZERO, 0).status_code == 200
    assert put(admin, 2026, TABLE_SEVENTY, 1).status_code == 200
    late = put(staff, 2026, TABLE_ZERO, 1)
    assert late.status_code == 409 and late.json()["code"] == "conflict"
    assert DutyRuleSet.objects.get().document["base"] == 70


def test_rules_bad_document_is_422_with_the_place(people):
    document = copy.deepcopy(TABLE_ZERO)
    document["categories"][2]["items"][0]["kind"] = "x"
    document["bands"][1]["min"] = 85
    answer = put(client(people.staff), 2026, document, 0)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {"bands[1].min": ["bands overlap: bands[0] starts at 85 too"],
                              "categories[2].items[0].kind": ["unknown fact kind “x”"]}
    assert "bands[1].min" in body["message"]
    assert not DutyRuleSet.objects.exists()


def test_rules_without_version_is_422(people):
    answer = put(client(people.staff), 2026, TABLE_ZERO, "")
    assert answer.status_code == 422 and "expected_version" in answer.json()["fields"]


@pytest.mark.parametrize("role", ["leader", "unit", "member_user"])
def test_rules_office_only(people, role):
    api = client(getattr(people, role))
    assert api.get("duty/rules/2026").status_code == 404
    assert api.get("duty/rules/2026/table.xlsx").status_code == 404
    assert put(api, 2026, TABLE_ZERO, 0).status_code == 403
    assert api.post("duty/evaluate", {"rules": TABLE_ZERO, "facts": []}).status_code == 403


def test_rules_anonymous_is_401(people):
    assert ApiClient().get("duty/rules/2026").status_code == 401


def test_rules_excel_export_and_import(people):
    staff = client(people.staff)
    put(staff, 2026, TABLE_SEVENTY, 0)
    sheet = staff.get("duty/rules/2026/table.xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = staff.post_multipart("duty/rules/2027/table.xlsx",
                                  {"file": SimpleUploadedFile("r.xlsx", sheet.content), "expected_version": "0"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["base"] == 70
    assert DutyRuleSet.objects.get(year=2027).document == DutyRuleSet.objects.get(year=2026).document


def test_evaluate(people):
    answer = client(people.staff).post("duty/evaluate", {"rules": TABLE_SEVENTY, "facts": [
        {"kind": "proposal_registered"}, {"kind": "proposal.lead", "authors": 3}, {"kind": "plenary_absent", "quantity": 2},
    ]})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    # registered: 2, the first not counted: 5; absent 2 half-days × −4 = −8 → 70 − 8 + 5
    assert body["total"] == 67 and body["band"] == "基本称职"
    assert {"name": "会议出勤（扣分）", "points": -8.0, "raw": -8.0, "capped": False, "floored": False} in body["categories"]
    registered = next(i for i in body["items"] if i["kind"] == "proposal_registered")
    assert registered["units"] == 2 and registered["points"] == 5
    assert registered["arithmetic"] == "2 items, the first 1 not counted: 1 × 5 = 5.00"
    assert body["facts"][1]["counts_as"] == ["proposal_submitted", "proposal_registered"]


def test_evaluate_bad_rules_and_facts_are_422(people):
    staff = client(people.staff)
    rules = copy.deepcopy(TABLE_SEVENTY)
    rules["categories"][0]["cap"] = -1
    answer = staff.post("duty/evaluate", {"rules": rules, "facts": []})
    assert answer.status_code == 422
    assert answer.json()["fields"] == {"rules.categories[0].cap": ["a cap must not be below zero"]}
    answer = staff.post("duty/evaluate", {"rules": TABLE_SEVENTY, "facts": [{"kind": "zzz"}]})
    assert answer.status_code == 422 and "facts[0].kind" in answer.json()["fields"]
    answer = staff.post("duty/evaluate", {"rules": TABLE_SEVENTY, "facts": [{"kind": "activity", "authors": 0}]})
    assert answer.status_code == 422


def test_member_duty(people):
    staff = client(people.staff)
    put(staff, 2026, TABLE_ZERO, 0)
    record(people.member, "proposal.lead", authors=3)
    record(people.member, "opinion.submitted", 6)
    for user in (people.member_user, people.staff, people.admin, people.leader):
        answer = client(user).get(f"members/{people.member.pk}/duty", {"year": 2026})
        assert answer.status_code == 200, (user, answer.json())
        body = answer.json()
        assert body["total"] == 13 and body["band"] == "不称职" and len(body["facts"]) == 7
        assert body["facts"][0]["counts_as"] == ["proposal_submitted", "proposal_registered"]
        assert body["facts"][0]["object_kind"] == "core.sector"
    for user in (people.other_user, people.unit):
        assert client(user).get(f"members/{people.member.pk}/duty", {"year": 2026}).status_code == 404
    assert staff.get("members/2147483647/duty").status_code == 404


def test_member_duty_without_rules_in_chinese(people):
    record(people.member, "opinion.submitted")
    body = client(people.member_user, "zh-hans").get(f"members/{people.member.pk}/duty", {"year": 2026}).json()
    assert body["total"] is None and body["band"] is None and body["items"] == []
    assert body["facts"][0]["kind"] == "opinion.submitted"
