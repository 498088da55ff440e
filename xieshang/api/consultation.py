"""Endpoints of the meetings app (会议: plenary, standing committee, chairpersons' and consultation meetings).
Thin: parse, call one service or selector of xieshang.consultation, serialise — the API answers as the pages do.

    GET  /meetings                           list (filters year, kind, form, state, q; pages)
    POST /meetings                           plan one (office staff): MeetingInput → 201
    GET  /meetings/{id}                      detail with `attendance` (one row per invited member), speeches,
                                             outcome reports, leave requests (office), available actions
    GET  /meetings/{id}/events               the timeline
    POST /meetings/{id}/actions/{action}     update, notify, send_materials, hold, send_minutes, close, cancel
    POST /meetings/{id}/attendance           {"member", "status": present|leave|absent, "half_days"} (office; replaces)
    POST /meetings/{id}/sign-in              {"code"}: an invited member on their phone, during the meeting
    POST /meetings/{id}/sign-up              an invited member will come
    POST /meetings/{id}/leave                {"reason"}: an invited member asks for leave (before the first day)
    POST /meetings/{id}/leave/{leave_id}     {"approve", "answer"?}: the office decides
    POST /meetings/{id}/speeches             {"member", "kind": oral|written, "title", "text"?} (office)
    POST /meetings/{id}/outcome-reports      {"title", "text", "recipients": [...], "sent_on"?} (office)
    POST /meetings/{id}/feedback             {"recipient", "feedback", "feedback_on"?} (office)
    GET  /meetings/{id}/notice.docx          the notice (会议通知) as Word: whoever sees the meeting
    GET  /meetings/{id}/minutes.docx         the minutes (会议纪要) as Word: the office and leaders, once recorded
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Path, Query, Router, Schema

from xieshang.consultation import selectors, workflow
from xieshang.consultation.models import (
    LeaveRequest, MeetingForm, MeetingKind, MeetingState, OutcomeReport, Presence, SpeechKind,
)
from xieshang.core import search
from xieshang.core.errors import NotFound

from .auth import committee_for
from .common import action_body, add_read_routes, committee_or_forbidden, labelled_timeline
from .errors import not_found_error
from .opinions import ActionOut, EventOut  # the same shapes (one component each in the OpenAPI document)
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["meetings"])

KindValue = Literal[tuple(MeetingKind.values)]  # type: ignore[valid-type]
FormValue = Literal[tuple(MeetingForm.values)]  # type: ignore[valid-type]
StateValue = Literal[tuple(MeetingState.values)]  # type: ignore[valid-type]
GroupValue = Literal[tuple(workflow.GROUPS)]  # type: ignore[valid-type]
ID_KEYS = ("member", "members", "recipient", "into", "sponsor", "organization", "special_committee")


def _machine():
    from xieshang.consultation.services import MACHINE

    return MACHINE


# --- Schemas ---------------------------------------------------------------------------------------------


class MeetingFilters(Schema):
    year: int | None = Field(None, ge=1949, le=2200)
    kind: KindValue | None = None  # type: ignore[valid-type]
    form: FormValue | None = None  # type: ignore[valid-type]
    state: StateValue | None = None  # type: ignore[valid-type]
    group: GroupValue | None = Field(None, description="upcoming, held, recording, final")  # type: ignore[valid-type]
    q: str | None = Field(None, max_length=100, description="words of the title, notice, minutes or place")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class MeetingItem(Schema):
    id: int
    kind: str
    kind_label: str
    form: str
    form_label: str
    title: str
    year: int
    start_on: datetime.date
    end_on: datetime.date
    half_days: int
    place: str
    state: str
    state_label: str
    version: int


class MeetingPage(Schema):
    items: list[MeetingItem]
    count: int
    page: int
    page_size: int


class AttendanceRow(Schema):
    member: int
    name: str
    signed_up: bool
    status: str | None
    status_label: str
    half_days: int | None
    leave: str | None


class AttendanceOut(Schema):
    member: int
    status: str
    half_days: int
    source: str


class SpeechOut(Schema):
    id: int
    member: int
    name: str
    kind: str
    kind_label: str
    title: str
    text: str


class MeetingRecipientOut(Schema):
    id: int
    name: str
    feedback: str
    feedback_on: datetime.date | None


class OutcomeReportOut(Schema):
    id: int
    title: str
    text: str
    sent_on: datetime.date
    recipients: list[MeetingRecipientOut]


class LeaveOut(Schema):
    id: int
    member: int
    name: str
    reason: str
    state: str
    answer: str


class MeetingOut(MeetingItem):
    notice: str
    minutes: str
    minutes_recipients: str
    cancel_reason: str
    sign_in_code: str | None = Field(None, description="Only for the office")
    attendance: list[AttendanceRow]
    speeches: list[SpeechOut]
    outcome_reports: list[OutcomeReportOut]
    leave_requests: list[LeaveOut]
    available_actions: list[ActionOut]


def meeting_item(m) -> dict:
    return {
        "id": m.pk, "kind": m.kind, "kind_label": m.get_kind_display(), "form": m.form,
        "form_label": m.get_form_display() if m.form else "", "title": m.title, "year": m.year,
        "start_on": m.start_on, "end_on": m.end_on, "half_days": m.half_days, "place": m.place,
        "state": m.state, "state_label": m.get_state_display(), "version": m.version,
    }


def meeting_out(user, m) -> dict:
    """The detail; a fixed number of queries whatever the number of members."""
    office = "staff" in selectors.relations_of(user, m) or selectors.is_reader(user, m.committee_id)
    rows = selectors.attendance_rows(m)
    own = selectors.invited_member(user, m)
    if not office:  # a member sees their own row only
        rows = [r for r in rows if own is not None and r["member"].pk == own.pk]
    labels = dict(Presence.choices)
    reports = list(OutcomeReport.objects.filter(meeting=m).prefetch_related("recipients").order_by("id"))
    leaves = LeaveRequest.objects.filter(meeting=m).select_related("member").order_by("id")
    if not office:
        leaves = leaves.filter(member=own) if own is not None else leaves.none()
    speeches = selectors.speeches_of(m)
    if not office:
        speeches = speeches.filter(member=own) if own is not None else speeches.none()
    return {
        **meeting_item(m), "notice": m.notice, "minutes": m.minutes if office else "",
        "minutes_recipients": m.minutes_recipients, "cancel_reason": m.cancel_reason,
        "sign_in_code": m.sign_in_code if "staff" in selectors.relations_of(user, m) else None,
        "attendance": [{"member": r["member"].pk, "name": r["member"].name, "signed_up": r["signed_up"],
                        "status": r["status"], "status_label": str(labels.get(r["status"], "")),
                        "half_days": r["half_days"], "leave": r["leave_state"]} for r in rows],
        "speeches": [{"id": s.pk, "member": s.member_id, "name": s.member.name, "kind": s.kind,
                      "kind_label": s.get_kind_display(), "title": s.title, "text": s.text} for s in speeches],
        "outcome_reports": [{"id": r.pk, "title": r.title, "text": r.text, "sent_on": r.sent_on,
                             "recipients": [{"id": x.pk, "name": x.name, "feedback": x.feedback,
                                             "feedback_on": x.feedback_on} for x in r.recipients.all()]}
                            for r in reports] if office else [],
        "leave_requests": [{"id": lr.pk, "member": lr.member_id, "name": lr.member.name, "reason": lr.reason,
                            "state": lr.state, "answer": lr.answer} for lr in leaves],
        "available_actions": [{"action": t.action, "label": str(t.label)} for t in selectors.meeting_actions(user, m)],
    }


def _list_value(key: str, values: list[str]):
    return values if key in ("members", "recipients") else values[-1]


def _body(request) -> tuple[dict, object]:
    return action_body(request, form_value=_list_value, id_keys=ID_KEYS)


def _doc(example: dict, where: str = "xieshang/consultation/workflow.py") -> dict:
    return {"required": False, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": True,
        "description": f"The fields (their input schema in {where}); for actions an optional `expected_version` "
                       "(or an `If-Match` header): a stale version gives 409 `conflict`.",
        "example": example}}}}


def _detail(request, pk) -> dict:
    committee = committee_for(request)
    return meeting_out(request.auth, selectors.meeting_get(request.auth, committee, pk))


def _meeting_events(meeting) -> list[dict]:
    return labelled_timeline(meeting, label=selectors.event_label, state_label=_machine().state_label)


# --- Endpoints ---------------------------------------------------------------------------------------------


@router.get("/meetings", response={200: MeetingPage, **ERRORS}, summary="Meetings", operation_id="meetings_list")
def meeting_list(request, filters: Query[MeetingFilters]):
    """The meetings the caller may see (office and leaders: all; a member: those they are invited to), newest
    first, filtered by year, kind, form, state or state group, paginated."""
    committee = committee_for(request)
    if committee is None:
        return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}
    qs = selectors.meetings_visible_to(request.auth, committee)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.form:
        qs = qs.filter(form=filters.form)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.group:
        qs = qs.filter(state__in=workflow.GROUPS[filters.group])
    qs = search.filter_by_text(qs, "meeting", filters.q, committee=committee)
    qs = qs.order_by("-start_on", "-id")
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start:start + filters.page_size]) if start < count else []
    return {"items": [meeting_item(m) for m in rows], "count": count, "page": filters.page,
            "page_size": filters.page_size}


@router.post("/meetings", response={201: MeetingOut, **ERRORS, 400: ErrorOut}, summary="Plan a meeting",
             operation_id="meetings_create", openapi_extra={"requestBody": _doc(
                 {"kind": "consultation", "form": "thematic", "title": "关于优化营商环境的专题协商会",
                  "start_on": "2026-03-20", "end_on": "2026-03-20", "half_days": 1, "place": "州政协三楼会议室",
                  "members": [1, 2]})})
def meeting_create(request):
    """Office staff: `{"kind", "form"?, "title", "start_on", "end_on"?, "half_days"?, "place"?, "notice"?,
    "members"?}` → 201. 422 with `fields` for a first day in the past, a last day before the first, a missing
    form of consultation."""
    from xieshang.consultation import services

    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    meeting = services.meeting_create(actor=request.auth, committee=committee, data=data)
    return Status(201, meeting_out(request.auth, selectors.meeting_get(request.auth, committee, meeting.pk)))


add_read_routes(router, path="/meetings", operation_id="meetings", name="meeting", get=selectors.meeting_get,
                out=meeting_out, schema=MeetingOut, summary="One meeting", timeline=_meeting_events,
                event_schema=EventOut, events_summary="A meeting's timeline")


@router.post("/meetings/{int:id}/actions/{action}", response={200: MeetingOut, **ERRORS, 400: ErrorOut},
             summary="Carry out a meeting action", operation_id="meetings_act",
             openapi_extra={"requestBody": _doc({"minutes": "……", "expected_version": 3})})
def meeting_action(request, id: int, action: str = Path(..., description="One of: " + ", ".join(workflow.ACTIONS),
                                                         example="notify")):
    """update (MeetingInput), notify, send_materials, hold, send_minutes (`{"minutes", "recipients"?}`), close,
    cancel (`{"reason"}`). 409 `illegal_transition` in the wrong state (`conflict` for a stale version), 422 with
    `fields`, 403 when the caller may see the meeting but not do this, 404 for an unknown action or meeting."""
    from xieshang.consultation import services

    if action not in _machine():
        raise not_found_error()
    committee = committee_for(request)
    meeting = selectors.meeting_get(request.auth, committee, id)
    data, version = _body(request)
    services.meeting_act(actor=request.auth, meeting=meeting, action=action, data=data, expected_version=version)
    return _detail(request, id)


@router.post("/meetings/{int:id}/attendance", response={200: AttendanceOut, **ERRORS, 400: ErrorOut},
             summary="Record one member's attendance", operation_id="meetings_attendance",
             openapi_extra={"requestBody": _doc({"member": 1, "status": "present", "half_days": 2})})
def meeting_attendance(request, id: int):
    """Office staff, from the meeting's first day: `{"member", "status": "present"|"leave"|"absent",
    "half_days"?}` (default: the meeting's half-days). Posting again for the same member replaces that row."""
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    data, _version = _body(request)
    row = services.attendance_record(actor=request.auth, meeting=meeting, data=data)
    return {"member": row.member_id, "status": row.status, "half_days": row.half_days, "source": row.source}


@router.post("/meetings/{int:id}/sign-in", response={200: AttendanceOut, **ERRORS, 400: ErrorOut},
             summary="Sign in with the meeting's code", operation_id="meetings_sign_in",
             openapi_extra={"requestBody": _doc({"code": "123456"})})
def meeting_sign_in(request, id: int):
    """An invited member, from the first to the last day: `{"code"}`; 422 `bad_code` or `outside_window`."""
    from xieshang.consultation import services

    committee = committee_for(request)
    meeting = selectors.meeting_get(request.auth, committee, id)
    data, _version = _body(request)
    row = services.sign_in_with_code(actor=request.auth, committee=committee, code=str(data.get("code") or ""),
                                     meeting=meeting)
    return {"member": row.member_id, "status": row.status, "half_days": row.half_days, "source": row.source}


@router.post("/meetings/{int:id}/sign-up", response={200: MeetingOut, **ERRORS}, summary="Sign up for a meeting",
             operation_id="meetings_sign_up")
def meeting_sign_up(request, id: int):
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    services.sign_up(actor=request.auth, meeting=meeting)
    return _detail(request, id)


@router.post("/meetings/{int:id}/leave", response={201: LeaveOut, **ERRORS, 400: ErrorOut},
             summary="Ask for leave (请假)", operation_id="meetings_leave_request",
             openapi_extra={"requestBody": _doc({"reason": "出差在外，无法参会。"})})
def meeting_leave_request(request, id: int):
    """An invited member, before the first day: `{"reason"}` → 201; 422 `started` once the meeting started."""
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    data, _version = _body(request)
    row = services.leave_request(actor=request.auth, meeting=meeting, reason=str(data.get("reason") or ""))
    return Status(201, {"id": row.pk, "member": row.member_id, "name": row.member.name, "reason": row.reason,
                        "state": row.state, "answer": row.answer})


@router.post("/meetings/{int:id}/leave/{int:leave_id}", response={200: LeaveOut, **ERRORS, 400: ErrorOut},
             summary="Decide a leave request", operation_id="meetings_leave_decide",
             openapi_extra={"requestBody": _doc({"approve": True, "answer": ""})})
def meeting_leave_decide(request, id: int, leave_id: int):
    """Office staff: `{"approve": true|false, "answer"?}`; 409 when it was decided already."""
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    row = LeaveRequest.objects.filter(meeting=meeting, pk=leave_id).first()
    if row is None:
        raise NotFound()
    data, _version = _body(request)
    row = services.leave_decide(actor=request.auth, leave=row, approve=data.get("approve"),
                                answer=data.get("answer") or "")
    return {"id": row.pk, "member": row.member_id, "name": row.member.name, "reason": row.reason,
            "state": row.state, "answer": row.answer}


@router.post("/meetings/{int:id}/speeches", response={201: SpeechOut, **ERRORS, 400: ErrorOut},
             summary="Record a speech or written statement", operation_id="meetings_speech_add",
             openapi_extra={"requestBody": _doc({"member": 1, "kind": "oral", "title": "关于……的发言"})})
def meeting_speech_add(request, id: int):
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    data, _version = _body(request)
    s = services.speech_add(actor=request.auth, meeting=meeting, data=data)
    return Status(201, {"id": s.pk, "member": s.member_id, "name": s.member.name, "kind": s.kind,
                        "kind_label": str(SpeechKind(s.kind).label), "title": s.title, "text": s.text})


@router.post("/meetings/{int:id}/outcome-reports", response={201: OutcomeReportOut, **ERRORS, 400: ErrorOut},
             summary="Send the outcome report (成果报送)", operation_id="meetings_outcome_report_add",
             openapi_extra={"requestBody": _doc({"title": "协商成果", "text": "……", "recipients": ["州委", "州政府"]})})
def meeting_outcome_report_add(request, id: int):
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    data, _version = _body(request)
    r = services.outcome_report_add(actor=request.auth, meeting=meeting, data=data)
    return Status(201, {"id": r.pk, "title": r.title, "text": r.text, "sent_on": r.sent_on,
                        "recipients": [{"id": x.pk, "name": x.name, "feedback": x.feedback,
                                        "feedback_on": x.feedback_on} for x in r.recipients.order_by("id")]})


@router.post("/meetings/{int:id}/feedback", response={200: MeetingRecipientOut, **ERRORS, 400: ErrorOut},
             summary="Record a recipient's feedback", operation_id="meetings_feedback",
             openapi_extra={"requestBody": _doc({"recipient": 1, "feedback": "已批示相关部门落实。"})})
def meeting_feedback(request, id: int):
    from xieshang.consultation import services

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    data, _version = _body(request)
    x = services.feedback_record(actor=request.auth, meeting=meeting, data=data)
    return {"id": x.pk, "name": x.name, "feedback": x.feedback, "feedback_on": x.feedback_on}


@router.get("/meetings/{int:id}/notice.docx", response={200: None, **ERRORS}, summary="The meeting notice (Word)",
            operation_id="meetings_notice_docx")
def meeting_notice_docx(request, id: int):
    """The notice (会议通知) in the official layout, as the meeting page's button: whoever may see the meeting (an
    invited member once the notice is out); 404 for anyone else."""
    from xieshang.consultation import documents
    from xieshang.core.screens import docx_response

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    return docx_response(documents.notice_docx(meeting), documents.notice_filename(meeting))


@router.get("/meetings/{int:id}/minutes.docx", response={200: None, **ERRORS}, summary="The minutes (Word)",
            operation_id="meetings_minutes_docx")
def meeting_minutes_docx(request, id: int):
    """The minutes (会议纪要, numbered by year) with the speeches, who attended, was on leave or absent, and the
    recipients: the office and leaders, once the minutes are recorded (`send_minutes`); the same 404 before and for
    anyone else (an invited member reads the notice, not the meeting's record)."""
    from xieshang.consultation import documents
    from xieshang.core.screens import docx_response

    meeting = selectors.meeting_get(request.auth, committee_for(request), id)
    if not meeting.minutes or not selectors.may_read_record(request.auth, meeting):
        raise not_found_error()
    return docx_response(documents.minutes_docx(meeting), documents.minutes_filename(meeting))


# --- The year's plan and its topics (年度协商计划 / 协商议题) -------------------------------------------------------
#
#     GET  /consultation/topics                       list (filters year, state, form, source, q; pages)
#     POST /consultation/topics                       submit one (TopicInput) → 201
#     GET  /consultation/topics/{id}                  detail with `outcome` (what became of it) and actions
#     GET  /consultation/topics/{id}/events           the timeline
#     POST /consultation/topics/{id}/actions/{action} shortlist, arrange, reconsider, decline, merge, schedule, withdraw
#     GET  /consultation/plans                        the plans the caller may see (office and leaders)
#     POST /consultation/plans                        open a year's plan and issue its call (ConsultationPlanInput) → 201
#     GET  /consultation/plans/{id}                   detail with its call, approvals, planned topics and actions
#     GET  /consultation/plans/{id}/events            the timeline
#     POST /consultation/plans/{id}/actions/{action}  approve_chair, approve_party (`{"date", "document"}`), reopen

from xieshang.consultation import plan_selectors as psel  # noqa: E402
from xieshang.consultation import plan_workflow as pwf  # noqa: E402
from xieshang.consultation.models import TopicSource, TopicState  # noqa: E402

TopicStateValue = Literal[tuple(TopicState.values)]  # type: ignore[valid-type]
TopicSourceValue = Literal[tuple(TopicSource.values)]  # type: ignore[valid-type]
TopicGroupValue = Literal[tuple(pwf.TOPIC_GROUPS)]  # type: ignore[valid-type]
PLAN_DOC = "xieshang/consultation/plan_workflow.py"


def _plan_machines():
    from xieshang.consultation import plan_services

    return plan_services.TOPIC_MACHINE, plan_services.PLAN_MACHINE


def _topic_events(topic) -> list[dict]:
    return labelled_timeline(topic, label=psel.topic_event_label, state_label=_plan_machines()[0].state_label)


def _plan_events(plan) -> list[dict]:
    return labelled_timeline(plan, label=psel.plan_event_label, state_label=_plan_machines()[1].state_label)


class TopicFilters(Schema):
    year: int | None = Field(None, ge=1949, le=2200)
    state: TopicStateValue | None = None  # type: ignore[valid-type]
    group: TopicGroupValue | None = Field(None, description="open, planned, approved, received, final")  # type: ignore[valid-type]
    form: FormValue | None = None  # type: ignore[valid-type]
    source: TopicSourceValue | None = None  # type: ignore[valid-type]
    q: str | None = Field(None, max_length=100)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class TopicItem(Schema):
    id: int
    year: int
    title: str
    form: str
    form_label: str
    source: str
    source_label: str
    submitter: str
    sponsor: str
    month: int | None
    state: str
    state_label: str
    version: int


class TopicPage(Schema):
    items: list[TopicItem]
    count: int
    page: int
    page_size: int


class TopicOutcomeOut(Schema):
    key: str = Field(description="submitted, shortlisted, approved, scheduled, held, cancelled, merged, declined, withdrawn")
    text: str
    meeting: int | None
    meeting_on: datetime.date | None
    reports: list[str]


class TopicOut(TopicItem):
    reason: str
    decline_reason: str
    merged_into: int | None
    merged: list[int]
    meeting: int | None
    outcome: TopicOutcomeOut
    available_actions: list[ActionOut]


class PlanOut(Schema):
    id: int
    year: int
    state: str
    state_label: str
    version: int
    call_deadline: datetime.date | None
    call_text: str
    chair_approved_on: datetime.date | None
    chair_document: str
    party_approved_on: datetime.date | None
    party_document: str
    counts: dict[str, int] | None = None
    topics: list[TopicItem] | None = None
    available_actions: list[ActionOut] | None = None


def topic_item(t) -> dict:
    return {"id": t.pk, "year": t.year, "title": t.title, "form": t.form, "form_label": t.get_form_display(),
            "source": t.source, "source_label": t.get_source_display(), "submitter": t.source_name,
            "sponsor": t.sponsor.name if t.sponsor_id else "", "month": t.month, "state": t.state,
            "state_label": t.get_state_display(), "version": t.version}


def topic_out(user, t) -> dict:
    outcome = psel.outcome_of(t)
    meeting = outcome["meeting"]
    return {**topic_item(t), "reason": t.reason, "decline_reason": t.decline_reason, "merged_into": t.merged_into_id,
            "merged": list(t.merged.order_by("id").values_list("pk", flat=True)), "meeting": t.meeting_id,
            "outcome": {"key": outcome["key"], "text": str(outcome["text"]), "meeting": meeting.pk if meeting else None,
                        "meeting_on": meeting.start_on if meeting else None,
                        "reports": [r.title for r in outcome["reports"]]},
            "available_actions": [{"action": a.action, "label": str(a.label)} for a in psel.topic_actions(user, t)]}


def plan_out(user, p, *, detail: bool = True) -> dict:
    call = getattr(p, "call", None)
    out = {"id": p.pk, "year": p.year, "state": p.state, "state_label": p.get_state_display(), "version": p.version,
           "call_deadline": call.deadline if call else None, "call_text": call.text if call else "",
           "chair_approved_on": p.chair_approved_on, "chair_document": p.chair_document,
           "party_approved_on": p.party_approved_on, "party_document": p.party_document}
    if detail:
        out.update(counts=psel.counts(p), topics=[topic_item(t) for t in psel.board(p)["topics"]],
                   available_actions=[{"action": a.action, "label": str(a.label)} for a in psel.plan_actions(user, p)])
    return out


def _topic_detail(request, pk) -> dict:
    return topic_out(request.auth, psel.topic_get(request.auth, committee_for(request), pk))


def _plan_detail(request, pk) -> dict:
    return plan_out(request.auth, psel.plan_get(request.auth, committee_for(request), pk))


@router.get("/consultation/topics", response={200: TopicPage, **ERRORS}, summary="Consultation topics",
            operation_id="consultation_topics_list", tags=["consultation plan"])
def topic_list(request, filters: Query[TopicFilters]):
    """The topics the caller may see (office and leaders: all; anyone else: the topics they submitted), newest
    year first, filtered, paginated."""
    from xieshang.consultation.plan_lists import filter_topics

    committee = committee_for(request)
    if committee is None:
        return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}
    qs = filter_topics(psel.topics_visible_to(request.auth, committee),
                       {k: getattr(filters, k) for k in ("q", "year", "state", "form", "source")})
    if filters.group:
        qs = qs.filter(state__in=pwf.TOPIC_GROUPS[filters.group])
    qs = psel.with_list_data(qs).order_by("-year", "id")
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start:start + filters.page_size]) if start < count else []
    return {"items": [topic_item(t) for t in rows], "count": count, "page": filters.page,
            "page_size": filters.page_size}


@router.post("/consultation/topics", response={201: TopicOut, **ERRORS, 400: ErrorOut}, summary="Submit a topic",
             operation_id="consultation_topics_create", tags=["consultation plan"],
             openapi_extra={"requestBody": _doc({"title": "加快普惠托育服务体系建设", "reason": "……",
                                                 "form": "thematic", "source": "member"}, PLAN_DOC)})
def topic_create(request):
    """A member in their own name (`source` member), or for a party/group (`organization`) or a special committee
    (`special_committee`) — its members or the office: `{"title", "reason", "form", "sponsor"?, "source",
    "organization"?, "special_committee"?, "year"?}` → 201. 422 `no_call` / `call_closed` without an open call."""
    from xieshang.consultation import plan_services

    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    topic = plan_services.topic_submit(actor=request.auth, committee=committee, data=data)
    return Status(201, _topic_detail(request, topic.pk))


add_read_routes(router, path="/consultation/topics", operation_id="consultation_topics", name="topic",
                get=psel.topic_get, out=topic_out, schema=TopicOut, summary="One topic", timeline=_topic_events,
                event_schema=EventOut, events_summary="A topic's timeline", tags=["consultation plan"])


@router.post("/consultation/topics/{int:id}/actions/{action}", response={200: TopicOut, **ERRORS, 400: ErrorOut},
             summary="Carry out a topic action", operation_id="consultation_topics_act", tags=["consultation plan"],
             openapi_extra={"requestBody": _doc({"month": 5, "expected_version": 1}, PLAN_DOC)})
def topic_action(request, id: int, action: str = Path(..., description="One of: " + ", ".join(pwf.TOPIC_ACTIONS),
                                                       example="shortlist")):
    """shortlist (`{"month"}`), arrange (`{"month", "form", "sponsor"?}`), reconsider, decline (`{"reason"}`), merge
    (`{"into"}`), schedule (`{"start_on", "end_on"?, "half_days"?, "place"?, "title"?, "notice"?, "members"?}`),
    withdraw (the submitter). 409 `illegal_transition` (e.g. `plan_passed`), 422 with `fields`, 403, 404."""
    from xieshang.consultation import plan_services

    if action not in _plan_machines()[0]:
        raise not_found_error()
    topic = psel.topic_get(request.auth, committee_for(request), id)
    data, version = _body(request)
    plan_services.topic_act(actor=request.auth, topic=topic, action=action, data=data, expected_version=version)
    return _topic_detail(request, id)


@router.get("/consultation/plans", response={200: list[PlanOut], **ERRORS}, summary="Consultation plans",
            operation_id="consultation_plans_list", tags=["consultation plan"])
def plan_list(request):
    committee = committee_for(request)
    if committee is None:
        return []
    return [plan_out(request.auth, p, detail=False)
            for p in psel.plans_visible_to(request.auth, committee).select_related("call").order_by("-year")]


@router.post("/consultation/plans", response={201: PlanOut, **ERRORS, 400: ErrorOut},
             summary="Open a year's plan and issue its call for topics", operation_id="consultation_plans_create",
             tags=["consultation plan"],
             openapi_extra={"requestBody": _doc({"year": 2027, "deadline": "2026-12-20", "text": "……"}, PLAN_DOC)})
def plan_create(request):
    """Office staff: `{"year", "deadline", "text"?}` → 201; 422 for a deadline in the past or a year planned."""
    from xieshang.consultation import plan_services

    committee = committee_or_forbidden(request)
    data, _version = _body(request)
    plan = plan_services.plan_create(actor=request.auth, committee=committee, data=data)
    return Status(201, _plan_detail(request, plan.pk))


add_read_routes(router, path="/consultation/plans", operation_id="consultation_plans", name="plan",
                get=psel.plan_get, out=plan_out, schema=PlanOut, summary="One plan", timeline=_plan_events,
                event_schema=EventOut, events_summary="A plan's timeline", tags=["consultation plan"])


@router.post("/consultation/plans/{int:id}/actions/{action}", response={200: PlanOut, **ERRORS, 400: ErrorOut},
             summary="Carry out a plan action", operation_id="consultation_plans_act", tags=["consultation plan"],
             openapi_extra={"requestBody": _doc({"date": "2026-01-12", "document": "主席会议纪要〔2026〕1号"}, PLAN_DOC)})
def plan_action(request, id: int, action: str = Path(..., description="One of: " + ", ".join(pwf.PLAN_ACTIONS),
                                                      example="approve_chair")):
    """approve_chair, approve_party (`{"date", "document"}`: not in the future, the Party committee's not before
    the chairpersons' meeting's — 422 `dates_out_of_order`), reopen. 409 `topics_waiting` while topics wait."""
    from xieshang.consultation import plan_services

    if action not in _plan_machines()[1]:
        raise not_found_error()
    plan = psel.plan_get(request.auth, committee_for(request), id)
    data, version = _body(request)
    plan_services.plan_act(actor=request.auth, plan=plan, action=action, data=data, expected_version=version)
    return _plan_detail(request, id)

