"""Endpoints of proposal clues (提案线索) and their calls (线索征集), mounted at /api/v1/proposals/clues.
Thin: parse, call one service or selector of xieshang.proposals.clue_*, serialise — as the pages do.

    GET  /proposals/clues                        list (group, state, call, category, q, mine; pages)
    POST /proposals/clues                        suggest a clue (members, office staff) → 201
    GET  /proposals/clues/{id}                   one clue (with draft_count, available_actions)
    POST /proposals/clues/{id}/actions/{action}  accept / decline / mark_duplicate (office staff)
    POST /proposals/clues/{id}/draft             start a draft proposal from an accepted clue (members) → 201
    GET  /proposals/clues/calls                  the calls the caller sees
    POST /proposals/clues/calls                  a new call (office staff) → 201
    GET  /proposals/clues/calls/{id}             one call
    POST /proposals/clues/calls/{id}/actions/{action}   publish / close (office staff)
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from xieshang.core import categories
from xieshang.core.workflow import MAX_ID
from xieshang.proposals import clue_selectors as selectors
from xieshang.proposals.clue_workflow import CLUE_GROUPS
from xieshang.proposals.models import ClueState

from .auth import committee_for
from .common import action_body, committee_or_forbidden
from .schemas import ERRORS, SessionRef, Status

router = Router(tags=["proposal clues"])

CategoryValue = categories.ApiCode  # a code of the committee's own list (checked by the services: 422)
StateValue = Literal[tuple(ClueState.values)]  # type: ignore[valid-type]
GroupValue = Literal[tuple(CLUE_GROUPS)]  # type: ignore[valid-type]


class ClueFilters(Schema):
    group: GroupValue | None = None
    state: StateValue | None = None
    call: int | None = Field(None, ge=1, le=MAX_ID, description="Call id")
    category: CategoryValue | None = None
    q: str | None = Field(None, max_length=100, description="Words in the subject or text")
    mine: bool | None = Field(None, description="Only the clues the caller suggested")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=100)


class ActionRef(Schema):
    action: str
    label: str


class ClueOut(Schema):
    id: int
    title: str
    text: str
    category: str
    category_label: str = Field(description="The category's name in the committee's list")
    state: str
    state_label: str
    source: str
    call: int | None
    submitted_by: str | None
    name: str | None = Field(None, description="The public submitter's name (office staff only)")
    contact: str | None = Field(None, description="The public submitter's contact (office staff only)")
    duplicate_of: int | None
    review_note: str
    created_at: datetime.datetime
    draft_count: int
    version: int
    available_actions: list[ActionRef] = []


class CluePage(Schema):
    items: list[ClueOut]
    count: int
    page: int
    page_size: int


class ClueIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=10000)
    category: CategoryValue | None = Field(None, description="A code of the committee's list; its default when omitted")
    call: int | None = Field(None, ge=1, le=MAX_ID)


class CallOut(Schema):
    id: int
    title: str
    text: str
    session: SessionRef
    opens_on: datetime.date
    closes_on: datetime.date
    state: str
    state_label: str
    version: int
    available_actions: list[ActionRef] = []


class CallIn(Schema):
    session: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=200)
    text: str = Field("", max_length=10000)
    opens_on: datetime.date
    closes_on: datetime.date


class DraftOut(Schema):
    proposal: int
    clue: int
    url: str


def _actions(machine, user, obj) -> list[dict]:
    return [{"action": t.action, "label": str(t.label)} for t in machine.available(user, obj)]


def clue_out(user, clue, *, with_actions: bool = False) -> dict:
    from xieshang.proposals.clue_services import CLUE_MACHINE

    office = selectors.is_office(user, clue.committee_id)
    return {
        "id": clue.pk, "title": clue.title, "text": clue.text, "category": clue.category,
        "category_label": clue.category_label, "state": clue.state,
        "state_label": str(clue.get_state_display()), "source": clue.source, "call": clue.call_id,
        "submitted_by": clue.submitted_by.display_name if clue.submitted_by_id else None,
        "name": clue.name if office else None, "contact": clue.contact if office else None,
        "duplicate_of": clue.duplicate_of_id, "review_note": clue.review_note, "created_at": clue.created_at,
        "draft_count": getattr(clue, "draft_count", 0), "version": clue.version,
        "available_actions": _actions(CLUE_MACHINE, user, clue) if with_actions and office else [],
    }


def call_out(user, call) -> dict:
    from xieshang.proposals.clue_services import CALL_MACHINE

    office = selectors.is_office(user, call.committee_id)
    return {
        "id": call.pk, "title": call.title, "text": call.text,
        "session": {"id": call.session_id, "label": str(call.session), "year": call.session.year},
        "opens_on": call.opens_on, "closes_on": call.closes_on, "state": call.state,
        "state_label": str(call.get_state_display()), "version": call.version,
        "available_actions": _actions(CALL_MACHINE, user, call) if office else [],
    }


# --- Calls (declared before /{id} so that "calls" is never read as a clue) -------------------------------


@router.get("/calls", response={200: list[CallOut], **ERRORS}, summary="Calls for proposal clues",
            operation_id="clue_calls_list")
def call_list(request):
    committee = committee_for(request)
    if committee is None:
        return []
    return [call_out(request.auth, c) for c in selectors.call_list(request.auth, committee)[:200]]


@router.post("/calls", response={201: CallOut, **ERRORS}, summary="A new call (not published yet)",
             operation_id="clue_calls_create")
def call_create(request, payload: CallIn):
    from xieshang.proposals import clue_services

    committee = committee_or_forbidden(request)
    call = clue_services.clue_call_create(actor=request.auth, committee=committee, data=payload.dict())
    return Status(201, call_out(request.auth, selectors.call_get(request.auth, call.pk, committee)))


@router.get("/calls/{int:id}", response={200: CallOut, **ERRORS}, summary="One call", operation_id="clue_calls_get")
def call_detail(request, id: int):
    committee = committee_or_forbidden(request)
    return call_out(request.auth, selectors.call_get(request.auth, id, committee))


@router.post("/calls/{int:id}/actions/{action}", response={200: CallOut, **ERRORS},
             summary="Publish or close a call", operation_id="clue_calls_act")
def call_act(request, id: int, action: str):
    from xieshang.proposals import clue_services

    committee = committee_or_forbidden(request)
    call = selectors.call_get(request.auth, id, committee)
    _data, version = action_body(request, form_value=lambda key, values: values[-1] if values else "")
    clue_services.clue_call_act(actor=request.auth, call=call, action=action, expected_version=version)
    return call_out(request.auth, selectors.call_get(request.auth, id, committee))


# --- Clues -------------------------------------------------------------------------------------------------


@router.get("", response={200: CluePage, **ERRORS}, summary="Proposal clues", operation_id="clues_list")
def clue_list(request, filters: Query[ClueFilters]):
    committee = committee_for(request)
    if committee is None:
        return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}
    params = filters.dict(exclude={"page", "page_size"})
    if params.get("category"):
        categories.known(committee, params["category"])
    params["mine"] = "1" if params.get("mine") else ""
    qs = selectors.clue_list(request.auth, committee, params)
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start:start + filters.page_size]) if start < count else []
    return {"items": [clue_out(request.auth, c) for c in rows], "count": count, "page": filters.page,
            "page_size": filters.page_size}


@router.post("", response={201: ClueOut, **ERRORS}, summary="Suggest a clue", operation_id="clues_create")
def clue_create(request, payload: ClueIn):
    from xieshang.proposals import clue_services

    committee = committee_or_forbidden(request)
    clue = clue_services.clue_submit(actor=request.auth, committee=committee, data=payload.dict())
    return Status(201, clue_out(request.auth, selectors.clue_get(request.auth, clue.pk, committee), with_actions=True))


@router.get("/{int:id}", response={200: ClueOut, **ERRORS}, summary="One clue", operation_id="clues_get")
def clue_detail(request, id: int):
    committee = committee_or_forbidden(request)
    return clue_out(request.auth, selectors.clue_get(request.auth, id, committee), with_actions=True)


@router.post("/{int:id}/actions/{action}", response={200: ClueOut, **ERRORS},
             summary="Review a clue: accept, decline (note) or mark_duplicate (duplicate_of, note)",
             operation_id="clues_act")
def clue_act(request, id: int, action: str):
    from xieshang.proposals import clue_services

    committee = committee_or_forbidden(request)
    clue = selectors.clue_get(request.auth, id, committee)
    data, version = action_body(request, form_value=lambda key, values: values[-1] if values else "",
                                id_keys={"duplicate_of"})
    clue_services.clue_act(actor=request.auth, clue=clue, action=action, data=data, expected_version=version)
    return clue_out(request.auth, selectors.clue_get(request.auth, id, committee), with_actions=True)


@router.post("/{int:id}/draft", response={201: DraftOut, **ERRORS},
             summary="Start a draft proposal from an accepted clue", operation_id="clues_draft")
def clue_draft(request, id: int):
    from xieshang.proposals import clue_services
    from xieshang.proposals.selectors import proposal_url

    committee = committee_or_forbidden(request)
    clue = selectors.clue_get(request.auth, id, committee)
    data, _version = action_body(request, form_value=lambda key, values: values[-1] if values else "")
    proposal = clue_services.proposal_from_clue(actor=request.auth, clue=clue, client_key=data.get("client_key"))
    return Status(201, {"proposal": proposal.pk, "clue": clue.pk, "url": proposal_url(proposal)})
