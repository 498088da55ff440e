"""Every error has the same body {"code", "message", "fields"}: a stable code, and a message in the
request's language (Accept-Language: zh-hans by default, or en)."""

import pytest
from django.test import Client

from .conftest import ApiClient, make_proposal

pytestmark = pytest.mark.django_db


def error(response, status):
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) <= {"code", "message", "fields", "detail"}
    assert isinstance(body["message"], str) and body["message"]
    return body


def both(api, call):
    """The same request in Chinese (the default) and in English."""
    return call(api), call(api.in_language("en"))


# --- 409 ---------------------------------------------------------------------------------------


def test_illegal_transition_is_409_in_both_languages(people):
    proposal = make_proposal(people, "submitted")
    zh, en = both(people.api_proposer, lambda api: api.act(proposal.pk, "submit"))
    zh, en = error(zh, 409), error(en, 409)
    assert zh["code"] == en["code"] == "illegal_transition"
    assert zh["detail"] == "state_submitted"
    assert "submitted" in en["message"] and "submit" in en["message"]
    assert "待审查" in zh["message"] or "已提交" in zh["message"] or "提交" in zh["message"]
    assert "submitted" not in zh["message"]


def test_stale_version_is_409_conflict_in_both_languages(people):
    proposal = make_proposal(people, "draft")
    people.api_proposer.patch(f"proposals/{proposal.pk}", {"title": "新标题", "expected_version": 1})
    zh, en = both(people.api_proposer,
                  lambda api: api.patch(f"proposals/{proposal.pk}", {"title": "另一个标题", "expected_version": 1}))
    zh, en = error(zh, 409), error(en, 409)
    assert zh["code"] == en["code"] == "conflict"
    assert zh["message"] == "其他人已修改了此记录，请刷新后重试。"
    assert en["message"] == "Someone else changed this in the meantime. Reload and try again."


def test_stale_version_of_an_action_by_header_if_match(people):
    proposal = make_proposal(people, "draft")
    r = people.api_proposer.act(proposal.pk, "submit", headers={"If-Match": '"7"'})
    assert error(r, 409)["code"] == "conflict"
    r = people.api_proposer.act(proposal.pk, "submit", headers={"If-Match": f'"{proposal.version}"'})
    assert r.status_code == 200 and r.json()["state"] == "submitted"


# --- 422 ---------------------------------------------------------------------------------------


def test_invalid_action_data_is_422_with_fields_in_both_languages(people):
    proposal = make_proposal(people, "submitted")
    zh, en = both(people.api_staff, lambda api: api.act(proposal.pk, "return_for_revision", {"reason": "  "}))
    zh, en = error(zh, 422), error(en, 422)
    assert zh["code"] == en["code"] == "invalid"
    assert zh["fields"] == {"reason": ["这个字段是必填项。"]}
    assert en["fields"] == {"reason": ["This field is required."]}
    assert zh["message"] == "部分数据不符合要求。"
    assert en["message"] == "Some of the data is not valid."


def test_invalid_assignment_is_422(people):
    proposal = make_proposal(people, "registered")
    r = people.api_staff.act(proposal.pk, "assign", {"units": [{"unit": people.lead_unit.pk, "role": "lead"}]})
    body = error(r, 422)
    assert body["code"] == "invalid" and list(body["fields"]) == ["units"]


def test_schema_errors_are_422_validation_error_in_both_languages(people):
    zh, en = both(people.api_staff, lambda api: api.get("proposals", {"page_size": 500, "sort": "votes"}))
    zh, en = error(zh, 422), error(en, 422)
    assert zh["code"] == en["code"] == "validation_error"
    assert zh["fields"]["page_size"] == ["确保该值小于或等于200。"]
    assert en["fields"]["page_size"] == ["Ensure this value is less than or equal to 200."]
    assert en["fields"]["sort"][0].startswith("Select a valid choice.")
    assert zh["message"] == "部分数据不符合要求。"


def test_create_without_title_is_422_validation_error(people):
    body = error(people.api_proposer.post("proposals", {"body": "只有正文"}), 422)
    assert body["code"] == "validation_error"
    assert body["fields"] == {"title": ["这个字段是必填项。"]}
    body = error(people.api_proposer.post("proposals", {"title": "标" * 201}), 422)
    assert body["fields"]["title"] == ["确保该变量包含不超过 200 字符 (目前字符数 201)。"]


def test_bad_expected_version_and_bad_bodies(people):
    proposal = make_proposal(people, "draft")
    body = error(people.api_proposer.act(proposal.pk, "submit", {"expected_version": "abc"}), 422)
    assert body["code"] == "validation_error" and list(body["fields"]) == ["expected_version"]
    body = error(people.api_proposer.post(f"proposals/{proposal.pk}/actions/submit", ["not", "an", "object"]), 422)
    assert body["code"] == "validation_error"
    r = people.api_proposer.client.post(
        f"/api/v1/proposals/{proposal.pk}/actions/submit", "{oops", content_type="application/json",
        headers=people.api_proposer.headers(),
    )
    assert error(r, 400)["code"] == "invalid"


# --- 403 and 404 -------------------------------------------------------------------------------


def test_forbidden_is_403_in_both_languages(people):
    proposal = make_proposal(people, "submitted")
    zh, en = both(people.api_proposer, lambda api: api.act(proposal.pk, "register"))
    zh, en = error(zh, 403), error(en, 403)
    assert zh["code"] == en["code"] == "forbidden"
    assert zh["message"] == "您无权执行此操作。"
    assert en["message"] == "You are not allowed to do this."


def test_unknown_action_is_404_not_found(people):
    proposal = make_proposal(people, "draft")
    zh, en = both(people.api_proposer, lambda api: api.act(proposal.pk, "teleport"))
    zh, en = error(zh, 404), error(en, 404)
    assert zh == {"code": "not_found", "message": "未找到。"}
    assert en == {"code": "not_found", "message": "Not found."}


def test_another_units_proposal_is_404_like_a_missing_one(people):
    proposal = make_proposal(people, "handling")
    missing = proposal.pk + 1000
    for path in ("proposals/{}", "proposals/{}/events", "proposals/{}/documents/proposal.docx"):
        theirs = error(people.api_other.get(path.format(proposal.pk)), 404)
        nothing = error(people.api_other.get(path.format(missing)), 404)
        assert theirs == nothing == {"code": "not_found", "message": "未找到。"}
    assert error(people.api_other.act(proposal.pk, "reply", {"outcome": "adopted", "text": "x"}), 404) == \
        error(people.api_other.act(missing, "reply", {"outcome": "adopted", "text": "x"}), 404)
    # The unit's own proposal is there, and the list shows the other unit only its own.
    assert people.api_lead.get(f"proposals/{proposal.pk}").status_code == 200
    assert people.api_other.get("proposals").json()["count"] == 0
    assert people.api_lead.get("proposals").json()["count"] == 1


def test_others_drafts_are_404_even_for_staff(people):
    proposal = make_proposal(people, "draft")
    assert error(people.api_staff.get(f"proposals/{proposal.pk}"), 404)["code"] == "not_found"
    assert error(people.api_outsider.patch(f"proposals/{proposal.pk}", {"title": "x"}), 404)["code"] == "not_found"


def test_unknown_api_path_is_a_json_404(people):
    zh = error(people.api_staff.get("nothing/here"), 404)
    en = error(people.api_staff.in_language("en").get("nothing/here"), 404)
    assert zh == {"code": "not_found", "message": "未找到。"}
    assert en == {"code": "not_found", "message": "Not found."}


def test_unauthenticated_is_401_in_both_languages(db):
    zh = error(ApiClient().get("proposals"), 401)
    en = error(ApiClient(lang="en").get("proposals"), 401)
    assert zh["code"] == en["code"] == "unauthenticated"
    assert en["message"].startswith("Sign in")


def test_default_language_is_chinese_without_accept_language(people):
    proposal = make_proposal(people, "submitted")
    client = Client()
    r = client.post(f"/api/v1/proposals/{proposal.pk}/actions/register", "{}", content_type="application/json",
                    headers={"Authorization": f"Bearer {people.api_proposer.token}"})
    assert error(r, 403)["message"] == "您无权执行此操作。"


@pytest.mark.parametrize("data", [
    {"assignments": [10**20]},
    {"assignments": [str(10**20)]},
    {"assignment": str(10**20)},
])
def test_ids_no_row_can_have_are_refused_not_a_server_error(people, data):
    proposal = make_proposal(people, "replied")
    body = error(people.api_staff.act(proposal.pk, "rehandle", {"instructions": "请重新办理", **data}), 422)
    assert body["code"] == "validation_error" and list(body["fields"]) == list(data)


def test_huge_ids_in_paths_and_filters_find_nothing(people):
    proposal = make_proposal(people, "replied")
    big = 10**20
    assert error(people.api_staff.get(f"proposals/{big}"), 404)["code"] == "not_found"
    assert error(people.api_staff.get(f"proposals/{proposal.pk}/replies/{big}/letter.docx"), 404)["code"] == "not_found"
    assert error(people.api_staff.get("proposals", {"session": big}), 422)["code"] == "validation_error"
    assert people.api_staff.get("proposals", {"unit": 10**17}).json()["count"] == 0


def test_wrong_method_is_a_json_405(people):
    proposal = make_proposal(people, "draft")
    r = people.api_proposer.client.put(f"/api/v1/proposals/{proposal.pk}", "{}", content_type="application/json",
                                       headers=people.api_proposer.headers())
    body = error(r, 405)
    assert body == {"code": "invalid", "message": body["message"]}
    assert set(r["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
