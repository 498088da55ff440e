"""The API's edges (issue #12, items 5 and 10): any path under /api/ answers the JSON 404, a body must be a
JSON object (422 otherwise), a body above DATA_UPLOAD_MAX_MEMORY_SIZE is 413, a text above its limit is a
quick 422, an unexpected exception is the JSON 500 shape, and the OpenAPI schema lists 400."""

import json

import pytest
from django.test import Client

from .conftest import make_proposal
from .test_errors import error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [
    "/api/v1/%0A", "/api/v1/proposals/%0A", "/api/v1/proposals/1%0A", "/api/v1/%0D%0Ax", "/api/", "/api/v2/x",
    "/api/%0A",
])
def test_any_path_under_api_is_the_json_404(people, path):
    response = people.api_staff.client.get(path, headers=people.api_staff.in_language("en").headers())
    assert error(response, 404) == {"code": "not_found", "message": "Not found."}


@pytest.mark.parametrize("path", ["members?q=a%00b", "proposals?q=%00", "opinions?q=x%00", "proposals/clues?q=%00",
                                  "proposals?sector=%00&q=ok"])
def test_a_null_character_in_the_query_is_422_not_a_database_error(people, path):
    """Found by the fuzzer on PostgreSQL: NUL in a search word was a 500 (PostgreSQL cannot hold it)."""
    response = people.api_staff.in_language("en").get(path)
    body = error(response, 422)
    assert body["code"] == "validation_error"
    assert all(messages == ["Null characters are not allowed."] for messages in body["fields"].values())


@pytest.mark.parametrize("body", ['"just a string"', "42", "null", "true", '["a"]'])
def test_a_body_that_is_not_a_json_object_is_422(people, body):
    api = people.api_proposer.in_language("en")
    response = api.client.post("/api/v1/proposals", body, content_type="application/json", headers=api.headers())
    assert error(response, 422)["code"] == "validation_error"
    proposal = make_proposal(people, "draft")
    response = api.client.patch(f"/api/v1/proposals/{proposal.pk}", body, content_type="application/json",
                                headers=api.headers())
    assert error(response, 422)["code"] == "validation_error"


def test_a_nine_megabyte_body_is_a_422_naming_the_limit(people):
    api = people.api_proposer.in_language("en")
    response = api.post("proposals", {"title": "关于教育的建议", "body": "x" * 9_000_000})
    assert response.status_code == 422, response.content[:300]
    body = error(response, 422)
    assert body["fields"] == {"body": ["Ensure this value has at most 50000 characters (it has 9000000)."]}
    proposal = make_proposal(people, "draft")
    body = error(api.patch(f"proposals/{proposal.pk}", {"body": "x" * 9_000_000}), 422)
    assert list(body["fields"]) == ["body"]
    proposal.refresh_from_db()
    assert len(proposal.body) < 1000


def test_a_body_above_the_request_limit_is_413(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = people.api_proposer.in_language("en")
    body = error(api.post("proposals", {"title": "关于教育的建议", "body": "长" * 1000}), 413)
    assert body["code"] == "too_large"


def test_control_characters_are_dropped_and_titles_are_one_line(people):
    api = people.api_proposer
    response = api.post("proposals", {"title": "关于\n教育\u0013的建议", "body": "第一段\u000b\r\n第二段"})
    assert response.status_code == 201, response.content.decode()
    out = response.json()
    assert (out["title"], out["body"]) == ("关于 教育的建议", "第一段\n第二段")


def test_an_unexpected_exception_is_the_json_500(people, monkeypatch):
    from xieshang.proposals import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr(selectors, "proposal_list", broken)
    client = Client(raise_request_exception=False)
    api = people.api_staff.in_language("en")
    response = client.get("/api/v1/proposals", headers=api.headers())
    body = error(response, 500)
    assert body == {"code": "server_error", "message": "Something went wrong on our side. Please try again later."}
    assert "boom" not in response.content.decode()


def test_openapi_lists_400_for_operations_with_a_body(people):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    create = schema["paths"]["/api/v1/proposals"]["post"]
    assert "400" in create["responses"] and "422" in create["responses"]
