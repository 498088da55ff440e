"""Endpoints of members' duty (履职): the scoring rules of a year, the try-out, a member's duty. Thin: parse, call
one service or selector of xieshang.members, serialise.

    GET  /duty/rules/{year}              the rules of the year, the JSON form of members/rules.py (office; else 404);
                                         ETag: "<version>" (0: the year has no rules yet)
    PUT  /duty/rules/{year}              store the rules: the document, and the version edited as `If-Match` (or
                                         `expected_version` in the body); 409 `conflict` when stale, 422 with the
                                         place of each problem (`categories[2].items[0].kind`)
    GET  /duty/rules/{year}/table.xlsx   the rules as an Excel table (office; else 404)
    POST /duty/rules/{year}/table.xlsx   import an Excel table (multipart `file`, `expected_version`): 422 listing
                                         every bad row, nothing changed
    POST /duty/evaluate                  {"rules": {…}, "facts": [{"kind", "quantity", "authors", "lead"}]} → the
                                         answer of a member's duty, for a draft rule set (office)
    POST /duty/records                   {"member", "kind", "quantity", "date", "note"}: a fact added by hand (补录;
                                         office; a member of another committee → 404)
    GET  /duty/scores?year=              the committee's score table: each member's total, band and ranks (office
                                         and leaders; else 404)
    GET  /duty/queries?state=&page=      members' queries about facts (质疑): open (default), answered or all; 50 a
                                         page (office; else 404)
    POST /duty/queries/{id}/answer       {"answer"}: the office's answer; the member is told (office; else 403)
    POST /members/{id}/duty/adjustments  {"year", "points", "reason"}: a leader's adjustment of the score (leaders;
                                         else 403; another committee's member 404)
    POST /members/{id}/duty/procedure    {"year", "step", "taken_on", "note"}: a step of the non-performance procedure
                                         (谈话提醒 talk → 通报 notice → 劝辞 resign; office; else 403)
    GET  /training/courses?year=         the year's courses and study sessions (office, leaders, members)
    POST /training/courses               {"title", "kind", "held_on", "hours", "place"} (office; else 403)
    GET  /training/courses/{id}          a course with its enrolments (a member sees only their own)
    POST /training/courses/{id}/enrol    {"members": [ids]} by the office; {} by a member for themself
    POST /training/courses/{id}/attendance  {"present": [member ids]}: who attended (office); each gets the
                                         training fact, the other enrolled are marked absent
    GET  /members/{id}/duty?year=        the member's duty: total, band, categories, items (with the arithmetic),
                                         the ledger's facts (the member, the office and leaders; else 404)
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from xieshang.core import clock
from xieshang.core.errors import Invalid
from xieshang.members import rules, selectors, services, tables
from xieshang.members.models import YEAR_MAX, YEAR_MIN

from .common import action_body, committee_or_forbidden
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["duty"])

RULES_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": True,
        "description": "The rules (base, bands, categories with items; see docs/members.md), plus an optional "
                       "`expected_version` (or an `If-Match` header: the version read, 0 for a year without rules).",
        "example": {"base": 0, "bands": [{"name": "称职", "min": 60}, {"name": "不称职", "min": None}],
                    "categories": [{"name": "会议", "start": 0, "cap": 30, "floor": 0, "items": [
                        {"kind": "plenary_present", "points": 2, "per": "half_day", "cap": None, "after": 0,
                         "lead_share": None}]}],
                    "expected_version": 0},
    }}},
}


# --- Schemas --------------------------------------------------------------------------------------------


class FactIn(Schema):
    kind: str = Field(..., max_length=64, description="A kind of the vocabulary (plenary_present …) or of the ledger")
    quantity: float = Field(1, ge=0, le=1000, description="Half-days for a half-day item; else unused")
    authors: int = Field(1, ge=1, le=1000)
    lead: bool = True


class EvaluateIn(Schema):
    rules: dict
    facts: list[FactIn] = Field(default_factory=list, max_length=2000)


class CategoryOut(Schema):
    name: str
    points: float
    raw: float
    capped: bool
    floored: bool


class ItemOut(Schema):
    category: str
    kind: str
    label: str
    per: str
    units: float
    counted: float
    points: float
    raw: float
    capped: bool
    arithmetic: str


class FactOut(Schema):
    kind: str
    label: str
    counts_as: list[str]
    quantity: float
    authors: int
    lead: bool
    occurred_on: datetime.date | None = None
    object_kind: str = ""
    object_title: str = ""
    note: str = ""


class DutyOut(Schema):
    member: int | None
    name: str
    year: int | None
    rules_version: int | None
    base: float | None
    total: float | None
    band: str | None
    categories: list[CategoryOut]
    items: list[ItemOut]
    facts: list[FactOut]
    unmapped: list[str] = Field(description="Ledger kinds no rule can score (not in the vocabulary's mapping)")
    adjustments: list[dict] = Field(default_factory=list,
                                    description="The leaders' adjustments of the year: [{points, reason, made_at}]")
    standing: dict | None = Field(None, description="With the adjustments: {total, band, rank, sector_rank, "
                                                    "sector_size, special: [{name, rank, of}]} (null without rules)")


class DutyFilters(Schema):
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="The calendar year (default: this year)")


# --- Serialisation -----------------------------------------------------------------------------------------


def _fact_label(kind: str) -> str:
    from xieshang.core import duty

    return rules.kind_label(kind) if kind in rules.KINDS else duty.kind_label(kind)


def _fact_out(fact) -> dict:
    get = fact.get if isinstance(fact, dict) else (lambda key, default=None: getattr(fact, key, default))
    kind = get("kind")
    return {
        "kind": kind, "label": _fact_label(kind),
        "counts_as": [kind] if kind in rules.KINDS else list(rules.LEDGER_MAP.get(kind, ())),
        "quantity": float(get("quantity", 1)), "authors": int(get("authors", 1)), "lead": bool(get("lead", True)),
        "occurred_on": get("occurred_on"), "object_kind": get("target_kind", "") or "",
        "object_title": get("target_title", "") or "", "note": get("note", "") or "",
    }


def duty_out(duty: selectors.Duty) -> dict:
    result = duty.result
    return {
        "member": duty.member.pk if duty.member else None, "name": duty.member.name if duty.member else "",
        "year": duty.year, "rules_version": duty.rules_version,
        "base": float(result.base) if result else None, "total": float(result.total) if result else None,
        "band": result.band if result else None,
        "categories": [{"name": c.name, "points": float(c.points), "raw": float(c.raw), "capped": c.capped,
                        "floored": c.floored} for c in (result.categories if result else [])],
        "items": [{"category": i.category, "kind": i.kind, "label": i.label, "per": i.per, "units": float(i.units),
                   "counted": float(i.counted), "points": float(i.points), "raw": float(i.raw), "capped": i.capped,
                   "arithmetic": i.arithmetic} for i in (result.items if result else [])],
        "facts": [_fact_out(f) for f in duty.facts],
        "unmapped": duty.unmapped,
        "adjustments": [{"points": float(a.points), "reason": a.reason, "made_at": a.made_at.isoformat()}
                        for a in duty.adjustments],
        "standing": _standing(duty.score),
    }


def _standing(score) -> dict | None:
    if score is None or score.total is None:
        return None
    return {"total": float(score.total), "band": score.band, "rank": score.rank, "sector_rank": score.sector_rank,
            "sector_size": score.sector_size,
            "special": [{"name": n, "rank": k, "of": size} for n, k, size in score.special]}


def _rules_response(row, response: HttpResponse) -> dict:
    response["ETag"] = f'"{row.version}"'
    return row.document


# --- Endpoints -------------------------------------------------------------------------------------------


@router.get("/duty/rules/{int:year}", response={200: dict, **ERRORS}, summary="The duty scoring rules of a year",
            operation_id="duty_rules_get")
def duty_rules_get(request, year: int, response: HttpResponse):
    """The committee's rules of the year in the JSON form (office staff and administrators; 404 for anyone else
    and for a year out of 2000–2100). The ETag is the version to send back with PUT (0: none yet)."""
    row = selectors.duty_rules_get(request.auth, committee_or_forbidden(request), year)
    return _rules_response(row, response)


@router.put("/duty/rules/{int:year}", response={200: dict, **ERRORS, 400: ErrorOut},
            summary="Store the duty scoring rules of a year", operation_id="duty_rules_put",
            openapi_extra={"requestBody": RULES_BODY})
def duty_rules_put(request, year: int, response: HttpResponse):
    """Replace the rules of the year (office staff and administrators: 403 for anyone else). The version edited
    is `If-Match` or `expected_version` (0 for a year without rules): 409 `conflict` when someone saved in the
    meantime. 422 `invalid` with `fields` keyed by the place of each problem (`bands[1].min`,
    `categories[2].items[0].kind`)."""
    committee = committee_or_forbidden(request)
    document, version = action_body(request, form_value=lambda key, values: values[-1])
    if version is None:
        raise Invalid(field_errors={"expected_version": [Invalid.default_message]})
    row = services.duty_rules_put(actor=request.auth, committee=committee, year=year, document=document,
                                  version=version)
    return _rules_response(row, response)


@router.get("/duty/rules/{int:year}/table.xlsx", response={200: None, **ERRORS},
            summary="The duty scoring rules as an Excel table", operation_id="duty_rules_xlsx")
def duty_rules_xlsx(request, year: int):
    row = selectors.duty_rules_get(request.auth, committee_or_forbidden(request), year)
    response = tables.download(row.document, row.year, "xlsx")
    response["ETag"] = f'"{row.version}"'
    return response


@router.post("/duty/rules/{int:year}/table.xlsx", response={200: dict, **ERRORS, 400: ErrorOut},
             summary="Import the duty scoring rules from an Excel table", operation_id="duty_rules_xlsx_import",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file", "expected_version"],
                 "properties": {"file": {"type": "string", "format": "binary"},
                                "expected_version": {"type": "integer", "minimum": 0}}}}}}})
def duty_rules_xlsx_import(request, year: int, response: HttpResponse):
    """The table of GET …/table.xlsx, edited: 422 with `fields.file` listing every bad row (nothing changed),
    409 for a stale `expected_version`."""
    committee = committee_or_forbidden(request)
    version = request.POST.get("expected_version") or request.headers.get("If-Match", "").strip('"') or None
    if version is None:
        raise Invalid(field_errors={"expected_version": [Invalid.default_message]})
    row = services.duty_rules_import_xlsx(actor=request.auth, committee=committee, year=year,
                                          file=request.FILES.get("file"), version=version)
    return _rules_response(row, response)


@router.post("/duty/evaluate", response={200: DutyOut, **ERRORS, 400: ErrorOut},
             summary="Try a rule set on a sample year", operation_id="duty_evaluate")
def duty_evaluate(request, payload: EvaluateIn):
    """What a draft rule set gives for the facts sent (office staff and administrators; 403 for others): the
    same answer as a member's duty. 422 with the place of each problem (`rules.bands[0].min`, `facts[3].kind`)."""
    committee = committee_or_forbidden(request)
    facts = [f.dict() for f in payload.facts]
    duty = selectors.duty_evaluate(request.auth, committee, payload.rules, facts, prefix="rules")
    return duty_out(duty)


@router.get("/members/{int:id}/duty", response={200: DutyOut, **ERRORS}, summary="A member's duty of a year",
            operation_id="member_duty")
def member_duty(request, id: int, filters: Query[DutyFilters]):
    """The member's facts of the year from every app and the score the committee's rules of that year give them
    (total, band and categories null without rules), with the arithmetic item by item: the member themself, the
    committee's office staff, administrators and leaders; 404 for anyone else."""
    year = filters.year or clock.today().year
    return duty_out(selectors.member_duty(request.auth, id, year))


class DutyRecordIn(Schema):
    member: int = Field(..., ge=1, le=2**31 - 1)
    kind: str = Field(..., max_length=64, description="A kind of the vocabulary (commendation, public_service …)")
    quantity: float = Field(1, gt=0, le=1000)
    date: datetime.date
    note: str = Field(..., max_length=500, description="The reason: what the platform could not know")


class DutyRecordOut(Schema):
    id: int
    member: int
    kind: str
    ledger_kind: str
    quantity: float
    date: datetime.date
    note: str


@router.post("/duty/records", response={201: DutyRecordOut, **ERRORS, 400: ErrorOut},
             summary="Add a fact by hand to a member's record", operation_id="duty_record_add")
def duty_record_add(request, payload: DutyRecordIn):
    """补录: a fact the platform could not know (a media interview, a charity act, a commendation), with the
    reason in `note`: office staff and administrators (403 for others); a member of another committee is 404.
    Marked as added by hand on the record (ledger kind `members.manual.<kind>`), audited."""
    committee = committee_or_forbidden(request)
    row = services.manual_fact_add(actor=request.auth, committee=committee, member=payload.member,
                                   kind=payload.kind, quantity=str(payload.quantity), occurred_on=payload.date,
                                   note=payload.note)
    return Status(201, {"id": row.pk, "member": row.member_id, "kind": row.kind,
                 "ledger_kind": rules.MANUAL_PREFIX + row.kind, "quantity": float(row.quantity),
                 "date": row.occurred_on, "note": row.note})


class DutyScoreOut(Schema):
    member: int
    name: str
    sector: str
    computed: float | None
    adjustment: float
    total: float | None
    band: str
    rank: int | None
    sector_rank: int | None
    special: list[dict] = Field(description="[{name, rank, of}] for each special committee of the member")


class DutyScoresOut(Schema):
    year: int
    rules_version: int | None
    bands: list[str]
    members: list[DutyScoreOut]


@router.get("/duty/scores", response={200: DutyScoresOut, **ERRORS}, summary="The committee's score table of a year",
            operation_id="duty_scores")
def duty_scores(request, filters: Query[DutyFilters]):
    """Every active member with the year's computed total, the leaders' adjustments, the total, the band and the
    ranks in the committee, the sector and each special committee (office staff, administrators and leaders; 404
    for others), best first."""
    year = filters.year or clock.today().year
    table = selectors.committee_scores(request.auth, committee_or_forbidden(request), year)
    rows = sorted(table.rows, key=lambda r: (r.rank or 10 ** 9, r.member.name, r.member.pk))
    return {"year": table.year, "rules_version": table.rules_version, "bands": table.bands, "members": [{
        "member": r.member.pk, "name": r.member.name, "sector": r.sector_name,
        "computed": float(r.computed) if r.computed is not None else None, "adjustment": float(r.adjustment),
        "total": float(r.total) if r.total is not None else None, "band": r.band, "rank": r.rank,
        "sector_rank": r.sector_rank, "special": [{"name": n, "rank": k, "of": size} for n, k, size in r.special],
    } for r in rows]}


class DutyAlertOut(Schema):
    member: int
    name: str
    total: float | None
    band: str
    reasons: list[str] = Field(description="low_year, low_mid, absent, no_output")
    labels: list[str]
    steps: list[dict] = Field(description="[{step, date, note}]: the non-performance procedure so far")


class DutyAlertsOut(Schema):
    year: int
    checkpoint: str = Field(description='"year", "mid" or "" (no score check yet)')
    pass_line: float | None
    line: float | None
    output_due: datetime.date | None
    alerts: list[DutyAlertOut]


@router.get("/duty/alerts", response={200: DutyAlertsOut, **ERRORS}, summary="The members to look at in a year",
            operation_id="duty_alerts")
def duty_alerts(request, filters: Query[DutyFilters]):
    """预警 (office staff and administrators; 404 for others): below the pass line at mid-year or year's end, absent
    from two plenary or standing meetings in a row without leave, no proposal or report by the committee's date;
    with each member's non-performance procedure so far. See docs/members.md."""
    from xieshang.members import alerts

    year = filters.year or clock.today().year
    found = alerts.committee_alerts(request.auth, committee_or_forbidden(request), year)

    def number(value):
        return float(value) if value is not None else None

    return {"year": found.year, "checkpoint": found.checkpoint, "pass_line": number(found.pass_line),
            "line": number(found.line), "output_due": found.output_due, "alerts": [{
                "member": a.row.member.pk, "name": a.row.member.name, "total": number(a.row.total),
                "band": a.row.band, "reasons": a.reasons, "labels": a.labels,
                "steps": [{"step": s.step, "date": s.taken_on.isoformat(), "note": s.note} for s in a.steps],
            } for a in found.alerts]}


# --- Queries about facts (质疑) and the office's answers ---------------------------------------------------


class QueryFilters(Schema):
    state: str = Field("open", pattern="^(open|answered|all)$")
    page: int = Field(1, ge=1, le=100000)


class QueryOut(Schema):
    id: int
    member: int
    member_name: str
    about: str
    note: str
    asked_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None


class QueriesOut(Schema):
    count: int
    page: int
    pages: int
    items: list[QueryOut]


class AnswerIn(Schema):
    answer: str = Field(..., max_length=2000, description="At most 500 characters after normalising (422 beyond)")


def _query_out(row) -> dict:
    return {"id": row.pk, "member": row.member_id, "member_name": row.member.name, "about": row.about,
            "note": row.note, "asked_at": row.asked_at, "answer": row.answer, "answered_at": row.answered_at}


@router.get("/duty/queries", response={200: QueriesOut, **ERRORS}, summary="Members' queries about duty facts",
            operation_id="duty_queries")
def duty_queries(request, filters: Query[QueryFilters]):
    """质疑: the members' queries about facts of their records, for the office (404 for others): `open` (not yet
    answered, oldest first), `answered` (newest answer first) or `all`; 50 a page."""
    page = selectors.fact_queries(request.auth, committee_or_forbidden(request), state=filters.state,
                                  page=filters.page)
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "items": [_query_out(row) for row in page]}


@router.post("/duty/queries/{int:id}/answer", response={200: QueryOut, **ERRORS, 400: ErrorOut},
             summary="Answer a member's query about a fact", operation_id="duty_query_answer")
def duty_query_answer(request, id: int, payload: AnswerIn):
    """The office's answer to a query (office staff and administrators; 403 for others; a query of another
    committee 404); answering again replaces the answer (the audit keeps both); the member is told."""
    row = services.fact_query_answer(actor=request.auth, committee=committee_or_forbidden(request), query_id=id,
                                     answer=payload.answer)
    return _query_out(row)


# --- Adjustments, the non-performance procedure, training ----------------------------------------------------


class AdjustmentIn(Schema):
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    points: float = Field(..., ge=-100, le=100, description="Not 0; added to the computed total")
    reason: str = Field(..., max_length=2000)


class AdjustmentOut(Schema):
    id: int
    member: int
    year: int
    points: float
    reason: str


@router.post("/members/{int:id}/duty/adjustments", response={201: AdjustmentOut, **ERRORS, 400: ErrorOut},
             summary="Adjust a member's score of a year", operation_id="duty_adjust")
def duty_adjust(request, id: int, payload: AdjustmentIn):
    """A leader's adjustment of the member's score of a year, with the reason (leaders; 403 for others; a member
    of another committee 404). Shown beside the computed total; audited."""
    row = services.score_adjust(actor=request.auth, committee=committee_or_forbidden(request), member=id,
                                year=payload.year, points=str(payload.points), reason=payload.reason)
    return Status(201, {"id": row.pk, "member": row.member_id, "year": row.year, "points": float(row.points),
                        "reason": row.reason})


class ProcedureIn(Schema):
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    step: str = Field(..., max_length=16, description="talk (谈话提醒), notice (通报) or resign (劝辞), in this order")
    taken_on: datetime.date
    note: str = Field(..., max_length=2000)


class ProcedureOut(Schema):
    id: int
    member: int
    year: int
    step: str
    taken_on: datetime.date
    note: str


@router.post("/members/{int:id}/duty/procedure", response={201: ProcedureOut, **ERRORS, 400: ErrorOut},
             summary="Record a step of the non-performance procedure", operation_id="duty_procedure")
def duty_procedure(request, id: int, payload: ProcedureIn):
    """One step of the non-performance procedure for the member (office; 403 for others): each step needs the one
    before it in the year, and is recorded once (422 otherwise); audited."""
    row = services.procedure_record(actor=request.auth, committee=committee_or_forbidden(request), member=id,
                                    year=payload.year, step=payload.step, taken_on=payload.taken_on, note=payload.note)
    return Status(201, {"id": row.pk, "member": row.member_id, "year": row.year, "step": row.step,
                        "taken_on": row.taken_on, "note": row.note})


class CourseIn(Schema):
    title: str = Field(..., max_length=1000)
    kind: str = Field("course", pattern="^(course|study)$")
    held_on: datetime.date
    hours: float = Field(..., gt=0, le=1000)
    place: str = Field("", max_length=1000)


class EnrolmentOut(Schema):
    member: int
    name: str
    attended: bool | None


class CourseOut(Schema):
    id: int
    title: str
    kind: str
    held_on: datetime.date
    hours: float
    place: str
    attendance_taken: bool
    enrolled: int
    enrolments: list[EnrolmentOut] | None = Field(None, description="On the detail only; a member sees their own")


class CourseFilters(Schema):
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX)


class EnrolIn(Schema):
    members: list[int] | None = Field(None, max_length=2000, description="The office's choice; none: the caller")


class PresentIn(Schema):
    present: list[int] = Field(..., max_length=2000)


def _course_out(course, enrolments=None) -> dict:
    return {"id": course.pk, "title": course.title, "kind": course.kind, "held_on": course.held_on,
            "hours": float(course.hours), "place": course.place, "attendance_taken": course.attendance_taken,
            "enrolled": getattr(course, "enrolled", None) if enrolments is None else len(enrolments),
            "enrolments": None if enrolments is None else [
                {"member": e.member_id, "name": e.member.name, "attended": e.attended} for e in enrolments]}


@router.get("/training/courses", response={200: list[CourseOut], **ERRORS}, summary="The year's courses",
            operation_id="training_courses")
def training_courses(request, filters: Query[CourseFilters]):
    """学习培训: the year's courses and study sessions, newest first (office, leaders and members; 404 others)."""
    rows = selectors.courses(request.auth, committee_or_forbidden(request), filters.year or clock.today().year)
    return [_course_out(row) for row in rows]


@router.post("/training/courses", response={201: CourseOut, **ERRORS, 400: ErrorOut}, summary="Add a course",
             operation_id="training_course_add")
def training_course_add(request, payload: CourseIn):
    """A course or study session (office; 403 for others); its attendees get the duty fact `members.training`."""
    course = services.course_save(actor=request.auth, committee=committee_or_forbidden(request),
                                  title=payload.title, kind=payload.kind, held_on=payload.held_on,
                                  hours=str(payload.hours), place=payload.place)
    return Status(201, _course_out(course, []))


@router.get("/training/courses/{int:id}", response={200: CourseOut, **ERRORS}, summary="A course",
            operation_id="training_course")
def training_course(request, id: int):
    """A course with its enrolments: the office and leaders see all of them, a member only their own."""
    course = selectors.course_get(request.auth, committee_or_forbidden(request), id)
    return _course_out(course, course.enrolment_rows)


@router.post("/training/courses/{int:id}/enrol", response={200: CourseOut, **ERRORS, 400: ErrorOut},
             summary="Enrol in a course", operation_id="training_enrol")
def training_enrol(request, id: int, payload: EnrolIn):
    """The office enrols the chosen members; a member without `members` enrols themself until the day of the
    course (422 after it)."""
    committee = committee_or_forbidden(request)
    services.enrol(actor=request.auth, committee=committee, course=id, member_ids=payload.members)
    course = selectors.course_get(request.auth, committee, id)
    return _course_out(course, course.enrolment_rows)


@router.post("/training/courses/{int:id}/attendance", response={200: CourseOut, **ERRORS, 400: ErrorOut},
             summary="Record who attended a course", operation_id="training_attendance")
def training_attendance(request, id: int, payload: PresentIn):
    """Who of the enrolled attended (office; 403 for others): each gets the training fact, the others are
    marked absent and lose it. Posting again replaces the record."""
    committee = committee_or_forbidden(request)
    services.attendance_record(actor=request.auth, committee=committee, course=id, present_ids=payload.present)
    course = selectors.course_get(request.auth, committee, id)
    return _course_out(course, course.enrolment_rows)
