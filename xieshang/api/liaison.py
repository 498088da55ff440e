"""Endpoints of the liaison app (the line to the Party committee). Thin: parse, call one service or selector,
serialise. Writes go through xieshang.liaison.services, reads through xieshang.liaison.selectors, so the API
answers exactly as the pages do (office staff, administrators and leaders; anybody else: 404). An action's
body is validated by the action's one input schema (xieshang.liaison.workflow). Errors have the one shape
{"code", "message", "fields"}: 403 / 404 / 409 (illegal_transition, conflict) / 422.

    GET  /liaison/reports                         list (state, kind, year, q; sort; pages)
    POST /liaison/reports                         a draft: {"kind", "title", "body"} → 201
    GET  /liaison/reports/{id}                    detail with available_actions
    GET  /liaison/reports/{id}/events             the timeline
    POST /liaison/reports/{id}/actions/{action}   submit, approve, return, send, record_instruction, update, withdraw
    GET  /liaison/reports/{id}/document.docx      the report in the official layout
    GET  /liaison/reports/register.docx?year=     the year's register
    GET  /liaison/rules · POST /liaison/rules · GET /liaison/rules/{id} · …/events · POST …/revisions
    GET  /liaison/tasks · POST /liaison/tasks · GET /liaison/tasks/{id} · …/events · POST …/actions/{action}
    GET  /liaison/visits · POST /liaison/visits · GET /liaison/visits/{id} · …/events · POST …/suggestions
    GET  /liaison/suggestions/{id} · …/events · POST /liaison/suggestions/{id}/convert · POST …/actions/{action}
    GET  /liaison/stats?year=                     the year's figures (as `xieshang stats liaison`)
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any, Literal

from ninja import Field, Path, Query, Router, Schema

from xieshang.core.errors import NotFound
from xieshang.liaison import lists, selectors, services, stats
from xieshang.liaison.models import ReportKind, ReportState, TaskState

from .common import action_body, add_read_routes, committee_or_forbidden, event_out
from .errors import not_found_error
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["liaison"])


def _sorts(listdef):
    return Literal[listdef.sort_keys]  # type: ignore[valid-type]


class Page(Schema):
    items: list[dict[str, Any]]
    count: int
    page: int
    page_size: int


class Detail(Schema):
    id: int
    version: int
    data: dict[str, Any]
    available_actions: list[dict[str, str]] = []


class EventOut(Schema):
    id: int
    action: str
    label: str
    actor: str | None
    created_at: datetime.datetime
    from_state: str
    to_state: str
    from_label: str
    to_label: str
    payload: dict


class Paging(Schema):
    q: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=2000, le=2200)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class ReportFilters(Paging):
    state: Literal[tuple(ReportState.values)] | None = None  # type: ignore[valid-type]
    kind: Literal[tuple(ReportKind.values)] | None = None  # type: ignore[valid-type]
    sort: _sorts(lists.REPORTS) | None = None  # type: ignore[valid-type]


class RuleFilters(Paging):
    change: Literal["made", "revised"] | None = None
    sort: _sorts(lists.RULES) | None = None  # type: ignore[valid-type]


class TaskFilters(Paging):
    state: Literal[tuple(TaskState.values)] | None = None  # type: ignore[valid-type]
    late: bool = False
    sort: _sorts(lists.TASKS) | None = None  # type: ignore[valid-type]


class VisitFilters(Paging):
    leader: int | None = Field(None, ge=1, le=2**63 - 1)
    kind: str | None = Field(None, max_length=20, description="Only visits that met someone of this kind")
    mine: bool = False
    sort: _sorts(lists.VISITS) | None = None  # type: ignore[valid-type]


def _page(kind, listdef, qs, filters) -> dict:
    params = listdef.params(filters.dict())
    qs = listdef.order(lists.rows(kind, lists.filtered(kind, qs, params)), params.get("sort"))
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start:start + filters.page_size]) if start < count else []
    if kind == "suggestions":
        rows = selectors.with_targets(rows)
    return {"items": [OUT[kind](r) for r in rows], "count": count, "page": filters.page, "page_size": filters.page_size}


def _d(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def report_out(r) -> dict:
    return {"id": r.pk, "year": r.year, "number": r.number, "register_number": r.register_number, "kind": r.kind,
            "kind_label": r.get_kind_display(), "title": r.title, "state": r.state, "state_label": r.get_state_display(),
            "submitted_on": _d(r.submitted_on), "approved_on": _d(r.approved_on),
            "approved_by": r.approved_by.display_name if r.approved_by_id else None,
            "document_number": r.document_number, "sent_on": _d(r.sent_on), "instruction_by": r.instruction_by,
            "instruction_on": _d(r.instruction_on), "version": r.version}


def rule_out(r) -> dict:
    return {"id": r.pk, "title": r.title, "adopted_by": r.adopted_by, "adopted_on": _d(r.adopted_on),
            "revised_on": _d(r.revised_on), "versions": getattr(r, "n_versions", None), "version": r.version}


def task_out(t) -> dict:
    return {"id": t.pk, "year": t.year, "number": t.number, "title": t.title, "source_document": t.source_document,
            "owner_kind": t.owner_kind, "special_committee": t.special_committee_id, "owner": t.owner_name,
            "assigned_on": _d(t.assigned_on), "due_on": _d(t.due_on), "state": t.state,
            "state_label": t.get_state_display(), "done_on": _d(t.done_on), "late": lists.is_late(t),
            "version": t.version}


def visit_out(v) -> dict:
    return {"id": v.pk, "date": _d(v.date), "leader": v.leader_id, "leader_name": v.leader.display_name,
            "place": v.place, "subject": v.subject, "people": getattr(v, "n_people", None),
            "suggestions": getattr(v, "n_suggestions", None), "version": v.version}


def suggestion_out(s) -> dict:
    return {"id": s.pk, "visit": s.visit_id, "text": s.text, "state": s.state, "state_label": s.get_state_display(),
            "target_kind": s.target_kind or None, "target": getattr(s, "target", None) or selectors.target_of(s),
            "converted_on": _d(s.converted_on), "note": s.note, "version": s.version}


OUT = {"reports": report_out, "rules": rule_out, "tasks": task_out, "visits": visit_out, "suggestions": suggestion_out}


def _actions(transitions) -> list[dict]:
    return [{"action": t.action, "label": str(t.label)} for t in transitions]


def _report_detail(user, r) -> dict:
    data = {**report_out(r), "body": r.body, "return_reason": r.return_reason, "instruction": r.instruction,
            "created_by": r.created_by.display_name}
    return {"id": r.pk, "version": r.version, "data": data, "available_actions": _actions(selectors.report_actions(user, r))}


def _task_detail(user, t) -> dict:
    origin = selectors.origin_of(t)
    data = {**task_out(t), "content": t.content, "result": t.result,
            "notes": [{"date": _d(n.date), "text": n.text, "author": n.author.display_name} for n in t.notes.all()],
            "from_suggestion": origin.pk if origin else None}
    return {"id": t.pk, "version": t.version, "data": data, "available_actions": _actions(selectors.task_actions(user, t))}


def _rule_detail(user, r) -> dict:
    from xieshang.core.attachments import attachments_of

    versions = [{"number": v.number, "date": _d(v.date), "meeting": v.meeting, "note": v.note,
                 "files": [a.original_name for a in attachments_of(v)]} for v in r.versions.order_by("number")]
    return {"id": r.pk, "version": r.version, "data": {**rule_out(r), "versions": versions}, "available_actions": []}


def _visit_detail(user, v) -> dict:
    data = {**visit_out(v), "heard": v.heard,
            "people": [{"kind": p.kind, "name": p.name, "affiliation": p.affiliation} for p in v.people.all()],
            "companions": [m.pk for m in v.companions.all()],
            "suggestions": [suggestion_out(s) for s in selectors.with_targets(v.suggestions.order_by("id"))]}
    data["people_count"] = len(data["people"])
    data["suggestion_count"] = len(data["suggestions"])
    return {"id": v.pk, "version": v.version, "data": data, "available_actions": []}


def _suggestion_detail(user, s) -> dict:
    return {"id": s.pk, "version": s.version, "data": suggestion_out(s),
            "available_actions": _actions(selectors.suggestion_actions(user, s))}


def _body(request):
    return action_body(request, form_value=lambda key, values: values[-1])


def _timeline(obj) -> list[dict]:
    return [event_out(e) for e in selectors.timeline_of(obj)]


def _lister(kind, listdef, visible):
    """The `page` of add_read_routes: one page of the rows `visible(user, committee)`."""
    return lambda user, committee, filters: _page(kind, listdef, visible(user, committee), filters)


# The read endpoints (list, one item, timeline) of a resource whose bodies are only the selector's answer.
_reads = partial(add_read_routes, router, committee=committee_or_forbidden, schema=Detail, timeline=_timeline,
                 event_schema=EventOut, page_schema=Page)


ACTION_BODY = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True,
    "description": "The action's fields (its input schema in xieshang/liaison/workflow.py), plus an optional "
                   "`expected_version` (or an `If-Match` header): a stale version gives 409 `conflict`."}}}}
CREATE_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True,
    "description": "The fields of the create schema in xieshang/liaison/workflow.py."}}}}


# --- Reports -------------------------------------------------------------------------------------------------------


_reads(path="/reports", operation_id="liaison_reports", name="reports", get=selectors.report_get, out=_report_detail,
       summary="One report", events_summary="A report's timeline", filters=ReportFilters,
       list_summary="Reports to the Party committee",
       page=_lister("reports", lists.REPORTS, selectors.reports_visible_to))


@router.post("/reports", response={201: Detail, **ERRORS}, summary="Draft a report", operation_id="liaison_reports_create",
             openapi_extra={"requestBody": CREATE_BODY})
def reports_create(request):
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    report = services.report_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _report_detail(request.auth, selectors.report_get(request.auth, committee, report.pk)))


@router.get("/reports/register.docx", response={200: None, **ERRORS}, summary="The year's register as Word",
            operation_id="liaison_register_docx")
def register_docx(request, year: int | None = Query(None, ge=2000, le=2200)):
    from xieshang.core import clock
    from xieshang.liaison import documents
    from xieshang.core.screens import docx_response

    committee = committee_or_forbidden(request)
    if not selectors.is_reader(request.auth, committee):
        raise NotFound()
    year = year or clock.today().year
    return docx_response(documents.register_docx(committee, year), documents.register_filename(year))


@router.get("/reports/{int:id}/document.docx", response={200: None, **ERRORS}, summary="The report as Word",
            operation_id="liaison_report_docx")
def report_docx(request, id: int):
    from xieshang.liaison import documents
    from xieshang.core.screens import docx_response

    committee = committee_or_forbidden(request)
    found = selectors.report_get(request.auth, committee, id)
    return docx_response(documents.report_docx(found), documents.report_filename(found))


@router.post("/reports/{int:id}/actions/{action}", response={200: Detail, **ERRORS, 400: ErrorOut},
             summary="A report's workflow action", operation_id="liaison_reports_act",
             openapi_extra={"requestBody": ACTION_BODY})
def reports_act(request, id: int, action: str = Path(..., description="One of: submit, approve, return, send, "
                                                                     "record_instruction, update, withdraw")):
    if action not in services.REPORT_MACHINE:
        raise not_found_error()
    committee = committee_or_forbidden(request)
    found = selectors.report_get(request.auth, committee, id)
    data, version = _body(request)
    services.report_act(actor=request.auth, report=found, action=action, data=data, expected_version=version)
    return _report_detail(request.auth, selectors.report_get(request.auth, committee, id))


# --- Rules ---------------------------------------------------------------------------------------------------------


_reads(path="/rules", operation_id="liaison_rules", name="rules", get=selectors.rule_get, out=_rule_detail,
       summary="One rule", events_summary="A rule's timeline", filters=RuleFilters, list_summary="Working rules",
       page=_lister("rules", lists.RULES, selectors.rules_visible_to))


@router.post("/rules", response={201: Detail, **ERRORS}, summary="Record a rule made", operation_id="liaison_rules_create",
             openapi_extra={"requestBody": CREATE_BODY})
def rules_create(request):
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    rule = services.rule_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _rule_detail(request.auth, selectors.rule_get(request.auth, committee, rule.pk)))


@router.post("/rules/{int:id}/revisions", response={200: Detail, **ERRORS}, summary="Record a revision",
             operation_id="liaison_rules_revise", openapi_extra={"requestBody": ACTION_BODY})
def rules_revise(request, id: int):
    committee = committee_or_forbidden(request)
    found = selectors.rule_get(request.auth, committee, id)
    data, version = _body(request)
    services.rule_revise(actor=request.auth, rule=found, data=data, expected_version=version)
    return _rule_detail(request.auth, selectors.rule_get(request.auth, committee, id))


# --- Tasks ---------------------------------------------------------------------------------------------------------


_reads(path="/tasks", operation_id="liaison_tasks", name="tasks", get=selectors.task_get, out=_task_detail,
       summary="One task", events_summary="A task's timeline", filters=TaskFilters, list_summary="Assigned tasks",
       page=_lister("tasks", lists.TASKS, selectors.tasks_visible_to))


@router.post("/tasks", response={201: Detail, **ERRORS}, summary="Record a task", operation_id="liaison_tasks_create",
             openapi_extra={"requestBody": CREATE_BODY})
def tasks_create(request):
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    task = services.task_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _task_detail(request.auth, selectors.task_get(request.auth, committee, task.pk)))


@router.post("/tasks/{int:id}/actions/{action}", response={200: Detail, **ERRORS, 400: ErrorOut},
             summary="A task's workflow action", operation_id="liaison_tasks_act",
             openapi_extra={"requestBody": ACTION_BODY})
def tasks_act(request, id: int, action: str = Path(..., description="One of: note, complete, extend, cancel, reopen")):
    if action not in services.TASK_MACHINE:
        raise not_found_error()
    committee = committee_or_forbidden(request)
    found = selectors.task_get(request.auth, committee, id)
    data, version = _body(request)
    services.task_act(actor=request.auth, task=found, action=action, data=data, expected_version=version)
    return _task_detail(request.auth, selectors.task_get(request.auth, committee, id))


# --- Visits and suggestions ----------------------------------------------------------------------------------------


@router.get("/visits", response={200: Page, **ERRORS}, summary="Contact visits", operation_id="liaison_visits_list")
def visits_list(request, filters: Query[VisitFilters]):
    committee = committee_or_forbidden(request)
    qs = selectors.visits_visible_to(request.auth, committee)
    if filters.mine:
        qs = qs.filter(leader=request.auth)
    return _page("visits", lists.VISITS, qs, filters)


@router.post("/visits", response={201: Detail, **ERRORS}, summary="Record a visit", operation_id="liaison_visits_create",
             openapi_extra={"requestBody": CREATE_BODY})
def visits_create(request):
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    visit = services.visit_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _visit_detail(request.auth, selectors.visit_get(request.auth, committee, visit.pk)))


_reads(path="/visits", operation_id="liaison_visits", name="visits", get=selectors.visit_get, out=_visit_detail,
       summary="One visit", events_summary="A visit's timeline")


@router.post("/visits/{int:id}/suggestions", response={201: Detail, **ERRORS}, summary="Add a suggestion",
             operation_id="liaison_visits_suggestion_add", openapi_extra={"requestBody": CREATE_BODY})
def visits_suggestion_add(request, id: int):
    committee = committee_or_forbidden(request)
    found = selectors.visit_get(request.auth, committee, id)
    data, _version = _body(request)
    row = services.suggestion_add(actor=request.auth, visit=found, data=data)
    return Status(201, _suggestion_detail(request.auth, selectors.suggestion_get(request.auth, committee, row.pk)))


_reads(path="/suggestions", operation_id="liaison_suggestions", name="suggestions", get=selectors.suggestion_get,
       out=_suggestion_detail, summary="One suggestion and what it became", events_summary="A suggestion's timeline")


@router.post("/suggestions/{int:id}/convert", response={200: Detail, **ERRORS, 400: ErrorOut},
             summary="Turn a suggestion into a demand, a proposal or opinion draft, or a task",
             operation_id="liaison_suggestions_convert", openapi_extra={"requestBody": ACTION_BODY})
def suggestions_convert(request, id: int):
    """`{"to": "demand" | "proposal" | "opinion" | "task", "member", "place", "title", "owner_kind",
    "special_committee", "due_on"}` (SuggestionConvertInput). The visiting leader or the office."""
    return _suggestion_act(request, id, "convert")


@router.post("/suggestions/{int:id}/actions/{action}", response={200: Detail, **ERRORS, 400: ErrorOut},
             summary="A suggestion's action", operation_id="liaison_suggestions_act",
             openapi_extra={"requestBody": ACTION_BODY})
def suggestions_act(request, id: int, action: str = Path(..., description="One of: convert, note, reopen")):
    return _suggestion_act(request, id, action)


def _suggestion_act(request, id, action):
    if action not in services.SUGGESTION_MACHINE:
        raise not_found_error()
    committee = committee_or_forbidden(request)
    found = selectors.suggestion_get(request.auth, committee, id)
    data, version = _body(request)
    services.suggestion_act(actor=request.auth, suggestion=found, action=action, data=data, expected_version=version)
    return _suggestion_detail(request.auth, selectors.suggestion_get(request.auth, committee, id))


@router.get("/stats", response={200: dict[str, Any], **ERRORS}, summary="The year's figures",
            operation_id="liaison_stats")
def liaison_stats(request, year: int | None = Query(None, ge=2000, le=2200)):
    from xieshang.core import clock

    committee = committee_or_forbidden(request)
    if not selectors.is_reader(request.auth, committee):
        raise NotFound()
    return stats.figures(committee, year or clock.today().year)

