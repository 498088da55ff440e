"""Each proposal action's input is one schema (xieshang.proposals.schemas) shared by its page form and its
API body: every transition names one, the handler reads exactly its fields (and never the raw data), the
pages' forms post its field names with the same limits and choices, and the same bad input gives the same
field errors through the API, through the page and through the schema itself."""

from __future__ import annotations

import ast
import datetime
import inspect
import json
import textwrap

import pytest
from django import forms as django_forms
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pydantic import BaseModel

from xieshang.api import proposals as api_proposals
from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.core.errors import Invalid
from xieshang.core.workflow import parse_input
from xieshang.proposals import forms, schemas, services, workflow
from xieshang.proposals.models import Assignment
from xieshang.proposals.tests.factories import make_actors, walk_to

pytestmark = pytest.mark.django_db

# Fields a guard reads from the raw data (guards run before the input is validated; the schema declares
# them all the same, so the API documents them and refuses what names nothing).
GUARD_FIELDS = {action: {"assignment"} for action in workflow.ASSIGNMENT_SOURCES}


# --- Every transition has its schema, and the handler reads exactly its fields ---------------------------


def test_every_transition_has_an_input_schema():
    assert set(schemas.INPUTS) == set(workflow.TRANSITIONS) == set(services.MACHINE.transitions)
    for action, t in workflow.TRANSITIONS.items():
        assert t.input is schemas.INPUTS[action], action
        assert issubclass(t.input, BaseModel), action
        assert services.MACHINE.transition(action).input is t.input


def test_the_update_schema_is_the_editable_fields():
    assert tuple(schemas.UpdateInput.model_fields) == services.EDITABLE_FIELDS == forms.ProposalForm.UPDATE_FIELDS


def _functions_reached(fn, seen=None) -> list:
    """`fn` and the functions of services.py it calls by name, transitively."""
    seen = seen if seen is not None else {}
    if fn.__name__ in seen:
        return []
    seen[fn.__name__] = fn
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            other = getattr(services, node.func.id, None)
            if inspect.isfunction(other) and other.__module__ == services.__name__:
                _functions_reached(other, seen)
    return list(seen.values())


def _reads(fn) -> tuple[set[str], bool]:
    """The fields `fn` (and what it calls) reads from `ctx.input`, and whether it touches `ctx.data`."""
    fields, touches_data = set(), False
    for f in _functions_reached(fn):
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(f)))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
                inner = node.value
                if isinstance(inner.value, ast.Name) and inner.value.id in ("ctx", "step"):
                    if inner.attr == "input":
                        fields.add(node.attr)
                    elif inner.attr == "data":
                        touches_data = True
            if isinstance(node, ast.Attribute) and node.attr == "data" and isinstance(node.value, ast.Name) \
                    and node.value.id == "ctx":
                touches_data = True
    return fields, touches_data


@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_the_handler_reads_exactly_the_schemas_fields_and_not_the_raw_data(action):
    schema = schemas.INPUTS[action]
    read, touches_data = _reads(services._HANDLERS[action])
    assert not touches_data, f"{action}: the handler reads ctx.data instead of ctx.input"
    if {"changes", "unknown"} & read:  # update: every declared field, and the undeclared ones refused
        read = (read - {"changes", "unknown"}) | set(schema.model_fields)
    assert read | GUARD_FIELDS.get(action, set()) == set(schema.model_fields), action


# --- The pages' forms post the schema's field names, with its limits and choices -------------------------


def _schema_field(schema, name) -> dict:
    return schemas.json_schema_of(schema)["properties"][name]


def _enum(prop: dict) -> set | None:
    if "enum" in prop:
        return set(prop["enum"])
    for option in prop.get("anyOf", []):
        if "enum" in option:
            return set(option["enum"])
    return None


FORMS = [(action, cls, schemas.INPUTS[action]) for action, cls in forms.ACTION_FORMS.items()] + [
    ("update", forms.ProposalForm, schemas.UpdateInput),
    ("invite_cosigners", forms.InviteCosignersForm, schemas.InviteCosignersInput),
]


# Form fields that together make one schema field (the register form's units: its `to_data` builds them).
COMPOSED = {"register": {"lead_unit": "units", "co_units": "units"}}


@pytest.mark.parametrize("action,form_class,schema", FORMS, ids=[f"{a}-{c.__name__}" for a, c, _s in FORMS])
def test_each_page_form_posts_the_schemas_fields_with_its_limits_and_choices(action, form_class, schema):
    fields = form_class.base_fields
    # the drafting form posts its UPDATE_FIELDS to "update" (session, client_key …: the create and the page's own)
    posted = set(form_class.UPDATE_FIELDS) if form_class is forms.ProposalForm else set(fields)
    composed = COMPOSED.get(action, {})
    assert {composed.get(n, n) for n in posted} <= set(schema.model_fields), (action, posted - set(schema.model_fields))
    required = set(schemas.json_schema_of(schema).get("required", []))
    for name in posted - set(composed):
        field, prop = fields[name], _schema_field(schema, name)
        if isinstance(field, django_forms.CharField) and field.max_length and action != "merge":
            assert prop.get("maxLength") == field.max_length, (action, name)
            if field.required and form_class is not forms.ProposalForm:
                assert name in required or prop.get("minLength") == 1, (action, name)
        if isinstance(field, django_forms.ChoiceField) and not isinstance(field, django_forms.ModelChoiceField):
            offered = {str(value) for value, _label in field.choices if value != ""}
            if offered:  # static choices (the dynamic ones — units, replies … — are ids the handler checks)
                assert offered == _enum(prop), (action, name)


def test_the_assignment_page_and_the_batch_feed_the_assign_schema(committee):
    actors = make_actors(committee, units=2)
    lead, co = actors.units
    form = forms.AssignForm({"mode": "lead_co", "lead_unit": lead.pk, "co_units": [co.pk]}, committee=committee)
    assert form.is_valid(), form.errors
    assert parse_input(schemas.AssignInput, {"units": form.units()}).units[0].unit == lead.pk
    # the batch passes the units as rows: the schema reads their ids
    parsed = parse_input(schemas.AssignInput, {"units": [{"unit": lead, "role": "sole"}]})
    assert [(u.unit, u.role) for u in parsed.units] == [(lead.pk, "sole")]


def test_the_register_form_feeds_the_units_of_the_register_schema(committee):
    actors = make_actors(committee, units=2)
    lead, co = actors.units
    proposal = type("P", (), {"committee_id": committee.pk, "category": ""})()
    form = forms.RegisterForm({"lead_unit": lead.pk, "co_units": [co.pk]}, ctx={"proposal": proposal})
    assert form.is_valid(), form.errors
    parsed = parse_input(schemas.RegisterInput, form.to_data())
    assert [(u.unit, u.role) for u in parsed.units] == [(lead.pk, "lead"), (co.pk, "co")]
    alone = forms.RegisterForm({"lead_unit": lead.pk}, ctx={"proposal": proposal})
    assert alone.is_valid() and alone.to_data()["units"] == [{"unit": lead.pk, "role": "sole"}]
    assert parse_input(schemas.RegisterInput, {}).units is None  # no units: registered, assigned later
    for bad in ({"co_units": [co.pk]}, {"lead_unit": lead.pk, "co_units": [lead.pk]}):
        assert not forms.RegisterForm(bad, ctx={"proposal": proposal}).is_valid()


# --- The API reads the values the schemas declare --------------------------------------------------------


def test_the_apis_multipart_conversions_follow_the_schemas():
    ids, flags, lists = set(), set(), set()
    for schema in schemas.INPUTS.values():
        for name, prop in schemas.json_schema_of(schema)["properties"].items():
            types = {prop.get("type")} | {o.get("type") for o in prop.get("anyOf", [])}
            if "integer" in types and name != "cosign_days":  # a number of days, not a row
                ids.add(name)
            if "boolean" in types:
                flags.add(name)
            if "array" in types and prop.get("items", {}).get("type") == "integer":
                lists.add(name)
    assert ids == api_proposals.ID_KEYS
    assert flags == api_proposals.BOOL_KEYS
    assert lists == api_proposals.LIST_KEYS


def test_the_openapi_body_documents_each_actions_schema():
    body = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/proposals/{id}/actions/{action}"]["post"]
    schema = body["requestBody"]["content"]["application/json"]["schema"]
    alternatives = {option["title"]: option for option in schema["anyOf"]}
    assert set(alternatives) == set(workflow.TRANSITIONS)
    assert alternatives["reject"]["required"] == ["reason_code"]
    assert set(alternatives["reply"]["properties"]) == {"assignment", "outcome", "text", "signed_by", "letter",
                                                           "document_number"}
    assert alternatives["assign"]["properties"]["units"]["items"]["properties"]["role"]["enum"] == [
        "sole", "lead", "co", "split"]
    assert "$defs" not in json.dumps(schema)
    assert "`return_for_revision`: reason*" in schema["description"]


# --- The same bad input, the same field errors ------------------------------------------------------------


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=2)  # lead + co


def _schema_errors(action, body, lang="zh-hans") -> dict:
    with translation.override(lang):
        try:
            parse_input(schemas.INPUTS[action], body)
        except Invalid as exc:
            return {k: [str(m) for m in v] for k, v in exc.field_errors.items()}
    return {}


def _api_errors(user, pk, action, body, lang="zh-hans") -> dict:
    r = ApiClient(issue_token(user), lang).act(pk, action, body)
    assert r.status_code == 422, (r.status_code, r.content)
    return r.json()["fields"]


BAD_BODIES = [
    ("submitted", "staff", "return_for_revision", {"reason": "   "}),
    ("submitted", "staff", "return_for_revision", {"reason": "退" * 2001}),
    ("submitted", "staff", "register", {"category": "nonsense", "is_key": "perhaps"}),
    ("submitted", "staff", "merge", {"into": "abc"}),
    ("submitted", "staff", "merge", {}),
    ("submitted", "staff", "convert", {"to": "", "reason": "x" * 2001}),
    ("submitted", "staff", "reject", {"reason_code": 3}),
    ("registered", "staff", "assign", {"units": [{"unit": 1, "role": "lead"}]}),
    ("registered", "staff", "assign", {"units": [{"unit": "abc", "role": "sole"}]}),
    ("registered", "staff", "assign", {}),
    ("registered", "staff", "mark_key", {"is_key": "perhaps", "leader": "abc"}),
    ("registered", "leader", "supervise", {"text": ""}),
    ("registered", "staff", "set_public", {"value": True, "replies": "maybe"}),
    ("handling", "staff", "urge", {"assignment": -1, "text": "催" * 2001}),
    ("handling", "unit", "consult", {"date": "2026-02-30", "form": "séance", "summary": " "}),
    ("handling", "unit", "request_extension", {"until": "next week"}),
    ("handling", "unit", "reply", {"outcome": "maybe", "text": "", "signed_by": "署" * 41}),
    ("replied", "proposer", "evaluate", {"verdict": "so-so", "reply": True}),
    ("replied", "staff", "rehandle", {"assignments": ["x"]}),
    ("replied", "staff", "mark_excellent", {"value": "sometimes"}),
]


@pytest.mark.parametrize("state,who,action,body", BAD_BODIES, ids=[f"{b[2]}-{i}" for i, b in enumerate(BAD_BODIES)])
def test_the_api_answers_bad_input_with_the_schemas_field_errors(actors, state, who, action, body):
    p, _ = walk_to(state, actors=actors)
    version = p.version
    user = {"staff": actors.staff, "leader": actors.leader, "proposer": actors.proposer,
            "unit": actors.unit_users[0]}[who]
    expected = _schema_errors(action, body)
    assert expected, "the body is bad"
    assert _api_errors(user, p.pk, action, body) == expected
    assert _api_errors(user, p.pk, action, body, lang="en") == _schema_errors(action, body, lang="en")
    with translation.override("zh-hans"), pytest.raises(Invalid) as exc:  # the service (what the pages call)
        services.proposal_act(actor=user, proposal=p.pk, action=action, data=body)
    assert {k: [str(m) for m in v] for k, v in exc.value.field_errors.items()} == expected
    p.refresh_from_db()
    assert p.state == state and p.version == version  # nothing was written


def _page_errors(user, pk, action, fields) -> dict:
    client = Client()
    client.force_login(user)
    response = client.post(reverse("proposals:act", args=[pk, action]), {f"{action}-{k}": v for k, v in fields.items()},
                           headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 200
    form = next(e["form"] for e in response.context["actions"] if e["action"] == action)
    return {name: list(messages) for name, messages in form.errors.items()}


def test_the_page_and_the_api_give_the_same_field_errors(actors):
    p, _ = walk_to("handling", actors=actors)
    unit_user = actors.unit_users[0]
    a = Assignment.objects.get(proposal=p, unit=actors.units[0])
    today = clock.today()
    cases = [
        ("consult", {"date": (today + datetime.timedelta(days=30)).isoformat(), "form": "meeting", "summary": "面商"}),
        ("request_extension", {"until": (a.due_date - datetime.timedelta(days=1)).isoformat(), "reason": "调研"}),
        ("consult", {"date": today.isoformat(), "form": "meeting", "summary": "   "}),
    ]
    for action, fields in cases:
        api = _api_errors(unit_user, p.pk, action, fields)
        assert api and _page_errors(unit_user, p.pk, action, fields) == api, action
    q, _ = walk_to("submitted", actors=actors)
    for fields in ({"reason": "  "},):
        api = _api_errors(actors.staff, q.pk, "return_for_revision", fields)
        assert api == _schema_errors("return_for_revision", fields)
        assert _page_errors(actors.staff, q.pk, "return_for_revision", fields) == api


def test_ids_that_name_nothing_are_refused_by_the_schema_before_any_query(django_assert_num_queries):
    for bad in (10**20, "abc", -1, 0, True, "1e3", 2**63):
        for action, name in (("urge", "assignment"), ("evaluate", "reply"), ("mark_key", "leader"),
                             ("merge", "into"), ("reassign", "unit"), ("approve_extension", "request")):
            with django_assert_num_queries(0):
                assert name in _schema_errors(action, {name: bad}), (action, name, bad)
        with django_assert_num_queries(0):
            assert "members" in _schema_errors("invite_cosigners", {"members": [3, bad]})
            assert "assignments" in _schema_errors("rehandle", {"assignments": [bad]})
            assert "units" in _schema_errors("assign", {"units": [{"unit": bad, "role": "sole"}]})


def test_every_action_has_its_named_service():
    """proposal_<action>(*, actor, proposal, …) for every transition, delegating to the one machine."""
    from xieshang.proposals import services, workflow

    for action in workflow.TRANSITIONS:
        service = getattr(services, f"proposal_{action}")
        assert service.__name__ == f"proposal_{action}"


@pytest.mark.django_db
def test_a_named_service_acts_through_the_machine(committee):
    from xieshang.core.models import Event
    from xieshang.proposals import services
    from xieshang.proposals.tests.factories import walk_to

    p, actors = walk_to("submitted", committee=committee)
    services.proposal_register(actor=actors.staff, proposal=p, is_key=True)
    p.refresh_from_db()
    assert p.state == "registered" and p.is_key
    assert Event.objects.filter(action="proposal.register", object_id=str(p.pk)).exists()
    with pytest.raises(services.Forbidden):
        services.proposal_assign(actor=actors.proposer, proposal=p, units=[])
