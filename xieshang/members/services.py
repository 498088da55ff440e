"""Every write of the members app: the duty scoring rules of a committee's year.

`duty_rules_put(*, actor, committee, year, document, version)`: office staff and administrators only (403);
the document is checked by rules.parse (422, each problem under its place: `categories[2].items[0].kind`);
`version` is the version the editor read (0 for a year without rules): a stale one is a Conflict (409), so of
two concurrent edits one wins and the other is told. One transaction, one audit event `duty_rules.put` with
the change of the document (core.audit.changes). The imports (`duty_rules_import_xlsx`, `…_json`) read a file
into a document and put it: a file with a bad row changes nothing and reports every bad row.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import attachments, audit, clock, duty
from xieshang.core.errors import Conflict, Forbidden, Invalid, NotFound
from xieshang.core.models import DutyFact, Member
from xieshang.core.notices import Notice
from xieshang.core.services import notify
from xieshang.core.text import clean
from xieshang.core.workflow import as_id

from . import rules, selectors, tables
from .models import (
    YEAR_MAX,
    YEAR_MIN,
    AlertSetting,
    Course,
    DutyRuleSet,
    Enrolment,
    FactQuery,
    ManualFact,
    ProcedureStep,
    ScoreAdjustment,
)


def _document_text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)


def duty_rules_put(*, actor, committee, year, document, version) -> DutyRuleSet:
    """Store `document` as the rules of `year`, replacing the version `version` (0: the year had none)."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    year = selectors.check_year(year)
    parsed = selectors.parse_document(document)
    normal = parsed.as_document()
    expected = as_id(version) if version not in (0, "0") else 0
    if expected is None:
        raise Invalid(field_errors={"version": [_("Give the version you edited (0 for a year without rules).")]})
    try:
        with transaction.atomic():
            row = DutyRuleSet.objects.select_for_update().filter(committee=committee, year=year).first()
            current = row.version if row is not None else 0
            if expected != current:
                raise Conflict(_("Someone else changed these rules in the meantime (now version %(now)d, you "
                                 "edited version %(was)d). Reload and try again.") % {"now": current, "was": expected})
            before = _document_text(row.document) if row is not None else ""
            if row is None:
                row = DutyRuleSet.objects.create(committee=committee, year=year, document=normal, version=1,
                                                 updated_by=actor)
            else:
                row.document, row.version, row.updated_by = normal, row.version + 1, actor
                row.save(update_fields=["document", "version", "updated_by", "updated_at"])
            audit.record(actor=actor, action="duty_rules.put", obj=row, committee=committee, payload={
                "year": year, "version": row.version,
                "changes": audit.changes({"document": before}, {"document": _document_text(normal)}),
            })
    except IntegrityError:  # two first versions of one year at once: the other one won
        raise Conflict() from None
    return row


def duty_rules_import_xlsx(*, actor, committee, year, file, version) -> DutyRuleSet:
    """The rules of an Excel table (tables.py); Invalid listing every bad row, nothing changed, if it has any."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    return duty_rules_put(actor=actor, committee=committee, year=year, document=tables.read_xlsx(file),
                          version=version)


def duty_rules_import_json(*, actor, committee, year, file, version) -> DutyRuleSet:
    """The rules of a JSON file (the form the API exchanges)."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    return duty_rules_put(actor=actor, committee=committee, year=year, document=tables.read_json(file),
                          version=version)



# --- Facts added by hand (补录), queries about a fact (质疑), leaders' adjustments ------------------------------


def _text(field: str, value, max_length: int, *, required: bool = True) -> str:
    text = clean(value, single_line=True).strip()
    if required and not text:
        raise Invalid(field_errors={field: [_("This field is required.")]})
    if len(text) > max_length:
        raise Invalid(field_errors={field: [_("At most %(n)d characters.") % {"n": max_length}]})
    return text


def _decimal(field: str, value, *, low: Decimal, high: Decimal, allow_zero: bool = True) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number != number.quantize(Decimal("0.01")) \
            or not low <= number <= high or (not allow_zero and number == 0):
        raise Invalid(field_errors={field: [_("Give a number from %(low)s to %(high)s with at most two decimal "
                                              "places.") % {"low": low, "high": high}]})
    return number


def _date(field: str, value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(field_errors={field: [_("Give a date (YYYY-MM-DD).")]}) from None


def _committee_member(committee, member_id) -> Member:
    """A member of `committee` (NotFound for another committee's or none: the same answer)."""
    pk = as_id(getattr(member_id, "pk", member_id))
    member = Member.objects.filter(pk=pk, committee=committee).first() if pk else None
    if member is None:
        raise NotFound()
    return member


def manual_fact_add(*, actor, committee, member, kind, quantity=1, occurred_on, note, attachment=None) -> ManualFact:
    """补录: a fact the platform could not know, added by office staff with a reason (and an attachment), for a
    member of their committee (NotFound for another's). It is the object of the ledger fact
    `members.manual.<kind>`, whose note is the reason. One transaction, audit event `duty_fact.add`."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    member = _committee_member(committee, member)
    kind = str(kind or "").strip()
    errors: dict[str, list[str]] = {}
    values = {}
    for field, read in (("kind", lambda: kind if kind in rules.KINDS else None),
                        ("quantity", lambda: _decimal("quantity", quantity, low=Decimal("0.01"),
                                                      high=Decimal(1000))),
                        ("date", lambda: _date("date", occurred_on)),
                        ("note", lambda: _text("note", note, 500))):
        try:
            values[field] = read()
        except Invalid as exc:
            errors.update(exc.field_errors)
            continue
        if values[field] is None:
            errors[field] = [_("unknown fact kind “%(kind)s”") % {"kind": kind[:40]}]
    if not errors and not YEAR_MIN <= values["date"].year <= YEAR_MAX:
        errors["date"] = [_("Give a date (YYYY-MM-DD).")]
    if attachment is not None and not errors:
        try:
            attachments.attachment_check(attachment, field="attachment")
        except Invalid as exc:
            errors.update(exc.field_errors)
    if errors:
        raise Invalid(field_errors=errors)
    with transaction.atomic():
        row = ManualFact.objects.create(committee=committee, member=member, kind=values["kind"],
                                        quantity=values["quantity"], occurred_on=values["date"],
                                        note=values["note"], added_by=actor)
        fact = duty.duty_fact_record(member=member, kind=rules.MANUAL_PREFIX + row.kind, obj=row,
                                     occurred_on=row.occurred_on, quantity=row.quantity)
        DutyFact.objects.filter(pk=fact.pk).update(note=row.note)
        if attachment is not None:
            attachments.attachment_add(actor=actor, committee=committee, obj=row, file=attachment,
                                       purpose="evidence", field="attachment")
        audit.record(actor=actor, action="duty_fact.add", obj=row, committee=committee, payload={
            "member": member.pk, "kind": row.kind, "quantity": str(row.quantity),
            "date": row.occurred_on.isoformat(), "note": row.note})
    return row


def fact_query_add(*, actor, committee, fact_id, note) -> FactQuery:
    """质疑: the signed-in member asks the office about one fact of their own record (NotFound for anyone
    else's fact). Recorded, audited (`duty_fact.query`); the office is told after the commit."""
    from xieshang.core.selectors import member_of, office_users

    member = member_of(actor, committee) if committee is not None else None
    pk = as_id(fact_id)
    fact = DutyFact.objects.filter(pk=pk, member=member).first() if member is not None and pk else None
    if fact is None:
        raise NotFound()
    note = _text("note", note, 500)
    about = clean(f"{fact.occurred_on} {duty.kind_label(fact.kind)} {duty.with_objects([fact])[0].target_title}",
                  single_line=True)[:300]
    with transaction.atomic():
        row = FactQuery.objects.create(committee=committee, member=member, fact=fact, about=about, note=note,
                                       asked_by=actor)
        audit.record(actor=actor, action="duty_fact.query", obj=row, committee=committee,
                     payload={"member": member.pk, "fact": fact.pk, "about": about, "note": note})
        from django.urls import reverse

        url = reverse("members:member_duty", args=[member.pk]) + f"?year={fact.occurred_on.year}"
        notify(recipients=list(office_users(committee)), kind="duty.query", committee=committee, url=url,
               title=Notice(gettext_lazy("%(name)s queries a fact of their duty record"), name=member.name),
               body=f"{about}\n{note}")
    return row


def fact_query_answer(*, actor, committee, query_id, answer) -> FactQuery:
    """The office answers a member's query about a fact (office staff and administrators of the committee; a
    query of another committee is NotFound). An answered query may be answered again (the newer answer stands;
    the audit keeps both). One transaction with the row locked, audit event `duty_fact.answer`; the member is
    told after the commit."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    pk = as_id(query_id)
    answer = _text("answer", answer, 500)
    with transaction.atomic():
        row = (FactQuery.objects.select_for_update().select_related("member").filter(pk=pk, committee=committee)
               .first() if pk else None)
        if row is None:
            raise NotFound()
        before = row.answer
        row.answer, row.answered_by, row.answered_at = answer, actor, clock.now()
        row.save(update_fields=["answer", "answered_by", "answered_at"])
        audit.record(actor=actor, action="duty_fact.answer", obj=row, committee=committee,
                     payload={"member": row.member_id, "about": row.about, "answer": answer,
                              **({"before": before} if before else {})})
        if row.member.user_id:
            from django.urls import reverse

            notify(recipients=[row.member.user], kind="duty.query", committee=committee,
                   url=reverse("members:my_duty") + f"?year={row.asked_at.year}",
                   title=Notice(gettext_lazy("The office answered your query about a fact")),
                   body=f"{row.about}\n{answer}")
    return row


def score_adjust(*, actor, committee, member, year, points, reason) -> ScoreAdjustment:
    """A leader's adjustment of a member's score of a year (points ≠ 0, at most ±100, with a reason): added to
    the computed total, shown as such. Leaders only (403); a member of another committee: NotFound. Audited
    (`duty_score.adjust`)."""
    if actor is None or committee is None or not selectors.is_leader(actor, committee):
        raise Forbidden()
    member = _committee_member(committee, member)
    year = selectors.check_year(year)
    errors = {}
    try:
        points = _decimal("points", points, low=Decimal(-100), high=Decimal(100), allow_zero=False)
    except Invalid as exc:
        errors.update(exc.field_errors)
    try:
        reason = _text("reason", reason, 500)
    except Invalid as exc:
        errors.update(exc.field_errors)
    if errors:
        raise Invalid(field_errors=errors)
    with transaction.atomic():
        row = ScoreAdjustment.objects.create(committee=committee, member=member, year=year, points=points,
                                             reason=reason, made_by=actor)
        audit.record(actor=actor, action="duty_score.adjust", obj=row, committee=committee, payload={
            "member": member.pk, "year": year, "points": str(points), "reason": reason})
    return row


# --- Alerts (预警): the committee's date, reminders, the non-performance procedure -------------------------------


def alert_setting_put(*, actor, committee, year, output_due) -> AlertSetting:
    """The date of `year` by which each member should have a proposal or an opinion report (office; audited
    `duty_alert.setting`); an empty date removes it."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    year = selectors.check_year(year)
    due = _date("output_due", output_due) if str(output_due or "").strip() else None
    if due is not None and due.year != year:
        raise Invalid(field_errors={"output_due": [_("Give a date in %(year)d.") % {"year": year}]})
    with transaction.atomic():
        row = AlertSetting.objects.select_for_update().filter(committee=committee, year=year).first()
        before = row.output_due.isoformat() if row is not None else ""
        if due is None:
            if row is not None:
                row.delete()
            row = AlertSetting(committee=committee, year=year)
        elif row is None:
            row = AlertSetting.objects.create(committee=committee, year=year, output_due=due, updated_by=actor)
        else:
            row.output_due, row.updated_by = due, actor
            row.save(update_fields=["output_due", "updated_by"])
        audit.record(actor=actor, action="duty_alert.setting", committee=committee,
                     payload={"year": year, "changes": audit.changes({"output_due": before},
                                                                     {"output_due": due.isoformat() if due else ""})})
    row.output_due = due
    return row


def alerts_remind(*, actor, committee, year, member_ids) -> int:
    """Send each of the chosen members who is on the year's alerts list a reminder (core notifications, once a
    day per member); members not on the list are left out. Office only; audited `duty_alert.remind`. Returns
    how many were reminded."""
    from django.urls import reverse

    from . import alerts

    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    wanted = {as_id(m) for m in member_ids} - {None}
    if not wanted:
        raise Invalid(field_errors={"members": [_("Choose at least one member.")]})
    found = [a for a in alerts.compute(committee, year).alerts if a.row.member.pk in wanted]
    today = clock.today()
    with transaction.atomic():
        for alert in found:
            member = alert.row.member
            notify(recipients=[member.user], kind="duty.alert", committee=committee,
                   url=reverse("members:my_duty") + f"?year={year}",
                   title=Notice(gettext_lazy("A reminder about your duty in %(year)s"), year=str(year)),
                   body=Notice(gettext_lazy("The committee's office reminds you: %(reasons)s."),
                               reasons="；".join(alert.labels)),
                   dedupe_key=f"duty.alert:{member.pk}:{year}:{today.isoformat()}")
        audit.record(actor=actor, action="duty_alert.remind", committee=committee,
                     payload={"year": year, "members": [a.row.member.pk for a in found]})
    return len(found)


def procedure_record(*, actor, committee, member, year, step, taken_on, note) -> ProcedureStep:
    """One step of the non-performance procedure (谈话提醒 → 通报 → 劝辞) for a member of the committee (office;
    NotFound for another committee's member); a step needs the one before it in the year and is recorded once.
    Audited `duty_procedure.record`."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    member = _committee_member(committee, member)
    year = selectors.check_year(year)
    order = [value for value, _label in ProcedureStep.Step.choices]
    errors: dict[str, list[str]] = {}
    if step not in order:
        errors["step"] = [_("Choose a step.")]
    for field, read in (("taken_on", lambda: _date("taken_on", taken_on)), ("note", lambda: _text("note", note, 500))):
        try:
            read()
        except Invalid as exc:
            errors.update(exc.field_errors)
    if errors:
        raise Invalid(field_errors=errors)
    with transaction.atomic():
        done = set(ProcedureStep.objects.select_for_update().filter(member=member, year=year)
                   .values_list("step", flat=True))
        if step in done:
            raise Invalid(field_errors={"step": [_("This step is already recorded for the year.")]})
        index = order.index(step)
        if index and order[index - 1] not in done:
            raise Invalid(field_errors={"step": [_("Record the step before it first.")]})
        row = ProcedureStep.objects.create(committee=committee, member=member, year=year, step=step,
                                           taken_on=_date("taken_on", taken_on), note=_text("note", note, 500),
                                           recorded_by=actor)
        audit.record(actor=actor, action="duty_procedure.record", obj=row, committee=committee, payload={
            "member": member.pk, "year": year, "step": step, "date": row.taken_on.isoformat(), "note": row.note})
    return row


# --- Training (学习培训) -------------------------------------------------------------------------------------

TRAINING_KIND = "members.training"
HOURS_PER_HALF_DAY = Decimal(4)


def course_save(*, actor, committee, course=None, title, kind="course", held_on, hours, place="") -> Course:
    """Create or edit a course or study session (office). Audited `course.save`. A course whose attendance is
    recorded keeps its attendees' facts in step (date, half-days)."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    if course is not None and course.committee_id != committee.pk:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    values = {}
    for field, read in (("title", lambda: _text("title", title, 120)),
                        ("kind", lambda: kind if kind in Course.Kind.values else None),
                        ("held_on", lambda: _date("held_on", held_on)),
                        ("hours", lambda: _decimal("hours", hours, low=Decimal("0.5"), high=Decimal(200),
                                                   allow_zero=False)),
                        ("place", lambda: _text("place", place, 120, required=False))):
        try:
            values[field] = read()
        except Invalid as exc:
            errors.update(exc.field_errors)
            continue
        if values[field] is None:
            errors[field] = [_("Choose a kind.")]
    if "hours" in values and values["hours"] != values["hours"].quantize(Decimal("0.1")):
        errors["hours"] = [_("Give the hours with at most one decimal place.")]
    if "held_on" in values and not YEAR_MIN <= values["held_on"].year <= YEAR_MAX:
        errors["held_on"] = [_("Give a date (YYYY-MM-DD).")]
    if errors:
        raise Invalid(field_errors=errors)
    with transaction.atomic():
        created = course is None
        before = {} if created else {k: str(getattr(course, k)) for k in values}
        course = course or Course(committee=committee, created_by=actor)
        for key, value in values.items():
            setattr(course, key, value)
        course.save()
        if course.attendance_taken:
            _training_facts(course)
        audit.record(actor=actor, action="course.save", obj=course, committee=committee, payload={
            "created": created, "changes": audit.changes(before, {k: str(v) for k, v in values.items()})})
    return course


def half_days(course: Course) -> Decimal:
    return (course.hours / HOURS_PER_HALF_DAY).quantize(Decimal("0.01"))


def _training_facts(course: Course) -> None:
    """The ledger facts of the course: one `members.training` fact for each attendee, none for anyone else."""
    attendees = list(course.enrolments.filter(attended=True).select_related("member"))
    duty.duty_facts_clear(obj=course, kinds=[TRAINING_KIND], keep_members=[e.member_id for e in attendees])
    for enrolment in attendees:
        duty.duty_fact_record(member=enrolment.member, kind=TRAINING_KIND, obj=course, occurred_on=course.held_on,
                              quantity=half_days(course))


def _course_of(committee, course_id) -> Course:
    pk = as_id(getattr(course_id, "pk", course_id))
    course = Course.objects.filter(pk=pk, committee=committee).first() if pk and committee is not None else None
    if course is None:
        raise NotFound()
    return course


def enrol(*, actor, committee, course, member_ids=None) -> int:
    """Enrol members in a course: the office enrols any members of the committee (`member_ids`); a member
    enrols themself (no `member_ids`) until the day of the course. Returns how many were newly enrolled.
    Audited `course.enrol`."""
    from xieshang.core.selectors import member_of

    course = _course_of(committee, course)
    if member_ids is None:
        member = member_of(actor, committee)
        if member is None:
            raise NotFound()
        if course.held_on < clock.today() or course.attendance_taken:
            raise Invalid(_("The course is over: ask the office."))
        members = [member]
    else:
        if not selectors.is_office(actor, committee):
            raise Forbidden()
        ids = {as_id(m) for m in member_ids} - {None}
        members = list(Member.objects.filter(committee=committee, pk__in=ids))
        if not members:
            raise Invalid(field_errors={"members": [_("Choose at least one member.")]})
    with transaction.atomic():
        have = set(course.enrolments.values_list("member_id", flat=True))
        new = [Enrolment(course=course, member=m) for m in members if m.pk not in have]
        Enrolment.objects.bulk_create(new)
        if new:
            audit.record(actor=actor, action="course.enrol", obj=course, committee=committee,
                         payload={"members": [e.member_id for e in new]})
    return len(new)


def attendance_record(*, actor, committee, course, present_ids) -> Course:
    """Who of the enrolled attended (office): the others are marked absent; each attendee gets the training fact,
    the absent lose it. Audited `course.attendance`."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    course = _course_of(committee, course)
    present = {as_id(m) for m in present_ids} - {None}
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        enrolled = set(course.enrolments.values_list("member_id", flat=True))
        course.enrolments.filter(member_id__in=present & enrolled).update(attended=True)
        course.enrolments.exclude(member_id__in=present & enrolled).update(attended=False)
        course.attendance_taken = True
        course.save(update_fields=["attendance_taken"])
        _training_facts(course)
        audit.record(actor=actor, action="course.attendance", obj=course, committee=committee,
                     payload={"present": sorted(present & enrolled), "absent": sorted(enrolled - present)})
    return course


def manual_fact_remove(*, actor, committee, manual_fact, reason) -> None:
    """Withdraw a fact added by hand by mistake (office; another committee's: NotFound), with a reason: its ledger
    fact goes, the row is deleted (its attachments stay with the audit trail's reference). Audited
    `duty_fact.remove` with what the fact was."""
    if actor is None or committee is None or not selectors.is_office(actor, committee):
        raise Forbidden()
    pk = as_id(getattr(manual_fact, "pk", manual_fact))
    row = ManualFact.objects.filter(pk=pk, committee=committee).first() if pk else None
    if row is None:
        raise NotFound()
    reason = _text("reason", reason, 500)
    with transaction.atomic():
        duty.duty_facts_clear(obj=row)
        audit.record(actor=actor, action="duty_fact.remove", obj=row, committee=committee, payload={
            "member": row.member_id, "kind": row.kind, "quantity": str(row.quantity),
            "date": row.occurred_on.isoformat(), "note": row.note, "reason": reason})
        row.delete()
