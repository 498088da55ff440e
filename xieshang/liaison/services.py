"""Every write of the liaison app. Party reports, assigned tasks and visit suggestions move through the
kernel's Machine (REPORT_MACHINE, TASK_MACHINE, SUGGESTION_MACHINE); the named services delegate to it, so the
pages and the API share one path: permission, legality, the input, one transaction, one audit event, notices
after the commit. Writes outside a table (creating a report, a task or a visit, making and revising a rule)
follow the same rules by hand: check, transaction.atomic(), audit.record, notify.

A suggestion's `convert` calls the other apps' own creating services (grassroots.demand_create,
proposals.proposal_create, opinions.opinion_create) — the draft belongs to the member who will carry it on,
and is created as that member — and links both ways (Suggestion.demand/proposal/opinion/task;
selectors.origin_of answers from the other side).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit, clock
from xieshang.core import deadlines as dl
from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.models import Member, Role, SpecialCommittee, User
from xieshang.core.notices import Notice
from xieshang.core.services import notify
from xieshang.core.workflow import Machine, Step, as_id, parse_input

from . import selectors as sel
from . import workflow as wf
from .models import (
    AssignedTask, ContactVisit, OwnerKind, PartyReport, ReportState, RuleVersion, Suggestion, TargetKind, TaskNote,
    TaskState, VisitedPerson, WorkingRule,
)
from .search import index_reports, index_rules, index_suggestions, index_tasks, index_visits


def _office_or_403(actor, committee) -> None:
    """The office may; a leader sees but may not (403); anybody else sees nothing (404; anonymous 403)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if not sel.is_office(actor, committee):
        raise Forbidden() if sel.is_reader(actor, committee) else _hidden()


def _hidden():
    from xieshang.core.errors import NotFound

    return NotFound()


def _not_future(day: datetime.date, field: str, today: datetime.date) -> None:
    if day > today:
        raise Invalid(field_errors={field: [_("The date cannot be in the future.")]})


def _not_before(day: datetime.date, earlier: datetime.date | None, field: str, what) -> None:
    if earlier is not None and day < earlier:
        raise Invalid(field_errors={field: [_("The date cannot be before %(what)s (%(date)s).") % {
            "what": what, "date": earlier.isoformat()}]})


def _next_number(model, committee_id, year) -> int:
    last = (model.objects.select_for_update().filter(committee_id=committee_id, year=year)
            .order_by("-number").values_list("number", flat=True).first())
    return (last or 0) + 1


def _leaders(committee_id):
    return User.objects.filter(role_assignments__committee_id=committee_id, role_assignments__role=Role.LEADER,
                               is_active=True).distinct()


def _office(committee_id):
    return User.objects.filter(role_assignments__committee_id=committee_id, role_assignments__role=Role.STAFF,
                               is_active=True).distinct()


# --- Reports to the Party committee ------------------------------------------------------------------------------


def report_create(*, actor, committee, data: dict) -> PartyReport:
    """A new draft by the office: {"kind", "title", "body"}. Invalid (422) with fields; 403 / 404 otherwise."""
    _office_or_403(actor, committee)
    values = parse_input(wf.ReportInput, data)
    now = clock.now()
    with transaction.atomic():
        year = clock.today().year
        report = PartyReport.objects.create(
            committee_id=committee.pk, year=year, number=_next_number(PartyReport, committee.pk, year),
            kind=values.kind, title=values.title, body=values.body, created_by=actor, created_at=now)
        index_reports(report)
        audit.record(actor=actor, action="party_report.create", obj=report, committee=committee,
                     to_state=report.state, payload={"kind": report.kind})
    return report


def _report_url(report) -> str:
    return sel.url_or_hash("liaison:report", report.pk)


def _do_update(step: Step) -> None:
    report, values = step.obj, step.input
    changed = [k for k in ("kind", "title", "body") if getattr(report, k) != getattr(values, k)]
    if not changed:
        step.skip = True
        return
    for key in changed:
        setattr(report, key, getattr(values, key))
    step.payload["changed"] = changed


def _do_submit(step: Step) -> None:
    report = step.obj
    report.submitted_on = step.today
    notify(recipients=_leaders(report.committee_id), kind="party_report.submitted",
           title=Notice(gettext_lazy("A report to the Party committee awaits your approval: %(subject)s"),
                        subject=report.title), url=_report_url(report), committee=report.committee)


def _do_approve(step: Step) -> None:
    report = step.obj
    report.approved_by = step.actor
    report.approved_on = step.today
    report.return_reason = ""
    notify(recipients=[report.created_by], kind="party_report.approved",
           title=Notice(gettext_lazy("Your report to the Party committee was approved: %(subject)s"),
                        subject=report.title), url=_report_url(report), committee=report.committee)


def _do_return(step: Step) -> None:
    report = step.obj
    report.return_reason = step.input.reason
    step.payload["reason"] = step.input.reason
    notify(recipients=[report.created_by], kind="party_report.returned",
           title=Notice(gettext_lazy("A report to the Party committee was returned for revision: %(subject)s"),
                        subject=report.title), url=_report_url(report), committee=report.committee)


def _do_send(step: Step) -> None:
    report, values = step.obj, step.input
    _not_future(values.sent_on, "sent_on", step.today)
    _not_before(values.sent_on, report.approved_on, "sent_on", _("the approval"))
    report.document_number = values.document_number
    report.sent_on = values.sent_on
    step.payload.update({"document_number": values.document_number, "sent_on": values.sent_on.isoformat()})


def _do_instruction(step: Step) -> None:
    report, values = step.obj, step.input
    _not_future(values.instruction_on, "instruction_on", step.today)
    _not_before(values.instruction_on, report.sent_on, "instruction_on", _("the date it was sent"))
    report.instruction_by = values.instruction_by
    report.instruction_on = values.instruction_on
    report.instruction = values.text
    step.payload.update({"by": values.instruction_by, "on": values.instruction_on.isoformat()})
    notify(recipients=[u for u in [report.created_by, report.approved_by] if u is not None],
           kind="party_report.answered",
           title=Notice(gettext_lazy("The Party committee answered a report: %(subject)s"), subject=report.title),
           url=_report_url(report), committee=report.committee)


def _do_withdraw(step: Step) -> None:
    step.payload["reason"] = step.input.reason


def _state_label(enum):
    return lambda s: str(enum(s).label) if s in enum.values else s


REPORT_MACHINE = Machine(
    name="party_report", model=PartyReport, transitions=wf.REPORT_TRANSITIONS,
    handlers={"update": _do_update, "submit": _do_submit, "approve": _do_approve, "return": _do_return,
              "send": _do_send, "record_instruction": _do_instruction, "withdraw": _do_withdraw},
    relations=sel.report_relations, can_see=sel.can_see, groups=wf.REPORT_GROUPS, after_save=index_reports,
    state_label=_state_label(ReportState),
)


def report_act(*, actor, report, action: str, data: dict | None = None, expected_version=None) -> PartyReport:
    return REPORT_MACHINE.act(actor=actor, obj=report, action=action, data=data, expected_version=expected_version)


def report_submit(*, actor, report, expected_version=None) -> PartyReport:
    return report_act(actor=actor, report=report, action="submit", expected_version=expected_version)


def report_approve(*, actor, report, expected_version=None) -> PartyReport:
    return report_act(actor=actor, report=report, action="approve", expected_version=expected_version)


def report_return(*, actor, report, reason: str, expected_version=None) -> PartyReport:
    return report_act(actor=actor, report=report, action="return", data={"reason": reason},
                      expected_version=expected_version)


def report_send(*, actor, report, document_number: str, sent_on, expected_version=None) -> PartyReport:
    return report_act(actor=actor, report=report, action="send",
                      data={"document_number": document_number, "sent_on": sent_on}, expected_version=expected_version)


def report_record_instruction(*, actor, report, instruction_by: str, instruction_on, text: str,
                              expected_version=None) -> PartyReport:
    return report_act(actor=actor, report=report, action="record_instruction",
                      data={"instruction_by": instruction_by, "instruction_on": instruction_on, "text": text},
                      expected_version=expected_version)


# --- Working rules --------------------------------------------------------------------------------------------


def _attach(actor, committee, version: RuleVersion, file) -> None:
    if file is None:
        return
    from xieshang.core.attachments import attachment_add

    attachment_add(actor=actor, committee=committee, obj=version, file=file, purpose="rule_text")


def rule_create(*, actor, committee, data: dict, file=None) -> WorkingRule:
    """A rule made: {"title", "meeting" (that adopted it), "adopted_on", "note"}; its text as an attached file."""
    _office_or_403(actor, committee)
    values = parse_input(wf.RuleInput, data)
    _not_future(values.adopted_on, "adopted_on", clock.today())
    if WorkingRule.objects.filter(committee_id=committee.pk, title=values.title).exists():
        raise Invalid(field_errors={"title": [_("The register already has a rule with this title.")]})
    with transaction.atomic():
        rule = WorkingRule.objects.create(committee_id=committee.pk, title=values.title, adopted_by=values.meeting,
                                          adopted_on=values.adopted_on, created_by=actor)
        version = RuleVersion.objects.create(rule=rule, number=1, date=values.adopted_on, meeting=values.meeting,
                                             note=values.note, created_by=actor)
        index_rules(rule)
        _attach(actor, committee, version, file)
        audit.record(actor=actor, action="working_rule.create", obj=rule, committee=committee,
                     payload={"adopted_on": values.adopted_on.isoformat(), "meeting": values.meeting})
    return rule


def rule_revise(*, actor, rule, data: dict, file=None, expected_version=None) -> RuleVersion:
    """A revision: {"date", "meeting", "note"} (not before the last version, not in the future)."""
    from xieshang.core.errors import Conflict

    committee = rule.committee
    _office_or_403(actor, committee)
    values = parse_input(wf.RevisionInput, data)
    with transaction.atomic():
        locked = WorkingRule.objects.select_for_update().get(pk=rule.pk)
        if expected_version not in (None, "") and as_id(expected_version) != locked.version:
            raise Conflict()
        last = locked.versions.order_by("-number").first()
        _not_future(values.date, "date", clock.today())
        _not_before(values.date, last.date, "date", _("the last version"))
        version = RuleVersion.objects.create(rule=locked, number=last.number + 1, date=values.date,
                                             meeting=values.meeting, note=values.note, created_by=actor)
        locked.revised_on = values.date
        locked.version += 1
        locked.save(update_fields=["revised_on", "version"])
        index_rules(locked)
        _attach(actor, committee, version, file)
        audit.record(actor=actor, action="working_rule.revise", obj=locked, committee=committee,
                     payload={"version": version.number, "date": values.date.isoformat(), "meeting": values.meeting})
    rule.refresh_from_db()
    return version


def rule_text_attach(*, actor, version: RuleVersion, file):
    """Attach (or add) the text of one version."""
    committee = version.rule.committee
    _office_or_403(actor, committee)
    from xieshang.core.attachments import attachment_add

    with transaction.atomic():
        row = attachment_add(actor=actor, committee=committee, obj=version, file=file, purpose="rule_text")
        audit.record(actor=actor, action="working_rule.attach", obj=version.rule, committee=committee,
                     payload={"version": version.number, "name": row.original_name})
    return row


# --- Assigned tasks --------------------------------------------------------------------------------------------


def _owner(committee, owner_kind, special_committee_id):
    if owner_kind == OwnerKind.SPECIAL_COMMITTEE:
        sc = SpecialCommittee.objects.filter(committee_id=committee.pk, pk=special_committee_id).first()
        if sc is None:
            raise Invalid(field_errors={"special_committee": [_("Choose a special committee of this committee.")]})
        return sc
    return None


def _insert_task(*, actor, committee, values: wf.TaskInput, payload=None) -> AssignedTask:
    today = clock.today()
    assigned_on = values.assigned_on or today
    _not_future(assigned_on, "assigned_on", today)
    sc = _owner(committee, values.owner_kind, values.special_committee)
    if values.due_on is not None:
        _not_before(values.due_on, today, "due_on", _("today"))
        due_on = values.due_on
    else:
        from xieshang.core import timers

        due_on = timers.deadline(committee.pk, "task.due", today)
    year = assigned_on.year
    task = AssignedTask.objects.create(
        committee_id=committee.pk, year=year, number=_next_number(AssignedTask, committee.pk, year),
        title=values.title, source_document=values.source_document, content=values.content,
        owner_kind=values.owner_kind, special_committee=sc, assigned_on=assigned_on, due_on=due_on, created_by=actor)
    dl.deadline_open(obj=task, kind="task.due", due_on=due_on)
    index_tasks(task)
    audit.record(actor=actor, action="assigned_task.create", obj=task, committee=committee, to_state=task.state,
                 payload={"due_on": due_on.isoformat(), "owner": task.owner_name, **(payload or {})})
    if sc is not None:
        recipients = User.objects.filter(role_assignments__committee_id=committee.pk,
                                         role_assignments__special_committee=sc, is_active=True).distinct()
        notify(recipients=recipients, kind="assigned_task.assigned",
               title=Notice(gettext_lazy("A task from the Party committee was assigned to your special committee: "
                                         "%(subject)s"), subject=task.title),
               url=sel.url_or_hash("liaison:task", task.pk), committee=committee)
    return task


def task_create(*, actor, committee, data: dict) -> AssignedTask:
    _office_or_403(actor, committee)
    values = parse_input(wf.TaskInput, data)
    with transaction.atomic():
        return _insert_task(actor=actor, committee=committee, values=values)


def _do_note(step: Step) -> None:
    TaskNote.objects.create(task=step.obj, date=step.today, text=step.input.text, author=step.actor)
    step.payload["note"] = step.input.text[:200]


def _do_complete(step: Step) -> None:
    task = step.obj
    task.done_on = step.today
    task.result = step.input.result
    dl.deadline_meet(obj=task, kind="task.due", on=step.today)
    step.payload["late"] = step.today > task.due_on


def _do_extend(step: Step) -> None:
    task = step.obj
    _not_before(step.input.due_on, step.today, "due_on", _("today"))
    _not_before(step.input.due_on, task.assigned_on, "due_on", _("the date it was assigned"))
    step.payload.update({"from": task.due_on.isoformat(), "to": step.input.due_on.isoformat()})
    task.due_on = step.input.due_on
    dl.deadline_extend(obj=task, kind="task.due", due_on=task.due_on)


def _do_cancel(step: Step) -> None:
    dl.deadline_waive(obj=step.obj, kind="task.due")
    step.payload["reason"] = step.input.reason


def _do_reopen_task(step: Step) -> None:
    task = step.obj
    task.done_on = None
    dl.deadline_open(obj=task, kind="task.due", due_on=max(task.due_on, step.today))


TASK_MACHINE = Machine(
    name="assigned_task", model=AssignedTask, transitions=wf.TASK_TRANSITIONS,
    handlers={"note": _do_note, "complete": _do_complete, "extend": _do_extend, "cancel": _do_cancel,
              "reopen": _do_reopen_task},
    relations=sel.task_relations, can_see=sel.can_see, groups=wf.TASK_GROUPS, state_label=_state_label(TaskState),
    after_save=index_tasks,
)


def task_act(*, actor, task, action: str, data: dict | None = None, expected_version=None) -> AssignedTask:
    return TASK_MACHINE.act(actor=actor, obj=task, action=action, data=data, expected_version=expected_version)


# --- Contact visits and their suggestions ------------------------------------------------------------------


def _visit_leader(actor, committee, leader_id):
    """The leader who visits: a leader recording their own visit is the leader; the office names one."""
    if sel.is_office(actor, committee):
        leader = User.objects.filter(pk=leader_id or 0, role_assignments__committee_id=committee.pk,
                                     role_assignments__role=Role.LEADER).first() if leader_id else None
        if leader is None:
            if sel.is_leader(actor, committee) and not leader_id:
                return actor
            raise Invalid(field_errors={"leader": [_("Choose a leader of this committee.")]})
        return leader
    if sel.is_leader(actor, committee):
        if leader_id and leader_id != actor.pk:
            raise Forbidden(_("A leader records their own visits."))
        return actor
    raise Forbidden() if sel.is_reader(actor, committee) else _hidden()


def _companions(committee, ids) -> list[Member]:
    rows = list(Member.objects.filter(committee_id=committee.pk, pk__in=ids))
    if len(rows) != len(set(ids)):
        raise Invalid(field_errors={"companions": [_("Choose members of this committee.")]})
    return rows


def visit_create(*, actor, committee, data: dict) -> ContactVisit:
    """A visit recorded by the leader who made it or by the office for a leader (`leader`): date (not in the
    future), place, subject, whom they met (`people`: kind, name, organisation), what they heard, and the
    suggestions brought back."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if not sel.is_reader(actor, committee):
        raise _hidden()
    values = parse_input(wf.VisitInput, data)
    leader = _visit_leader(actor, committee, values.leader)
    _not_future(values.date, "date", clock.today())
    companions = _companions(committee, values.companions)
    with transaction.atomic():
        visit = ContactVisit.objects.create(committee_id=committee.pk, leader=leader, date=values.date,
                                            place=values.place, subject=values.subject, heard=values.heard,
                                            created_by=actor)
        visit.companions.set(companions)
        VisitedPerson.objects.bulk_create([VisitedPerson(visit=visit, kind=p.kind, name=p.name,
                                                         affiliation=p.affiliation) for p in values.people])
        rows = Suggestion.objects.bulk_create([Suggestion(committee_id=committee.pk, visit=visit, text=text)
                                               for text in values.suggestions])
        index_visits(visit)
        index_suggestions(rows)
        audit.record(actor=actor, action="contact_visit.create", obj=visit, committee=committee,
                     payload={"leader": leader.pk, "people": len(values.people), "suggestions": len(rows)})
        for row in rows:
            audit.record(actor=actor, action="visit_suggestion.create", obj=row, committee=committee, to_state="open")
    return visit


def _may_edit_visit(actor, visit) -> None:
    if sel.is_office(actor, visit.committee_id) or visit.leader_id == getattr(actor, "pk", None):
        return
    raise Forbidden() if sel.is_reader(actor, visit.committee_id) else _hidden()


def visit_update(*, actor, visit, data: dict, expected_version=None) -> ContactVisit:
    """Correct a visit (the office or the visiting leader): its facts, people and companions (suggestions are
    added one by one: suggestion_add)."""
    from xieshang.core.errors import Conflict

    committee = visit.committee
    _may_edit_visit(actor, visit)
    values = parse_input(wf.VisitInput, {**data, "suggestions": []})
    _not_future(values.date, "date", clock.today())
    companions = _companions(committee, values.companions)
    leader = visit.leader
    if values.leader and values.leader != visit.leader_id:
        leader = _visit_leader(actor, committee, values.leader)
    with transaction.atomic():
        locked = ContactVisit.objects.select_for_update().get(pk=visit.pk)
        if expected_version not in (None, "") and as_id(expected_version) != locked.version:
            raise Conflict()
        for key in ("date", "place", "subject", "heard"):
            setattr(locked, key, getattr(values, key))
        locked.leader = leader
        locked.version += 1
        locked.save()
        locked.companions.set(companions)
        locked.people.all().delete()
        VisitedPerson.objects.bulk_create([VisitedPerson(visit=locked, kind=p.kind, name=p.name,
                                                         affiliation=p.affiliation) for p in values.people])
        index_visits(locked)
        index_suggestions(locked.suggestions.values_list("pk", flat=True))
        audit.record(actor=actor, action="contact_visit.update", obj=locked, committee=committee,
                     payload={"people": len(values.people)})
    return locked


def suggestion_add(*, actor, visit, data: dict) -> Suggestion:
    _may_edit_visit(actor, visit)
    values = parse_input(wf.SuggestionInput, data)
    with transaction.atomic():
        row = Suggestion.objects.create(committee_id=visit.committee_id, visit=visit, text=values.text)
        index_suggestions(row)
        audit.record(actor=actor, action="visit_suggestion.create", obj=row, committee=visit.committee,
                     to_state="open")
        audit.record(actor=actor, action="contact_visit.suggestion_add", obj=visit, committee=visit.committee)
    return row


def _draft_member(step: Step) -> Member:
    suggestion = step.obj
    committee_id = suggestion.committee_id
    if step.input.member:
        member = Member.objects.filter(committee_id=committee_id, pk=step.input.member).select_related("user").first()
        if member is None:
            raise Invalid(field_errors={"member": [_("Choose a member of this committee.")]})
    else:
        member = Member.objects.filter(committee_id=committee_id, user_id=suggestion.visit.leader_id,
                                       is_active=True).select_related("user").first()
        if member is None:
            raise Invalid(field_errors={"member": [_("The visiting leader is not a member: choose the member who "
                                                     "carries the draft on.")]})
    if member.user_id is None or not member.user.is_active:
        raise Invalid(field_errors={"member": [_("This member has no account to draft with.")]})
    return member


def _origin_line(suggestion) -> str:
    visit = suggestion.visit
    return _("From a contact visit by %(leader)s on %(date)s (%(place)s):") % {
        "leader": visit.leader.display_name, "date": visit.date.isoformat(), "place": visit.place}


def _title_of(step: Step, limit: int) -> str:
    text = step.input.title or " ".join(step.obj.text.split())
    return text[:limit]


def _do_convert(step: Step) -> None:
    suggestion, to = step.obj, step.input.to
    committee = suggestion.visit.committee
    body = f"{_origin_line(suggestion)}\n\n{suggestion.text}"
    url = ""
    if to in (TargetKind.PROPOSAL, TargetKind.OPINION):
        member = _draft_member(step)
        if to == TargetKind.PROPOSAL:
            from xieshang.proposals.services import proposal_create

            draft = proposal_create(actor=member.user, committee=committee, title=_title_of(step, 100), body=body)
            suggestion.proposal = draft
            url = sel.url_or_hash("proposals:detail", draft.pk)
        else:
            from xieshang.opinions.models import TEXT_LIMIT, TITLE_LIMIT
            from xieshang.opinions.services import opinion_create

            draft = opinion_create(actor=member.user, committee=committee, title=_title_of(step, TITLE_LIMIT),
                                   body=body[:TEXT_LIMIT])
            suggestion.opinion = draft
            url = sel.url_or_hash("opinions:detail", draft.pk)
        step.payload.update({"member": member.pk, "draft": draft.pk})
        if member.user_id != getattr(step.actor, "pk", None):
            notify(recipients=[member.user], kind="visit_suggestion.converted",
                   title=Notice(gettext_lazy("A suggestion from a contact visit was turned into a draft for you: "
                                             "%(subject)s"), subject=draft.title), url=url, committee=committee)
    elif to == TargetKind.DEMAND:
        from xieshang.grassroots.models import TEXT_LIMIT as DEMAND_LIMIT
        from xieshang.grassroots.services import demand_create

        if not step.input.place:
            raise Invalid(field_errors={"place": [_("Choose the station or studio that takes up the demand.")]})
        try:  # recorded by the one who follows it up: a member, a keeper or the office (grassroots' rule)
            demand = demand_create(actor=step.actor, committee=committee,
                                   data={"text": body[:DEMAND_LIMIT], "place": step.input.place})
        except Forbidden:  # e.g. a visiting leader without a member record: a reason, not a bare 403
            raise Invalid(field_errors={"to": [_(
                "Citizens' demands are recorded by members, station keepers and the office: ask the office to "
                "follow this suggestion up as a demand, or choose another target.")]}) from None
        suggestion.demand = demand
        step.payload["demand"] = demand.pk
    else:
        if step.input.owner_kind == "special_committee" and not step.input.special_committee:  # found by the walks
            raise Invalid(field_errors={"special_committee": [_("Choose the special committee that owns the task.")]})
        values = wf.TaskInput(
            title=_title_of(step, 100), source_document=_("Contact visit of %(date)s") % {
                "date": suggestion.visit.date.isoformat()},
            content=body[:4000], owner_kind=step.input.owner_kind, special_committee=step.input.special_committee,
            due_on=step.input.due_on)
        task = _insert_task(actor=step.actor, committee=committee, values=values,
                            payload={"suggestion": suggestion.pk})
        suggestion.task = task
        step.payload["task"] = task.pk
    suggestion.target_kind = to
    suggestion.converted_on = step.today
    step.payload["to"] = to


def _do_noted(step: Step) -> None:
    step.obj.note = step.input.note


def _do_reopen_suggestion(step: Step) -> None:
    step.obj.note = ""


SUGGESTION_MACHINE = Machine(
    name="visit_suggestion", model=Suggestion, transitions=wf.SUGGESTION_TRANSITIONS,
    handlers={"convert": _do_convert, "note": _do_noted, "reopen": _do_reopen_suggestion},
    relations=sel.suggestion_relations, can_see=sel.can_see, after_save=index_suggestions,
    state_label=lambda s: str(dict(Suggestion._meta.get_field("state").choices).get(s, s)),
)


def suggestion_act(*, actor, suggestion, action: str, data: dict | None = None, expected_version=None) -> Suggestion:
    return SUGGESTION_MACHINE.act(actor=actor, obj=suggestion, action=action, data=data,
                                  expected_version=expected_version)


def suggestion_convert(*, actor, suggestion, to: str, expected_version=None, **fields) -> Suggestion:
    """Turn a suggestion, with one action, into a demand, a proposal draft, an opinion report draft or a task."""
    return suggestion_act(actor=actor, suggestion=suggestion, action="convert", data={"to": to, **fields},
                          expected_version=expected_version)
