"""Endpoints of the opinion reports app (社情民意信息). Thin: parse, call one service or selector, serialise.

Every write goes through xieshang.opinions.services (opinion_create, opinion_act); every read through
xieshang.opinions.selectors (opinion_list, opinion_get, available_actions, outcomes_of, timeline_of), so
the API answers exactly as the pages do. An action's body is validated by the action's one input schema
(xieshang.opinions.workflow), the same the page's form posts.

    GET  /opinions                       list (filters state, group, year, q, submitter, commission, mine; sort; pages)
    POST /opinions                       create a draft: {"title", "body"} (or the three parts)
    GET  /opinions/recipients            the committee's recipients (报送对象) for `forward`
    GET  /opinions/{id}                  detail: state, text, versions, recipients, adoptions, instructions, outcomes
    GET  /opinions/{id}/events           the timeline
    POST /opinions/{id}/actions/{action} a workflow action: 200 / 403 / 404 / 409 / 422
    GET  /opinions/bulletins/{id}/document.docx   the bulletin issue as Word (office and leaders; else 404)
    GET  /opinions/adopted.xlsx?year=     the year's adopted reports as Excel (office and leaders; else 404)
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Path, Query, Router, Schema

from xieshang.core.text import BODY_MAX, Text
from xieshang.core.workflow import MAX_ID
from xieshang.opinions import selectors, workflow
from xieshang.opinions.lists import REPORT_SORTS
from xieshang.opinions.models import (
    TEXT_LIMIT,
    Level,
    OpinionState,
    SubmitterKind,
)

from .auth import committee_for
from .common import action_body, committee_or_forbidden, event_out
from .errors import not_found_error
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["opinions"])

SORTS = tuple(s.key for s in REPORT_SORTS)  # the report lists' sorts (opinions/lists.py), as the pages name them
ACTIONS = workflow.ACTIONS

StateValue = Literal[tuple(OpinionState.values)]  # type: ignore[valid-type]
GroupValue = Literal[tuple(workflow.GROUPS)]  # type: ignore[valid-type]
SortValue = Literal[SORTS]  # type: ignore[valid-type]
SubmitterKindValue = Literal[tuple(SubmitterKind.values)]  # type: ignore[valid-type]
LEVELS = dict(Level.choices)


# --- Schemas --------------------------------------------------------------------------------------


class OpinionFilters(Schema):
    state: StateValue | None = None
    group: GroupValue | None = Field(None, description="A state group: with_author, in_office, live, sent, final …")
    year: int | None = Field(None, ge=1949, le=2200)
    q: str | None = Field(None, max_length=100, description="Text in title, text, number or submitters' names")
    submitter: int | None = Field(None, ge=1, le=MAX_ID, description="Member id of one of the authors")
    commission: int | None = Field(None, ge=1, le=MAX_ID, description="Commissioned topic id")
    mine: bool = Field(False, description="Only the caller's own reports")
    sort: SortValue | None = None
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class OpinionListItem(Schema):
    id: int
    year: int
    number: int | None
    title: str
    state: str
    state_label: str
    category: str
    category_label: str = Field(description="The category's name in the committee's list")
    submitter_kind: str
    submitters: list[str]
    is_combined: bool
    combined_into: int | None
    commission: int | None
    bulletin: str | None
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    forwarded_at: datetime.datetime | None
    version: int
    url: str


class OpinionPage(Schema):
    items: list[OpinionListItem]
    count: int
    page: int
    page_size: int


class OpinionIn(Schema):
    """A new draft. `body` alone is the whole text (stored as the situation); or give the three parts.
    Title at most 100 characters; the text at most 1,500 characters (422 with the limit in the message)."""

    title: Text(1000, single_line=True)  # the service's schema names the real limit (TITLE_LIMIT)
    body: Text(BODY_MAX) = ""
    situation: Text(BODY_MAX) = ""
    analysis: Text(BODY_MAX) = ""
    suggestion: Text(BODY_MAX) = ""
    category: str = Field("", max_length=40, description="A code of the committee's list; its default when empty")
    commission: int | None = Field(None, ge=1, le=MAX_ID)
    submitter_kind: SubmitterKindValue = "member"  # type: ignore[valid-type]
    organization: int | None = Field(None, ge=1, le=MAX_ID)
    special_committee: int | None = Field(None, ge=1, le=MAX_ID)
    liaison_station: int | None = Field(None, ge=1, le=MAX_ID, description="A station keeper's station (default: theirs)")
    co_authors: list[int] = Field(default_factory=list, max_length=20, description="Member ids of joint authors")


class AuthorOut(Schema):
    user: int
    member: int | None
    name: str
    order: int


class VersionOut(Schema):
    number: int
    title: str
    situation: str
    analysis: str
    suggestion: str
    body: str
    edited_by: str
    is_staff_edit: bool
    note: str
    created_at: datetime.datetime


class RecipientOut(Schema):
    id: int
    name: str
    level: str
    level_label: str


class ForwardingOut(Schema):
    recipient: RecipientOut
    forwarded_on: datetime.date
    bulletin: int


class BulletinOut(Schema):
    id: int
    year: int
    number: int
    kind: str
    kind_label: str
    issued_on: datetime.date
    signed_by: str


class AdoptionOut(Schema):
    id: int
    recipient: RecipientOut
    level: str
    level_label: str
    kind: str
    manner: str
    adopted_on: datetime.date
    note: str


class InstructionOut(Schema):
    id: int
    leader: str
    leader_title: str
    level: str
    level_label: str
    date: datetime.date
    text: str


class OutcomeOut(Schema):
    action: str
    label: str
    at: datetime.datetime
    text: str
    report_id: int


class ReportRef(Schema):
    id: int
    year: int
    number: int | None
    title: str
    state: str


class ActionOut(Schema):
    action: str
    label: str


class OpinionOut(Schema):
    id: int
    committee: int
    year: int
    number: int | None
    title: str
    situation: str
    analysis: str
    suggestion: str
    body: str
    text_length: int
    text_limit: int
    category: str
    category_label: str
    state: str
    state_label: str
    submitter_kind: str
    organization: str | None
    special_committee: str | None
    liaison_station: str | None
    authors: list[AuthorOut]
    is_combined: bool
    combined_into: int | None
    combined_reports: list[ReportRef]
    commission: int | None
    return_reason: str
    decline_reason: str
    editing_by: str | None
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    approved_by: str | None
    forwarded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    bulletin: BulletinOut | None
    versions: list[VersionOut]
    recipients: list[ForwardingOut]
    adoptions: list[AdoptionOut]
    instructions: list[InstructionOut]
    outcomes: list[OutcomeOut]
    version: int
    available_actions: list[ActionOut]


class EventOut(Schema):
    id: int
    action: str
    label: str
    actor: str | None
    created_at: datetime.datetime
    from_state: str
    to_state: str
    from_label: str = ""
    to_label: str = ""
    payload: dict


# --- Serialisation --------------------------------------------------------------------------------


def _name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


def _author_name(author) -> str:
    return author.member.name if author.member_id else (_name(author.user) or "")


def _recipient(r) -> dict:
    return {"id": r.pk, "name": r.name, "level": r.level, "level_label": str(LEVELS.get(r.level, r.level))}


def _bulletin_label(b) -> str | None:
    return f"{b.year}-{b.number}" if b is not None else None


def list_item(report) -> dict:
    return {
        "id": report.pk, "year": report.year, "number": report.number, "title": report.title, "state": report.state,
        "state_label": report.get_state_display(), "category": report.category,
        "category_label": report.category_label, "submitter_kind": report.submitter_kind,
        "submitters": [_author_name(a) for a in report.authors.all()], "is_combined": report.is_combined,
        "combined_into": report.combined_into_id, "commission": report.commission_id,
        "bulletin": _bulletin_label(report.bulletin), "created_at": report.created_at,
        "submitted_at": report.submitted_at, "forwarded_at": report.forwarded_at, "version": report.version,
        "url": selectors.opinion_url(report),
    }


def opinion_out(user, report) -> dict:
    """The detail of a report read by selectors.opinion_get (its prefetched rows; a fixed number of queries)."""
    b = report.bulletin
    return {
        "id": report.pk, "committee": report.committee_id, "year": report.year, "number": report.number,
        "title": report.title, "situation": report.situation, "analysis": report.analysis,
        "suggestion": report.suggestion, "body": report.body, "text_length": report.text_length,
        "text_limit": TEXT_LIMIT, "category": report.category,
        "category_label": report.category_label,  # the committee's own list
        "state": report.state, "state_label": report.get_state_display(), "submitter_kind": report.submitter_kind,
        "organization": report.organization.name if report.organization_id else None,
        "special_committee": report.special_committee.name if report.special_committee_id else None,
        "liaison_station": report.liaison_station.name if report.liaison_station_id else None,
        "authors": [{"user": a.user_id, "member": a.member_id, "name": _author_name(a), "order": a.order}
                    for a in report.authors.all()],
        "is_combined": report.is_combined, "combined_into": report.combined_into_id,
        "combined_reports": [{"id": r.pk, "year": r.year, "number": r.number, "title": r.title, "state": r.state}
                             for r in report.combined_reports.all()],
        "commission": report.commission_id, "return_reason": report.return_reason,
        "decline_reason": report.decline_reason, "editing_by": _name(report.editing_by),
        "created_at": report.created_at, "submitted_at": report.submitted_at, "approved_at": report.approved_at,
        "approved_by": _name(report.approved_by), "forwarded_at": report.forwarded_at, "closed_at": report.closed_at,
        "bulletin": None if b is None else {
            "id": b.pk, "year": b.year, "number": b.number, "kind": b.kind, "kind_label": b.get_kind_display(),
            "issued_on": b.issued_on, "signed_by": b.signed_by_name,
        },
        "versions": [
            {"number": v.number, "title": v.title, "situation": v.situation, "analysis": v.analysis,
             "suggestion": v.suggestion, "body": v.body, "edited_by": _name(v.edited_by) or "",
             "is_staff_edit": v.is_staff_edit, "note": v.note, "created_at": v.created_at}
            for v in report.versions.all()
        ],
        "recipients": [{"recipient": _recipient(f.recipient), "forwarded_on": f.forwarded_on, "bulletin": f.bulletin_id}
                       for f in report.forwardings.all()],
        "adoptions": [
            {"id": a.pk, "recipient": _recipient(a.recipient), "level": a.level,
             "level_label": str(LEVELS.get(a.level, a.level)), "kind": a.kind, "manner": a.manner,
             "adopted_on": a.adopted_on, "note": a.note}
            for a in report.adoptions.all()
        ],
        "instructions": [
            {"id": i.pk, "leader": i.leader_name, "leader_title": i.leader_title, "level": i.level,
             "level_label": str(LEVELS.get(i.level, i.level)), "date": i.date, "text": i.text}
            for i in report.instructions.all()
        ],
        "outcomes": selectors.outcomes_of(user, report),
        "version": report.version,
        "available_actions": [{"action": t.action, "label": str(t.label)}
                              for t in selectors.available_actions(user, report)],
    }


def _form_value(key: str, values: list[str]):
    return values if key in ("recipients", "reports") else values[-1]


def _action_data(request) -> tuple[dict, object]:
    """The action's JSON body (an object) or form, without `expected_version` (also taken from `If-Match`)."""
    return action_body(request, form_value=_form_value)


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("", response={200: OpinionPage, **ERRORS}, summary="List opinion reports", operation_id="opinions_list")
def opinion_list(request, filters: Query[OpinionFilters]):
    """The reports the caller may see in the current committee, filtered, sorted and paginated."""
    committee = committee_for(request)
    if committee is None:
        return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}
    qs = selectors.opinion_list(
        request.auth, committee, state=filters.state, group=filters.group, year=filters.year, q=filters.q,
        submitter=filters.submitter, commission=filters.commission, mine=filters.mine, sort=filters.sort,
    )
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(selectors.with_list_data(qs)[start:start + filters.page_size]) if start < count else []
    return {"items": [list_item(r) for r in rows], "count": count, "page": filters.page, "page_size": filters.page_size}


@router.post("", response={201: OpinionOut, **ERRORS}, summary="Create a draft", operation_id="opinions_create")
def opinion_create(request, payload: OpinionIn):
    from xieshang.opinions import services

    committee = committee_or_forbidden(request)
    report = services.opinion_create(actor=request.auth, committee=committee, **payload.dict())
    return Status(201, opinion_out(request.auth, selectors.opinion_get(request.auth, report.pk)))


@router.get("/recipients", response={200: list[RecipientOut], **ERRORS}, summary="The recipients (报送对象)",
            operation_id="opinions_recipients")
def opinion_recipients(request):
    """The committee's active recipients, in their order: the ids `forward` and `record_adoption` take."""
    committee = committee_for(request)
    if committee is None:
        return []
    return [_recipient(r) for r in selectors.recipients_of(committee)]


@router.get("/{int:id}", response={200: OpinionOut, **ERRORS}, summary="One opinion report",
            operation_id="opinions_get", url_name="opinion_detail")
def opinion_detail(request, id: int):
    report = selectors.opinion_get(request.auth, id)
    return opinion_out(request.auth, report)


@router.get("/{int:id}/events", response={200: list[EventOut], **ERRORS}, summary="The timeline",
            operation_id="opinions_events")
def opinion_events(request, id: int):
    report = selectors.opinion_get(request.auth, id)
    return [event_out(e) for e in selectors.timeline_of(request.auth, report)]


ACTION_BODY = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "description": "The action's fields (its input schema in xieshang/opinions/workflow.py), plus an "
                "optional `expected_version` (or an `If-Match` header): a stale version gives 409 `conflict`.",
                "example": {"recipients": [1, 2], "expected_version": 5},
            }
        }
    },
}


@router.post(
    "/{int:id}/actions/{action}",
    response={200: OpinionOut, **ERRORS, 400: ErrorOut},
    summary="Carry out a workflow action",
    operation_id="opinions_act",
    openapi_extra={"requestBody": ACTION_BODY},
)
def opinion_action(request, id: int, action: str = Path(..., description="One of: " + ", ".join(ACTIONS), example="submit")):
    """Every transition of the workflow: update, submit, resubmit, withdraw, start_editing, edit (`{"body"}` or
    the three parts), return / decline / send_back (`{"reason"}`), combine (`{"reports": [id …], "title", "body"}`:
    answers with the new combined report), send_for_approval, approve, forward (`{"recipients": [id …]}`),
    record_adoption (`{"recipient", "level", "kind"}`), record_instruction (`{"level", "leader", "date", "text"}`),
    close.

    409 `illegal_transition` when the action is not possible in the report's state (or `conflict` when
    `expected_version` is stale or another staff member is editing it), 422 with `fields` for bad data,
    403 `forbidden` when the caller may see the report but not do this, 404 for an unknown action or a
    report the caller may not see."""
    from xieshang.opinions import services

    if action not in workflow.BY_ACTION:
        raise not_found_error()
    report = selectors.opinion_get(request.auth, id)
    data, version = _action_data(request)
    result = services.opinion_act(actor=request.auth, report=report, action=action, data=data,
                                  expected_version=version)
    return opinion_out(request.auth, selectors.opinion_get(request.auth, result.pk))


# --- Documents (xieshang.opinions.documents) -----------------------------------------------------------


@router.get("/bulletins/{int:id}/document.docx", response={200: None, **ERRORS},
            summary="A bulletin issue as Word (《社情民意》第 N 期)", operation_id="opinions_bulletin_docx",
            url_name="opinion_bulletin_docx")
def opinion_bulletin_docx(request, id: int):
    """The issue in the official layout: office staff, administrators and leaders of the committee (404 for
    anyone else, the same as a missing issue)."""
    from xieshang.opinions import documents
    from xieshang.opinions.document_views import DOCX, file_response

    bulletin = selectors.bulletin_get(request.auth, id, committee=committee_for(request))
    return file_response(documents.bulletin_docx(bulletin), DOCX, documents.bulletin_filename(bulletin))


class AdoptedFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="The reports' year (default: this year)")


@router.get("/adopted.xlsx", response={200: None, **ERRORS}, summary="The year's adopted reports as Excel",
            operation_id="opinions_adopted_xlsx", url_name="opinions_adopted_xlsx")
def opinion_adopted_xlsx(request, filters: Query[AdoptedFilters]):
    """社情民意信息采用情况表: one row per report of the year with an adoption (office staff, administrators and
    leaders; 404 for anyone else)."""
    from xieshang.core import clock
    from xieshang.core.errors import NotFound
    from xieshang.core.exports import XLSX
    from xieshang.opinions import documents
    from xieshang.opinions.document_views import file_response

    committee = committee_for(request)
    if not documents.may_see_adopted(request.auth, committee):
        raise NotFound()
    year = filters.year or clock.today().year
    content, _rows = documents.adopted_xlsx(committee, year)
    return file_response(content, XLSX, documents.adopted_filename(committee, year))
