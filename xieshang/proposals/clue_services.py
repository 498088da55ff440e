"""Every write of proposal clues (提案线索) and calls (线索征集).

The moves of both run through core.workflow.Machine (CALL_MACHINE: publish, close; CLUE_MACHINE: accept,
decline, mark_duplicate — tables in clue_workflow.py); the writes outside the tables (a call's creation and
edits, a suggestion, a draft proposal from a clue) follow the same rules by hand: check, one transaction,
an audit event, notifications after the commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit, categories, clock, limits
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Role, Session
from xieshang.core.notices import Notice
from xieshang.core.selectors import has_role, member_of
from xieshang.core.services import notify
from xieshang.core.workflow import Machine, as_id, parse_input

from . import clue_selectors as sel
from .clue_workflow import CALL_TRANSITIONS, CLUE_TRANSITIONS, CallInput, ClueInput, call_is_open
from .models import ClueCall, ClueCallState, ClueSource, ClueState, ProposalClue

# The public portal: at most this many suggestions per client (address) and hour.
PUBLIC_LIMIT_PER_HOUR = 5


def _require_office(actor, committee) -> None:
    if not sel.is_office(actor, committee):
        raise Forbidden()


def _clue_url(clue) -> str:
    from .selectors import url_or_hash

    url = url_or_hash("proposals:clue", clue.pk)
    return "" if url == "#" else url


# --- Calls (线索征集) --------------------------------------------------------------------------------------


def _call_values(committee, data) -> dict:
    values = parse_input(CallInput, data).model_dump()
    session = Session.objects.filter(pk=values["session"], term__committee=committee).first()
    if session is None:
        raise Invalid(field_errors={"session": [_("Choose a session of this committee.")]})
    values["session"] = session
    return values


def clue_call_create(*, actor, committee, data: dict) -> ClueCall:
    """A new call (not published yet) for a session of the committee: title, text, opens_on, closes_on."""
    _require_office(actor, committee)
    values = _call_values(committee, data)
    with transaction.atomic():
        call = ClueCall.objects.create(committee=committee, created_by=actor, **values)
        audit.record(actor=actor, action="clue_call.create", obj=call, to_state=call.state,
                     payload={"title": call.title, "opens_on": call.opens_on.isoformat(),
                              "closes_on": call.closes_on.isoformat()})
    return call


def clue_call_update(*, actor, call, data: dict, expected_version=None) -> ClueCall:
    """Change a call's fields while it is not closed."""
    _require_office(actor, call.committee_id)
    values = _call_values(call.committee, data)
    with transaction.atomic():
        row = ClueCall.objects.select_for_update().get(pk=call.pk)
        if expected_version not in (None, "") and str(expected_version) != str(row.version):
            raise Conflict()
        if row.state == ClueCallState.CLOSED:
            raise IllegalTransition(_("This call is already closed."), detail="state_closed")
        for key, value in values.items():
            setattr(row, key, value)
        row.version += 1
        row.save()
        audit.record(actor=actor, action="clue_call.update", obj=row,
                     payload={"title": row.title, "opens_on": row.opens_on.isoformat(),
                              "closes_on": row.closes_on.isoformat()})
    return row


def _do_publish(step) -> None:
    step.obj.published_at = step.now


def _do_close(step) -> None:
    step.obj.closed_at = step.now


CALL_MACHINE = Machine(
    name="clue_call", model=ClueCall, transitions=CALL_TRANSITIONS.values(),
    handlers={"publish": _do_publish, "close": _do_close},
    relations=sel.call_relations, can_see=sel.call_can_see,
)


def clue_call_act(*, actor, call, action: str, expected_version=None) -> ClueCall:
    """publish or close a call (office staff)."""
    return CALL_MACHINE.act(actor=actor, obj=call, action=action, expected_version=expected_version)


def clue_call_publish(*, actor, call, expected_version=None) -> ClueCall:
    return clue_call_act(actor=actor, call=call, action="publish", expected_version=expected_version)


def clue_call_close(*, actor, call, expected_version=None) -> ClueCall:
    return clue_call_act(actor=actor, call=call, action="close", expected_version=expected_version)


# --- Suggesting a clue ------------------------------------------------------------------------------------


def _open_call(committee, call_id):
    """The call a suggestion names (it must take suggestions today), or None when it names none."""
    if call_id is None:
        return None
    call = ClueCall.objects.filter(pk=call_id, committee_id=getattr(committee, "pk", committee)).first()
    if call is None or not call_is_open(call, clock.today()):
        raise Invalid(field_errors={"call": [_("This call does not take suggestions now.")]})
    return call


def clue_submit(*, actor, committee, data: dict) -> ProposalClue:
    """A member (or office staff) suggests a clue: title, text, category, optionally the open call it answers."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if member_of(actor, committee) is None and not has_role(actor, committee, Role.STAFF, Role.ADMIN):
        raise Forbidden(_("Only members and office staff of this committee can suggest clues here."))
    values = parse_input(ClueInput, data, committee=committee)
    call = _open_call(committee, values.call)
    with transaction.atomic():
        clue = ProposalClue.objects.create(
            committee=committee, call=call, source=ClueSource.MEMBER, submitted_by=actor,
            title=values.title, text=values.text,
            category=values.category or categories.catalogue(committee).default(),
        )
        audit.record(actor=actor, action="proposal_clue.submit", obj=clue, to_state=clue.state,
                     payload={"source": clue.source, "call": call.pk if call else None})
    return clue


def public_rate_exceeded(client: str) -> bool:
    """Has this client (the portal's caller: an address) suggested PUBLIC_LIMIT_PER_HOUR clues this hour?"""
    return limits.exceeded("clue", client, limit=PUBLIC_LIMIT_PER_HOUR)


def clue_submit_public(*, committee, data: dict, client: str = "", request=None) -> ProposalClue:
    """The public portal (no account): title, text, category; name and contact optional; at most
    PUBLIC_LIMIT_PER_HOUR suggestions per client and hour (Invalid "rate_limited" beyond)."""
    values = parse_input(ClueInput, data, committee=committee)
    if public_rate_exceeded(client):
        raise Invalid(_("Too many suggestions from your connection in the last hour. Please try again later."),
                      detail="rate_limited")
    call = _open_call(committee, values.call)
    with transaction.atomic():
        clue = ProposalClue.objects.create(
            committee=committee, call=call, source=ClueSource.PUBLIC, submitted_by=None,
            name=values.name, contact=values.contact,
            title=values.title, text=values.text,
            category=values.category or categories.catalogue(committee).default(),
        )
        audit.record(actor=None, action="proposal_clue.submit", obj=clue, to_state=clue.state,
                     payload={"source": clue.source, "call": call.pk if call else None}, request=request)
    limits.count("clue", client)
    return clue


# --- Reviewing ------------------------------------------------------------------------------------------------


def _reviewed(step) -> None:
    clue = step.obj
    clue.reviewed_by = step.actor
    clue.reviewed_at = step.now
    clue.review_note = step.input.note
    step.payload = {"note": step.input.note[:200]} if step.input.note else {}


def _tell_submitter(clue, title, body="") -> None:
    """The member who suggested the clue is told (in their language: core.notices)."""
    if clue.submitted_by_id is None:  # the public: no account to tell
        return
    notify(recipients=[clue.submitted_by], kind="proposal_clue.reviewed", title=title, body=body,
           url=_clue_url(clue), committee=clue.committee)


def _do_accept(step) -> None:
    _reviewed(step)
    _tell_submitter(step.obj, Notice(gettext_lazy("Your proposal clue was accepted: %(title)s"), title=step.obj.title),
                    step.input.note)


def _do_decline(step) -> None:
    _reviewed(step)
    _tell_submitter(step.obj, Notice(gettext_lazy("Your proposal clue was declined: %(title)s"), title=step.obj.title),
                    step.input.note)


def _do_mark_duplicate(step) -> None:
    clue = step.obj
    target = ProposalClue.objects.filter(pk=step.input.duplicate_of, committee_id=clue.committee_id).first()
    if target is None or target.pk == clue.pk or target.state in (ClueState.DECLINED, ClueState.DUPLICATE):
        raise Invalid(field_errors={"duplicate_of": [_("Choose another clue of this committee that is not declined.")]})
    _reviewed(step)
    clue.duplicate_of = target
    step.payload["duplicate_of"] = target.pk
    _tell_submitter(clue, Notice(gettext_lazy("Your proposal clue repeats another one: %(title)s"), title=clue.title),
                    step.input.note)


CLUE_MACHINE = Machine(
    name="proposal_clue", model=ProposalClue, transitions=CLUE_TRANSITIONS.values(),
    handlers={"accept": _do_accept, "decline": _do_decline, "mark_duplicate": _do_mark_duplicate},
    relations=sel.clue_relations, can_see=sel.clue_can_see,
)


def clue_act(*, actor, clue, action: str, data: dict | None = None, expected_version=None) -> ProposalClue:
    """accept, decline or mark_duplicate (office staff), as the pages and the API call it."""
    return CLUE_MACHINE.act(actor=actor, obj=clue, action=action, data=data, expected_version=expected_version)


def clue_review(*, actor, clue, decision: str, note: str = "", duplicate_of=None, expected_version=None):
    """The office's review of a clue: decision "accept", "decline" or "mark_duplicate"."""
    data = {"note": note}
    if duplicate_of is not None:
        data["duplicate_of"] = getattr(duplicate_of, "pk", duplicate_of)
    return clue_act(actor=actor, clue=clue, action=decision, data=data, expected_version=expected_version)


# --- A draft proposal from a clue --------------------------------------------------------------------------------


def proposal_from_clue(*, actor, clue, client_key=None):
    """A member starts a draft proposal from an accepted clue: the draft has the clue's subject, text and
    category and is linked to it (`Proposal.clue`; the clue counts its drafts). Returns the draft."""
    from .services import proposal_create

    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    clue = ProposalClue.objects.select_related("committee").filter(pk=as_id(clue) or 0).first()
    if clue is None or not sel.clue_can_see(actor, clue):
        raise NotFound()
    if member_of(actor, clue.committee_id) is None:
        raise Forbidden(_("Only members of this committee can draft proposals."))
    if clue.state != ClueState.ACCEPTED:
        raise IllegalTransition(_("A proposal can be started only from an accepted clue."), detail=f"state_{clue.state}")
    with transaction.atomic():
        proposal = proposal_create(
            actor=actor, committee=clue.committee, title=clue.title, body=clue.text, category=clue.category,
            client_key=client_key,
        )
        if proposal.clue_id != clue.pk:
            proposal.clue = clue
            proposal.save(update_fields=["clue"])
            audit.record(actor=actor, action="proposal_clue.draft", obj=clue, payload={"proposal": proposal.pk})
    return proposal

