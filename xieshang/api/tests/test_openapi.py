"""The OpenAPI document is valid OpenAPI with every endpoint, and the docs page needs nothing from outside."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from xieshang.proposals import workflow

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get"},
    "/api/v1/me/duty-facts": {"get"},
    "/api/v1/me/password": {"post"},
    "/api/v1/units": {"get"},
    "/api/v1/categories": {"get"},
    "/api/v1/members": {"get"},
    "/api/v1/proposals": {"get", "post"},
    "/api/v1/proposals/export.xlsx": {"get"},
    "/api/v1/proposals/exports": {"post"},
    "/api/v1/proposals/evaluation-questions": {"get", "put"},
    "/api/v1/exports": {"get"},
    "/api/v1/exports/{id}": {"get"},
    "/api/v1/exports/{id}/file": {"get"},
    "/api/v1/proposals/{id}": {"get", "patch"},
    "/api/v1/proposals/{id}/events": {"get"},
    "/api/v1/proposals/{id}/actions/{action}": {"post"},
    "/api/v1/proposals/{id}/documents/proposal.docx": {"get"},
    "/api/v1/proposals/{id}/replies/{reply_id}/letter.docx": {"get"},
    "/api/v1/proposals/{id}/replies/{reply_id}/letter": {"get"},
    "/api/v1/proposals/{id}/attachments": {"post"},
    "/api/v1/proposals/{id}/attachments/{attachment_id}": {"get", "delete"},
    "/api/v1/proposals/clues": {"get", "post"},
    "/api/v1/proposals/clues/{id}": {"get"},
    "/api/v1/proposals/clues/{id}/actions/{action}": {"post"},
    "/api/v1/proposals/clues/{id}/draft": {"post"},
    "/api/v1/proposals/clues/calls": {"get", "post"},
    "/api/v1/proposals/clues/calls/{id}": {"get"},
    "/api/v1/proposals/clues/calls/{id}/actions/{action}": {"post"},
    "/api/v1/opinions": {"get", "post"},
    "/api/v1/opinions/recipients": {"get"},
    "/api/v1/opinions/{id}": {"get"},
    "/api/v1/opinions/{id}/events": {"get"},
    "/api/v1/opinions/{id}/actions/{action}": {"post"},
    "/api/v1/opinions/bulletins/{id}/document.docx": {"get"},
    "/api/v1/opinions/adopted.xlsx": {"get"},
    # grassroots, consultation meetings, duty (session 7)
    "/api/v1/activities": {"get", "post"},
    "/api/v1/activities/{id}": {"get"},
    "/api/v1/activities/{id}/actions/{action}": {"post"},
    "/api/v1/activities/{id}/events": {"get"},
    "/api/v1/activities/{id}/outcomes": {"post"},
    "/api/v1/activities/{id}/outcomes/{outcome_id}/done": {"post"},
    "/api/v1/demands": {"get", "post"},
    "/api/v1/demands/{id}": {"get"},
    "/api/v1/demands/{id}/actions/{action}": {"post"},
    "/api/v1/demands/{id}/events": {"get"},
    "/api/v1/duty/alerts": {"get"},
    "/api/v1/duty/evaluate": {"post"},
    "/api/v1/duty/queries": {"get"},
    "/api/v1/duty/queries/{id}/answer": {"post"},
    "/api/v1/duty/records": {"post"},
    "/api/v1/duty/rules/{year}": {"get", "put"},
    "/api/v1/duty/rules/{year}/table.xlsx": {"get", "post"},
    "/api/v1/duty/scores": {"get"},
    "/api/v1/consultation/plans": {"get", "post"},
    "/api/v1/consultation/plans/{id}": {"get"},
    "/api/v1/consultation/plans/{id}/actions/{action}": {"post"},
    "/api/v1/consultation/plans/{id}/events": {"get"},
    "/api/v1/consultation/topics": {"get", "post"},
    "/api/v1/consultation/topics/{id}": {"get"},
    "/api/v1/consultation/topics/{id}/actions/{action}": {"post"},
    "/api/v1/consultation/topics/{id}/events": {"get"},
    # inspections and democratic supervision (xieshang.inspections)
    "/api/v1/consultation/inspections": {"get", "post"},
    "/api/v1/consultation/inspections/{id}": {"get"},
    "/api/v1/consultation/inspections/{id}/actions/{action}": {"post"},
    "/api/v1/consultation/inspections/{id}/events": {"get"},
    "/api/v1/consultation/supervision": {"get", "post"},
    "/api/v1/consultation/supervision/{id}": {"get"},
    "/api/v1/consultation/supervision/{id}/actions/{action}": {"post"},
    "/api/v1/consultation/supervision/{id}/events": {"get"},
    "/api/v1/consultation/inspections/{id}/files": {"get", "post"},
    "/api/v1/consultation/inspections/{id}/files/{file_id}": {"get", "delete"},
    "/api/v1/consultation/supervision/{id}/files": {"get", "post"},
    "/api/v1/consultation/supervision/{id}/files/{file_id}": {"get", "delete"},
    "/api/v1/consultation/inspections/plan-approvals/{year}": {"get", "put"},
    "/api/v1/consultation/special-supervisors": {"get", "post"},
    "/api/v1/consultation/special-supervisors/{id}": {"get"},
    "/api/v1/consultation/special-supervisors/{id}/update": {"post"},
    "/api/v1/consultation/special-supervisors/{id}/reports": {"post"},
    "/api/v1/meetings": {"get", "post"},
    "/api/v1/meetings/{id}": {"get"},
    "/api/v1/meetings/{id}/actions/{action}": {"post"},
    "/api/v1/meetings/{id}/attendance": {"post"},
    "/api/v1/meetings/{id}/events": {"get"},
    "/api/v1/meetings/{id}/feedback": {"post"},
    "/api/v1/meetings/{id}/notice.docx": {"get"},
    "/api/v1/meetings/{id}/minutes.docx": {"get"},
    "/api/v1/meetings/{id}/leave": {"post"},
    "/api/v1/meetings/{id}/leave/{leave_id}": {"post"},
    "/api/v1/meetings/{id}/outcome-reports": {"post"},
    "/api/v1/meetings/{id}/sign-in": {"post"},
    "/api/v1/meetings/{id}/sign-up": {"post"},
    "/api/v1/meetings/{id}/speeches": {"post"},
    "/api/v1/members/{id}/duty": {"get"},
    "/api/v1/members/{id}/duty/adjustments": {"post"},
    "/api/v1/members/{id}/duty/procedure": {"post"},
    "/api/v1/training/courses": {"get", "post"},
    "/api/v1/training/courses/{id}": {"get"},
    "/api/v1/training/courses/{id}/attendance": {"post"},
    "/api/v1/training/courses/{id}/enrol": {"post"},
    "/api/v1/places": {"get"},
    "/api/v1/places/{id}": {"get"},
    "/api/v1/public/demands": {"post"},
    "/api/v1/public/demands/{tracking_code}": {"get"},
    "/api/v1/public/demands/{tracking_code}/confirm": {"post"},
    "/api/v1/public/phone-codes": {"post"},
    "/api/v1/public/places": {"get"},
    "/api/v1/text/hot-topics": {"get"},
    "/api/v1/liaison/reports": {"get", "post"},
    "/api/v1/liaison/reports/register.docx": {"get"},
    "/api/v1/liaison/reports/{id}": {"get"},
    "/api/v1/liaison/reports/{id}/events": {"get"},
    "/api/v1/liaison/reports/{id}/document.docx": {"get"},
    "/api/v1/liaison/reports/{id}/actions/{action}": {"post"},
    "/api/v1/liaison/rules": {"get", "post"},
    "/api/v1/liaison/rules/{id}": {"get"},
    "/api/v1/liaison/rules/{id}/events": {"get"},
    "/api/v1/liaison/rules/{id}/revisions": {"post"},
    "/api/v1/liaison/tasks": {"get", "post"},
    "/api/v1/liaison/tasks/{id}": {"get"},
    "/api/v1/liaison/tasks/{id}/events": {"get"},
    "/api/v1/liaison/tasks/{id}/actions/{action}": {"post"},
    "/api/v1/liaison/visits": {"get", "post"},
    "/api/v1/liaison/visits/{id}": {"get"},
    "/api/v1/liaison/visits/{id}/events": {"get"},
    "/api/v1/liaison/visits/{id}/suggestions": {"post"},
    "/api/v1/liaison/suggestions/{id}": {"get"},
    "/api/v1/liaison/suggestions/{id}/events": {"get"},
    "/api/v1/liaison/suggestions/{id}/convert": {"post"},
    "/api/v1/liaison/suggestions/{id}/actions/{action}": {"post"},
    "/api/v1/liaison/stats": {"get"},
    "/api/v1/text/similar": {"post"},
    "/api/v1/text/suggest": {"post"},
}


@pytest.fixture
def document():
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    return r.json()


def test_openapi_document_validates(document):
    from openapi_spec_validator import validate

    validate(document)  # raises on any violation of the OpenAPI specification


def test_openapi_document_lists_every_endpoint(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Xieshang API"
    found = {path: set(ops) & {"get", "post", "patch", "delete", "put"} for path, ops in document["paths"].items()}
    assert found == PATHS


def test_every_reference_resolves(document):
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', __import__("json").dumps(document)))
    assert refs, "the document uses component schemas"
    assert refs <= set(document["components"]["schemas"])


def test_authentication_and_error_shape_are_documented(document):
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    assert "security" not in document["paths"]["/api/v1/auth/token"]["post"]  # no token needed to get one
    act = document["paths"]["/api/v1/proposals/{id}/actions/{action}"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(act["responses"])
    error = document["components"]["schemas"]["ErrorOut"]
    assert {"code", "message"} <= set(error["required"])
    assert set(act["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    action_param = next(p for p in act["parameters"] if p["name"] == "action")
    assert all(name in action_param["description"] for name in workflow.TRANSITIONS)


def test_state_names_are_the_workflows(document):
    filters = document["paths"]["/api/v1/proposals"]["get"]["parameters"]
    state = next(p for p in filters if p["name"] == "state")
    schema = state["schema"]
    values = schema.get("enum") or next(s["enum"] for s in schema.get("anyOf", []) if "enum" in s)
    assert {"draft", "cosigning", "submitted", "registered", "assigned", "handling", "replied", "closed"} <= set(values)


def test_docs_page_uses_only_local_assets():
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "<script>" not in html and "style=" not in html  # nothing inline for the CSP to refuse
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources)
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp


def test_members_search_is_documented(document):
    op = document["paths"]["/api/v1/members"]["get"]
    assert op["operationId"] == "members_list"
    assert {"q", "limit"} <= {p["name"] for p in op["parameters"]}
    assert "invite_cosigners" in op["description"]
    assert {"200", "401"} <= set(op["responses"])


def test_no_object_of_the_document_repeats_a_key():
    """JSON parsers keep the last of two equal keys, but the docs page reads the document as YAML, which refuses
    them (a response code written once as a number and once as text made the docs page blank)."""
    import json

    repeated = []

    def pairs(items):
        keys = [key for key, _value in items]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert not repeated, repeated
