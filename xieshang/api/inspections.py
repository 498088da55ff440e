"""Endpoints of the inspections app (视察 / 考察 / 调研, 民主监督, 特邀监督员), mounted at /api/v1/consultation.
Thin: parse, call one service or selector of xieshang.inspections, serialise — the API answers as the pages do.

    GET  /consultation/inspections                          list (filters year, kind, state, group; pages)
    POST /consultation/inspections                          put one in the plan (office): InspectionInput → 201
    GET  /consultation/inspections/{id}                     detail: team, visits, recommendations with answers,
                                                            available actions
    GET  /consultation/inspections/{id}/events              the timeline
    POST /consultation/inspections/{id}/actions/{action}    update, set_team, add_visit, start, record_findings,
                                                            add_recommendation, draft_report, send_report, answer,
                                                            close, cancel
    GET  /consultation/supervision                          supervision items (filters year, state; pages)
    POST /consultation/supervision                          a new item (office): SupervisionInput → 201
    GET  /consultation/supervision/{id}                     detail: team, recommendations with answers, available
                                                            actions
    GET  /consultation/supervision/{id}/events
    POST /consultation/supervision/{id}/actions/{action}    update, set_team, start, record_findings,
                                                            add_recommendation, report, answer, close, cancel
    GET  /consultation/special-supervisors                  appointments (office, leaders: all; a member: own)
    POST /consultation/special-supervisors                  appoint (office): SupervisorInput → 201
    GET  /consultation/special-supervisors/{id}             with the reports
    POST /consultation/special-supervisors/{id}/update      change the appointment (office)
    POST /consultation/special-supervisors/{id}/reports     {"date"?, "title", "text"}: the supervisor or the office → 201
    GET  /consultation/{inspections|supervision}/{id}/files           the item's files: whoever sees the item
    POST /consultation/{inspections|supervision}/{id}/files           multipart `file`, `purpose`? (report, photo,
                                                                      material): the office → 201
    GET  /consultation/{inspections|supervision}/{id}/files/{file_id} download: whoever sees the item
    DELETE /consultation/{inspections|supervision}/{id}/files/{file_id}  remove (the office) → 204
    GET  /consultation/inspections/plan-approvals/{year}    the year's plan's approval (office, leaders; version 0 and
                                                            `recorded: false` before any); ETag: the version
    PUT  /consultation/inspections/plan-approvals/{year}    record or correct it (office): PlanApprovalInput and
                                                            `expected_version` (or If-Match; 0: none seen)

Errors as the proposals API: 401, 403, 404, 409 (`illegal_transition`, `conflict`, `plan_approved`), 422 with
`fields` (an upload refused for its type or size too: 422 on `file`, as the desk's form answers).
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from xieshang.core import search
from xieshang.core.errors import Forbidden
from xieshang.inspections import selectors, workflow
from xieshang.inspections.models import FilePurpose, InspectionKind, InspectionState, SupervisionState

from .auth import committee_for
from .common import action_body, add_read_routes, committee_or_forbidden, labelled_timeline, upload_refusals
from .errors import not_found_error
from .opinions import ActionOut, EventOut
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["inspections"])

KindValue = Literal[tuple(InspectionKind.values)]  # type: ignore[valid-type]
StateValue = Literal[tuple(InspectionState.values)]  # type: ignore[valid-type]
SupervisionStateValue = Literal[tuple(SupervisionState.values)]  # type: ignore[valid-type]
GroupValue = Literal[tuple(workflow.GROUPS)]  # type: ignore[valid-type]
ID_KEYS = ("leaders", "members", "member", "unit", "recommendation", "author", "lead_leader", "special_committee")


def _services():
    from xieshang.inspections import services

    return services


# --- Schemas ---------------------------------------------------------------------------------------------


class PageFilters(Schema):
    year: int | None = Field(None, ge=1949, le=2200)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class TextFilters(PageFilters):
    q: str | None = Field(None, max_length=100, description="words of the topic, purpose, findings or report")


class InspectionFilters(TextFilters):
    kind: KindValue | None = None  # type: ignore[valid-type]
    state: StateValue | None = None  # type: ignore[valid-type]
    group: GroupValue | None = Field(None, description="in_plan, took_place, open, sent, final")  # type: ignore[valid-type]


class SupervisionFilters(TextFilters):
    state: SupervisionStateValue | None = None  # type: ignore[valid-type]


class TeamOut(Schema):
    member: int
    name: str
    role: str


class VisitOut(Schema):
    id: int
    date: datetime.date
    place: str
    units: str


class RecommendationOut(Schema):
    id: int
    number: int
    text: str
    recipient: str
    answer: str
    answered_on: datetime.date | None
    adopted: bool | None


class InspectionItem(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    year: int
    planned_month: int
    special_committee: int | None
    lead_leader: int | None
    state: str
    state_label: str
    version: int


class InspectionPage(Schema):
    items: list[InspectionItem]
    count: int
    page: int
    page_size: int


class InspectionOut(InspectionItem):
    purpose: str
    findings: str
    report_title: str
    report_text: str
    report_author: int | None
    recipients: str
    report_sent_on: datetime.date | None
    started_on: datetime.date | None
    closed_on: datetime.date | None
    cancel_reason: str
    team: list[TeamOut]
    visits: list[VisitOut]
    recommendations: list[RecommendationOut]
    available_actions: list[ActionOut]


class SupervisionItemOut(Schema):
    id: int
    title: str
    body: str
    year: int
    special_committee: int | None
    state: str
    state_label: str
    version: int


class SupervisionPage(Schema):
    items: list[SupervisionItemOut]
    count: int
    page: int
    page_size: int


class SupervisionDetailOut(SupervisionItemOut):
    purpose: str
    findings: str
    report_text: str
    reported_on: datetime.date | None
    follow_up: str
    started_on: datetime.date | None
    cancel_reason: str
    team: list[TeamOut]
    recommendations: list[RecommendationOut]
    available_actions: list[ActionOut]


class SupervisorReportOut(Schema):
    id: int
    date: datetime.date
    title: str
    text: str


class SupervisorOut(Schema):
    id: int
    member: int
    name: str
    unit: int
    unit_name: str
    requested_on: datetime.date | None
    term_start: datetime.date
    term_end: datetime.date
    note: str
    version: int


class SupervisorPage(Schema):
    items: list[SupervisorOut]
    count: int
    page: int
    page_size: int


class SupervisorDetailOut(SupervisorOut):
    reports: list[SupervisorReportOut]


def _team(obj) -> list[dict]:
    return [{"member": t.member_id, "name": t.member.name, "role": t.role} for t in selectors.team_of(obj)]


def _recommendations(obj) -> list[dict]:
    """RecommendationOut of an inspection's or a supervision item's recommendations, by number."""
    return [{"id": r.pk, "number": r.number, "text": r.text, "recipient": r.recipient, "answer": r.answer,
             "answered_on": r.answered_on, "adopted": r.adopted} for r in selectors.recommendations_of(obj)]


def inspection_item(i) -> dict:
    return {"id": i.pk, "kind": i.kind, "kind_label": i.get_kind_display(), "title": i.title, "year": i.year,
            "planned_month": i.planned_month, "special_committee": i.special_committee_id,
            "lead_leader": i.lead_leader_id, "state": i.state, "state_label": i.get_state_display(),
            "version": i.version}


def inspection_out(user, i) -> dict:
    return {
        **inspection_item(i), "purpose": i.purpose, "findings": i.findings, "report_title": i.report_title,
        "report_text": i.report_text, "report_author": i.report_author_id, "recipients": i.recipients,
        "report_sent_on": i.report_sent_on, "started_on": i.started_on, "closed_on": i.closed_on,
        "cancel_reason": i.cancel_reason, "team": _team(i),
        "visits": [{"id": v.pk, "date": v.date, "place": v.place, "units": v.units} for v in i.visits.all()],
        "recommendations": _recommendations(i),
        "available_actions": [{"action": t.action, "label": str(t.label)} for t in selectors.inspection_actions(user, i)],
    }


def supervision_item(s) -> dict:
    return {"id": s.pk, "title": s.title, "body": s.body, "year": s.year, "special_committee": s.special_committee_id,
            "state": s.state, "state_label": s.get_state_display(), "version": s.version}


def supervision_out(user, s) -> dict:
    return {**supervision_item(s), "purpose": s.purpose, "findings": s.findings, "report_text": s.report_text,
            "reported_on": s.reported_on, "follow_up": s.follow_up, "started_on": s.started_on,
            "cancel_reason": s.cancel_reason, "team": _team(s), "recommendations": _recommendations(s),
            "available_actions": [{"action": t.action, "label": str(t.label)}
                                  for t in selectors.supervision_actions(user, s)]}


def supervisor_out(s, *, reports=False) -> dict:
    out = {"id": s.pk, "member": s.member_id, "name": s.member.name, "unit": s.unit_id, "unit_name": s.unit.name,
           "requested_on": s.requested_on, "term_start": s.term_start, "term_end": s.term_end, "note": s.note,
           "version": s.version}
    if reports:
        out["reports"] = [{"id": r.pk, "date": r.date, "title": r.title, "text": r.text} for r in s.reports.all()]
    return out


def _list_value(key: str, values: list[str]):
    return values if key in ("leaders", "members") else values[-1]


def _body(request) -> tuple[dict, object]:
    return action_body(request, form_value=_list_value, id_keys=ID_KEYS)


def _doc(example: dict) -> dict:
    return {"required": False, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": True,
        "description": "The fields (their input schema in xieshang/inspections/workflow.py); for actions an optional "
                       "`expected_version` (or an `If-Match` header): a stale version gives 409 `conflict`.",
        "example": example}}}}


def _page(qs, filters, item) -> dict:
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start:start + filters.page_size]) if start < count else []
    return {"items": [item(r) for r in rows], "count": count, "page": filters.page, "page_size": filters.page_size}


def _empty(filters) -> dict:
    return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}


def _inspection_events(obj) -> list[dict]:
    return labelled_timeline(obj, label=selectors.event_label, state_label=_services().MACHINE.state_label)


def _supervision_events(obj) -> list[dict]:
    return labelled_timeline(obj, label=selectors.event_label, state_label=_services().SUPERVISION_MACHINE.state_label)


def _inspection(request, pk) -> dict:
    return inspection_out(request.auth, selectors.inspection_get(request.auth, committee_for(request), pk))


def _supervision(request, pk) -> dict:
    return supervision_out(request.auth, selectors.supervision_get(request.auth, committee_for(request), pk))


# --- Inspections --------------------------------------------------------------------------------------------


@router.get("/inspections", response={200: InspectionPage, **ERRORS}, summary="Inspections and research",
            operation_id="inspections_list")
def inspection_list(request, filters: Query[InspectionFilters]):
    """The inspections the caller may see (office and leaders: all; a member: those whose team they are on), in
    the plan's order, filtered by year, kind, state or state group, paginated."""
    committee = committee_for(request)
    if committee is None:
        return _empty(filters)
    qs = selectors.inspections_visible_to(request.auth, committee)
    for key in ("year", "kind", "state"):
        if getattr(filters, key):
            qs = qs.filter(**{key: getattr(filters, key)})
    if filters.group:
        qs = qs.filter(state__in=workflow.GROUPS[filters.group])
    qs = search.filter_by_text(qs, "inspection", filters.q, committee=committee)
    return _page(qs.order_by("-year", "planned_month", "id"), filters, inspection_item)


@router.post("/inspections", response={201: InspectionOut, **ERRORS, 400: ErrorOut}, summary="Put an inspection in the plan",
             operation_id="inspections_create", openapi_extra={"requestBody": _doc(
                 {"kind": "research", "title": "数字农业发展情况调研", "year": 2026, "planned_month": 5,
                  "purpose": "了解全州数字农业发展现状", "special_committee": 1})})
def inspection_create(request):
    """Office staff: `{"kind", "title", "year", "planned_month", "purpose"?, "lead_leader"?, "special_committee"?}`
    → 201. 422 with `fields` for a month in the past, a leader or special committee of another committee."""
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    row = _services().inspection_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _inspection(request, row.pk))


add_read_routes(router, path="/inspections", operation_id="inspections", name="inspection",
                get=selectors.inspection_get, out=inspection_out, schema=InspectionOut, summary="One inspection",
                timeline=_inspection_events, event_schema=EventOut, events_summary="An inspection's timeline")


@router.post("/inspections/{int:id}/actions/{action}", response={200: InspectionOut, **ERRORS, 400: ErrorOut},
             summary="Carry out an inspection action", operation_id="inspections_act",
             openapi_extra={"requestBody": _doc({"recommendation": 1, "answer": "已采纳，列入年度工作要点。",
                                                 "adopted": True, "expected_version": 7})})
def inspection_action(request, id: int, action: str = Path(..., description="One of: " + ", ".join(workflow.ACTIONS),
                                                            example="start")):
    """update (InspectionInput), set_team (`{"leaders", "members"}`), add_visit (`{"date", "place", "units"?}`),
    start, record_findings (`{"findings"}`), add_recommendation (`{"text", "recipient"?}`), draft_report
    (`{"report_title", "report_text", "author"?}`), send_report (`{"recipients"?, "sent_on"?}`), answer
    (`{"recommendation", "answer", "answered_on"?, "adopted"}`), close, cancel (`{"reason"}`). 409
    `illegal_transition` in the wrong state (`conflict` for a stale version), 422 with `fields` or a guard's
    message (no team, no visit, no recommendation, unanswered recommendations), 403, 404."""
    services = _services()
    if action not in services.MACHINE:
        raise not_found_error()
    inspection = selectors.inspection_get(request.auth, committee_for(request), id)
    data, version = _body(request)
    services.inspection_act(actor=request.auth, inspection=inspection, action=action, data=data,
                            expected_version=version)
    return _inspection(request, id)


# --- Democratic supervision ---------------------------------------------------------------------------------


@router.get("/supervision", response={200: SupervisionPage, **ERRORS}, summary="Democratic supervision items",
            operation_id="supervision_list")
def supervision_list(request, filters: Query[SupervisionFilters]):
    committee = committee_for(request)
    if committee is None:
        return _empty(filters)
    qs = selectors.supervision_visible_to(request.auth, committee)
    for key in ("year", "state"):
        if getattr(filters, key):
            qs = qs.filter(**{key: getattr(filters, key)})
    qs = search.filter_by_text(qs, "supervision", filters.q, committee=committee)
    return _page(qs.order_by("-year", "-id"), filters, supervision_item)


@router.post("/supervision", response={201: SupervisionDetailOut, **ERRORS, 400: ErrorOut}, summary="A new supervision item",
             operation_id="supervision_create", openapi_extra={"requestBody": _doc(
                 {"title": "普惠托育服务政策落实情况", "body": "州卫生健康委", "year": 2026})})
def supervision_create(request):
    """Office staff: `{"title", "body", "year", "purpose"?, "special_committee"?}` → 201; 422 for a past year."""
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    row = _services().supervision_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _supervision(request, row.pk))


add_read_routes(router, path="/supervision", operation_id="supervision", name="supervision",
                get=selectors.supervision_get, out=supervision_out, schema=SupervisionDetailOut,
                summary="One supervision item", timeline=_supervision_events, event_schema=EventOut,
                events_summary="A supervision item's timeline")


@router.post("/supervision/{int:id}/actions/{action}", response={200: SupervisionDetailOut, **ERRORS, 400: ErrorOut},
             summary="Carry out a supervision action", operation_id="supervision_act",
             openapi_extra={"requestBody": _doc({"report_text": "……", "expected_version": 4})})
def supervision_action(request, id: int, action: str = Path(
        ..., description="One of: " + ", ".join(workflow.SUPERVISION_ACTIONS), example="start")):
    """update (SupervisionInput), set_team, start, record_findings, add_recommendation (`{"text", "recipient"?}`,
    while under way), report (`{"report_text", "reported_on"?}`: opens one answer deadline per recommendation),
    answer (`{"recommendation", "answer", "answered_on"?, "adopted"}`, while reported; the date between the report's
    and today), close (`{"follow_up"}`; 422 `unanswered` while a recommendation waits for its answer), cancel
    (`{"reason"}`). The codes as for inspections."""
    services = _services()
    if action not in services.SUPERVISION_MACHINE:
        raise not_found_error()
    item = selectors.supervision_get(request.auth, committee_for(request), id)
    data, version = _body(request)
    services.supervision_act(actor=request.auth, item=item, action=action, data=data, expected_version=version)
    return _supervision(request, id)


# --- Special supervisors ----------------------------------------------------------------------------------------


@router.get("/special-supervisors", response={200: SupervisorPage, **ERRORS}, summary="Special supervisors",
            operation_id="special_supervisors_list")
def supervisor_list(request, filters: Query[PageFilters]):
    """Appointments (office and leaders: all; a member: their own), newest term first; `year`: terms running in it."""
    committee = committee_for(request)
    if committee is None:
        return _empty(filters)
    qs = selectors.supervisors_visible_to(request.auth, committee)
    if filters.year:
        qs = qs.filter(term_start__year__lte=filters.year, term_end__year__gte=filters.year)
    return _page(qs.order_by("-term_start", "id"), filters, supervisor_out)


@router.post("/special-supervisors", response={201: SupervisorDetailOut, **ERRORS, 400: ErrorOut},
             summary="Appoint a special supervisor", operation_id="special_supervisors_create",
             openapi_extra={"requestBody": _doc({"member": 1, "unit": 2, "term_start": "2026-01-01",
                                                 "term_end": "2027-12-31"})})
def supervisor_create(request):
    """Office staff: `{"member", "unit", "requested_on"?, "term_start", "term_end", "note"?}` → 201; 422 when the
    term does not end after it starts, or has already ended."""
    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    row = _services().supervisor_appoint(actor=request.auth, committee=committee, data=data)
    return Status(201, supervisor_out(selectors.supervisor_get(request.auth, committee, row.pk), reports=True))


@router.get("/special-supervisors/{int:id}", response={200: SupervisorDetailOut, **ERRORS},
            summary="One special supervisor", operation_id="special_supervisors_get")
def supervisor_detail(request, id: int):
    return supervisor_out(selectors.supervisor_get(request.auth, committee_for(request), id), reports=True)


@router.post("/special-supervisors/{int:id}/update", response={200: SupervisorDetailOut, **ERRORS, 400: ErrorOut},
             summary="Change an appointment", operation_id="special_supervisors_update",
             openapi_extra={"requestBody": _doc({"member": 1, "unit": 2, "term_start": "2026-01-01",
                                                 "term_end": "2028-12-31", "expected_version": 1})})
def supervisor_update(request, id: int):
    committee = committee_for(request)
    row = selectors.supervisor_get(request.auth, committee, id)
    data, version = _body(request)
    _services().supervisor_update(actor=request.auth, supervisor=row, data=data, expected_version=version)
    return supervisor_out(selectors.supervisor_get(request.auth, committee, id), reports=True)


@router.post("/special-supervisors/{int:id}/reports", response={201: SupervisorReportOut, **ERRORS, 400: ErrorOut},
             summary="Record a special supervisor's report", operation_id="special_supervisors_report",
             openapi_extra={"requestBody": _doc({"date": "2026-06-30", "title": "上半年监督工作报告", "text": "……"})})
def supervisor_report(request, id: int):
    """The supervisor themself or the office: `{"date"?, "title", "text"}` → 201; the date within the term and not
    in the future (422)."""
    row = selectors.supervisor_get(request.auth, committee_for(request), id)
    data, _version = _body(request)
    r = _services().supervisor_report_add(actor=request.auth, supervisor=row, data=data)
    return Status(201, {"id": r.pk, "date": r.date, "title": r.title, "text": r.text})


# --- Attached files (services.attachment_add / attachment_remove, selectors.files_of) -------------------------

PurposeValue = Literal[tuple(FilePurpose.values)]  # type: ignore[valid-type]
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "purpose": {"type": "string", "enum": list(FilePurpose.values), "default": FilePurpose.MATERIAL,
                               "description": "report (报告文稿), photo (视察照片: JPEG or PNG), material (调研材料)"}}}}}}}


class InspectionFileOut(Schema):
    id: int
    name: str = Field(..., description="The file's name as uploaded (made safe)")
    size: int = Field(..., description="Bytes")
    content_type: str
    purpose: PurposeValue  # type: ignore[valid-type]
    purpose_label: str
    uploaded_by: str
    uploaded_at: datetime.datetime
    url: str = Field(..., description="Download it (the same 404 as a missing file for a caller who may not see the item)")


def file_out(row, url_name: str, obj) -> dict:
    from xieshang.core.attachments import content_type_of

    return {"id": row.pk, "name": row.original_name, "size": row.size, "content_type": content_type_of(row),
            "purpose": row.purpose if row.purpose in FilePurpose.values else FilePurpose.MATERIAL,
            "purpose_label": str(getattr(row, "purpose_label", "") or dict(FilePurpose.choices).get(row.purpose, "")),
            "uploaded_by": row.uploaded_by.display_name, "uploaded_at": row.uploaded_at,
            "url": reverse(f"api:{url_name}", kwargs={"id": obj.pk, "file_id": row.pk})}


def add_file_routes(*, path: str, operation_id: str, name: str, get, noun: str) -> None:
    """The files of a resource at `path` (`get(user, committee, id)`: the item or 404): list, upload (multipart,
    the office: 403 before the upload is read for those who only read, 415 / 413 for a file refused for its type /
    size, 422 on `file` or `purpose` otherwise), download (whoever sees the item) and remove (the office). Views and URL names `{name}_files`, `{name}_file_add`,
    `{name}_file` (the download's URL name), `{name}_file_remove`."""
    download_name = f"{name}_file"

    def files(request, id: int):
        obj = get(request.auth, committee_for(request), id)
        return [file_out(row, download_name, obj) for row in selectors.files_of(obj)]

    def file_add(request, id: int):
        services = _services()
        obj = get(request.auth, committee_for(request), id)
        if not services.may_attach(request.auth, obj):  # 403 before the upload is read
            raise Forbidden()
        with upload_refusals():
            row = services.attachment_add(actor=request.auth, obj=obj, file=request.FILES.get("file"),
                                          purpose=request.POST.get("purpose") or FilePurpose.MATERIAL)
        return Status(201, file_out(row, download_name, obj))

    def file_download(request, id: int, file_id: int):
        from xieshang.core.attachments import attachment_download

        obj = get(request.auth, committee_for(request), id)  # whoever sees the item has its files
        return attachment_download(obj, file_id, visible=True)

    def file_remove(request, id: int, file_id: int):
        obj = get(request.auth, committee_for(request), id)
        _services().attachment_remove(actor=request.auth, obj=obj, attachment=file_id)
        return Status(204, None)

    for view, view_name in ((files, f"{name}_files"), (file_add, f"{name}_file_add"),
                            (file_download, download_name), (file_remove, f"{name}_file_remove")):
        view.__name__ = view.__qualname__ = view_name
    files.__doc__ = f"The files of {noun} (report document, photos of visits, findings material), oldest first: " \
                    "whoever may see it (404 for anyone else)."
    file_add.__doc__ = (f"Attach a file to {noun} (multipart: `file`, `purpose` report, photo or material; a photo "
                        "is JPEG or PNG): the office. 403 for leaders and team members (they read), 404 for anyone "
                        "who may not see it, 415 for a type (or content) not accepted, 413 above the size limit "
                        "(XIESHANG_MAX_UPLOAD_MB), 422 on `file` without a file, on `purpose` for an unknown one.")
    file_remove.__doc__ = f"Remove one of the files of {noun}: the office (403 for those who read; 404 as above)."
    router.get(f"{path}/{{int:id}}/files", response={200: list[InspectionFileOut], **ERRORS},
               summary=f"The files of {noun}", operation_id=f"{operation_id}_files")(files)
    router.post(f"{path}/{{int:id}}/files", response={201: InspectionFileOut, **ERRORS, 413: ErrorOut, 415: ErrorOut},
                summary=f"Attach a file to {noun}", operation_id=f"{operation_id}_file_add",
                openapi_extra=UPLOAD_BODY)(file_add)
    router.get(f"{path}/{{int:id}}/files/{{int:file_id}}", response={200: None, **ERRORS},
               summary=f"A file of {noun}", operation_id=f"{operation_id}_file", url_name=download_name)(file_download)
    router.delete(f"{path}/{{int:id}}/files/{{int:file_id}}", response={204: None, **ERRORS},
                  summary=f"Remove a file of {noun}", operation_id=f"{operation_id}_file_remove")(file_remove)


add_file_routes(path="/inspections", operation_id="inspections", name="inspection", get=selectors.inspection_get,
                noun="an inspection")
add_file_routes(path="/supervision", operation_id="supervision", name="supervision", get=selectors.supervision_get,
                noun="a supervision item")


# --- The year's plan's approval (services.plan_approval_record, selectors.plan_approval) ------------------------


class PlanApprovalOut(Schema):
    year: int
    recorded: bool = Field(..., description="False until the chairpersons' meeting's approval is recorded")
    final: bool = Field(..., description="The Party committee's approval is recorded: the record no longer changes")
    chair_approved_on: datetime.date | None
    chair_document: str
    party_approved_on: datetime.date | None
    party_document: str
    version: int = Field(..., description="Send it back as `expected_version` (0: nothing recorded yet)")
    may_record: bool = Field(..., description="The caller may record or correct it now (the office, not final)")


APPROVAL_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True, "required": ["chair_approved_on", "chair_document"],
    "properties": {"chair_approved_on": {"type": "string", "format": "date"},
                   "chair_document": {"type": "string", "description": "文号"},
                   "party_approved_on": {"type": ["string", "null"], "format": "date"},
                   "party_document": {"type": "string", "description": "文号 (with `party_approved_on`)"},
                   "expected_version": {"type": "integer", "minimum": 0}},
    "description": "The input schema PlanApprovalInput (xieshang/inspections/workflow.py); `expected_version` (or an "
                   "`If-Match` header): the version read, 0 when nothing was recorded; a stale one gives 409 `conflict`.",
    "example": {"chair_approved_on": "2026-01-15", "chair_document": "州政协主席会议纪要〔2026〕1号",
                "party_approved_on": "2026-02-10", "party_document": "州党委办〔2026〕12号", "expected_version": 1}}}}}}


def _plan_committee(request, year: int):
    """The caller's committee when they see the year's plan (the office, leaders) and the year is a plan's
    (2000–2100); 404 otherwise, as for a page they may not open."""
    committee = committee_for(request)
    if committee is None or not selectors.is_reader(request.auth, committee) or not 2000 <= year <= 2100:
        raise not_found_error()
    return committee


def plan_approval_out(request, committee, year: int, response: HttpResponse) -> dict:
    row = selectors.plan_approval(request.auth, committee, year)
    final = bool(row and row.is_final)
    version = row.version if row else 0
    response["ETag"] = f'"{version}"'
    return {"year": year, "recorded": row is not None, "final": final,
            "chair_approved_on": row.chair_approved_on if row else None,
            "chair_document": row.chair_document if row else "",
            "party_approved_on": row.party_approved_on if row else None,
            "party_document": row.party_document if row else "", "version": version,
            "may_record": selectors.is_office(request.auth, committee) and not final}


@router.get("/inspections/plan-approvals/{int:year}", response={200: PlanApprovalOut, **ERRORS},
            summary="The approval of the year's plan", operation_id="inspections_plan_approval_get")
def plan_approval_get(request, year: int, response: HttpResponse):
    """The chairpersons' meeting's and the Party committee's approval of the year's plan of inspections: the office
    and leaders (404 for anyone else and for a year out of 2000–2100); before anything is recorded `recorded` is
    false and `version` 0. The ETag is the version to send back."""
    return plan_approval_out(request, _plan_committee(request, year), year, response)


@router.put("/inspections/plan-approvals/{int:year}", response={200: PlanApprovalOut, **ERRORS, 400: ErrorOut},
            summary="Record the approval of the year's plan", operation_id="inspections_plan_approval_put",
            openapi_extra=APPROVAL_BODY)
def plan_approval_put(request, year: int, response: HttpResponse):
    """Record or correct the approval (the office; 403 for leaders, 404 for anyone else): `{"chair_approved_on",
    "chair_document", "party_approved_on"?, "party_document"?}`. 422 with `fields` for a date in the future, outside
    the plan's year and the year before, the Party committee's before the chairpersons' meeting's, or its date
    without its number (or the reverse). 409 `conflict` for a stale `expected_version`, 409 `illegal_transition`
    (`detail` plan_approved) once the Party committee's approval is recorded."""
    committee = _plan_committee(request, year)
    data, version = action_body(request, form_value=lambda key, values: values[-1])
    _services().plan_approval_record(actor=request.auth, committee=committee, year=year, data=data,
                                     expected_version=version)
    return plan_approval_out(request, committee, year, response)
