"""Every write of proposals. `proposal_act` is the one entry point for the transitions of workflow.py.

Each action: look the transition up, lock the proposal row, check that the actor may see it
(NotFound), has one of the transition's actor relations (Forbidden), names the current version
(Conflict) and that the state allows it (IllegalTransition); then one small private function
(`_do_<action>`) does the work; the version goes up by one and one audit event
`proposal.<action>` is recorded, all in one transaction. Notifications are created in the same
transaction and delivered after the commit (xieshang.core.services.notify).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import attachments, audit, categories, formats, timers
from xieshang.core.workflow import Machine, Step, Transition, parse_input
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound, ServiceError
from xieshang.core.models import Event, HandlingUnit, Member, Role, Session
from xieshang.core.notices import Notice
from xieshang.core.text import clean as clean_text
from xieshang.core.selectors import has_role, member_of, office_users, unit_ids_of, users_with_role
from xieshang.core.services import notify

from . import deadlines, schemas, search, selectors, workflow
from . import duty as duty_ledger
from .schemas import as_id as _id
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    ConvertTarget,
    CoSigner,
    CoUnitView,
    Evaluation,
    EvaluationQuestion,
    EvaluationVerdict,
    ExtensionRequest,
    HandlingConsultation,
    Proposal,
    ProposalKind,
    ProposalState,
    ProposerKind,
    RejectReason,
    REPLY_LETTER,
    Rehandling,
    Reply,
    Supervision,
)

S = ProposalState
A = AssignmentState
User = get_user_model()

EDITABLE_FIELDS = ("title", "body", "category", "kind", "suggested_units", "contact_phone", "contact_address")
LETTER_EXTENSIONS = (".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png")
OPEN = (A.ASSIGNED, A.HANDLING)
PENDING = (A.ASSIGNED, A.OBJECTED, A.HANDLING)


# --- Small helpers -------------------------------------------------------------------------


def _required() -> list:
    return [_("This field is required.")]


def _given_id(data: dict, name: str) -> int | None:
    """The id given for `name`, None when nothing was given; Invalid when what was given names nothing.
    (For the guards, which run before the input schema validates the data.)"""
    value = data.get(name)
    if value is None or value == "":
        return None
    number = _id(value)
    if number is None:
        raise Invalid(field_errors={name: [_("Choose one of the offered values.")]})
    return number


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _proposer_users(proposal) -> list:
    if proposal.lead_proposer_id:
        return [proposal.lead_proposer.user]
    return [proposal.created_by]


def _answered_users(proposal) -> list:
    """Who a reply answers: the proposer, and the proposers of every proposal merged into this one."""
    users = _proposer_users(proposal)
    for merged in Proposal.objects.filter(merged_into=proposal).select_related("lead_proposer__user", "created_by"):
        users += _proposer_users(merged)
    return users


def _label(proposal) -> str:
    return f"{proposal.number} {proposal.title}" if proposal.number else proposal.title


def _tell(recipients, proposal, kind: str, title: str, body: str = "") -> None:
    notify(
        recipients=recipients, kind=kind, title=title, body=body,
        url=selectors.proposal_url(proposal), committee=proposal.committee,
    )


def _state_label(state: str) -> str:
    return str(S(state).label) if state in S.values else state


def _assignment_state_label(state: str) -> str:
    return str(A(state).label) if state in A.values else state


# --- Create and edit ---------------------------------------------------------------------


def proposal_create(
    *, actor, committee, title, body="", session=None, kind=ProposalKind.SESSION, category=None,
    suggested_units="", contact_phone="", contact_address="", proposer_kind=ProposerKind.MEMBER,
    organization=None, special_committee=None, client_key=None,
) -> Proposal:
    """A new draft. Its lead proposer is the actor's Member row in `committee`. With `client_key`,
    the same (actor, key) gives back the same draft (a double-clicked submit makes one proposal)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    client_key = (str(client_key).strip()[:64] or None) if client_key else None
    if client_key:
        existing = Proposal.objects.filter(created_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing
    member = member_of(actor, committee)
    is_staff = has_role(actor, committee, Role.STAFF, Role.ADMIN)
    if proposer_kind not in ProposerKind.values:
        raise Invalid(field_errors={"proposer_kind": [_("Choose one of the offered values.")]})
    if proposer_kind == ProposerKind.MEMBER:
        if member is None:
            raise Forbidden(_("Only members of this committee can draft proposals."))
        organization = special_committee = None
    elif proposer_kind == ProposerKind.ORGANIZATION:
        if organization is None or organization.committee_id != committee.pk:
            raise Invalid(field_errors={"organization": _required()})
        if not (is_staff or (member is not None and member.organization_id == organization.pk)):
            raise Forbidden(_("Only the organisation's members or office staff can draft its proposals."))
        special_committee = None
    else:
        if special_committee is None or special_committee.committee_id != committee.pk:
            raise Invalid(field_errors={"special_committee": _required()})
        if not (is_staff or (member is not None and member.special_committees.filter(pk=special_committee.pk).exists())):
            raise Forbidden(_("Only the special committee's members or office staff can draft its proposals."))
        organization = None
    if session is None:
        session = Session.objects.filter(term__committee=committee, is_current=True).first()
        if session is None:
            raise Invalid(field_errors={"session": [_("The committee has no current session; choose one.")]})
    elif session.term.committee_id != committee.pk:
        raise Invalid(field_errors={"session": [_("Choose a session of this committee.")]})
    values = parse_input(  # the fields of the draft, checked as "update" checks them
        schemas.UpdateInput,
        {
            "title": title, "body": body, "kind": kind, "suggested_units": suggested_units,
            "category": category or categories.catalogue(committee).default(),  # the committee's own list
            "contact_phone": contact_phone, "contact_address": contact_address,
        },
        committee=committee,
    ).changes()
    proposal = Proposal(
        committee=committee, session=session, proposer_kind=proposer_kind,
        lead_proposer=member,  # for organisations' proposals: the drafting member, if any
        organization=organization, special_committee=special_committee,
        created_by=actor, client_key=client_key, **values,
    )
    try:
        with transaction.atomic():
            proposal.save()
            audit.record(
                actor=actor, action="proposal.create", obj=proposal, to_state=proposal.state,
                payload={"title": proposal.title, "proposer_kind": proposer_kind},
            )
            search.index_proposals([proposal.pk])
    except IntegrityError:
        if client_key:
            existing = Proposal.objects.filter(created_by=actor, client_key=client_key).first()
            if existing is not None:  # a concurrent copy of the same click won
                return existing
        raise
    return proposal


def proposal_update(*, actor, proposal, expected_version=None, **fields) -> Proposal:
    """Edit a draft or returned proposal (autosave). A stale `expected_version` raises Conflict."""
    return proposal_act(actor=actor, proposal=proposal, action="update", data=fields, expected_version=expected_version)


# --- The dispatcher ----------------------------------------------------------------------

# The handlers receive the core workflow's Step (`ctx.obj` is the locked proposal).
_Ctx = Step


def _illegal(t: Transition, state: str) -> IllegalTransition:
    return IllegalTransition(
        _("“%(action)s” is not possible: the proposal is %(state)s.") % {"action": t.label, "state": _state_label(state)},
        detail=f"state_{state}",
    )


def _index_after_save(proposal: Proposal) -> None:
    search.index_proposals([proposal.pk])  # the text, number, sector or co-signers may have changed


def _after_save(proposal: Proposal) -> None:
    _index_after_save(proposal)
    if proposal.state in deadlines.WITH_ASSIGNMENTS:  # the Deadline rows follow the assignments' dates and states
        deadlines.sync_proposals([proposal.pk])


def proposal_act(*, actor, proposal, action: str, data: dict | None = None, expected_version=None) -> Proposal:
    """Carry out one transition of workflow.TRANSITIONS on `proposal` as `actor` (None: the scheduler),
    through the core workflow machine (lock, 404, 403, version, 409, guard, handler, audit event).

    `register` with `units` (立案并交办) is two transitions in one transaction: the registration, then the
    assignment to those units — each with its own permission check, audit event and notices; a refused
    assignment undoes the registration."""
    units = data.get("units") if action == "register" and isinstance(data, dict) else None
    if not units:
        return MACHINE.act(actor=actor, obj=proposal, action=action, data=data, expected_version=expected_version)
    with transaction.atomic():
        registered = MACHINE.act(actor=actor, obj=proposal, action=action, data=data, expected_version=expected_version)
        return MACHINE.act(actor=actor, obj=registered, action="assign", data={"units": units})


# --- Drafting and co-signing -----------------------------------------------------------------


def _do_update(ctx: _Ctx) -> None:
    p = ctx.obj
    unknown = ctx.input.unknown()
    if unknown:
        raise Invalid(field_errors={name: [_("This field cannot be changed here.")] for name in unknown})
    values = ctx.input.changes()
    changed = [name for name, value in values.items() if getattr(p, name) != value]
    ctx.payload = {"fields": changed, "changes": audit.changes(p, values, changed)}
    for name in changed:
        setattr(p, name, values[name])
    ctx.skip = not changed
    ctx.quiet = bool(changed) and _edited_lately(ctx)


# Autosave edits a draft every few seconds: one "proposal.update" event per user per draft per gap.
EDIT_EVENT_GAP = datetime.timedelta(minutes=10)


def _edited_lately(ctx: _Ctx) -> bool:
    """Is the actor's last event on this proposal an edit younger than EDIT_EVENT_GAP? (Events are
    append-only, so a later edit cannot be merged into it: it is simply not recorded again.)"""
    if ctx.actor is None:
        return False
    last = (
        Event.objects.for_object(ctx.obj).filter(actor=ctx.actor)
        .order_by("-created_at", "-id").values_list("action", "created_at").first()
    )
    return last is not None and last[0] == "proposal.update" and timezone.now() - last[1] < EDIT_EVENT_GAP


def _members(ctx: _Ctx) -> list[Member]:
    ids = ctx.input.members  # at least one, each an id (schemas.InviteCosignersInput)
    members = list(Member.objects.filter(pk__in=ids, committee_id=ctx.committee_id, is_active=True).select_related("user"))
    if len(members) != len(set(ids)):
        raise Invalid(field_errors={"members": [_("Choose active members of this committee.")]})
    if any(m.pk == ctx.obj.lead_proposer_id for m in members):
        raise Invalid(field_errors={"members": [_("The lead proposer cannot co-sign their own proposal.")]})
    return members


def _do_invite_cosigners(ctx: _Ctx) -> None:
    p = ctx.obj
    members = _members(ctx)
    existing = set(CoSigner.objects.filter(proposal=p).values_list("member_id", flat=True))
    new = [m for m in members if m.pk not in existing]
    if not new:
        raise Invalid(field_errors={"members": [_("These members are already invited.")]})
    CoSigner.objects.bulk_create([CoSigner(proposal=p, member=m) for m in new])
    ctx.payload = {"members": [m.pk for m in new]}
    if p.state == S.COSIGNING:
        _tell_invited(p, [m.user for m in new])


def _tell_invited(p: Proposal, users) -> None:
    notify(
        recipients=users, kind="proposal.cosign_invitation",
        title=Notice(gettext_lazy("Invitation to co-sign: %(title)s"), title=p.title),
        body=Notice(gettext_lazy("Please co-sign or decline by %(date)s."), date=p.cosign_deadline)
        if p.cosign_deadline else "",
        url=_invitations_url(p),
        committee=p.committee,
    )


def _invitations_url(p: Proposal) -> str:
    url = selectors.url_or_hash("proposals:cosign_invitations")
    return selectors.proposal_url(p) if url == "#" else url


def _mark_submitted(p: Proposal, now) -> None:
    p.state = S.SUBMITTED
    p.submitted_at = p.submitted_at or now
    if p.lead_proposer_id and p.lead_proposer.sector_id:
        p.sector_name = p.lead_proposer.sector.name


def _do_submit(ctx: _Ctx) -> None:
    p = ctx.obj
    errors = {}
    if not p.title.strip():
        errors["title"] = _required()
    if not p.body.strip():
        errors["body"] = [_("Write the text of the proposal before submitting it.")]
    if errors:
        raise Invalid(field_errors=errors)
    invited = list(CoSigner.objects.filter(proposal=p, state=CoSigner.State.INVITED).select_related("member__user"))
    if invited:
        days = ctx.input.cosign_days  # 1–60 (schemas.SubmitInput)
        if days is not None:
            due = ctx.today + datetime.timedelta(days=days)
        else:
            due = timers.deadline(ctx.committee_id, "proposal.cosign", ctx.today)
        p.state = S.COSIGNING
        p.cosign_deadline = _end_of_day(due)
        ctx.payload = {"cosign_deadline": p.cosign_deadline.isoformat(), "invited": len(invited)}
        _tell_invited(p, [c.member.user for c in invited])
    else:
        _mark_submitted(p, ctx.now)


def _my_invitation(ctx: _Ctx) -> CoSigner:
    row = selectors.invitation_of(ctx.obj, ctx.actor)  # the loaded rows of a detail, else a query
    if row is None:
        raise Forbidden()
    if row.state != CoSigner.State.INVITED:
        raise IllegalTransition(_("You have already answered this invitation."), detail="already_answered")
    if ctx.obj.cosign_deadline and ctx.obj.cosign_deadline < ctx.now:
        raise IllegalTransition(_("The time for co-signing is over."), detail="cosign_closed")
    return row


def _answer_invitation(ctx: _Ctx, state: str) -> None:
    row = ctx.found  # the guard's _my_invitation
    row.state = state
    row.answered_at = ctx.now
    row.save(update_fields=["state", "answered_at"])
    ctx.payload = {"member": row.member_id}


def _do_cosign(ctx: _Ctx) -> None:
    _answer_invitation(ctx, CoSigner.State.SIGNED)
    _end_cosigning_when_answered(ctx)


def _do_decline_cosign(ctx: _Ctx) -> None:
    _answer_invitation(ctx, CoSigner.State.DECLINED)
    _end_cosigning_when_answered(ctx)


def _end_cosigning_when_answered(ctx: _Ctx) -> None:
    """When every invited co-signer has answered, co-signing ends by itself: the proposal is submitted
    and the proposer told (no need to wait for the deadline)."""
    p = ctx.obj
    counts = {state: 0 for state in CoSigner.State.values}
    for state in CoSigner.objects.filter(proposal=p).values_list("state", flat=True):
        counts[state] += 1
    if counts[CoSigner.State.INVITED]:
        return
    _mark_submitted(p, ctx.now)
    ctx.payload.update({"cosigning_ended": True, "signed": counts[CoSigner.State.SIGNED],
                        "declined": counts[CoSigner.State.DECLINED]})
    _tell(_proposer_users(p), p, "proposal.cosigning_complete",
          Notice(gettext_lazy("Every invited co-signer has answered; your proposal is submitted: %(title)s"),
                 title=p.title),
          Notice(gettext_lazy("%(signed)s signed, %(declined)s declined."),
                 signed=counts[CoSigner.State.SIGNED], declined=counts[CoSigner.State.DECLINED]))


def _do_close_cosigning(ctx: _Ctx) -> None:
    p = ctx.obj
    _mark_submitted(p, ctx.now)
    ctx.payload = {
        "signed": CoSigner.objects.filter(proposal=p, state=CoSigner.State.SIGNED).count(),
        "unanswered": CoSigner.objects.filter(proposal=p, state=CoSigner.State.INVITED).count(),
        "by": "system" if ctx.actor is None else "person",
    }


def _do_withdraw(ctx: _Ctx) -> None:
    reason = ctx.input.reason
    ctx.obj.state = S.WITHDRAWN
    ctx.obj.state_note = reason
    ctx.payload = {"reason": reason}


# --- Review ---------------------------------------------------------------------------------


def _do_return_for_revision(ctx: _Ctx) -> None:
    p = ctx.obj
    reason = ctx.input.reason
    p.state = S.RETURNED
    p.state_note = reason
    ctx.payload = {"reason": reason}
    _tell(_proposer_users(p), p, "proposal.returned",
          Notice(gettext_lazy("Your proposal was returned for revision: %(title)s"), title=p.title), reason)


def _do_resubmit(ctx: _Ctx) -> None:
    p = ctx.obj
    if not p.body.strip():
        raise Invalid(field_errors={"body": [_("Write the text of the proposal before submitting it.")]})
    p.state = S.SUBMITTED
    p.submitted_at = ctx.now


def _next_number(p: Proposal) -> None:
    """Give `p` the next sequence of its session and its number <term>-<session>-<seq:04d>.

    The session row is locked, so numbering is serialised per session; the unique constraints
    are the last guard (a clash retries with the next free sequence)."""
    session = Session.objects.select_for_update().select_related("term").get(pk=p.session_id)
    for _attempt in range(5):
        last = Proposal.objects.filter(session_id=session.pk).aggregate(m=Max("sequence"))["m"] or 0
        sequence = last + 1
        number = f"{session.term.number}-{session.number}-{sequence:04d}"
        try:
            with transaction.atomic():
                Proposal.objects.filter(pk=p.pk).update(sequence=sequence, number=number)
        except IntegrityError:
            continue
        p.sequence, p.number = sequence, number
        return
    raise Conflict()


def _record_suggestion(ctx: _Ctx, kind: str, chosen) -> None:
    """What the text engine suggested for this decision and what was chosen (xieshang.text: the acceptance rate)."""
    from xieshang.text.services import suggestion_record

    p = ctx.obj
    suggestion_record(committee=p.committee, kind=kind, obj=p, chosen=chosen, actor=ctx.actor, title=p.title, body=p.body)


def _do_register(ctx: _Ctx) -> None:
    p = ctx.obj
    category = ctx.input.category or p.category
    is_key = p.is_key if ctx.input.is_key is None else ctx.input.is_key
    _next_number(p)
    p.category = category
    p.is_key = is_key
    p.state = S.REGISTERED
    p.registered_at = ctx.now
    duty_ledger.credit_registration(p, ctx.today)  # the proposers' facts (duty.py), not the acting staff's
    ctx.payload = {"number": p.number, "category": category, "is_key": is_key}
    if ctx.input.units:  # 立案并交办: proposal_act assigns next, in the same transaction
        ctx.payload["assign_at_once"] = [u.unit for u in ctx.input.units]
    _record_suggestion(ctx, "proposal.category", category)
    _tell(_proposer_users(p), p, "proposal.registered",
          Notice(gettext_lazy("Your proposal was registered as No. %(number)s: %(title)s"),
                 number=p.number, title=p.title))


def _do_merge(ctx: _Ctx) -> None:
    p = ctx.obj
    target_id = ctx.input.into  # an id (schemas.MergeInput)
    target = Proposal.objects.select_for_update().filter(pk=target_id, committee_id=p.committee_id).first()
    if target is None or target.pk == p.pk:
        raise Invalid(field_errors={"into": [_("Choose another proposal of this committee.")]})
    if target.state not in (S.SUBMITTED, S.REGISTERED):
        raise Invalid(field_errors={"into": [_("A proposal can only be merged into a submitted or registered one.")]})
    if target.session_id != p.session_id:
        raise Invalid(field_errors={"into": [_("Choose a proposal of the same session.")]})
    reason = ctx.input.reason
    p.state = S.MERGED
    p.merged_into = target
    p.state_note = reason
    # keep the tree flat: proposals merged into this one are now answered through the target
    moved = list(Proposal.objects.filter(merged_into=p).values_list("pk", flat=True))
    Proposal.objects.filter(pk__in=moved).update(merged_into=target)
    ctx.payload = {"into": target.pk, "into_number": target.number or "", "reason": reason, "moved": moved}
    _tell(_proposer_users(p), p, "proposal.merged",
          Notice(gettext_lazy("Your proposal was merged into “%(target)s”; its replies answer yours too."),
                 target=_label(target)),
          reason)


def _do_convert(ctx: _Ctx) -> None:
    p = ctx.obj
    to = ctx.input.to
    reason = ctx.input.reason
    p.state = S.CONVERTED
    p.converted_to = to
    duty_ledger.remove_all(p)  # no longer a proposal: a registered one loses its proposers' facts
    p.state_note = reason
    ctx.payload = {"to": to, "reason": reason}
    _tell(_proposer_users(p), p, "proposal.converted",
          Notice(gettext_lazy("Your proposal was converted to a %(target)s: %(title)s"),
                 target=ConvertTarget(to).label, title=p.title),
          reason)


def _do_reject(ctx: _Ctx) -> None:
    p = ctx.obj
    code = ctx.input.reason_code
    reason = ctx.input.reason
    p.state = S.REJECTED
    p.reject_reason = code
    p.state_note = reason
    ctx.payload = {"reason_code": code, "reason": reason}
    _tell(_proposer_users(p), p, "proposal.rejected",
          Notice(gettext_lazy("Your proposal was not registered: %(title)s"), title=p.title),
          f"{RejectReason(code).label}. {reason}".strip())


# --- Assignment --------------------------------------------------------------------------------


def _unit(committee_id: int, unit_id: int, field_name: str = "units") -> HandlingUnit:
    """The active handling unit of the committee with this id (an id the input schema checked)."""
    unit = HandlingUnit.objects.filter(pk=unit_id, committee_id=committee_id, is_active=True).first()
    if unit is None:
        raise Invalid(field_errors={field_name: [_("Choose active handling units of this committee.")]})
    return unit


def _new_assignment(ctx: _Ctx, unit: HandlingUnit, role: str, **extra) -> Assignment:
    dates = deadlines.assignment_dates(ctx.committee_id, ctx.today, role)
    return Assignment.objects.create(
        proposal=ctx.obj, unit=unit, role=role, round=ctx.obj.round, assigned_at=ctx.now, **dates, **extra
    )


def _tell_unit(ctx: _Ctx, assignment_or_unit_id, kind: str, title: str, body: str = "") -> None:
    unit_id = getattr(assignment_or_unit_id, "unit_id", assignment_or_unit_id)
    _tell(users_with_role(ctx.committee_id, Role.UNIT, HandlingUnit(pk=unit_id)), ctx.obj, kind, title, body)


def _do_assign(ctx: _Ctx) -> None:
    p = ctx.obj
    # the roles' combination is checked by schemas.AssignInput; whether each unit may take it, here
    units = [(_unit(ctx.committee_id, item.unit), item.role) for item in ctx.input.units]
    if p.assignments.exclude(state=A.CANCELLED).exists():
        raise IllegalTransition(_("This proposal has already been assigned."), detail="already_assigned")
    created = [_new_assignment(ctx, unit, role) for unit, role in units]
    p.state = S.ASSIGNED
    p.assigned_at = ctx.now
    ctx.payload = {"units": [{"unit": a.unit_id, "role": a.role, "due_date": a.due_date.isoformat()} for a in created]}
    _record_suggestion(ctx, "proposal.units", [a.unit_id for a in sorted(created, key=lambda a: a.role == AssignmentRole.CO)])
    for a in created:
        _tell_unit(ctx, a, "proposal.assigned",
                   Notice(gettext_lazy("New proposal assigned (%(role)s): %(title)s"),
                          role=AssignmentRole(a.role).label,
                          title=_label(p)),
                   Notice(gettext_lazy("Acknowledge or object by %(objection)s; reply by %(due)s."),
                          objection=a.objection_due, due=a.due_date))


def _do_reassign(ctx: _Ctx) -> None:
    p = ctx.obj
    old = p.assignments.filter(pk=ctx.input.assignment).first()
    if old is None:
        raise Invalid(field_errors={"assignment": [_("Choose an assignment of this proposal.")]})
    if old.state != A.OBJECTED:
        raise IllegalTransition(
            _("Only an assignment the unit objected to can be re-assigned; this one is %(state)s.")
            % {"state": _assignment_state_label(old.state)}, detail="not_objected",
        )
    unit = _unit(ctx.committee_id, ctx.input.unit, "unit")
    if unit.pk == old.unit_id or p.assignments.filter(unit=unit).exclude(state=A.CANCELLED).exists():
        raise Invalid(field_errors={"unit": [_("This unit already has this proposal.")]})
    old.state = A.CANCELLED
    old.save(update_fields=["state"])
    new = _new_assignment(ctx, unit, old.role, replaces=old)
    ctx.payload = {"assignment": old.pk, "from_unit": old.unit_id, "unit": unit.pk, "new_assignment": new.pk,
                   "role": new.role}
    _tell_unit(ctx, new, "proposal.assigned",
               Notice(gettext_lazy("New proposal assigned (%(role)s): %(title)s"), role=AssignmentRole(new.role).label,
                      title=_label(p)),
               Notice(gettext_lazy("Acknowledge or object by %(objection)s; reply by %(due)s."),
                      objection=new.objection_due, due=new.due_date))
    _tell_unit(ctx, old, "proposal.reassigned",
               Notice(gettext_lazy("Your objection was accepted; the proposal went to another unit: %(title)s"),
                      title=_label(p)))


def _my_assignment(ctx: _Ctx, *, role_ok=None) -> Assignment:
    """The actor's unit's assignment for a unit action (the one named in data["assignment"], else the first
    of the actor's units in a state the action starts from)."""
    t = ctx.transition
    sources = workflow.ASSIGNMENT_SOURCES[t.action]
    units = unit_ids_of(ctx.actor, ctx.committee_id)
    mine = selectors.unit_assignments(ctx.obj, units)  # live, by id: the loaded rows of a detail, else a query
    wanted = _given_id(ctx.data, "assignment")
    if wanted is not None:
        chosen = [a for a in mine if a.pk == wanted]
        if not chosen:
            raise Forbidden(_("This assignment is not your unit's."))
        assignment = chosen[0]
    else:
        fitting = [a for a in mine if a.state in sources and (role_ok is None or role_ok(a))]
        if not mine:
            raise Forbidden()
        assignment = (fitting or mine)[0]
    if role_ok is not None and not role_ok(assignment):
        if t.action == "reply":
            raise Forbidden(_("Co-handling units send their views to the lead unit instead of replying."))
        raise Forbidden(_("Only co-handling units send views to the lead unit."))
    if assignment.state not in sources:
        raise IllegalTransition(
            _("“%(action)s” is not possible: your unit's assignment is %(state)s.")
            % {"action": t.label, "state": _assignment_state_label(assignment.state)},
            detail=f"assignment_{assignment.state}",
        )
    return assignment


def _do_acknowledge(ctx: _Ctx) -> None:
    p = ctx.obj
    a = ctx.found  # the guard's _my_assignment
    a.state = A.HANDLING
    a.acknowledged_at = ctx.now
    a.save(update_fields=["state", "acknowledged_at"])
    if p.state == S.ASSIGNED:
        p.state = S.HANDLING
    ctx.payload = {"assignment": a.pk, "unit": a.unit_id}


def _do_object(ctx: _Ctx) -> None:
    a = ctx.found  # the guard's _my_assignment
    reason = ctx.input.reason
    a.state = A.OBJECTED
    a.objection_reason = reason
    a.objected_at = ctx.now
    a.save(update_fields=["state", "objection_reason", "objected_at"])
    ctx.payload = {"assignment": a.pk, "unit": a.unit_id, "reason": reason}
    _tell(office_users(ctx.committee_id), ctx.obj, "proposal.objected",
          Notice(gettext_lazy("%(unit)s objects to the assignment of %(title)s"),
                 unit=a.unit.name, title=_label(ctx.obj)),
          reason)


# --- Handling ---------------------------------------------------------------------------------


def _do_consult(ctx: _Ctx) -> None:
    a = ctx.found  # the guard's _my_assignment
    day, form = ctx.input.date, ctx.input.form
    summary, participants = ctx.input.summary, ctx.input.participants
    if day > ctx.today:
        raise Invalid(field_errors={"date": [_("The date cannot be in the future.")]})
    row = HandlingConsultation.objects.create(
        assignment=a, date=day, form=form, summary=summary, participants=participants, recorded_by=ctx.actor
    )
    ctx.payload = {"assignment": a.pk, "consultation": row.pk, "date": day.isoformat(), "form": form}


def _do_send_views(ctx: _Ctx) -> None:
    p = ctx.obj
    a = ctx.found  # the guard's _my_assignment
    text = ctx.input.text
    CoUnitView.objects.create(assignment=a, round=p.round, text=text, sent_by=ctx.actor)
    a.state = A.REPLIED
    a.replied_at = ctx.now
    a.round = p.round
    a.save(update_fields=["state", "replied_at", "round"])
    ctx.payload = {"assignment": a.pk, "unit": a.unit_id}
    lead = p.assignments.filter(role=AssignmentRole.LEAD).exclude(state=A.CANCELLED).first()
    if lead is not None:
        _tell_unit(ctx, lead, "proposal.co_views",
                   Notice(gettext_lazy("%(unit)s sent its views on %(title)s"), unit=a.unit.name, title=_label(p)),
                   text[:500])


def _do_request_extension(ctx: _Ctx) -> None:
    a = ctx.found  # the guard's _my_assignment
    until = ctx.input.until
    reason = ctx.input.reason
    latest = deadlines.latest_extension(ctx.committee_id, a.original_due_date)
    if until <= a.due_date:
        raise Invalid(field_errors={"until": [_("Choose a date after the current due date (%(date)s).")
                                              % {"date": formats.cn_date(a.due_date)}]})
    if until > latest:
        raise Invalid(field_errors={"until": [_("An extension can reach %(date)s at the latest.")
                                              % {"date": formats.cn_date(latest)}]})
    if a.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise IllegalTransition(_("An extension request of your unit is already waiting for a decision."),
                                detail="extension_pending")
    req = ExtensionRequest.objects.create(assignment=a, requested_until=until, reason=reason, requested_by=ctx.actor)
    ctx.payload = {"assignment": a.pk, "request": req.pk, "until": until.isoformat(), "reason": reason}
    _tell(office_users(ctx.committee_id), ctx.obj, "proposal.extension_requested",
          Notice(gettext_lazy("%(unit)s asks to reply to %(title)s by %(date)s"),
                 unit=a.unit.name, title=_label(ctx.obj), date=until),
          reason)


def _pending_request(ctx: _Ctx, rid: int | None) -> ExtensionRequest:
    """The pending extension request `rid` of the proposal (Invalid when it names none, 409 when decided)."""
    req = (
        ExtensionRequest.objects.select_related("assignment__unit")
        .filter(pk=rid, assignment__proposal=ctx.obj).first() if rid else None
    )
    if req is None:
        raise Invalid(field_errors={"request": [_("Choose an extension request of this proposal.")]})
    if req.state != ExtensionRequest.State.PENDING:
        raise IllegalTransition(_("This extension request has already been decided."), detail="extension_decided")
    return req


def _decide_extension(ctx: _Ctx, approve: bool) -> None:
    req = ctx.found or _pending_request(ctx, ctx.input.request)  # ctx.found: the guard's, when a request is named
    note = ctx.input.note
    req.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    req.decided_by = ctx.actor
    req.decided_at = ctx.now
    req.decision_note = note
    req.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    a = req.assignment
    old_due = a.due_date
    if approve:
        a.due_date = req.requested_until
        a.save(update_fields=["due_date"])
    ctx.payload = {"request": req.pk, "assignment": a.pk, "old_due_date": old_due.isoformat(),
                   "due_date": a.due_date.isoformat(), "note": note}
    if approve:
        title = Notice(gettext_lazy("Extension approved: reply to %(title)s by %(date)s"),
                       title=_label(ctx.obj), date=a.due_date)
    else:
        title = Notice(gettext_lazy("Extension refused: reply to %(title)s by %(date)s"),
                       title=_label(ctx.obj), date=a.due_date)
    _tell_unit(ctx, a, "proposal.extension_decided", title, note)


def _do_approve_extension(ctx: _Ctx) -> None:
    _decide_extension(ctx, True)


def _do_refuse_extension(ctx: _Ctx) -> None:
    _decide_extension(ctx, False)


def _clean_letter(letter):
    """The uploaded reply letter, checked by core (type among LETTER_EXTENSIONS, size limit), or None."""
    if not letter:
        return None
    return attachments.attachment_check(letter, field="letter", extensions=LETTER_EXTENSIONS)


def _finish_leftovers(p: Proposal) -> list[int]:
    """When the answering units are done: co units still open are done too; unresolved objections lapse."""
    done = []
    for a in p.assignments.filter(state__in=PENDING):
        a.state = A.CANCELLED if a.state == A.OBJECTED else A.REPLIED
        a.save(update_fields=["state"])
        done.append(a.pk)
    return done


def _do_reply(ctx: _Ctx) -> None:
    p = ctx.obj
    a = ctx.found  # the guard's _my_assignment
    outcome, text, signed_by = ctx.input.outcome, ctx.input.text, ctx.input.signed_by
    letter = _clean_letter(ctx.input.letter)
    reply = Reply(
        assignment=a, proposal=p, round=p.round, outcome=outcome, text=text, signed_by=signed_by,
        document_number=ctx.input.document_number,
        replied_by=ctx.actor, replied_at=ctx.now, is_on_time=ctx.today <= a.due_date,
        is_public=p.is_public,  # a published proposal publishes its replies (set_public)
    )
    reply.save()
    if letter:  # a core Attachment of the reply (Reply.letter reads it)
        attachments.attachment_add(actor=ctx.actor, committee=p.committee_id, obj=reply, file=letter,
                                   purpose=REPLY_LETTER, field="letter", extensions=LETTER_EXTENSIONS)
    a.state = A.REPLIED
    a.replied_at = ctx.now
    a.round = p.round
    a.save(update_fields=["state", "replied_at", "round"])
    ctx.payload = {"assignment": a.pk, "unit": a.unit_id, "reply": reply.pk, "outcome": outcome,
                   "is_on_time": reply.is_on_time, "round": p.round, "is_public": reply.is_public}
    answering = p.assignments.exclude(state=A.CANCELLED).exclude(role=AssignmentRole.CO)
    if not answering.exclude(state=A.REPLIED).exists():
        p.state = S.REPLIED
        p.replied_at = ctx.now
        p.evaluation_due = timers.deadline(ctx.committee_id, "proposal.evaluation", ctx.today)
        ctx.payload["closed_assignments"] = _finish_leftovers(p)
        ctx.payload["evaluation_due"] = p.evaluation_due.isoformat()
        body = Notice(gettext_lazy("Please evaluate the replies by %(date)s."), date=p.evaluation_due)
    else:
        body = ""
    _tell(_answered_users(p), p, "proposal.replied",
          Notice(gettext_lazy("%(unit)s replied to the proposal %(title)s"), unit=a.unit.name, title=_label(p)), body)


# --- Evaluation and after -----------------------------------------------------------------------


def _answers(ctx: _Ctx) -> list[dict]:
    """The sub-verdicts given (ctx.input.answers, {key: answer}), checked against the committee's questions
    (selectors.evaluation_questions), as stored on the Evaluation: [{"key", "question", "answer", "label"}]."""
    given = ctx.input.answers
    if not given:
        return []
    questions = {q["key"]: q for q in selectors.evaluation_questions(ctx.committee_id)}
    out = []
    for key, answer in given.items():
        q = questions.get(key)
        labels = dict(q["options"]) if q else {}
        if answer not in labels:
            raise Invalid(field_errors={"answers": [_("Choose one of the offered values.")]})
        out.append({"key": key, "question": str(q["label"]), "answer": answer, "label": str(labels[answer])})
    order = list(questions)
    return sorted(out, key=lambda a: order.index(a["key"]))


def _after_verdict(ctx: _Ctx, replies: list, verdict: str, comment: str, *, corrected: bool = False) -> None:
    """What follows a verdict on `replies` (given or corrected): every reply of the round evaluated without
    dissatisfaction closes the proposal; the units hear the verdict, the office a dissatisfied one."""
    p = ctx.obj
    round_replies = Reply.objects.filter(proposal=p, round=p.round)
    all_done = not round_replies.filter(evaluation__isnull=True).exists()
    dissatisfied = round_replies.filter(evaluation__verdict=EvaluationVerdict.DISSATISFIED).exists()
    if all_done and not dissatisfied:
        p.state = S.CLOSED
        p.closed_at = ctx.now
        ctx.payload["closed"] = True
        _finish_leftovers(p)
    if corrected:
        unit_title = gettext_lazy("The proposer corrected the verdict on your reply to %(title)s: %(verdict)s")
    else:
        unit_title = gettext_lazy("The proposer's verdict on your reply to %(title)s: %(verdict)s")
    for r in replies:
        _tell_unit(ctx, r.assignment, "proposal.evaluated",
                   Notice(unit_title, title=_label(p), verdict=EvaluationVerdict(verdict).label), comment)
    if verdict == EvaluationVerdict.DISSATISFIED:
        _tell(office_users(ctx.committee_id), p, "proposal.dissatisfied",
              Notice(gettext_lazy("The proposer is dissatisfied with a reply to %(title)s"), title=_label(p)), comment)


def _do_evaluate(ctx: _Ctx) -> None:
    p = ctx.obj
    verdict, comment = ctx.input.verdict, ctx.input.comment
    answers = _answers(ctx)
    open_replies = Reply.objects.filter(proposal=p, round=p.round, evaluation__isnull=True).select_related("assignment")
    rid = ctx.input.reply
    if rid is not None:
        if not Reply.objects.filter(pk=rid, proposal=p).exists():
            raise Invalid(field_errors={"reply": [_("Choose a reply to this proposal.")]})
        open_replies = open_replies.filter(pk=rid)
    replies = list(open_replies)
    if not replies:
        raise IllegalTransition(_("There is no reply left to evaluate."), detail="nothing_to_evaluate")
    Evaluation.objects.bulk_create([
        Evaluation(reply=r, proposal=p, verdict=verdict, comment=comment, answers=answers, evaluated_by=ctx.actor,
                   evaluated_at=ctx.now)
        for r in replies
    ])
    ctx.payload = {"replies": [r.pk for r in replies], "verdict": verdict, "comment": comment}
    if answers:
        ctx.payload["answers"] = answers
    _after_verdict(ctx, replies, verdict, comment)


def _do_correct_evaluation(ctx: _Ctx) -> None:
    """The proposer's new verdict on the evaluations of this round (or the one of `reply`), while the proposal
    waits for the office (state replied: neither re-handled nor closed)."""
    p = ctx.obj
    verdict, comment = ctx.input.verdict, ctx.input.comment
    answers = _answers(ctx)
    rows = Evaluation.objects.filter(proposal=p, reply__round=p.round).select_related("reply__assignment")
    rid = ctx.input.reply
    if rid is not None:
        rows = rows.filter(reply_id=rid)
    rows = list(rows.order_by("id"))
    if not rows:
        raise Invalid(field_errors={"reply": [_("Choose a reply you have evaluated.")]})
    changed = [e for e in rows if (e.verdict, e.comment, e.answers) != (verdict, comment, answers)]
    if not changed:
        ctx.skip = True
        return
    before = {e.reply_id: e.verdict for e in changed}
    for e in changed:
        e.verdict, e.comment, e.answers, e.corrected_at = verdict, comment, answers, ctx.now
        e.save(update_fields=["verdict", "comment", "answers", "corrected_at"])
    ctx.payload = {"replies": [e.reply_id for e in changed], "verdict": verdict, "comment": comment,
                   "before": {str(k): v for k, v in before.items()}}
    if answers:
        ctx.payload["answers"] = answers
    _after_verdict(ctx, [e.reply for e in changed], verdict, comment, corrected=True)


def _do_rehandle(ctx: _Ctx) -> None:
    p = ctx.obj
    ids = ctx.input.assignments  # each an id (schemas.RehandleInput)
    if ids:
        chosen = list(p.assignments.filter(pk__in=ids).exclude(state=A.CANCELLED))
        if len(chosen) != len(set(ids)):
            raise Invalid(field_errors={"assignments": [_("Choose assignments of this proposal.")]})
    else:
        chosen = list(
            Assignment.objects.filter(
                replies__proposal=p, replies__round=p.round,
                replies__evaluation__verdict=EvaluationVerdict.DISSATISFIED,
            ).exclude(state=A.CANCELLED).distinct()
        )
        if not chosen:
            raise IllegalTransition(_("No reply of this round was found dissatisfying; nothing to re-handle."),
                                    detail="nothing_to_rehandle")
    instructions = ctx.input.instructions
    p.round += 1
    p.state = S.HANDLING
    p.evaluation_due = None
    # The new reply due date: the committee's re-handling timer from today; the assignments' columns carry it
    # and the core Deadline rows follow them (the workflow's after_save: deadlines.sync_proposals).
    due = timers.deadline(ctx.committee_id, "proposal.rehandle_reply", ctx.today)
    Rehandling.objects.create(proposal=p, round=p.round, instructions=instructions, due_date=due,
                              created_by=ctx.actor, created_at=ctx.now)
    for a in chosen:
        a.state = A.HANDLING
        a.round = p.round
        a.due_date = due
        a.original_due_date = due
        a.replied_at = None
        a.save(update_fields=["state", "round", "due_date", "original_due_date", "replied_at"])
        _tell_unit(ctx, a, "proposal.rehandle",
                   Notice(gettext_lazy("Please handle %(title)s again and reply by %(date)s"), title=_label(p), date=due),
                   instructions)
    ctx.payload = {"round": p.round, "assignments": [a.pk for a in chosen], "due_date": due.isoformat(),
                   "instructions": instructions}


def _do_close(ctx: _Ctx) -> None:
    p = ctx.obj
    note = ctx.input.note
    replies = Reply.objects.filter(proposal=p, round=p.round)
    unevaluated = replies.filter(evaluation__isnull=True).count()
    dissatisfied = replies.filter(evaluation__verdict=EvaluationVerdict.DISSATISFIED).exists()
    if not unevaluated and not dissatisfied:
        why = "all_satisfied"
    elif p.evaluation_due and ctx.today > p.evaluation_due:
        why = "evaluation_overdue"
    elif p.round > 1 and note:
        why = "after_rehandling"
    elif p.round > 1:
        raise Invalid(field_errors={"note": [_("Say why the proposal is closed after re-handling.")]})
    else:
        raise IllegalTransition(
            _("The proposal can be closed when every reply is evaluated without dissatisfaction, "
              "when the evaluation period has ended (%(date)s), or with a note after re-handling.")
            % {"date": formats.cn_date(p.evaluation_due) if p.evaluation_due else "—"}, detail="not_closable",
        )
    p.state = S.CLOSED
    p.closed_at = ctx.now
    if note:
        p.state_note = note
    _finish_leftovers(p)
    ctx.payload = {"note": note, "reason": why, "unevaluated": unevaluated}
    _tell(_answered_users(p), p, "proposal.closed", Notice(gettext_lazy("Your proposal was closed: %(title)s"),
                                                           title=_label(p)), note)


def _do_archive(ctx: _Ctx) -> None:
    ctx.obj.state = S.ARCHIVED
    ctx.payload = {"note": ctx.input.note}


# --- Flags and follow-up ------------------------------------------------------------------------


def _do_urge(ctx: _Ctx) -> None:
    p = ctx.obj
    text, aid = ctx.input.text, ctx.input.assignment
    targets = p.assignments.filter(state__in=OPEN)
    if aid is not None:
        targets = targets.filter(pk=aid)
    targets = list(targets.select_related("unit"))
    if not targets:
        raise IllegalTransition(_("No unit owes anything on this proposal."), detail="nothing_to_urge")
    for a in targets:
        _tell_unit(ctx, a, "proposal.urged",
                   Notice(gettext_lazy("Reminder from the office: %(title)s is due %(date)s"), title=_label(p),
                          date=a.due_date),
                   text)
    ctx.payload = {"assignments": [a.pk for a in targets], "text": text}


def _do_mark_key(ctx: _Ctx) -> None:
    p = ctx.obj
    is_key = ctx.input.is_key
    leader = None
    lid = ctx.input.leader
    if lid is not None:
        leader = User.objects.filter(pk=lid).first()
        if leader is None or not has_role(leader, p.committee_id, Role.LEADER):
            raise Invalid(field_errors={"leader": [_("Choose a leader of this committee.")]})
    if is_key != p.is_key:
        duty_ledger.credit_flag(p, duty_ledger.KEY, is_key, ctx.today)
    p.is_key = is_key
    p.supervising_leader = leader if is_key else None
    ctx.payload = {"is_key": is_key, "leader": leader.pk if leader and is_key else None}
    if leader is not None and is_key:
        _tell([leader], p, "proposal.supervise",
              Notice(gettext_lazy("You supervise the key proposal %(title)s"), title=_label(p)))


def _do_supervise(ctx: _Ctx) -> None:
    p = ctx.obj
    text = ctx.input.text
    row = Supervision.objects.create(proposal=p, leader=ctx.actor, text=text)
    ctx.payload = {"supervision": row.pk, "text": text}
    for a in p.assignments.filter(state__in=OPEN):
        _tell_unit(ctx, a, "proposal.instruction",
                   Notice(gettext_lazy("A leader's instruction on %(title)s"), title=_label(p)), text)


def _do_mark_excellent(ctx: _Ctx) -> None:
    value = ctx.input.value
    if value != ctx.obj.is_excellent:
        duty_ledger.credit_flag(ctx.obj, duty_ledger.EXCELLENT, value, ctx.today)
    ctx.obj.is_excellent = value
    ctx.payload = {"value": ctx.obj.is_excellent}


def _do_set_public(ctx: _Ctx) -> None:
    """Publish (or withdraw) the proposal and, in the same step, its replies: "replies" (default: the
    same as "value") is the flag every reply of the proposal gets; replies arriving later follow the
    proposal (_do_reply)."""
    p = ctx.obj
    value = ctx.input.value
    replies_public = value if ctx.input.replies is None else ctx.input.replies
    replies = Reply.objects.filter(proposal=p)
    changed = replies.exclude(is_public=replies_public).update(is_public=replies_public)
    p.is_public = value
    ctx.payload = {"value": value, "replies_public": replies_public, "replies": replies.count(),
                   "replies_changed": changed}


_HANDLERS = {
    "update": _do_update,
    "invite_cosigners": _do_invite_cosigners,
    "submit": _do_submit,
    "cosign": _do_cosign,
    "decline_cosign": _do_decline_cosign,
    "close_cosigning": _do_close_cosigning,
    "withdraw": _do_withdraw,
    "return_for_revision": _do_return_for_revision,
    "resubmit": _do_resubmit,
    "register": _do_register,
    "merge": _do_merge,
    "convert": _do_convert,
    "reject": _do_reject,
    "assign": _do_assign,
    "reassign": _do_reassign,
    "acknowledge": _do_acknowledge,
    "object": _do_object,
    "consult": _do_consult,
    "send_views": _do_send_views,
    "request_extension": _do_request_extension,
    "approve_extension": _do_approve_extension,
    "refuse_extension": _do_refuse_extension,
    "reply": _do_reply,
    "evaluate": _do_evaluate,
    "correct_evaluation": _do_correct_evaluation,
    "rehandle": _do_rehandle,
    "close": _do_close,
    "archive": _do_archive,
    "urge": _do_urge,
    "mark_key": _do_mark_key,
    "supervise": _do_supervise,
    "mark_excellent": _do_mark_excellent,
    "set_public": _do_set_public,
}
assert set(_HANDLERS) == set(workflow.TRANSITIONS), "every transition needs its handler"

MACHINE = Machine(
    name="proposal",
    model=Proposal,
    transitions=workflow.TRANSITIONS.values(),
    handlers=_HANDLERS,
    relations=selectors.relations_of,
    can_see=selectors.can_see,
    groups={"live": workflow.LIVE, "final": workflow.FINAL_STATES},
    after_save=_after_save,
    illegal=_illegal,
    state_label=_state_label,
)


# --- The committee's evaluation questions (评价分项) -------------------------------------------------------

QUESTIONS_MAX = 10
OPTIONS_MAX = 8


def evaluation_questions_set(*, actor, committee, questions: list[dict]) -> list[EvaluationQuestion]:
    """Replace the committee's sub-verdict questions: [{"label", "options": [text, …]}] (at most 10
    questions of 2–8 answers each). An empty list goes back to the defaults. Office staff and administrators
    only; one audit event. Past evaluations keep the questions and answers they were given."""
    if committee is None or not has_role(actor, committee, Role.STAFF, Role.ADMIN):
        raise Forbidden()
    errors = []
    clean = []
    if len(questions) > QUESTIONS_MAX:
        errors.append(_("At most %(n)d questions.") % {"n": QUESTIONS_MAX})
    for number, q in enumerate(questions, start=1):
        label = clean_text(q.get("label"), single_line=True)  # no control characters, no lone surrogates
        options = [o for o in (clean_text(o, single_line=True) for o in (q.get("options") or [])) if o]
        if not label or len(label) > 100:
            errors.append(_("Question %(n)d: write the question (at most 100 characters).") % {"n": number})
        elif not 2 <= len(options) <= OPTIONS_MAX or any(len(o) > 40 for o in options):
            errors.append(_("Question %(n)d: offer 2 to %(max)d answers of at most 40 characters.")
                          % {"n": number, "max": OPTIONS_MAX})
        elif len(set(options)) != len(options):
            errors.append(_("Question %(n)d: an answer is offered twice.") % {"n": number})
        clean.append((label, options))
    if errors:
        raise Invalid(field_errors={"questions": errors})
    with transaction.atomic():
        EvaluationQuestion.objects.filter(committee=committee).delete()
        rows = EvaluationQuestion.objects.bulk_create([
            EvaluationQuestion(committee=committee, position=i, label=label, options=options)
            for i, (label, options) in enumerate(clean, start=1)
        ])
        audit.record(actor=actor, action="proposal.evaluation_questions", committee=committee,
                     payload={"questions": [{"label": label, "options": options} for label, options in clean]})
    return rows


# --- Batches --------------------------------------------------------------------------------------


def _act_each(actor, rows) -> list[dict]:
    """proposal_act on each (proposal, action, data) of `rows`, each in its own transaction: one result per
    row, {"proposal", "ok", "error" (message or ""), "code" (error code or ""), "field_errors"}."""
    results = []
    for proposal, action, data in rows:
        try:
            done = proposal_act(actor=actor, proposal=proposal, action=action, data=data)
        except ServiceError as exc:
            results.append({"proposal": proposal, "ok": False, "error": str(exc.message),
                            "code": getattr(exc.code, "value", str(exc.code)), "field_errors": exc.field_errors})
        else:
            results.append({"proposal": done, "ok": True, "error": "", "code": "", "field_errors": {}})
    return results


def proposals_assign_batch(*, actor, items) -> list[dict]:
    """交办会: assign many proposals at once. Each proposal is all-or-nothing in its own transaction;
    returns one row per item: {"proposal", "ok", "error" (message or ""), "code" (error code or "")}."""
    return _act_each(actor, [(proposal, "assign", {"units": units}) for proposal, units in items])


def proposals_act_bulk(*, actor, committee, ids, action: str, data: dict | None = None) -> list[dict]:
    """批量操作: one action of `selectors.BULK_ACTIONS` (urge, mark key, publish) on the proposals `ids`
    of `committee`, each through proposal_act in its own transaction (its permission, state and guard
    checks, its audit event and notifications). The whole request is refused (Forbidden) when the actor
    may not take the action on the list at all (`selectors.bulk_actions_for`: a member or a unit user
    may not); an unknown action, no ids or more than SELECTION_MAX are Invalid.

    Returns one result per id, in the order given: {"id", "proposal" (None when not visible), "ok",
    "unchanged" (ok, and nothing to do: already a key proposal, already public), "error", "code",
    "field_errors"}; a proposal the actor cannot see is refused as not found."""
    if action not in selectors.BULK_ACTIONS:
        raise Invalid(field_errors={"action": [_("This action cannot be taken on several proposals.")]})
    if action not in selectors.bulk_actions_for(actor, committee):
        raise Forbidden()
    wanted = selectors.selection_ids(ids, limit=None)
    if not wanted:
        raise Invalid(field_errors={"ids": [_("Select at least one proposal.")]})
    if len(wanted) > selectors.SELECTION_MAX:
        raise Invalid(field_errors={"ids": [
            _("Select at most %(count)s proposals at a time.") % {"count": selectors.SELECTION_MAX}]})
    found = {p.pk: p for p in selectors.proposals_visible_to(actor, committee).filter(pk__in=wanted)}
    fixed, already = selectors.BULK_ACTIONS[action]
    todo = [pk for pk in wanted if pk in found and not (already and getattr(found[pk], already))]
    done = dict(zip(todo, _act_each(actor, [(found[pk], action, {**fixed, **(data or {})}) for pk in todo])))
    missing = NotFound()
    results = []
    for pk in wanted:
        if pk in done:
            results.append({"id": pk, "unchanged": False, **done[pk]})
        elif pk in found:  # so already: nothing to do
            results.append({"id": pk, "proposal": found[pk], "ok": True, "unchanged": True, "error": "", "code": "",
                            "field_errors": {}})
        else:
            results.append({"id": pk, "proposal": None, "ok": False, "unchanged": False, "error": str(missing.message),
                            "code": missing.code.value, "field_errors": {}})
    return results


# --- Import of past proposals (owned by the reports engineer; the rows are read and checked in imports.py) ---


def proposals_import(*, actor, committee, file, session=None):
    """Import past proposals from an .xlsx or .csv file (format: `imports.COLUMNS`), directly in the
    state each row describes (registered … closed), numbered, with their assignments, replies and
    evaluations, `imported=True`, and one "proposal.imported" audit event each. Nobody is notified.

    Office staff and administrators only (Forbidden otherwise). Every row is checked first; if any
    row is bad, nothing is imported and the returned `ImportResult` lists every bad row with its
    number and reason. A bad upload raises Invalid on the field "file". `session` is the session of
    the rows whose 届次/年份 cell is empty.
    """
    from xieshang.core.imports import ImportResult

    from . import imports

    if committee is None or not has_role(actor, committee, Role.STAFF, Role.ADMIN):
        raise Forbidden()
    if session is not None and session.term.committee_id != committee.pk:
        raise Invalid(field_errors={"session": [_("Choose a session of this committee.")]})
    rows = imports.read_rows(file)
    result, plans = imports.plan_proposals(committee, rows, session=session)
    if result.errors:
        return result

    objection_timer = timers.timer(committee, "proposal.objection")
    reply_timer = timers.timer(committee, "proposal.reply")
    now = deadlines.now()
    default_text = _("(Imported from past records; the text of the reply was not entered.)")
    file_name = getattr(file, "name", "")

    def at_nine(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))

    new_categories = list(dict.fromkeys(plan.new_category for plan in plans if plan.new_category))
    try:
        with transaction.atomic():
            if new_categories:  # the committee's own names, added to its list (imported with their history)
                codes = categories.categories_named(actor=actor, committee=committee, names=new_categories)
                for plan in plans:
                    plan.category = codes.get(plan.new_category, plan.category)
                result.notes += [_("The category “%(name)s” was added to the committee's list.") % {"name": name}
                                 for name in new_categories]
            for plan in plans:
                opened = plan.session.opens_on or datetime.date(plan.session.year, 1, 10)
                start = at_nine(opened)
                due = timers.apply(committee, *reply_timer, opened)
                replied_day = plan.reply_date or due
                replied_at = min(at_nine(replied_day), now)
                if not plan.units:
                    state = S.REGISTERED
                elif not plan.outcome:
                    state = S.HANDLING
                elif plan.verdict in (EvaluationVerdict.SATISFIED, EvaluationVerdict.BASICALLY_SATISFIED):
                    state = S.CLOSED
                else:
                    state = S.REPLIED
                replied = state in (S.REPLIED, S.CLOSED)
                proposal = Proposal.objects.create(
                    committee=committee, session=plan.session, kind=ProposalKind.SESSION, state=state,
                    number=plan.number, sequence=plan.sequence, title=plan.title, body=plan.body,
                    category=plan.category, proposer_kind=plan.proposer_kind, lead_proposer=plan.member,
                    organization=plan.organization, special_committee=plan.special_committee,
                    sector_name=plan.member.sector.name if plan.member and plan.member.sector_id else "",
                    submitted_at=start, registered_at=start, assigned_at=start if plan.units else None,
                    replied_at=replied_at if replied else None, closed_at=replied_at if state == S.CLOSED else None,
                    created_by=actor, imported=True,
                )
                for index, unit in enumerate(plan.units):
                    role = AssignmentRole.SOLE if len(plan.units) == 1 else (AssignmentRole.LEAD if index == 0 else AssignmentRole.CO)
                    answers = role != AssignmentRole.CO
                    assignment = Assignment.objects.create(
                        proposal=proposal, unit=unit, role=role, state=A.REPLIED if replied else A.HANDLING,
                        assigned_at=start, acknowledged_at=start,
                        objection_due=timers.apply(committee, *objection_timer, opened),
                        due_date=due, original_due_date=due, replied_at=replied_at if replied and answers else None,
                    )
                    if replied and answers:
                        reply = Reply.objects.create(
                            assignment=assignment, proposal=proposal, round=1, outcome=plan.outcome,
                            text=plan.reply_text or default_text, replied_by=actor, replied_at=replied_at,
                            is_on_time=replied_day <= due,
                        )
                        if plan.verdict:
                            Evaluation.objects.create(
                                reply=reply, proposal=proposal, verdict=plan.verdict, evaluated_by=actor,
                                evaluated_at=replied_at,
                            )
                audit.record(
                    actor=actor, action="proposal.imported", obj=proposal, committee=committee, to_state=state,
                    payload={"file": file_name, "row": plan.row, "number": plan.number},
                )
                search.index_proposals([proposal.pk])
                deadlines.sync_proposals([proposal.pk])  # still handling: its reply deadlines run
                duty_ledger.backfill([proposal])  # registered: the proposer's fact in the duty ledger
                result.created += 1
    except IntegrityError:
        return ImportResult(errors=[(None, _(
            "The data changed while importing (a proposal number was taken meanwhile). Nothing was imported; "
            "please try again."))])
    return result


# --- One named service per action (DESIGN.md; HackSoft's `<entity>_<action>`) ------------------------------------
# Each is `proposal_act` with its action's input schema (schemas.py) as typed keyword arguments: None means "not
# given" (the schema's default applies). The checks, the audit event and the notices are the machine's, as for the
# pages and the API. tests/test_named_services.py keeps them in step with workflow.TRANSITIONS.


def _named(actor, proposal, action: str, expected_version=None, **data) -> Proposal:
    return proposal_act(actor=actor, proposal=proposal, action=action,
                        data={key: value for key, value in data.items() if value is not None},
                        expected_version=expected_version)


def proposal_invite_cosigners(*, actor, proposal, members: list[int] | None = None, expected_version=None) -> Proposal:
    """Invite co-signers (InviteCosignersInput; None: not given)."""
    return _named(actor, proposal, "invite_cosigners", expected_version, members=members)


def proposal_submit(*, actor, proposal, cosign_days: int | None = None, expected_version=None) -> Proposal:
    """Submit (SubmitInput; None: not given)."""
    return _named(actor, proposal, "submit", expected_version, cosign_days=cosign_days)


def proposal_cosign(*, actor, proposal, expected_version=None) -> Proposal:
    """Co-sign."""
    return _named(actor, proposal, "cosign", expected_version)


def proposal_decline_cosign(*, actor, proposal, expected_version=None) -> Proposal:
    """Decline to co-sign."""
    return _named(actor, proposal, "decline_cosign", expected_version)


def proposal_close_cosigning(*, actor, proposal, expected_version=None) -> Proposal:
    """End co-signing."""
    return _named(actor, proposal, "close_cosigning", expected_version)


def proposal_withdraw(*, actor, proposal, reason: str | None = None, expected_version=None) -> Proposal:
    """Withdraw (WithdrawInput; None: not given)."""
    return _named(actor, proposal, "withdraw", expected_version, reason=reason)


def proposal_return_for_revision(*, actor, proposal, reason: str, expected_version=None) -> Proposal:
    """Return for revision (RequiredReasonInput; None: not given)."""
    return _named(actor, proposal, "return_for_revision", expected_version, reason=reason)


def proposal_resubmit(*, actor, proposal, expected_version=None) -> Proposal:
    """Resubmit."""
    return _named(actor, proposal, "resubmit", expected_version)


def proposal_register(*, actor, proposal, category: str | None = None, is_key: bool | None = None,
                      units: list[dict] | None = None, expected_version=None) -> Proposal:
    """Register (RegisterInput; None: not given)."""
    return _named(actor, proposal, "register", expected_version, category=category, is_key=is_key, units=units)


def proposal_merge(*, actor, proposal, into: int | None = None, reason: str | None = None,
                   expected_version=None) -> Proposal:
    """Merge (MergeInput; None: not given)."""
    return _named(actor, proposal, "merge", expected_version, into=into, reason=reason)


def proposal_convert(*, actor, proposal, to: str, reason: str | None = None, expected_version=None) -> Proposal:
    """Convert (ConvertInput; None: not given)."""
    return _named(actor, proposal, "convert", expected_version, to=to, reason=reason)


def proposal_reject(*, actor, proposal, reason_code: str, reason: str | None = None, expected_version=None) -> Proposal:
    """Do not register (RejectInput; None: not given)."""
    return _named(actor, proposal, "reject", expected_version, reason_code=reason_code, reason=reason)


def proposal_assign(*, actor, proposal, units: list[dict] | None = None, expected_version=None) -> Proposal:
    """Assign (AssignInput; None: not given)."""
    return _named(actor, proposal, "assign", expected_version, units=units)


def proposal_reassign(*, actor, proposal, assignment: int | None = None, unit: int | None = None,
                      expected_version=None) -> Proposal:
    """Re-assign (ReassignInput; None: not given)."""
    return _named(actor, proposal, "reassign", expected_version, assignment=assignment, unit=unit)


def proposal_acknowledge(*, actor, proposal, assignment: int | None = None, expected_version=None) -> Proposal:
    """Acknowledge (UnitInput; None: not given)."""
    return _named(actor, proposal, "acknowledge", expected_version, assignment=assignment)


def proposal_object(*, actor, proposal, reason: str, assignment: int | None = None, expected_version=None) -> Proposal:
    """Object to the assignment (ObjectInput; None: not given)."""
    return _named(actor, proposal, "object", expected_version, reason=reason, assignment=assignment)


def proposal_consult(*, actor, proposal, date: datetime.date | str, form: str, summary: str,
                     assignment: int | None = None, participants: str | None = None, expected_version=None) -> Proposal:
    """Record a consultation (ConsultInput; None: not given)."""
    return _named(actor, proposal, "consult", expected_version, date=date, form=form, summary=summary,
                  assignment=assignment, participants=participants)


def proposal_send_views(*, actor, proposal, text: str, assignment: int | None = None,
                        expected_version=None) -> Proposal:
    """Send views to the lead unit (SendViewsInput; None: not given)."""
    return _named(actor, proposal, "send_views", expected_version, text=text, assignment=assignment)


def proposal_request_extension(*, actor, proposal, until: datetime.date | str, reason: str,
                               assignment: int | None = None, expected_version=None) -> Proposal:
    """Request an extension (ExtensionRequestInput; None: not given)."""
    return _named(actor, proposal, "request_extension", expected_version, until=until, reason=reason,
                  assignment=assignment)


def proposal_approve_extension(*, actor, proposal, request: int | None = None, note: str | None = None,
                               expected_version=None) -> Proposal:
    """Approve the extension (ExtensionDecisionInput; None: not given)."""
    return _named(actor, proposal, "approve_extension", expected_version, request=request, note=note)


def proposal_refuse_extension(*, actor, proposal, request: int | None = None, note: str | None = None,
                              expected_version=None) -> Proposal:
    """Refuse the extension (ExtensionDecisionInput; None: not given)."""
    return _named(actor, proposal, "refuse_extension", expected_version, request=request, note=note)


def proposal_reply(*, actor, proposal, outcome: str, text: str, assignment: int | None = None,
                   signed_by: str | None = None, document_number: str | None = None, letter: Any | None = None,
                   expected_version=None) -> Proposal:
    """Reply (ReplyInput; None: not given)."""
    return _named(actor, proposal, "reply", expected_version, outcome=outcome, text=text, assignment=assignment,
                  signed_by=signed_by, document_number=document_number, letter=letter)


def proposal_evaluate(*, actor, proposal, verdict: str, comment: str | None = None, reply: int | None = None,
                      answers: dict[str, str] | None = None, expected_version=None) -> Proposal:
    """Evaluate the reply (EvaluateInput; None: not given)."""
    return _named(actor, proposal, "evaluate", expected_version, verdict=verdict, comment=comment, reply=reply,
                  answers=answers)


def proposal_correct_evaluation(*, actor, proposal, verdict: str, comment: str | None = None, reply: int | None = None,
                                answers: dict[str, str] | None = None, expected_version=None) -> Proposal:
    """Correct the evaluation (CorrectEvaluationInput; None: not given)."""
    return _named(actor, proposal, "correct_evaluation", expected_version, verdict=verdict, comment=comment,
                  reply=reply, answers=answers)


def proposal_rehandle(*, actor, proposal, instructions: str, assignments: list[int] | None = None,
                      expected_version=None) -> Proposal:
    """Re-handle (RehandleInput; None: not given)."""
    return _named(actor, proposal, "rehandle", expected_version, instructions=instructions, assignments=assignments)


def proposal_close(*, actor, proposal, note: str | None = None, expected_version=None) -> Proposal:
    """Close (NoteInput; None: not given)."""
    return _named(actor, proposal, "close", expected_version, note=note)


def proposal_archive(*, actor, proposal, note: str | None = None, expected_version=None) -> Proposal:
    """Archive (NoteInput; None: not given)."""
    return _named(actor, proposal, "archive", expected_version, note=note)


def proposal_urge(*, actor, proposal, text: str | None = None, assignment: int | None = None,
                  expected_version=None) -> Proposal:
    """Urge (UrgeInput; None: not given)."""
    return _named(actor, proposal, "urge", expected_version, text=text, assignment=assignment)


def proposal_mark_key(*, actor, proposal, is_key: bool, leader: int | None = None, expected_version=None) -> Proposal:
    """Mark as key proposal (MarkKeyInput; None: not given)."""
    return _named(actor, proposal, "mark_key", expected_version, is_key=is_key, leader=leader)


def proposal_supervise(*, actor, proposal, text: str, expected_version=None) -> Proposal:
    """Give an instruction (SuperviseInput; None: not given)."""
    return _named(actor, proposal, "supervise", expected_version, text=text)


def proposal_mark_excellent(*, actor, proposal, value: bool, expected_version=None) -> Proposal:
    """Mark as excellent (FlagInput; None: not given)."""
    return _named(actor, proposal, "mark_excellent", expected_version, value=value)


def proposal_set_public(*, actor, proposal, value: bool, replies: bool | None = None,
                        expected_version=None) -> Proposal:
    """Publish (SetPublicInput; None: not given)."""
    return _named(actor, proposal, "set_public", expected_version, value=value, replies=replies)
