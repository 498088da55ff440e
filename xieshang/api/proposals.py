"""Endpoints of the proposals app (提案). Thin: parse, call one service or selector, serialise.

Every write goes through xieshang.proposals.services (proposal_create, proposal_update, proposal_act);
every read through xieshang.proposals.selectors (proposal_list, proposal_get, available_actions,
timeline_of), so the API answers exactly as the pages do.
"""

from __future__ import annotations

import datetime
import tempfile
from typing import Literal

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from xieshang.core import categories
from xieshang.core.attachments import attachment_response
from xieshang.core.documents import DOCX
from xieshang.core.errors import Invalid
from xieshang.core.models import Organization, Session, SpecialCommittee
from xieshang.core.text import BODY_MAX, TITLE_MAX, Text
from xieshang.core.workflow import MAX_ID
from xieshang.proposals import deadlines, selectors, workflow
from xieshang.proposals import attachments as proposal_attachments
from xieshang.proposals import schemas as proposal_schemas
from xieshang.proposals.lists import PROPOSALS
from xieshang.proposals.models import (
    AssignmentRole,
    AssignmentState,
    Proposal,
    ProposalKind,
    ProposalState,
    ProposerKind,
)

from .auth import committee_for
from .common import action_body, committee_or_forbidden, event_out, upload_refusals
from .errors import VALIDATION_ERROR, ApiError, not_found_error
from .exports import ExportOut, export_out
from .schemas import ERRORS, ErrorOut, SessionRef, Status, UnitRef

router = Router(tags=["proposals"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTS = PROPOSALS.sort_keys  # the list's sorts (xieshang.proposals.lists), as the page and the export have them
ACTIONS = tuple(workflow.TRANSITIONS)
# Values that name rows, and flags, in an action's data: a multipart form sends them as text.
ID_KEYS = {"assignment", "reply", "request", "into", "leader", "unit"}
BOOL_KEYS = {"is_key", "value", "replies"}
LIST_KEYS = {"members", "assignments"}

CategoryValue = categories.ApiCode  # a code of the committee's own list (checked by the services: 422)
KindValue = Literal[tuple(ProposalKind.values)]  # type: ignore[valid-type]
ProposerKindValue = Literal[tuple(ProposerKind.values)]  # type: ignore[valid-type]
StateValue = Literal[tuple(ProposalState.values)]  # type: ignore[valid-type]
SortValue = Literal[SORTS]  # type: ignore[valid-type]


# --- Schemas --------------------------------------------------------------------------------------


class ProposalListFilters(Schema):
    """The list's filters (as the export takes them)."""

    session: int | None = Field(None, ge=1, le=MAX_ID, description="Session id")
    year: int | None = Field(None, ge=1949, le=2200)
    state: StateValue | None = None
    category: CategoryValue | None = None
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Handling unit id")
    sector: str | None = Field(None, max_length=60, description="Sector name")
    key: bool | None = Field(None, description="Key proposals only")
    overdue: bool | None = Field(None, description="Overdue only")
    q: str | None = Field(None, max_length=100, description="Text in title, body, number or proposer")
    sort: SortValue | None = None


class ProposalFilters(ProposalListFilters):
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class ListUnitOut(Schema):
    id: int
    name: str
    role: str
    state: str


class ProposalListItem(Schema):
    id: int
    number: str | None
    title: str
    state: str
    state_label: str
    kind: str
    category: str
    category_label: str
    proposer: str
    sector: str
    session: int
    units: list[ListUnitOut]
    next_due: datetime.date | None = Field(None, description="The earliest reply due date of an open assignment")
    is_key: bool
    is_excellent: bool
    is_public: bool
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    version: int
    url: str


class ProposalPage(Schema):
    items: list[ProposalListItem]
    count: int
    page: int
    page_size: int


class ProposalIn(Schema):
    title: Text(TITLE_MAX, required=True, single_line=True)
    body: Text(BODY_MAX, strip=False) = ""
    session: int | None = Field(None, ge=1, le=MAX_ID, description="Session id; the committee's current session when omitted")
    kind: KindValue = "session"
    category: CategoryValue | None = Field(None, description="A code of the committee's list; its default when omitted")
    suggested_units: Text(300) = ""
    contact_phone: Text(32, single_line=True) = ""
    contact_address: Text(120, single_line=True) = ""
    proposer_kind: ProposerKindValue = "member"
    organization: int | None = Field(None, ge=1, le=MAX_ID)
    special_committee: int | None = Field(None, ge=1, le=MAX_ID)
    client_key: str | None = Field(
        None, max_length=64, description="Idempotency key: sending the same key again returns the same draft."
    )


class ProposalPatch(Schema):
    title: Text(TITLE_MAX, required=True, single_line=True) | None = None
    body: Text(BODY_MAX, strip=False) | None = None
    category: CategoryValue | None = None
    kind: KindValue | None = None
    suggested_units: Text(300) | None = None
    contact_phone: Text(32, single_line=True) | None = None
    contact_address: Text(120, single_line=True) | None = None
    expected_version: int | None = Field(None, ge=0, le=MAX_ID, description="The version the edit is based on (409 when stale)")


class MemberRef(Schema):
    id: int
    name: str
    sector: str | None = None


class ProposerOut(Schema):
    member: int | None
    name: str
    role: Literal["lead", "cosigner"]
    state: str | None = Field(None, description="Co-signers: invited, signed or declined")


class CoSignerOut(Schema):
    id: int
    member: MemberRef
    state: str
    state_label: str
    invited_at: datetime.datetime
    answered_at: datetime.datetime | None


class ConsultationOut(Schema):
    id: int
    date: datetime.date
    form: str
    form_label: str
    summary: str
    participants: str


class ViewsOut(Schema):
    id: int
    round: int
    text: str
    sent_at: datetime.datetime


class ExtensionOut(Schema):
    id: int
    requested_until: datetime.date
    reason: str
    state: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None


class AssignmentOut(Schema):
    id: int
    unit: UnitRef
    role: str
    role_label: str
    state: str
    state_label: str
    round: int
    assigned_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    objection_due: datetime.date
    objection_reason: str
    first_contact_due: datetime.date | None
    due_date: datetime.date
    original_due_date: datetime.date
    days_left: int | None = Field(None, description="Working days to the reply due date; negative when overdue")
    overdue: bool
    due_soon: bool
    replied_at: datetime.datetime | None
    consultations: list[ConsultationOut]
    views: list[ViewsOut]
    extension_requests: list[ExtensionOut]


class SubVerdictOut(Schema):
    key: str
    question: str
    answer: str
    label: str


class EvaluationOut(Schema):
    id: int
    reply: int
    verdict: str
    verdict_label: str
    comment: str
    answers: list[SubVerdictOut] = Field([], description="The sub-verdicts (GET /proposals/evaluation-questions)")
    evaluated_at: datetime.datetime
    corrected_at: datetime.datetime | None = Field(None, description="When the proposer last corrected it")


class RehandlingOut(Schema):
    round: int
    instructions: str
    due_date: datetime.date
    created_at: datetime.datetime


class QuestionOptionOut(Schema):
    answer: str
    label: str


class EvaluationQuestionOut(Schema):
    key: str
    label: str
    options: list[QuestionOptionOut]


class ReplyOut(Schema):
    id: int
    assignment: int
    unit: UnitRef
    round: int
    outcome: str
    outcome_label: str
    text: str
    signed_by: str
    document_number: str = Field("", description="The letter's document number (文号), printed on the letter")
    replied_at: datetime.datetime
    is_on_time: bool
    is_public: bool = Field(..., description="Shown on the public portal (with a public proposal)")
    letter_url: str | None = Field(None, description="The uploaded reply letter, when there is one")
    letter_docx_url: str | None = Field(
        ..., description="The reply letter as a Word file, generated (null when the caller may not download it)")
    evaluation: EvaluationOut | None


class SupervisionOut(Schema):
    leader: str
    text: str
    created_at: datetime.datetime


class ActionOut(Schema):
    action: str
    label: str


class ProposalOut(Schema):
    id: int
    committee: int
    session: SessionRef
    state: str
    state_label: str
    number: str | None
    title: str
    body: str
    kind: str
    kind_label: str
    category: str
    category_label: str
    suggested_units: str
    proposer_kind: str
    proposer: str
    lead_proposer: MemberRef | None
    organization: str | None
    special_committee: str | None
    sector: str
    contact_phone: str
    contact_address: str
    proposers: list[ProposerOut]
    cosigners: list[CoSignerOut]
    cosign_deadline: datetime.datetime | None
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    registered_at: datetime.datetime | None
    assigned_at: datetime.datetime | None
    replied_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    evaluation_due: datetime.date | None
    round: int
    state_note: str
    reject_reason: str
    converted_to: str
    merged_into: int | None
    assignments: list[AssignmentOut]
    days_left: int | None = Field(None, description="The nearest reply due date of the live assignments, in working days")
    overdue: bool
    replies: list[ReplyOut]
    evaluations: list[EvaluationOut]
    rehandlings: list[RehandlingOut] = Field([], description="Each re-handling round: the office's instructions and the new reply due date")
    supervisions: list[SupervisionOut]
    is_key: bool
    supervising_leader: str | None
    is_excellent: bool
    is_public: bool
    version: int
    available_actions: list[ActionOut]
    documents: dict[str, str]
    attachments: list[AttachmentOut] = Field(
        [], description="The attached files (survey material, photos, data); empty for a caller who may not have them")


class AttachmentOut(Schema):
    id: int
    name: str = Field(..., description="The file's name as uploaded (made safe)")
    size: int = Field(..., description="Bytes")
    content_type: str
    uploaded_at: datetime.datetime
    url: str = Field(..., description="Download it (the same 404 as a missing file for a caller who may not)")


class EventOut(Schema):
    id: int
    action: str
    label: str
    actor: str | None
    created_at: datetime.datetime
    from_state: str
    to_state: str
    from_label: str = Field("", description="The translated name of from_state")
    to_label: str = Field("", description="The translated name of to_state")
    payload: dict


# --- Serialisation --------------------------------------------------------------------------------


def _detail_queryset():
    """The proposal row with the rows it names (what belongs to it comes with selectors.load_detail)."""
    return Proposal.objects.select_related(
        "committee", "session__term", "lead_proposer__sector", "organization", "special_committee",
        "supervising_leader", "merged_into", "created_by",
    )


def _member_ref(member) -> dict | None:
    if member is None:
        return None
    return {"id": member.pk, "name": member.name, "sector": member.sector.name if member.sector_id else None}


def _evaluation(ev) -> dict:
    return {
        "id": ev.pk,
        "reply": ev.reply_id,
        "verdict": ev.verdict,
        "verdict_label": str(ev.get_verdict_display()),
        "comment": ev.comment,
        "answers": ev.answers or [],
        "evaluated_at": ev.evaluated_at,
        "corrected_at": ev.corrected_at,
    }


def _assignment(a, today) -> dict:
    info = a.due if hasattr(a, "due") else deadlines.due_info(a, today=today)  # due_infos set it
    return {
        "id": a.pk,
        "unit": {"id": a.unit.pk, "name": a.unit.name},
        "role": a.role,
        "role_label": str(a.get_role_display()),
        "state": a.state,
        "state_label": str(a.get_state_display()),
        "round": a.round,
        "assigned_at": a.assigned_at,
        "acknowledged_at": a.acknowledged_at,
        "objection_due": a.objection_due,
        "objection_reason": a.objection_reason,
        "first_contact_due": a.first_contact_due,
        "due_date": info.get("due_date") or a.due_date,
        "original_due_date": a.original_due_date,
        "days_left": info.get("days_left"),
        "overdue": bool(info.get("overdue")),
        "due_soon": bool(info.get("due_soon")),
        "replied_at": a.replied_at,
        "consultations": [
            {"id": c.pk, "date": c.date, "form": c.form, "form_label": str(c.get_form_display()),
             "summary": c.summary, "participants": c.participants}
            for c in a.consultations.all()
        ],
        "views": [{"id": v.pk, "round": v.round, "text": v.text, "sent_at": v.sent_at} for v in a.co_views.all()],
        "extension_requests": [
            {"id": e.pk, "requested_until": e.requested_until, "reason": e.reason, "state": e.state,
             "requested_at": e.requested_at, "decided_at": e.decided_at}
            for e in a.extension_requests.all()
        ],
    }


# What a public-only reader (selectors.reads_only_as_public) keeps of the detail as it is. Every other
# field is emptied ("" / [] / {}; dates, numbers and flags stay), then the text, the replies and the units
# come from the portal's view (selectors.public_view): exactly what the public portal shows.
PUBLISHED_FIELDS = frozenset({
    "id", "committee", "session", "state", "state_label", "number", "title", "kind", "kind_label", "category",
    "category_label", "proposer_kind", "proposer", "lead_proposer", "organization", "special_committee", "sector",
    "is_key", "is_excellent", "is_public", "version", "available_actions",
})


def _as_published(out: dict, p: Proposal) -> dict:
    public = selectors.public_view(p)  # NotFound (404) when the portal does not show it
    shown = {r.pk: r for r in public.public_replies}
    units = {a.pk for a in public.live_assignments}
    published = {key: (value if key in PUBLISHED_FIELDS or not isinstance(value, str | list | dict)
                       else type(value)()) for key, value in out.items()}
    published["body"] = public.public_body
    published["proposers"] = [x for x in out["proposers"] if x["role"] == "lead"]
    published["replies"] = [
        {**r, "text": shown[r["id"]].public_text, "signed_by": "", "evaluation": None}
        for r in out["replies"] if r["id"] in shown
    ]
    published["assignments"] = [
        {**a, "objection_reason": "", "consultations": [], "views": [], "extension_requests": []}
        for a in out["assignments"] if a["id"] in units
    ]
    return published


def proposal_out(user, proposal: Proposal) -> dict:
    """The full representation of one proposal the user may see (already checked by the selector), in a
    fixed number of queries: the row as the selector read it (read again after an action changed it) with
    everything that belongs to it (selectors.load_detail), the relations computed once from those rows."""
    seen = getattr(proposal, "_xieshang_seen_by", None) == (getattr(user, "pk", None), proposal.version)
    p = selectors.load_detail(proposal if seen else _detail_queryset().get(pk=proposal.pk))
    today = deadlines.today()
    rows = sorted(p.assignments.all(), key=lambda a: (a.role, a.pk))  # the model's order: role, then id
    deadlines.due_infos(rows, today=today)  # the committee's timer read once
    assignments = [_assignment(a, today) for a in rows]
    live = [
        a for a, obj in zip(assignments, rows, strict=True)
        if obj.state in (AssignmentState.ASSIGNED, AssignmentState.HANDLING) and obj.role != AssignmentRole.CO
    ]
    days = [a["days_left"] for a in live if a["days_left"] is not None]
    proposers = []
    if p.lead_proposer_id:
        proposers.append({"member": p.lead_proposer_id, "name": p.lead_proposer.name, "role": "lead", "state": None})
    elif p.proposer_name:
        proposers.append({"member": None, "name": p.proposer_name, "role": "lead", "state": None})
    cosigners = sorted(p.cosigners.all(), key=lambda c: c.pk)
    proposers += [{"member": c.member_id, "name": c.member.name, "role": "cosigner", "state": c.state} for c in cosigners]
    relations = selectors.relations_of(user, p)
    may_download = selectors.may_download_documents(user, p)
    all_letters = may_download or selectors.may_download_reply_letters(user, p)
    replies = []
    for r in p.replies.all():
        letter_ok = all_letters or (r.is_public and p.is_public)
        evaluation = r.evaluation if hasattr(r, "evaluation") else None  # reverse one-to-one
        replies.append(
            {
                "id": r.pk,
                "assignment": r.assignment_id,
                "unit": {"id": r.assignment.unit.pk, "name": r.assignment.unit.name},
                "round": r.round,
                "outcome": r.outcome,
                "outcome_label": str(r.get_outcome_display()),
                "text": r.text,
                "signed_by": r.signed_by,
                "document_number": r.document_number,
                "replied_at": r.replied_at,
                "is_on_time": r.is_on_time,
                "is_public": r.is_public,
                "letter_url": reverse("api:proposal_reply_letter", kwargs={"id": p.pk, "reply_id": r.pk})
                if r.letter and letter_ok else None,
                "letter_docx_url": reverse("api:proposal_reply_letter_docx", kwargs={"id": p.pk, "reply_id": r.pk})
                if letter_ok else None,
                "evaluation": _evaluation(evaluation) if evaluation is not None else None,
            }
        )
    out = {
        "id": p.pk,
        "committee": p.committee_id,
        "session": {"id": p.session.pk, "label": str(p.session), "year": p.session.year},
        "state": p.state,
        "state_label": str(p.get_state_display()),
        "number": p.number,
        "title": p.title,
        "body": p.body,
        "kind": p.kind,
        "kind_label": str(p.get_kind_display()),
        "category": p.category,
        "category_label": p.category_label,
        "suggested_units": p.suggested_units,
        "proposer_kind": p.proposer_kind,
        "proposer": p.proposer_name,
        "lead_proposer": _member_ref(p.lead_proposer) if p.lead_proposer_id else None,
        "organization": p.organization.name if p.organization_id else None,
        "special_committee": p.special_committee.name if p.special_committee_id else None,
        "sector": p.sector_name or (p.lead_proposer.sector.name if p.lead_proposer_id and p.lead_proposer.sector_id else ""),
        # the proposer's phone and address: only for those who may have the proposal form
        "contact_phone": p.contact_phone if may_download else "",
        "contact_address": p.contact_address if may_download else "",
        "proposers": proposers,
        "cosigners": [
            {"id": c.pk, "member": _member_ref(c.member), "state": c.state, "state_label": str(c.get_state_display()),
             "invited_at": c.invited_at, "answered_at": c.answered_at}
            for c in cosigners
        ],
        "cosign_deadline": p.cosign_deadline,
        "created_at": p.created_at,
        "submitted_at": p.submitted_at,
        "registered_at": p.registered_at,
        "assigned_at": p.assigned_at,
        "replied_at": p.replied_at,
        "closed_at": p.closed_at,
        "evaluation_due": p.evaluation_due,
        "round": p.round,
        "state_note": p.state_note,
        "reject_reason": p.reject_reason,
        "converted_to": p.converted_to,
        "merged_into": p.merged_into_id,
        "assignments": assignments,
        "days_left": min(days) if days else None,
        "overdue": any(a["overdue"] for a in live),
        "replies": replies,
        "evaluations": [_evaluation(ev) for ev in p.evaluations.all()],
        "rehandlings": [
            {"round": h.round, "instructions": h.instructions, "due_date": h.due_date, "created_at": h.created_at}
            for h in selectors.rehandlings_of(p)
        ],
        "supervisions": [
            {"leader": s.leader.display_name, "text": s.text, "created_at": s.created_at} for s in p.supervisions.all()
        ],
        "is_key": p.is_key,
        "supervising_leader": p.supervising_leader.display_name if p.supervising_leader_id else None,
        "is_excellent": p.is_excellent,
        "is_public": p.is_public,
        "version": p.version,
        "available_actions": [
            {"action": t.action, "label": str(t.label)} for t in selectors.available_actions(user, p, relations=relations)
        ],
        "documents": {"proposal_docx": reverse("api:proposal_docx", kwargs={"id": p.pk})} if may_download else {},
        "attachments": [attachment_out(p, a) for a in proposal_attachments.attachments_of(p)] if may_download else [],
    }
    return _as_published(out, p) if selectors.reads_only_as_public(user, p) else out


def _list_labels() -> dict:
    return {"state": {v: str(label) for v, label in ProposalState.choices}}


# The columns the list's items show; the page reads nothing else (no text bodies, no unused joins).
# Rows are read as dictionaries (`values`): 50 model instances with three related ones each, and the
# prefetch machinery, cost more than the page's SQL.
LIST_COLUMNS = (
    "id", "number", "title", "state", "kind", "category", "proposer_kind", "sector_name",
    "session_id", "is_key", "is_excellent", "is_public", "created_at", "submitted_at", "version",
    "lead_proposer__name", "organization__name", "special_committee__name",
)


def _list_items(qs, start: int, size: int) -> list[dict]:
    """The items of one page of the selector's plain list, in one query: the rows with their live units
    (selectors.with_live_units, ordered by role, then id), `next_due` the earliest reply date of an open one."""
    rows = selectors.with_live_units(qs[start : start + size]).values(*LIST_COLUMNS, "committee_id", "live_units")
    labels = _list_labels()
    url_of = reverse("api:proposal_detail", kwargs={"id": 987654321}).replace("987654321", "{}")
    items = []
    for r in rows:
        live = sorted(selectors.live_units(r.pop("live_units")), key=lambda a: a[0])
        kind = r.pop("proposer_kind")
        person, org, special = r.pop("lead_proposer__name"), r.pop("organization__name"), r.pop("special_committee__name")
        r["proposer"] = (org if kind == ProposerKind.ORGANIZATION and org else
                         special if kind == ProposerKind.SPECIAL_COMMITTEE and special else person) or ""
        r["sector"] = r.pop("sector_name")
        r["session"] = r.pop("session_id")
        r["state_label"] = labels["state"].get(r["state"], r["state"])
        r["category_label"] = categories.label(r.pop("committee_id"), r["category"])  # the committee's own list
        r["units"] = [{"id": unit_id, "name": name, "role": role, "state": state}
                      for role, state, _due, unit_id, name, _pk in live]
        r["next_due"] = min((due for _r, state, due, *_ in live if state in selectors.OPEN_ASSIGNMENT_STATES),
                            default=None)
        r["url"] = url_of.format(r["id"])
        items.append(r)
    return items


# --- Helpers ----------------------------------------------------------------------------------


def _filter_params(filters: ProposalFilters) -> dict:
    """The list's filters as the selector reads them from a query string (text values)."""
    return PROPOSALS.params({name: getattr(filters, name, None) for name in (*PROPOSALS.filter_keys, "sort")})


def _row_of(model, committee, pk, field):
    if pk is None:
        return None
    qs = model.objects.filter(pk=pk)
    qs = qs.filter(term__committee=committee) if model is Session else qs.filter(committee=committee)
    row = qs.first()
    if row is None:
        raise Invalid(
            field_errors={field: [_("Select a valid choice. That choice is not one of the available choices.")]}
        )
    return row


def _int_or_422(value, field):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ApiError(422, VALIDATION_ERROR, _("Some of the data is not valid."), {field: [_("Enter a whole number.")]})
    if isinstance(value, int) and abs(value) <= MAX_ID:
        return value
    text = str(value).strip()
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 18:
        return int(text)
    raise ApiError(422, VALIDATION_ERROR, _("Some of the data is not valid."), {field: [_("Enter a whole number.")]})


def _form_value(key, values):
    if key in LIST_KEYS:
        return [_int_or_422(v, key) if v.strip().lstrip("-").isdigit() else v for v in values]
    value = values[-1]
    if key in ID_KEYS and value.strip():
        return _int_or_422(value, key)
    if key in BOOL_KEYS:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


def _action_data(request) -> tuple[dict, int | None]:
    """An action's data: the JSON body, or a multipart/url-encoded form (with files, e.g. the reply letter)."""
    data, version = action_body(request, form_value=_form_value, id_keys=ID_KEYS | LIST_KEYS, files=True)
    return data, _int_or_422(version, "expected_version")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("", response={200: ProposalPage, **ERRORS}, summary="List proposals", operation_id="proposals_list")
def proposal_list(request, filters: Query[ProposalFilters]):
    """The proposals the caller may see in the current committee, filtered, sorted and paginated."""
    committee = committee_for(request)
    if committee is None:
        return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}
    if filters.category:
        categories.known(committee, filters.category)
    qs = selectors.proposal_list(request.auth, committee, _filter_params(filters), plain=True)
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    items = _list_items(qs, start, filters.page_size) if start < count else []
    return {"items": items, "count": count, "page": filters.page, "page_size": filters.page_size}


@router.post("", response={201: ProposalOut, **ERRORS}, summary="Create a draft", operation_id="proposals_create")
def proposal_create(request, payload: ProposalIn):
    committee = committee_or_forbidden(request)
    data = payload.dict()
    data["session"] = _row_of(Session, committee, data.get("session"), "session")
    data["organization"] = _row_of(Organization, committee, data.get("organization"), "organization")
    data["special_committee"] = _row_of(SpecialCommittee, committee, data.get("special_committee"), "special_committee")
    from xieshang.proposals import services

    proposal = services.proposal_create(actor=request.auth, committee=committee, **data)
    return Status(201, proposal_out(request.auth, proposal))


@router.get("/export.xlsx", response={200: None, **ERRORS}, summary="Export the list as Excel",
            operation_id="proposals_export", url_name="proposals_export")
def proposal_export(request, filters: Query[ProposalFilters]):
    """The list with the same filters (pagination ignored), as an Excel workbook. A list longer than
    XIESHANG_EXPORT_INLINE_MAX_ROWS (2,000) is refused with 409 `export_too_large`: ask for it with
    POST /api/v1/proposals/exports, which prepares the file in the background."""
    from xieshang.core import exports as background
    from xieshang.proposals.exports import count_proposal_list, write_proposal_list_api

    from .exports import EXPORT_TOO_LARGE

    committee = committee_or_forbidden(request)
    params = _filter_params(filters)
    rows = count_proposal_list(request.auth, committee, params)
    limit = background.inline_limit()
    if rows > limit:
        raise ApiError(409, EXPORT_TOO_LARGE, _(
            "The list has %(rows)s proposals, more than the %(limit)s exported at once. Ask for a background "
            "export with the same filters: POST /api/v1/proposals/exports."
        ) % {"rows": rows, "limit": limit})
    out = tempfile.TemporaryFile()
    write_proposal_list_api(out, user=request.auth, committee=committee, params=params)
    out.seek(0)
    filename = f"proposals-{deadlines.today():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


@router.post("/exports", response={202: ExportOut, **ERRORS}, summary="Export the list in the background",
             operation_id="proposals_export_queue")
def proposal_export_queue(request, filters: ProposalListFilters | None = None):
    """Queue the export of the list with these filters (the columns of GET /proposals/export.xlsx),
    whatever its length. Answers 202 with the export: poll its `url` until `state` is `done`, then fetch
    `file_url`. The caller is notified in the inbox too. Asking again for the same export while it is
    pending returns that one."""
    from xieshang.core.services import export_request

    committee = committee_or_forbidden(request)
    export = export_request(actor=request.auth, committee=committee, kind="proposals_api",
                            params=_filter_params(filters or ProposalListFilters()))
    return Status(202, export_out(export))


@router.get("/evaluation-questions", response={200: list[EvaluationQuestionOut], **ERRORS},
            summary="The committee's evaluation questions", operation_id="proposals_evaluation_questions")
def evaluation_questions(request):
    """The sub-verdict questions the proposer answers with `evaluate` / `correct_evaluation`: send
    `answers` as {key: answer}."""
    committee = committee_or_forbidden(request)
    return [
        {"key": q["key"], "label": str(q["label"]),
         "options": [{"answer": value, "label": str(label)} for value, label in q["options"]]}
        for q in selectors.evaluation_questions(committee)
    ]


class EvaluationQuestionIn(Schema):
    label: Text(100, required=True, single_line=True)
    options: list[Text(40, single_line=True)] = Field(..., max_length=8, description="2–8 answers of at most 40 characters")


class EvaluationQuestionsIn(Schema):
    questions: list[EvaluationQuestionIn]


@router.put("/evaluation-questions", response={200: list[EvaluationQuestionOut], **ERRORS},
            summary="Set the committee's evaluation questions", operation_id="proposals_evaluation_questions_set")
def evaluation_questions_put(request, payload: EvaluationQuestionsIn):
    """Office staff and administrators: replace the sub-verdict questions (at most 10; an empty list goes back
    to the defaults). Past evaluations keep the questions they were answered with."""
    from xieshang.proposals import services

    committee = committee_or_forbidden(request)
    services.evaluation_questions_set(actor=request.auth, committee=committee,
                                      questions=[q.dict() for q in payload.questions])
    return evaluation_questions(request)


@router.get("/{int:id}", response={200: ProposalOut, **ERRORS}, summary="One proposal",
            operation_id="proposals_get", url_name="proposal_detail")
def proposal_detail(request, id: int):
    proposal = selectors.proposal_get(request.auth, id)
    return proposal_out(request.auth, proposal)


@router.patch("/{int:id}", response={200: ProposalOut, **ERRORS}, summary="Edit a draft",
              operation_id="proposals_update")
def proposal_patch(request, id: int, payload: ProposalPatch):
    from xieshang.proposals import services

    proposal = selectors.proposal_get(request.auth, id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = fields.pop("expected_version", None)
    proposal = services.proposal_update(actor=request.auth, proposal=proposal, expected_version=version, **fields)
    return proposal_out(request.auth, proposal)


@router.get("/{int:id}/events", response={200: list[EventOut], **ERRORS}, summary="The timeline",
            operation_id="proposals_events")
def proposal_events(request, id: int):
    proposal = selectors.proposal_get(request.auth, id)
    return [event_out(e) for e in selectors.timeline_of(request.auth, proposal)]


ACTION_BODY = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "description": "The action's data, validated by the action's input schema (xieshang.proposals.schemas, "
                "the same the pages' forms feed; one of the alternatives below, titled with the action), plus an "
                "optional `expected_version` (or an `If-Match` header): a stale version gives 409 `conflict`. "
                "Fields per action (* required):\n" + proposal_schemas.actions_documentation(),
                "anyOf": [proposal_schemas.json_schema(action) for action in ACTIONS],
                "example": {"units": [{"unit": 1, "role": "lead"}, {"unit": 2, "role": "co"}], "expected_version": 5},
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "description": "For `reply` with its letter: outcome, text, signed_by, document_number, assignment and the file `letter`.",
                "properties": {"letter": {"type": "string", "format": "binary"}},
                "additionalProperties": True,
            }
        },
    },
}


@router.post(
    "/{int:id}/actions/{action}",
    response={200: ProposalOut, **ERRORS, 400: ErrorOut},
    summary="Carry out a workflow action",
    operation_id="proposals_act",
    openapi_extra={"requestBody": ACTION_BODY},
)
def proposal_action(
    request, id: int, action: str = Path(..., description="One of: " + ", ".join(ACTIONS), example="submit")
):
    """Every transition of the workflow (submit, cosign, register, assign, acknowledge, reply, evaluate …).

    409 `illegal_transition` when the action is not possible in the proposal's state, 409 `conflict`
    when `expected_version` is stale, 422 `invalid` with `fields` for bad data, 403 `forbidden` when the
    caller may see the proposal but not do this, 404 `not_found` for an unknown action or a proposal the
    caller may not see."""
    from xieshang.proposals import services  # imported here: the API loads even while services change

    if action not in workflow.TRANSITIONS:
        raise not_found_error()
    proposal = selectors.proposal_get(request.auth, id)
    data, version = _action_data(request)
    if action == "update":  # the same as PATCH; the service refuses fields it does not edit
        proposal = services.proposal_update(actor=request.auth, proposal=proposal, expected_version=version, **data)
    else:
        proposal = services.proposal_act(
            actor=request.auth, proposal=proposal, action=action, data=data, expected_version=version
        )
    return proposal_out(request.auth, proposal)


@router.get("/{int:id}/documents/proposal.docx", response={200: None, **ERRORS}, summary="The proposal form (Word)",
            operation_id="proposals_docx", url_name="proposal_docx")
def proposal_docx(request, id: int):
    from xieshang.proposals import documents

    proposal = selectors.proposal_get(request.auth, id)
    if not selectors.may_download_documents(request.auth, proposal):  # e.g. a member who sees it only as public
        raise not_found_error()
    naming = getattr(documents, "proposal_docx_filename", None)
    name = naming(proposal) if naming else f"proposal-{proposal.number or proposal.pk}.docx"
    return _attachment(documents.proposal_docx(proposal), DOCX, name)


def _reply_of(request, id: int, reply_id: int):
    proposal = selectors.proposal_get(request.auth, id)
    reply = proposal.replies.select_related("assignment__unit", "proposal").filter(pk=reply_id).first()
    if reply is None or not selectors.may_download_reply_letter(request.auth, reply):
        raise not_found_error()
    return proposal, reply


@router.get("/{int:id}/replies/{int:reply_id}/letter.docx", response={200: None, **ERRORS},
            summary="The reply letter (Word)", operation_id="proposals_reply_letter_docx",
            url_name="proposal_reply_letter_docx")
def reply_letter_docx(request, id: int, reply_id: int):
    from xieshang.proposals import documents

    proposal, reply = _reply_of(request, id, reply_id)
    naming = getattr(documents, "reply_letter_filename", None)
    name = naming(reply) if naming else f"reply-{proposal.number or proposal.pk}-{reply.pk}.docx"
    return _attachment(documents.reply_letter_docx(reply), DOCX, name)


@router.get("/{int:id}/replies/{int:reply_id}/letter", response={200: None, **ERRORS},
            summary="The uploaded reply letter", operation_id="proposals_reply_letter",
            url_name="proposal_reply_letter")
def reply_letter(request, id: int, reply_id: int):
    _proposal, reply = _reply_of(request, id, reply_id)  # 404 when the caller may not have it
    return attachment_response(reply.letter_attachment, visible=True)  # 404 when there is none



# --- Attached files (xieshang.proposals.attachments) ------------------------------------------------------

def attachment_out(proposal, row) -> dict:
    from xieshang.core.attachments import content_type_of

    return {"id": row.pk, "name": row.original_name, "size": row.size, "content_type": content_type_of(row),
            "uploaded_at": row.uploaded_at,
            "url": reverse("api:proposal_attachment", kwargs={"id": proposal.pk, "attachment_id": row.pk})}


@router.post("/{int:id}/attachments", response={201: AttachmentOut, **ERRORS, 413: ErrorOut, 415: ErrorOut},
             summary="Attach a file", operation_id="proposals_attachment_add",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
def attachment_add(request, id: int):
    """Attach a file (multipart, field `file`): the proposer until the proposal is registered, the office
    while it is submitted or returned. 415 for a type (or content) not accepted, 413 above the size limit
    (XIESHANG_MAX_UPLOAD_MB), 422 without a file, 403 when attaching is not possible now, 404 for a proposal
    the caller may not see."""
    proposal = selectors.proposal_get(request.auth, id)
    upload = request.FILES.get("file")
    with upload_refusals():
        row = proposal_attachments.proposal_attachment_add(actor=request.auth, proposal=proposal, file=upload)
    return Status(201, attachment_out(proposal, row))


@router.get("/{int:id}/attachments/{int:attachment_id}", response={200: None, **ERRORS},
            summary="An attached file", operation_id="proposals_attachment", url_name="proposal_attachment")
def attachment_file(request, id: int, attachment_id: int):
    from xieshang.core.attachments import attachment_download
    from xieshang.proposals.models import PROPOSAL_MATERIAL

    proposal = selectors.proposal_get(request.auth, id)
    return attachment_download(proposal, attachment_id, purpose=PROPOSAL_MATERIAL,
                               visible=proposal_attachments.may_see_attachments(request.auth, proposal))


@router.delete("/{int:id}/attachments/{int:attachment_id}", response={204: None, **ERRORS},
               summary="Remove an attached file", operation_id="proposals_attachment_remove")
def attachment_remove(request, id: int, attachment_id: int):
    """The uploader, while the proposal is a draft or returned for revision (403 otherwise)."""
    proposal = selectors.proposal_get(request.auth, id)
    proposal_attachments.proposal_attachment_remove(actor=request.auth, proposal=proposal, attachment=attachment_id)
    return Status(204, None)
