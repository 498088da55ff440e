"""Every write of opinion reports. The transitions of workflow.py run through one `core.workflow.Machine`
(`MACHINE`); the named services below delegate to it, so pages and the API share one path:
lock, visibility (404), permission (403), version (409), legality (409), guard, input (422), handler,
one audit event `opinion.<action>`, notifications after the commit.

Every submitter of a report — and each author of the reports combined into a combined report — is told
of each outcome (件件有回音, `_tell_authors`) and sees it on the report (selectors.outcomes_of).

Side effects written here explicitly (no signals):
  - text versions (OpinionVersion) at each submission whose text changed and at each staff edit;
  - numbers: the report's at its first submission, the bulletin issue's at forwarding (next of the year);
  - deadlines (core.deadlines): "opinion.edit" opened at submission, met when the office has decided;
    "commission.due" for a call;
  - duty facts (core.duty): "opinion.submitted", "opinion.adopted.<level>", "opinion.instruction.<level>",
    credited to each member author (authors = how many, lead = the first);
  - the search index (core.search, kind "opinion") after every save.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit, categories, clock, deadlines, duty, search
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Member, Organization, Role, RoleAssignment, SpecialCommittee
from xieshang.core.notices import Notice
from xieshang.core.selectors import member_of, roles_of
from xieshang.core.services import notify
from xieshang.core.workflow import Machine, Step, parse_input

from . import selectors, workflow
from .models import (
    Adoption,
    Bulletin,
    Commission,
    Forwarding,
    Instruction,
    Level,
    OpinionAuthor,
    OpinionReport,
    OpinionState,
    OpinionVersion,
    Recipient,
    SubmitterKind,
)

S = OpinionState
NUMBER_ATTEMPTS = 5


# --- The kernel's deadlines, duty ledger and search index ---------------------------------------------


def _deadline(fn: str, **kwargs):
    return getattr(deadlines, fn)(**kwargs)


def _duty_record(*, member, kind, obj, occurred_on, authors=1, lead=True):
    return duty.duty_fact_record(member=member, kind=kind, obj=obj, occurred_on=occurred_on, authors=authors, lead=lead)


def index_reports(ids) -> None:
    """Write the search documents of these reports (in the caller's transaction)."""
    search.index("opinion", list(ids))


def _after_save(report) -> None:
    index_reports([report.pk])


# --- Small helpers -------------------------------------------------------------------------------------


def _authors(report) -> list[OpinionAuthor]:
    return list(OpinionAuthor.objects.filter(report=report).select_related("user", "member").order_by("order", "id"))


def _tell_authors(report, action: str, title: str, body: str = "", *, exclude=None, dedupe_key=None,
                  authors=None) -> None:
    """件件有回音: tell every submitter of `report` (a combined report: every author of every report in it)."""
    users = [a.user for a in (authors if authors is not None else _authors(report))]
    if exclude is not None:
        users = [u for u in users if u.pk != exclude.pk]
    if not users:
        return
    notify(
        recipients=users, kind=f"opinion.{action}", title=title, body=body, url=selectors.opinion_url(report),
        committee=report.committee, dedupe_key=dedupe_key,
    )


def _keep_version(report, actor, *, staff: bool, note: str = "") -> OpinionVersion | None:
    """Keep the report's current text as a new version, unless it equals the latest kept one."""
    last = OpinionVersion.objects.filter(report=report).order_by("-number").first()
    current = (report.title, report.situation, report.analysis, report.suggestion)
    if last is not None and (last.title, last.situation, last.analysis, last.suggestion) == current and not staff:
        return None
    number = (last.number if last is not None else 0) + 1
    report.text_version = number
    return OpinionVersion.objects.create(
        report=report, number=number, title=report.title, situation=report.situation, analysis=report.analysis,
        suggestion=report.suggestion, edited_by=actor, is_staff_edit=staff, note=note[:200],
    )


def _assign_number(report, today: datetime.date) -> None:
    """The report's number: the next of its committee and year (retried when a concurrent submission took it)."""
    if report.number is not None:
        return
    for _attempt in range(NUMBER_ATTEMPTS):
        last = OpinionReport.objects.filter(committee_id=report.committee_id, year=today.year).aggregate(n=Max("number"))["n"]
        number = (last or 0) + 1
        try:
            with transaction.atomic():
                OpinionReport.objects.filter(pk=report.pk).update(year=today.year, number=number)
        except IntegrityError:
            continue
        report.year, report.number = today.year, number
        return
    raise Conflict()


def _new_bulletin(*, actor, report, kind: str, issued_on: datetime.date, today: datetime.date) -> Bulletin:
    approver = report.approved_by
    for _attempt in range(NUMBER_ATTEMPTS):
        last = Bulletin.objects.filter(committee_id=report.committee_id, year=issued_on.year).aggregate(n=Max("number"))["n"]
        try:
            with transaction.atomic():
                return Bulletin.objects.create(
                    committee_id=report.committee_id, year=issued_on.year, number=(last or 0) + 1, kind=kind,
                    title=report.title, issued_on=issued_on, signed_by=approver,
                    signed_by_name=approver.display_name if approver else "",
                    created_by=actor,
                )
        except IntegrityError:
            continue
    raise Conflict()


def _open_edit_deadline(report, today) -> None:
    _deadline("deadline_open", obj=report, kind="opinion.edit", start=today)


def _meet_edit_deadline(report) -> None:
    _deadline("deadline_meet", obj=report, kind="opinion.edit")


def _record_submitted_facts(report, today) -> None:
    authors = [a for a in _authors(report) if a.member_id]
    for i, author in enumerate(authors):
        _duty_record(member=author.member, kind="opinion.submitted", obj=report, occurred_on=today,
                     authors=len(authors), lead=(i == 0))


def _record_level_facts(report, prefix: str, level: str, occurred_on) -> None:
    authors = [a for a in _authors(report) if a.member_id]
    for i, author in enumerate(authors):
        _duty_record(member=author.member, kind=f"{prefix}.{level}", obj=report, occurred_on=occurred_on,
                     authors=len(authors), lead=(i == 0))


def _release(report) -> None:
    report.editing_by = None
    report.editing_since = None


# --- Handlers (one per action that does more than move the state) --------------------------------------


def _do_update(step: Step) -> None:
    report, data = step.obj, step.input
    parts = data.parts()
    category = data.category or report.category
    changed = any(getattr(report, k) != v for k, v in parts.items()) or report.category != category
    if not changed:
        step.skip = True
        return
    for key, value in parts.items():
        setattr(report, key, value)
    report.category = category
    step.quiet = True  # a draft's edits are not outcomes; the version still goes up


def _do_submit(step: Step) -> None:
    report = step.obj
    first = report.submitted_at is None
    _assign_number(report, step.today)
    report.submitted_at = report.submitted_at or step.now
    report.return_reason = ""
    _keep_version(report, step.actor, staff=False, note=_("as submitted") if first else _("as resubmitted"))
    _open_edit_deadline(report, step.today)
    _record_submitted_facts(report, step.today)
    step.payload = {"number": f"{report.year}-{report.number}"}


def _do_withdraw(step: Step) -> None:
    _release(step.obj)
    _deadline("deadline_waive", obj=step.obj, kind="opinion.edit")


def _do_start_editing(step: Step) -> None:
    report = step.obj
    if report.state == S.EDITING and report.editing_by_id == step.actor.pk:
        step.skip = True
        return
    if report.editing_by_id:
        step.payload = {"took_over_from": report.editing_by_id}
    report.editing_by = step.actor
    report.editing_since = step.now


def _do_edit(step: Step) -> None:
    report, data = step.obj, step.input
    new = {
        "title": data.title or report.title, "situation": data.situation, "analysis": data.analysis,
        "suggestion": data.suggestion,
    }
    if data.keeps_text:
        new.update(situation=report.situation, analysis=report.analysis, suggestion=report.suggestion)
    changed = any(getattr(report, k) != v for k, v in new.items()) or (data.category and data.category != report.category)
    if not changed and report.state == S.EDITING and report.editing_by_id == step.actor.pk:
        step.skip = True
        return
    report.editing_by = step.actor
    report.editing_since = report.editing_since if report.state == S.EDITING else step.now
    if changed:
        if data.category:
            new["category"] = data.category
        found = audit.changes(report, new)
        for key, value in new.items():
            setattr(report, key, value)
        version = _keep_version(report, step.actor, staff=True, note=data.note)
        step.payload = {"text_version": version.number, "changes": found}
        from xieshang.text.services import suggestion_record  # the office's category against the suggestion

        suggestion_record(committee=report.committee, kind="opinion.category", obj=report, chosen=report.category,
                          actor=step.actor, title=report.title,
                          body="\n".join(x for x in (report.situation, report.analysis, report.suggestion) if x))
        _tell_authors(
            report, "edit",
                Notice(gettext_lazy("The office edited your opinion report “%(title)s”"),
                       title=report.title),
            gettext_lazy("You can see the edited text and every version on the report."),
            exclude=step.actor, dedupe_key=f"opinion-edited-{report.pk}",
        )


def _do_return(step: Step) -> None:
    report = step.obj
    report.return_reason = step.input.reason
    _release(report)
    _meet_edit_deadline(report)
    step.payload = {"reason": step.input.reason}
    _tell_authors(report, "return",
        Notice(gettext_lazy("Your opinion report “%(title)s” needs more information"),
               title=report.title),
                  step.input.reason, exclude=step.actor)


def _do_resubmit(step: Step) -> None:
    _do_submit(step)


def _do_decline(step: Step) -> None:
    report = step.obj
    report.decline_reason = step.input.reason
    _release(report)
    _meet_edit_deadline(report)
    step.payload = {"reason": step.input.reason}
    _tell_authors(report, "decline",
        Notice(gettext_lazy("Your opinion report “%(title)s” will not be used"),
               title=report.title),
                  step.input.reason, exclude=step.actor)


def _do_send_for_approval(step: Step) -> None:
    _release(step.obj)


def _do_send_back(step: Step) -> None:
    step.payload = {"reason": step.input.reason}


def _do_approve(step: Step) -> None:
    report = step.obj
    report.approved_at = step.now
    report.approved_by = step.actor
    _release(report)
    _meet_edit_deadline(report)
    _tell_authors(report, "approve",
        Notice(gettext_lazy("Your opinion report “%(title)s” was approved"),
               title=report.title),
                  exclude=step.actor)


def _do_forward(step: Step) -> None:
    report, data = step.obj, step.input
    ids = list(dict.fromkeys(data.recipients))
    recipients = list(Recipient.objects.filter(committee_id=report.committee_id, pk__in=ids, is_active=True)
                      .order_by("sort_order", "id"))
    if len(recipients) != len(ids):
        raise Invalid(field_errors={"recipients": [_("Choose recipients from the list.")]})
    issued_on = data.issued_on or step.today
    if data.bulletin is not None:
        bulletin = Bulletin.objects.filter(committee_id=report.committee_id, pk=data.bulletin).first()
        if bulletin is None:
            raise Invalid(field_errors={"bulletin": [_("Choose a bulletin issue of this committee.")]})
    else:
        kind = data.kind or (Bulletin.Kind.COMBINED if report.is_combined else Bulletin.Kind.SPECIAL)
        bulletin = _new_bulletin(actor=step.actor, report=report, kind=kind, issued_on=issued_on, today=step.today)
    Forwarding.objects.bulk_create([
        Forwarding(report=report, recipient=r, bulletin=bulletin, forwarded_on=issued_on) for r in recipients
    ])
    bulletin.recipients.add(*recipients)
    report.bulletin = bulletin
    report.forwarded_at = step.now
    label = _("bulletin %(year)s no. %(number)s") % {"year": bulletin.year, "number": bulletin.number}
    step.payload = {"recipients": [r.name for r in recipients], "recipient_ids": [r.pk for r in recipients],
                    "bulletin": label, "bulletin_id": bulletin.pk}
    _tell_authors(
        report, "forward", Notice(gettext_lazy("Your opinion report “%(title)s” was forwarded"), title=report.title),
        selectors.outcome_text("forward", step.payload), exclude=step.actor,
    )


def _do_record_adoption(step: Step) -> None:
    report, data = step.obj, step.input
    forwarded = Forwarding.objects.filter(report=report, recipient_id=data.recipient).select_related("recipient").first()
    if forwarded is None:
        raise Invalid(field_errors={"recipient": [_("Choose a recipient the report was forwarded to.")]})
    values = {"kind": data.kind, "manner": data.manner, "adopted_on": data.adopted_on or step.today, "note": data.note}
    row = Adoption.objects.filter(report=report, recipient_id=data.recipient, level=data.level).first()
    if row is not None:
        if all(getattr(row, k) == v for k, v in values.items()):
            step.skip = True  # recorded twice: still one record, nothing changed
            return
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
        created = False
    else:
        row = Adoption.objects.create(report=report, recipient_id=data.recipient, level=data.level,
                                      recorded_by=step.actor, **values)
        created = True
    _record_level_facts(report, "opinion.adopted", data.level, row.adopted_on)
    step.payload = {"recipient": forwarded.recipient.name, "recipient_id": data.recipient, "level": data.level,
                    "kind": data.kind, "manner": data.manner, "adopted_on": row.adopted_on.isoformat(),
                    "updated": not created}
    if created:
        _tell_authors(
            report, "record_adoption",
                Notice(gettext_lazy("Your opinion report “%(title)s” was adopted"),
                       title=report.title),
            selectors.outcome_text("record_adoption", step.payload), exclude=step.actor,
        )


def _do_record_instruction(step: Step) -> None:
    report, data = step.obj, step.input
    Instruction.objects.create(
        report=report, leader_name=data.leader, leader_title=data.leader_title, level=data.level, date=data.date,
        text=data.text, recorded_by=step.actor,
    )
    _record_level_facts(report, "opinion.instruction", data.level, data.date)
    step.payload = {"leader": data.leader, "leader_title": data.leader_title, "level": data.level,
                    "date": data.date.isoformat(), "text": data.text}
    _tell_authors(
        report, "record_instruction",
        Notice(gettext_lazy("A leader gave an instruction on your opinion report “%(title)s”"), title=report.title),
        selectors.outcome_text("record_instruction", step.payload), exclude=step.actor,
    )


def _do_close(step: Step) -> None:
    step.obj.closed_at = step.now


def _do_combine(step: Step) -> None:
    """The report acted on and `reports` become one new combined report (in editing, held by the actor)."""
    primary, data = step.obj, step.input
    other_ids = sorted(set(data.reports) - {primary.pk})
    if not other_ids:
        raise Invalid(field_errors={"reports": [_("Choose at least one other report to combine with.")]})
    others = list(OpinionReport.objects.select_for_update().filter(pk__in=other_ids).order_by("pk"))
    # a report of another committee, or one the actor may not see (someone's draft), is "not there"
    others = [r for r in others if r.committee_id == primary.committee_id and selectors.can_see(step.actor, r)]
    if len(others) != len(other_ids):
        raise Invalid(field_errors={"reports": [_("Some of the chosen reports do not exist.")]})
    versions = {int(k): v for k, v in (data.versions or {}).items()}
    combinable = workflow.GROUPS["combinable"]
    for report in [primary, *others]:
        if report.pk in versions and versions[report.pk] != report.version:
            raise Conflict(
                _("“%(title)s” was changed by someone else in the meantime. Reload and try again.") % {"title": report.title},
                detail="version",
            )
        if report.state not in combinable:
            raise IllegalTransition(
                _("“%(title)s” cannot be combined: it is %(state)s.") % {
                    "title": report.title, "state": report.get_state_display()},
                detail=f"state_{report.state}",
            )
        if report.editing_by_id is not None and report.editing_by_id != step.actor.pk:
            editor = report.editing_by
            raise Conflict(
                _("“%(title)s” is being edited by %(name)s. Take it over first.") % {
                    "title": report.title, "name": editor.display_name},
                detail="being_edited",
            )
    sources = [primary, *others]
    combined = OpinionReport.objects.create(
        committee_id=primary.committee_id, year=step.today.year, state=S.EDITING, title=data.title,
        situation=data.situation, analysis=data.analysis, suggestion=data.suggestion,
        category=data.category or primary.category, submitter_kind=primary.submitter_kind, member=primary.member, organization=primary.organization,
        special_committee=primary.special_committee, liaison_station_id=primary.liaison_station_id, is_combined=True,
        created_by=step.actor,
        submitted_at=step.now, editing_by=step.actor, editing_since=step.now,
    )
    _assign_number(combined, step.today)
    seen: set[int] = set()
    rows = []
    source_authors = list(
        OpinionAuthor.objects.filter(report__in=sources).select_related("user", "member").order_by("report_id", "order", "id")
    )
    by_report: dict[int, list] = {}
    for author in source_authors:
        by_report.setdefault(author.report_id, []).append(author)
    for report in sources:  # the primary's authors first, then the others' in id order
        for author in by_report.get(report.pk, []):
            if author.user_id in seen:
                continue
            seen.add(author.user_id)
            rows.append(OpinionAuthor(report=combined, user_id=author.user_id, member_id=author.member_id, order=len(rows)))
    OpinionAuthor.objects.bulk_create(rows)
    _keep_version(combined, step.actor, staff=True, note=_("combined from %(n)d reports") % {"n": len(sources)})
    combined.save(update_fields=["text_version"])
    audit.record(actor=step.actor, action="opinion.create_combined", obj=combined, to_state=S.EDITING,
                 payload={"from": [r.pk for r in sources]})
    _open_edit_deadline(combined, step.today)
    payload = {"into": combined.pk, "into_title": combined.title, "reports": [r.pk for r in sources]}
    for report in others:
        from_state = report.state
        report.state = S.COMBINED
        report.combined_into = combined
        _release(report)
        report.version += 1
        report.save()
        _meet_edit_deadline(report)
        audit.record(actor=step.actor, action="opinion.combine", obj=report, from_state=from_state, to_state=S.COMBINED,
                     payload=payload)
    primary.combined_into = combined
    _release(primary)
    _meet_edit_deadline(primary)
    step.payload = payload
    index_reports([combined.pk, *[r.pk for r in others]])
    # 件件有回音: each author of each report combined, once
    for report in sources:
        _tell_authors(
            report, "combine",
            Notice(gettext_lazy("Your opinion report “%(title)s” was combined into “%(into)s”"),
                   title=report.title, into=combined.title),
            gettext_lazy("You will be told what becomes of the combined report."),
            exclude=step.actor, authors=[a for a in by_report.get(report.pk, [])],
        )


HANDLERS = {
    "update": _do_update,
    "submit": _do_submit,
    "resubmit": _do_resubmit,
    "withdraw": _do_withdraw,
    "start_editing": _do_start_editing,
    "edit": _do_edit,
    "return": _do_return,
    "combine": _do_combine,
    "decline": _do_decline,
    "send_for_approval": _do_send_for_approval,
    "send_back": _do_send_back,
    "approve": _do_approve,
    "forward": _do_forward,
    "record_adoption": _do_record_adoption,
    "record_instruction": _do_record_instruction,
    "close": _do_close,
}

MACHINE = Machine(
    name="opinion",
    model=OpinionReport,
    transitions=workflow.TRANSITIONS,
    handlers=HANDLERS,
    relations=selectors.relations_of,
    can_see=selectors.can_see,
    groups=workflow.GROUPS,
    after_save=_after_save,
    state_label=lambda state: str(S(state).label) if state in S.values else state,
)


# --- The named services ---------------------------------------------------------------------------------


def opinion_act(*, actor, report, action: str, data: dict | None = None, expected_version=None) -> OpinionReport:
    """Carry out any action of workflow.TRANSITIONS on `report` (an instance or an id) through the machine.
    `combine` goes through opinion_combine (the lowest id is locked first) and returns the combined report."""
    if action == "combine":
        data = dict(data or {})
        reports = data.get("reports") or []
        if not isinstance(reports, list | tuple):
            reports = [reports]
        pk = report.pk if hasattr(report, "pk") else report
        data["reports"] = [pk, *reports]
        return _combine(actor=actor, data=data, expected_version=expected_version, first=pk)
    return MACHINE.act(actor=actor, obj=report, action=action, data=data, expected_version=expected_version)


def _combine(*, actor, data: dict, expected_version=None, first=None) -> OpinionReport:
    ids = []
    for value in data.get("reports") or []:
        pk = value.pk if hasattr(value, "pk") else selectors._int(value)
        if pk is None:
            raise Invalid(field_errors={"reports": [_("Choose reports from the list.")]})
        ids.append(pk)
    if not ids:
        raise Invalid(field_errors={"reports": [_("Choose at least two reports to combine.")]})
    # one order of locks for everyone: the lowest id is the report acted on, the others locked after it
    primary = min(ids)
    data = {**data, "reports": ids}
    versions = dict(data.get("versions") or {})
    if expected_version not in (None, "") and first is not None:
        versions.setdefault(first, expected_version)
        data["versions"] = versions
    with transaction.atomic():
        report = MACHINE.act(actor=actor, obj=primary, action="combine", data=data)
        return OpinionReport.objects.get(pk=report.combined_into_id)


def _submitter(actor, committee, submitter_kind, organization, special_committee, liaison_station):
    """(member, organization, special committee, liaison station) of a new report, or Forbidden / Invalid."""
    roles = roles_of(actor, committee)
    member = member_of(actor, committee)
    if submitter_kind == SubmitterKind.MEMBER:
        if member is None:
            raise Forbidden(_("Only members can submit opinion reports in their own name."))
        return member, None, None, None
    if submitter_kind == SubmitterKind.ORGANIZATION:
        org = organization if isinstance(organization, Organization) else Organization.objects.filter(
            committee=committee, pk=selectors._int(organization) or 0).first()
        if org is None or org.committee_id != committee.pk:
            raise Invalid(field_errors={"organization": [_("Choose a party or group of this committee.")]})
        if not (roles & {Role.STAFF, Role.ADMIN} or (member is not None and member.organization_id == org.pk)):
            raise Forbidden()
        return None, org, None, None
    if submitter_kind == SubmitterKind.SPECIAL_COMMITTEE:
        sc = special_committee if isinstance(special_committee, SpecialCommittee) else SpecialCommittee.objects.filter(
            committee=committee, pk=selectors._int(special_committee) or 0).first()
        if sc is None or sc.committee_id != committee.pk:
            raise Invalid(field_errors={"special_committee": [_("Choose a special committee of this committee.")]})
        if not (roles & {Role.STAFF, Role.ADMIN} or (member is not None and member.special_committees.filter(pk=sc.pk).exists())):
            raise Forbidden()
        return None, None, sc, None
    if submitter_kind == SubmitterKind.STATION:
        if Role.STATION not in roles:
            raise Forbidden()
        own = list(RoleAssignment.objects.filter(user=actor, committee=committee, role=Role.STATION,
                                                 liaison_station__isnull=False).values_list("liaison_station_id", flat=True))
        wanted = getattr(liaison_station, "pk", selectors._int(liaison_station) if liaison_station else None)
        if wanted is not None and wanted not in own:
            raise Invalid(field_errors={"liaison_station": [_("Choose your own liaison station.")]})
        station = wanted or (own[0] if own else None)  # a studio's keeper: no station
        return None, None, None, station
    raise Invalid(field_errors={"submitter_kind": [_("Choose one of the offered values.")]})


def opinion_create(*, actor, committee, title: str = "", situation: str = "", analysis: str = "", suggestion: str = "",
                   body: str = "", category: str = "", commission=None, submitter_kind: str = "member",
                   organization=None, special_committee=None, liaison_station=None, co_authors=()) -> OpinionReport:
    """A new draft by `actor` (a member, or a user drafting for a party/group, a special committee or a
    liaison station), who becomes its first author; `co_authors` (Members of the committee) follow.
    `body` alone is stored as the situation. Invalid (422) with field errors; Forbidden (403)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if not roles_of(actor, committee):
        raise Forbidden()
    data = parse_input(workflow.CreateInput, {
        "title": title, "situation": situation, "analysis": analysis, "suggestion": suggestion, "body": body,
        "category": category, "commission": getattr(commission, "pk", commission),
    }, committee=committee)
    member, org, sc, station = _submitter(actor, committee, submitter_kind, organization, special_committee,
                                          liaison_station)
    call = None
    if data.commission is not None:
        call = Commission.objects.filter(committee=committee, pk=data.commission, state=Commission.State.OPEN).first()
        if call is None:
            raise Invalid(field_errors={"commission": [_("Choose an open call of this committee.")]})
    others = []
    for co in co_authors or ():
        row = co if isinstance(co, Member) else Member.objects.filter(committee=committee, pk=selectors._int(co) or 0).first()
        if row is None or row.committee_id != committee.pk:
            raise Invalid(field_errors={"co_authors": [_("Choose members of this committee.")]})
        if row.user_id != actor.pk and row.pk not in {o.pk for o in others}:
            others.append(row)
    today = clock.today()
    with transaction.atomic():
        report = OpinionReport.objects.create(
            committee=committee, year=today.year, title=data.title, situation=data.situation, analysis=data.analysis,
            suggestion=data.suggestion, category=data.category or categories.catalogue(committee).default(),
            submitter_kind=submitter_kind, member=member,
            organization=org, special_committee=sc, liaison_station_id=station, commission=call, created_by=actor,
            text_version=0,
        )
        OpinionAuthor.objects.bulk_create(
            [OpinionAuthor(report=report, user=actor, member=member, order=0)]
            + [OpinionAuthor(report=report, user_id=m.user_id, member=m, order=i + 1) for i, m in enumerate(others)]
        )
        audit.record(actor=actor, action="opinion.create", obj=report, to_state=S.DRAFT)
        index_reports([report.pk])
    return report


def opinion_update(*, actor, report, data: dict, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="update", data=data, expected_version=expected_version)


def opinion_submit(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="submit", expected_version=expected_version)


def opinion_resubmit(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="resubmit", expected_version=expected_version)


def opinion_withdraw(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="withdraw", expected_version=expected_version)


def opinion_start_editing(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="start_editing", expected_version=expected_version)


def opinion_edit(*, actor, report, data: dict, expected_version=None) -> OpinionReport:
    """data: {"title"?, "situation", "analysis", "suggestion"} or {"body"}, "category"?, "note"?"""
    return opinion_act(actor=actor, report=report, action="edit", data=data, expected_version=expected_version)


def opinion_return(*, actor, report, reason: str, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="return", data={"reason": reason},
                       expected_version=expected_version)


def opinion_combine(*, actor, reports, title: str, situation: str = "", analysis: str = "", suggestion: str = "",
                    body: str = "", category: str = "", versions: dict | None = None) -> OpinionReport:
    """Combine several submitted/editing reports into one new combined report (in editing); returns it.
    Refused (409) when one of them is being edited by another staff member, was changed since `versions`
    ({id: version}) was read, or is not in a state that can be combined."""
    return _combine(actor=actor, data={
        "reports": list(reports), "title": title, "situation": situation, "analysis": analysis,
        "suggestion": suggestion, "body": body, "category": category, "versions": versions or {},
    })


def opinion_decline(*, actor, report, reason: str, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="decline", data={"reason": reason},
                       expected_version=expected_version)


def opinion_send_for_approval(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="send_for_approval", expected_version=expected_version)


def opinion_send_back(*, actor, report, reason: str, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="send_back", data={"reason": reason},
                       expected_version=expected_version)


def opinion_approve(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="approve", expected_version=expected_version)


def opinion_forward(*, actor, report, recipients, bulletin=None, kind=None, issued_on=None,
                    expected_version=None) -> OpinionReport:
    data = {"recipients": [getattr(r, "pk", r) for r in recipients], "bulletin": getattr(bulletin, "pk", bulletin),
            "kind": kind, "issued_on": issued_on}
    return opinion_act(actor=actor, report=report, action="forward", data=data, expected_version=expected_version)


def opinion_record_adoption(*, actor, report, recipient, level: str, kind: str = "single", manner: str = "adopted",
                            adopted_on=None, note: str = "") -> OpinionReport:
    data = {"recipient": getattr(recipient, "pk", recipient), "level": level, "kind": kind, "manner": manner,
            "adopted_on": adopted_on, "note": note}
    return opinion_act(actor=actor, report=report, action="record_adoption", data=data)


def opinion_record_instruction(*, actor, report, level: str, leader: str, date, text: str,
                               leader_title: str = "") -> OpinionReport:
    data = {"level": level, "leader": leader, "date": date, "text": text, "leader_title": leader_title}
    return opinion_act(actor=actor, report=report, action="record_instruction", data=data)


def opinion_close(*, actor, report, expected_version=None) -> OpinionReport:
    return opinion_act(actor=actor, report=report, action="close", expected_version=expected_version)


# --- Attachments ----------------------------------------------------------------------------------------

ATTACH_STATES_AUTHOR = workflow.GROUPS["with_author"]
ATTACH_STATES_OFFICE = workflow.GROUPS["in_office"]


def may_attach(user, report) -> bool:
    relations = selectors.relations_of(user, report)
    return bool(("author" in relations and report.state in ATTACH_STATES_AUTHOR)
                or ("staff" in relations and report.state in ATTACH_STATES_OFFICE))


def opinion_attachment_add(*, actor, report, file, purpose: str = "material"):
    """Attach a file to a report: its submitter while it is a draft or returned; the office while it holds it."""
    from xieshang.core import attachments

    report = report if isinstance(report, OpinionReport) else OpinionReport.objects.filter(pk=selectors._int(report) or 0).first()
    if report is None or actor is None or not selectors.can_see(actor, report):
        raise NotFound()
    if not may_attach(actor, report):
        raise Forbidden()
    return attachments.attachment_add(actor=actor, committee=report.committee_id, obj=report, file=file, purpose=purpose)


def opinion_attachment_remove(*, actor, report, attachment) -> None:
    from xieshang.core import attachments

    if actor is None or not selectors.can_see(actor, report):
        raise NotFound()
    if not may_attach(actor, report):
        raise Forbidden()
    row = attachments.attachments_of(report).filter(pk=getattr(attachment, "pk", attachment)).first()
    if row is None:
        raise NotFound()
    attachments.attachment_remove(actor=actor, attachment=row)


# --- Commissions (约稿) -----------------------------------------------------------------------------------


def _require_office(actor, committee) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if not roles_of(actor, committee) & {Role.STAFF, Role.ADMIN}:
        raise Forbidden()


def _clean_commission(topic, due_on, description) -> dict:
    errors = {}
    from xieshang.core.text import clean

    topic = clean(topic, single_line=True).strip()  # no control characters or lone surrogates (the probe)
    description = clean(description).strip()
    if not topic:
        errors["topic"] = [_("This field is required.")]
    elif len(topic) > 100:
        errors["topic"] = [_("At most %(n)d characters.") % {"n": 100}]
    if isinstance(due_on, str):
        try:
            due_on = datetime.date.fromisoformat(due_on.strip())
        except ValueError:
            due_on = None
            errors["due_on"] = [_("Enter a date as YYYY-MM-DD.")]
    if due_on is None and "due_on" not in errors:
        errors["due_on"] = [_("This field is required.")]
    if len(description) > 3000:
        errors["description"] = [_("At most %(n)d characters.") % {"n": 3000}]
    if errors:
        raise Invalid(field_errors=errors)
    return {"topic": topic, "due_on": due_on, "description": description}


def commission_create(*, actor, committee, topic: str, due_on, description: str = "") -> Commission:
    """Publish a call for reports on a topic (staff); members see it and answer with reports."""
    _require_office(actor, committee)
    values = _clean_commission(topic, due_on, description)
    with transaction.atomic():
        commission = Commission.objects.create(committee=committee, created_by=actor, **values)
        audit.record(actor=actor, action="commission.create", obj=commission, to_state=commission.state,
                     payload={"topic": commission.topic, "due_on": commission.due_on.isoformat()})
        _deadline("deadline_open", obj=commission, kind="commission.due", due_on=commission.due_on)
    return commission


def commission_update(*, actor, commission, topic: str, due_on, description: str = "") -> Commission:
    _require_office(actor, commission.committee_id)
    values = _clean_commission(topic, due_on, description)
    with transaction.atomic():
        row = Commission.objects.select_for_update().get(pk=commission.pk)
        if row.state != Commission.State.OPEN:
            raise IllegalTransition()
        moved = row.due_on != values["due_on"]
        found = audit.changes(row, values)
        for key, value in values.items():
            setattr(row, key, value)
        row.version += 1
        row.save()
        audit.record(actor=actor, action="commission.update", obj=row,
                     payload={"due_on": row.due_on.isoformat(), "changes": found})
        if moved:
            _deadline("deadline_extend", obj=row, kind="commission.due", due_on=row.due_on)
    return row


def commission_close(*, actor, commission) -> Commission:
    _require_office(actor, commission.committee_id)
    with transaction.atomic():
        row = Commission.objects.select_for_update().get(pk=commission.pk)
        if row.state != Commission.State.OPEN:
            raise IllegalTransition(_("This call is already closed."), detail="state_closed")
        row.state = Commission.State.CLOSED
        row.closed_at = clock.now()
        row.version += 1
        row.save()
        audit.record(actor=actor, action="commission.close", obj=row, from_state="open", to_state="closed")
        _deadline("deadline_meet", obj=row, kind="commission.due")
    return row


# --- Recipients (报送对象) ---------------------------------------------------------------------------------


RECIPIENT_NAME_MAX = Recipient._meta.get_field("name").max_length
RECIPIENT_ORDER_MAX = 32767  # PositiveSmallIntegerField


def _recipient_row(committee, recipient, *, lock: bool = False) -> Recipient:
    """The committee's recipient `recipient` (a row or an id); another committee's or a missing one → NotFound."""
    qs = Recipient.objects.filter(committee_id=getattr(committee, "pk", committee))
    if lock:
        qs = qs.select_for_update()
    row = qs.filter(pk=selectors._int(getattr(recipient, "pk", recipient)) or 0).first()
    if row is None:
        raise NotFound()
    return row


def _clean_recipient(committee, recipient, name, level, sort_order) -> dict:
    from xieshang.core.text import clean

    name = clean(name, single_line=True).strip() if isinstance(name, str) else ""
    level = (level or "").strip() if isinstance(level, str) else ""
    errors = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > RECIPIENT_NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": RECIPIENT_NAME_MAX}]
    if level not in Level.values:
        errors["level"] = [_("Choose one of the offered values.")]
    if sort_order is None or sort_order == "":
        order = 0
    else:
        text = str(sort_order).strip()
        order = int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None
        if order is None or order > RECIPIENT_ORDER_MAX:
            errors["sort_order"] = [_("Enter a whole number from 0 to %(n)d.") % {"n": RECIPIENT_ORDER_MAX}]
    if "name" not in errors:
        clash = Recipient.objects.filter(committee_id=getattr(committee, "pk", committee), name=name)
        if recipient is not None:
            clash = clash.exclude(pk=recipient.pk)
        if clash.exists():
            errors["name"] = [_("This committee already has a recipient named “%(name)s”.") % {"name": name}]
    if errors:
        raise Invalid(field_errors=errors)
    return {"name": name, "level": level, "sort_order": order}


def recipient_save(*, actor, committee, recipient=None, name: str, level: str, sort_order: int = 0,
                   is_active: bool = True) -> Recipient:
    """Add or change a recipient of the committee (staff, administrators)."""
    _require_office(actor, committee)
    if recipient is not None:
        recipient = _recipient_row(committee, recipient)
    values = _clean_recipient(committee, recipient, name, level, sort_order)
    created = recipient is None
    try:
        with transaction.atomic():
            row = Recipient(committee_id=getattr(committee, "pk", committee)) if created else \
                _recipient_row(committee, recipient, lock=True)
            before = {"name": row.name, "level": row.level, "sort_order": row.sort_order, "is_active": row.is_active}
            row.name, row.level, row.sort_order = values["name"], values["level"], values["sort_order"]
            row.is_active = bool(is_active)
            row.save()
            payload = {"name": row.name, "level": row.level, "sort_order": row.sort_order, "is_active": row.is_active}
            if not created:
                payload["before"] = before
                payload["changes"] = audit.changes(before, payload)
            audit.record(actor=actor, action="recipient.create" if created else "recipient.update", obj=row,
                         committee=committee, payload=payload)
    except IntegrityError:  # the same name saved meanwhile by someone else
        raise Invalid(field_errors={"name": [
            _("This committee already has a recipient named “%(name)s”.") % {"name": values["name"]}]}) from None
    return row


def recipient_set_active(*, actor, committee, recipient, active: bool) -> Recipient:
    """Deactivate a recipient (no longer offered for forwarding; past forwardings keep it) or reactivate it."""
    _require_office(actor, committee)
    _recipient_row(committee, recipient)
    with transaction.atomic():
        row = _recipient_row(committee, recipient, lock=True)
        active = bool(active)
        if row.is_active != active:
            row.is_active = active
            row.save(update_fields=["is_active"])
            audit.record(actor=actor, action="recipient.activate" if active else "recipient.deactivate", obj=row,
                         committee=committee, from_state="active" if not active else "inactive",
                         to_state="active" if active else "inactive", payload={"name": row.name})
    return row


def recipient_delete(*, actor, committee, recipient) -> None:
    """Delete a recipient no forwarding, adoption or bulletin uses; a used one can only be deactivated."""
    _require_office(actor, committee)
    _recipient_row(committee, recipient)
    with transaction.atomic():
        row = _recipient_row(committee, recipient, lock=True)
        if row.forwardings.exists() or row.adoptions.exists() or row.bulletins.exists():
            raise Conflict(_("Reports were forwarded to this recipient: deactivate it instead of deleting it."),
                           detail="recipient_in_use")
        audit.record(actor=actor, action="recipient.delete", obj=row, committee=committee,
                     payload={"name": row.name, "level": row.level})
        row.delete()
