"""Every write of the inspections app. An inspection moves through `MACHINE`, a supervision item through
`SUPERVISION_MACHINE` (xieshang.core.workflow.Machine: lock, 404, 403, version, legality, guard, input, handler,
save, one audit event — in one transaction). The writes beside the tables (creating an inspection or an item,
appointing a special supervisor, a supervisor's report) follow the same rules by hand.

Duty facts (declarations.DUTY_KINDS): each member of the team of an inspection that took place (started) earns
`inspections.team.<kind>`; the member who wrote its report `inspections.report.<kind>`; each member of the team of
a supervision item that took place `inspections.supervision.team`; a special supervisor's report
`inspections.supervisor_report`. Cancelling removes the item's facts; changing the team or the kind re-records them.

Attached files (core.attachments): the office attaches and removes the report document, photos of visits and the
findings material of an inspection or a supervision item (`attachment_add`, `attachment_remove`; core checks the
file, stores it and records the audit event); whoever may see the item downloads them.

The year's plan's approval (`plan_approval_record`): the chairpersons' meeting's and the Party committee's dates and
document numbers, one PlanApproval per committee and year, changed by the office until the Party committee's approval
is recorded (409 then, and for a stale version).

Recommendations (意见建议): an inspection and a supervision item have the same numbered Recommendation (its parent
the one or the other: `_parent_key`); both Machines run the same `add_recommendation` and `answer` handlers and the
same close guard (workflow.guard_all_answered); the answer is dated between the report's day and today.

Deadlines: sending the report (an inspection's `send_report`, a supervision item's `report`) opens one
`inspections.answer` deadline per recommendation (the timer counted from the day it was sent); recording the answer
meets it.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from xieshang.core import audit, clock
from xieshang.core import deadlines as dl
from xieshang.core.duty import duty_fact_record, duty_facts_clear
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import HandlingUnit, Member, Role, RoleAssignment, SpecialCommittee
from xieshang.core.workflow import Machine, Step, as_id, parse_input

from . import selectors as sel
from . import workflow as wf
from .models import (
    FilePurpose, Inspection, InspectionKind, InspectionState, PlanApproval, Recommendation, SpecialSupervisor,
    SupervisionItem, SupervisionState, SupervisorReport, TeamMember, TeamRole, Visit,
)
from .search import index_inspections, index_supervision

S = InspectionState
V = SupervisionState
ANSWER_KIND = "inspections.answer"
TEAM_KINDS = tuple(f"inspections.team.{k}" for k in InspectionKind.values)
REPORT_KINDS = tuple(f"inspections.report.{k}" for k in InspectionKind.values)
SUPERVISION_TEAM_KIND = "inspections.supervision.team"
SUPERVISOR_REPORT_KIND = "inspections.supervisor_report"


def _field(name: str, message) -> Invalid:
    return Invalid(field_errors={name: [message]})


def _require_office(actor, committee) -> None:
    if not sel.is_office(actor, committee):
        raise Forbidden()


def _date_between(name: str, day: datetime.date, earliest: datetime.date | None, today: datetime.date) -> None:
    if day > today:
        raise _field(name, _("The date cannot be in the future (today is %(date)s).") % {"date": today.isoformat()})
    if earliest is not None and day < earliest:
        raise _field(name, _("The date cannot be before %(date)s.") % {"date": earliest.isoformat()})


# --- Plans: checks shared by inspections and supervision items ---------------------------------------------


def _special_committee(committee_id, pk):
    if pk is None:
        return None
    found = SpecialCommittee.objects.filter(pk=pk, committee_id=committee_id).first()
    if found is None:
        raise _field("special_committee", _("Choose a special committee of this committee."))
    return found


def _leader(committee_id, pk):
    if pk is None:
        return None
    found = RoleAssignment.objects.filter(committee_id=committee_id, user_id=pk, role=Role.LEADER).select_related("user").first()
    if found is None:
        raise _field("lead_leader", _("Choose a leader of this committee."))
    return found.user


def _check_month(plan, today: datetime.date) -> None:
    if (plan.year, plan.planned_month) < (today.year, today.month):
        raise _field("planned_month", _("The planned month cannot be in the past (today is %(date)s).")
                     % {"date": today.isoformat()})


def _check_year(plan, today: datetime.date) -> None:
    if plan.year < today.year:
        raise _field("year", _("The year cannot be in the past (this is %(year)d).") % {"year": today.year})


PLAN_FIELDS = ("kind", "title", "year", "planned_month", "purpose", "lead_leader_id", "special_committee_id")
SUPERVISION_FIELDS = ("title", "body", "year", "purpose", "special_committee_id")


def _apply(obj, plan, fields) -> dict:
    """Copy the plan onto `obj`; the audit's changes."""
    before = {f: getattr(obj, f) for f in fields}
    for f in fields:
        key = f.removesuffix("_id")
        value = getattr(plan, key)
        if key == "lead_leader":
            value = _leader(obj.committee_id, value)
        elif key == "special_committee":
            value = _special_committee(obj.committee_id, value)
        setattr(obj, key, value)
    return audit.changes(before, {f: getattr(obj, f) for f in fields}, fields)


def inspection_create(*, actor, committee, data: dict) -> Inspection:
    """Put an inspection, study tour or research in the year's plan (office staff). 422 for a month in the past,
    a leader or special committee of another committee."""
    _require_office(actor, committee)
    plan = parse_input(wf.InspectionInput, data)
    _check_month(plan, clock.today())
    with transaction.atomic():
        inspection = Inspection(committee=committee, created_by=actor)
        _apply(inspection, plan, PLAN_FIELDS)
        inspection.save()
        index_inspections(inspection)
        audit.record(actor=actor, action="inspection.create", obj=inspection, to_state=inspection.state,
                     payload={"kind": inspection.kind, "year": inspection.year, "month": inspection.planned_month})
    return inspection


def supervision_create(*, actor, committee, data: dict) -> SupervisionItem:
    """A democratic supervision item (office staff). 422 for a year in the past."""
    _require_office(actor, committee)
    plan = parse_input(wf.SupervisionInput, data)
    _check_year(plan, clock.today())
    with transaction.atomic():
        item = SupervisionItem(committee=committee, created_by=actor)
        _apply(item, plan, SUPERVISION_FIELDS)
        item.save()
        index_supervision(item)
        audit.record(actor=actor, action="supervision.create", obj=item, to_state=item.state,
                     payload={"year": item.year, "body": item.body})
    return item


# --- Teams and duty facts ------------------------------------------------------------------------------------


def _parent_key(obj) -> str:
    """The parent field of a TeamMember or a Recommendation for this item: "inspection" or "supervision"."""
    return "inspection" if isinstance(obj, Inspection) else "supervision"


def _report_date(obj) -> datetime.date | None:
    """The day the report went out: an inspection's `report_sent_on`, a supervision item's `reported_on`."""
    return obj.report_sent_on if isinstance(obj, Inspection) else obj.reported_on


def _open_answer_deadlines(obj, start: datetime.date) -> None:
    """One `inspections.answer` deadline per recommendation of the report that went out on `start`."""
    for rec in obj.recommendations.all():
        dl.deadline_open(obj=rec, kind=ANSWER_KIND, start=start, committee=obj.committee_id)


def refresh_facts(obj) -> None:
    """The item's duty facts from its team, kind, state and report author (idempotent)."""
    if isinstance(obj, Inspection):
        duty_facts_clear(obj=obj, kinds=TEAM_KINDS + REPORT_KINDS)
        if obj.state not in wf.GROUPS["took_place"]:
            return
        on = obj.started_on or clock.today()
        team = list(obj.team.select_related("member"))
        for row in team:
            duty_fact_record(member=row.member, kind=f"inspections.team.{obj.kind}", obj=obj, occurred_on=on,
                             authors=len(team), lead=row.role == TeamRole.LEADER)
        if obj.report_author_id:
            duty_fact_record(member=obj.report_author, kind=f"inspections.report.{obj.kind}", obj=obj,
                             occurred_on=obj.report_sent_on or on)
        return
    duty_facts_clear(obj=obj, kinds=(SUPERVISION_TEAM_KIND,))
    if obj.state not in wf.SUPERVISION_GROUPS["took_place"]:
        return
    team = list(obj.team.select_related("member"))
    for row in team:
        duty_fact_record(member=row.member, kind=SUPERVISION_TEAM_KIND, obj=obj, occurred_on=obj.started_on or clock.today(),
                         authors=len(team), lead=row.role == TeamRole.LEADER)


def _do_set_team(step: Step) -> None:
    obj, values = step.obj, step.input
    leaders = list(dict.fromkeys(values.leaders))
    members = [m for m in dict.fromkeys(values.members) if m not in leaders]
    wanted = leaders + members
    found = {m.pk: m for m in Member.objects.filter(committee_id=obj.committee_id, is_active=True, pk__in=wanted)}
    if len(found) != len(wanted):
        raise _field("members", _("Choose active members of this committee."))
    if not wanted:
        raise _field("members", _("Name at least one member of the team."))
    key = _parent_key(obj)
    TeamMember.objects.filter(**{key: obj}).delete()
    TeamMember.objects.bulk_create([TeamMember(**{key: obj}, member=found[pk],
                                               role=TeamRole.LEADER if pk in leaders else TeamRole.MEMBER)
                                    for pk in wanted])
    step.payload.update({"leaders": leaders, "members": members})
    refresh_facts(obj)


def _do_update(step: Step) -> None:
    obj, plan = step.obj, step.input
    if isinstance(obj, Inspection):
        if obj.state == S.PLANNED and (plan.year, plan.planned_month) != (obj.year, obj.planned_month):
            _check_month(plan, step.today)
        step.payload["changes"] = _apply(obj, plan, PLAN_FIELDS)
    else:
        if plan.year != obj.year:
            _check_year(plan, step.today)
        step.payload["changes"] = _apply(obj, plan, SUPERVISION_FIELDS)
    refresh_facts(obj)


def _do_start(step: Step) -> None:
    step.obj.started_on = step.today
    step.obj.state = step.transition.target  # the facts read the new state
    refresh_facts(step.obj)


def _do_record_findings(step: Step) -> None:
    step.obj.findings = step.input.findings


def _do_cancel(step: Step) -> None:
    obj = step.obj
    obj.cancel_reason = step.input.reason
    step.payload["reason"] = step.input.reason
    duty_facts_clear(obj=obj)


# --- Inspection handlers ---------------------------------------------------------------------------------


def _do_add_visit(step: Step) -> None:
    obj, values = step.obj, step.input
    earliest = step.today if obj.state == S.PLANNED else datetime.date(obj.year, 1, 1)
    if values.date < earliest:
        raise _field("date", _("The date cannot be before %(date)s.") % {"date": earliest.isoformat()})
    if values.date.year > obj.year + 1:
        raise _field("date", _("The date lies too far beyond the plan's year."))
    visit = Visit.objects.create(inspection=obj, date=values.date, place=values.place, units=values.units)
    step.payload.update({"visit": visit.pk, "date": values.date.isoformat(), "place": values.place})


def _do_add_recommendation(step: Step) -> None:
    """The next numbered recommendation of an inspection's or a supervision item's report (the item is locked)."""
    obj = step.obj
    number = (obj.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
    rec = Recommendation.objects.create(committee_id=obj.committee_id, **{_parent_key(obj): obj}, number=number,
                                        text=step.input.text, recipient=step.input.recipient)
    step.payload.update({"recommendation": rec.pk, "number": number})


def _do_draft_report(step: Step) -> None:
    obj, values = step.obj, step.input
    author = None
    if values.author is not None:
        author = Member.objects.filter(pk=values.author, committee_id=obj.committee_id).first()
        if author is None or not obj.team.filter(member=author).exists():
            raise _field("author", _("Choose a member of the team."))
    obj.report_title, obj.report_text, obj.report_author = values.report_title, values.report_text, author
    obj.state = step.transition.target
    refresh_facts(obj)
    step.payload["author"] = author.pk if author else None


def _do_send_report(step: Step) -> None:
    obj, values = step.obj, step.input
    sent_on = values.sent_on or step.today
    _date_between("sent_on", sent_on, obj.started_on, step.today)
    obj.recipients, obj.report_sent_on = values.recipients, sent_on
    obj.state = step.transition.target
    _open_answer_deadlines(obj, sent_on)
    refresh_facts(obj)
    step.payload.update({"recipients": values.recipients, "sent_on": sent_on.isoformat()})


def _do_answer(step: Step) -> None:
    """The recipient's answer to one recommendation of an inspection or a supervision item: dated between the day
    the report went out and today; meets its deadline."""
    obj, values = step.obj, step.input
    rec = obj.recommendations.filter(pk=values.recommendation).first()
    if rec is None:
        raise _field("recommendation", _("Choose a recommendation of this report."))
    on = values.answered_on or step.today
    _date_between("answered_on", on, _report_date(obj), step.today)
    rec.answer, rec.answered_on, rec.adopted = values.answer, on, values.adopted
    rec.save()
    dl.deadline_meet(obj=rec, kind=ANSWER_KIND, on=on)
    step.payload.update({"recommendation": rec.pk, "number": rec.number, "adopted": values.adopted})


def _do_close(step: Step) -> None:
    step.obj.closed_on = step.today


MACHINE = Machine(
    name="inspection",
    model=Inspection,
    transitions=wf.TRANSITIONS,
    handlers={"update": _do_update, "set_team": _do_set_team, "add_visit": _do_add_visit, "start": _do_start,
              "record_findings": _do_record_findings, "add_recommendation": _do_add_recommendation,
              "draft_report": _do_draft_report, "send_report": _do_send_report, "answer": _do_answer,
              "close": _do_close, "cancel": _do_cancel},
    relations=sel.relations_of,
    can_see=sel.can_see,
    groups=wf.GROUPS,
    after_save=index_inspections,
    state_label=lambda s: str(InspectionState(s).label) if s in InspectionState.values else s,
)


def inspection_act(*, actor, inspection, action: str, data: dict | None = None, expected_version=None) -> Inspection:
    """Any inspection action (the API's `/consultation/inspections/{id}/actions/{action}` and the desk)."""
    return MACHINE.act(actor=actor, obj=inspection, action=action, data=data, expected_version=expected_version)


# --- Supervision handlers ---------------------------------------------------------------------------------


def _do_report(step: Step) -> None:
    obj, values = step.obj, step.input
    on = values.reported_on or step.today
    _date_between("reported_on", on, obj.started_on, step.today)
    obj.report_text, obj.reported_on = values.report_text, on
    _open_answer_deadlines(obj, on)
    step.payload["reported_on"] = on.isoformat()


def _do_follow_up(step: Step) -> None:
    step.obj.follow_up = step.input.follow_up


SUPERVISION_MACHINE = Machine(
    name="supervision",
    model=SupervisionItem,
    transitions=wf.SUPERVISION_TRANSITIONS,
    handlers={"update": _do_update, "set_team": _do_set_team, "start": _do_start,
              "record_findings": _do_record_findings, "add_recommendation": _do_add_recommendation,
              "report": _do_report, "answer": _do_answer, "close": _do_follow_up, "cancel": _do_cancel},
    relations=sel.relations_of,
    can_see=sel.can_see,
    groups=wf.SUPERVISION_GROUPS,
    after_save=index_supervision,
    state_label=lambda s: str(SupervisionState(s).label) if s in SupervisionState.values else s,
)


def supervision_act(*, actor, item, action: str, data: dict | None = None, expected_version=None) -> SupervisionItem:
    return SUPERVISION_MACHINE.act(actor=actor, obj=item, action=action, data=data, expected_version=expected_version)


# --- Special supervisors (特邀监督员) ----------------------------------------------------------------------


def _appointment(committee_id, values, today: datetime.date) -> tuple[Member, HandlingUnit]:
    member = Member.objects.filter(pk=values.member, committee_id=committee_id, is_active=True).first()
    if member is None:
        raise _field("member", _("Choose an active member of this committee."))
    unit = HandlingUnit.objects.filter(pk=values.unit, committee_id=committee_id).first()
    if unit is None:
        raise _field("unit", _("Choose a body of this committee."))
    if values.term_end <= today:
        raise _field("term_end", _("The term would already have ended (today is %(date)s).") % {"date": today.isoformat()})
    if values.requested_on is not None and values.requested_on > values.term_start:
        raise _field("requested_on", _("The request comes before the term starts."))
    return member, unit


SUPERVISOR_FIELDS = ("member", "unit", "requested_on", "term_start", "term_end", "note")


def supervisor_appoint(*, actor, committee, data: dict) -> SpecialSupervisor:
    """Appoint a member as special supervisor to a body that asked for one (office staff). The term's end after
    its start and not in the past (422 otherwise)."""
    _require_office(actor, committee)
    values = parse_input(wf.SupervisorInput, data)
    member, unit = _appointment(committee.pk, values, clock.today())
    if SpecialSupervisor.objects.filter(member=member, unit=unit, term_start=values.term_start).exists():
        raise _field("member", _("This member is already appointed to this body for this term."))
    with transaction.atomic():
        row = SpecialSupervisor.objects.create(
            committee=committee, member=member, unit=unit, requested_on=values.requested_on,
            term_start=values.term_start, term_end=values.term_end, note=values.note, created_by=actor)
        audit.record(actor=actor, action="supervisor.create", obj=row,
                     payload={"member": member.pk, "unit": unit.pk, "term": [values.term_start.isoformat(),
                                                                             values.term_end.isoformat()]})
    return row


def _locked_supervisor(actor, supervisor) -> SpecialSupervisor:
    pk = as_id(supervisor)
    row = SpecialSupervisor.objects.select_for_update().filter(pk=pk).first() if pk else None
    if row is None or not sel.supervisors_visible_to(actor, row.committee_id).filter(pk=row.pk).exists():
        raise NotFound()
    return row


def supervisor_update(*, actor, supervisor, data: dict, expected_version=None) -> SpecialSupervisor:
    """Change an appointment (office staff): the same checks as appointing; 409 for a stale version."""
    from xieshang.core.errors import Conflict

    values = parse_input(wf.SupervisorInput, data)
    with transaction.atomic():
        row = _locked_supervisor(actor, supervisor)
        _require_office(actor, row.committee_id)
        if expected_version not in (None, "") and as_id(expected_version) != row.version:
            raise Conflict()
        member, unit = _appointment(row.committee_id, values, clock.today())
        before = {f: getattr(row, f) for f in SUPERVISOR_FIELDS}
        row.member, row.unit, row.requested_on = member, unit, values.requested_on
        row.term_start, row.term_end, row.note = values.term_start, values.term_end, values.note
        row.version += 1
        row.save()
        audit.record(actor=actor, action="supervisor.update", obj=row,
                     payload={"changes": audit.changes(before, {f: getattr(row, f) for f in SUPERVISOR_FIELDS},
                                                       SUPERVISOR_FIELDS)})
    return row


def supervisor_report_add(*, actor, supervisor, data: dict) -> SupervisorReport:
    """A special supervisor's report: the supervisor themself or the office; dated within the term and not in the
    future. The supervisor's duty fact."""
    values = parse_input(wf.SupervisorReportInput, data)
    today = clock.today()
    with transaction.atomic():
        row = _locked_supervisor(actor, supervisor)
        own = sel.member_of(actor, row.committee_id)
        if not sel.is_office(actor, row.committee_id) and not (own is not None and own.pk == row.member_id):
            raise Forbidden()
        on = values.date or today
        _date_between("date", on, row.term_start, today)
        if on > row.term_end:
            raise _field("date", _("The date lies after the term (it ended on %(date)s).") % {"date": row.term_end.isoformat()})
        report = SupervisorReport.objects.create(supervisor=row, date=on, title=values.title, text=values.text,
                                                 created_by=actor)
        duty_fact_record(member=row.member, kind=SUPERVISOR_REPORT_KIND, obj=report, occurred_on=on)
        audit.record(actor=actor, action="supervisor.report_add", obj=row, payload={"report": report.pk})
    return report


# --- Attached files (core.attachments) -------------------------------------------------------------------------

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png")


def may_attach(user, obj) -> bool:
    """The office (staff, administrators) attaches and removes the files of an inspection or a supervision item, in
    any state (a signed report or the answers' material often comes after the item is closed). Leaders, the lead
    leader and the team read them: they act on nothing else of the item either."""
    return "staff" in sel.relations_of(user, obj)


def _may_attach_or_raise(actor, obj) -> None:
    if actor is None or not sel.can_see(actor, obj):
        raise NotFound()
    if not may_attach(actor, obj):
        raise Forbidden()


def attachment_add(*, actor, obj, file, purpose: str = FilePurpose.MATERIAL):
    """Attach a file to an inspection or a supervision item (`purpose`: report, photo, material; a photo is JPEG or
    PNG): the office. 404 for an item the actor may not see, 403 for one they only read, 422 (on `file`) for a file
    of a type or size core refuses."""
    from xieshang.core import attachments

    _may_attach_or_raise(actor, obj)
    if purpose not in FilePurpose.values:
        raise _field("purpose", _("Choose what the file is."))
    extensions = PHOTO_EXTENSIONS if purpose == FilePurpose.PHOTO else attachments.ALLOWED_EXTENSIONS
    return attachments.attachment_add(actor=actor, committee=obj.committee_id, obj=obj, file=file, purpose=purpose,
                                      extensions=extensions)


def attachment_remove(*, actor, obj, attachment) -> None:
    """Remove one of the item's files (the office); 404 for a file that is not the item's."""
    from xieshang.core import attachments

    _may_attach_or_raise(actor, obj)
    row = attachments.attachments_of(obj).filter(pk=as_id(attachment) or 0).first()
    if row is None:
        raise NotFound()
    attachments.attachment_remove(actor=actor, attachment=row)


# --- The year's plan's approval (主席会议审议通过, 党委批准) ----------------------------------------------------------

APPROVAL_FIELDS = ("chair_approved_on", "chair_document", "party_approved_on", "party_document")


def _check_approval(values, year: int, today: datetime.date) -> None:
    """Neither date in the future nor outside the plan's year and the year before; the Party committee's not before
    the chairpersons' meeting's; the Party committee's date and document number both or neither."""
    earliest, latest = datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)
    for name in ("chair_approved_on", "party_approved_on"):
        day = getattr(values, name)
        if day is None:
            continue
        if day > today:
            raise _field(name, _("The date cannot be in the future (today is %(date)s).") % {"date": today.isoformat()})
        if not earliest <= day <= latest:
            raise _field(name, _("The plan of %(year)d is approved in %(year)d or the year before.") % {"year": year})
    if values.party_approved_on is not None and values.party_approved_on < values.chair_approved_on:
        raise _field("party_approved_on", _("The Party committee approves after the chairpersons' meeting "
                                            "(%(date)s).") % {"date": values.chair_approved_on.isoformat()})
    if values.party_approved_on is None and values.party_document:
        raise _field("party_approved_on", _("Give the date of the Party committee's approval."))
    if values.party_approved_on is not None and not values.party_document:
        raise _field("party_document", _("Give the document number of the Party committee's approval."))


def _expected(expected_version) -> int | None:
    if expected_version is None or expected_version == "":
        return None
    try:
        return int(str(expected_version).strip())
    except (TypeError, ValueError):
        raise Conflict() from None


def plan_approval_record(*, actor, committee, year, data: dict, expected_version=None) -> PlanApproval:
    """Record (or correct) the approval of the year's plan of inspections: the chairpersons' meeting's date and
    document number, then or later the Party committee's (office staff). Dates: not in the future, within the plan's
    year or the year before, the Party committee's not before the chairpersons' meeting's (422 on the field).
    409 once the Party committee's approval is recorded (the record is final) and for a stale `expected_version`
    (0: the caller saw no record yet). Nothing else waits for it: items are planned, started and changed as before."""
    _require_office(actor, committee)
    year = as_id(year)
    if year is None or not 2000 <= year <= 2100:
        raise NotFound()
    values = parse_input(wf.PlanApprovalInput, data)
    _check_approval(values, year, clock.today())
    expected = _expected(expected_version)
    committee_id = getattr(committee, "pk", committee)
    with transaction.atomic():
        row = PlanApproval.objects.select_for_update().filter(committee_id=committee_id, year=year).first()
        if expected is not None and expected != (row.version if row else 0):
            raise Conflict()
        if row is not None and row.is_final:
            raise IllegalTransition(_("The Party committee's approval of the %(year)d plan is recorded; the record no "
                                      "longer changes.") % {"year": year}, detail="plan_approved")
        created = row is None
        if created:
            row = PlanApproval(committee_id=committee_id, year=year, created_by=actor, version=0)
        before = {f: getattr(row, f, None) for f in APPROVAL_FIELDS} if not created else {}
        for name in APPROVAL_FIELDS:
            setattr(row, name, getattr(values, name))
        row.version += 1
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # recorded at the same moment by somebody else
            raise Conflict() from None
        audit.record(actor=actor, action="inspection.plan_approval", obj=row, committee=row.committee,
                     payload={"year": year, "created": created,
                              "changes": audit.changes(before, {f: getattr(row, f) for f in APPROVAL_FIELDS},
                                                       APPROVAL_FIELDS)})
    return row
