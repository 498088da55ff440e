"""The proposal workflow as a table of core `Transition`s: (action, from states, to state, who may, guard).

`xieshang.proposals.services.MACHINE` (a `xieshang.core.workflow.Machine`) runs it: a state not in
`sources` makes the action illegal (409), an actor without one of the `actors` relations is refused
(403), and the transition's `guard` refuses what this actor cannot do to this proposal now (the same
guard decides the buttons, so a button is shown exactly when the action would be accepted).
`target=None` means the handler computes the next state (e.g. `submit` goes to co-signing only when
someone is invited; unit actions move the proposal only when every unit has moved).

Actor relations (computed by selectors.relations_of):
  proposer  the lead proposer (or the drafting user of an organisation's proposal)
  cosigner  an invited co-signer
  staff     office staff or administrator of the proposal's committee
  leader    a leader of the committee
  unit      a user of a handling unit that holds a live assignment of the proposal
  system    the scheduler (actor None)
"""

from __future__ import annotations

from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from xieshang.core.errors import IllegalTransition
from xieshang.core.workflow import Step, Transition

from .models import PROPOSAL_FINAL, PROPOSAL_LIVE
from .models import AssignmentRole as R
from .models import AssignmentState as A
from .models import ProposalState as S

LIVE = PROPOSAL_LIVE
FINAL_STATES = PROPOSAL_FINAL


# --- Guards: each raises the error the action would meet; `available()` asks the same function ----------
#
# What they ask of the proposal goes through selectors (has_pending_extension, unit_assignments …), which
# answer from the rows a detail loaded (selectors.load_detail: the buttons cost no query) and from the
# database otherwise (Machine.act asks them of the row it has just locked).


def _unit_guard(role_ok=None):
    def guard(step: Step) -> None:
        from .services import _my_assignment

        step.found = _my_assignment(step, role_ok=role_ok)

    return guard


def _guard_object(step: Step) -> None:
    from .services import _my_assignment

    a = _my_assignment(step)
    if step.today > a.objection_due:
        raise IllegalTransition(
            _gettext("The time for objections ended on %(date)s; acknowledge the assignment or ask the office.")
            % {"date": a.objection_due.isoformat()}, detail="objection_window_closed",
        )
    step.found = a


def _guard_invitation(step: Step) -> None:
    from .services import _my_invitation

    step.found = _my_invitation(step)


def _guard_pending_extension(step: Step) -> None:
    from .selectors import has_pending_extension
    from .services import _pending_request

    if step.data.get("request") not in (None, ""):
        step.found = _pending_request(step)  # the named request: Invalid when it names none, 409 when decided
        return
    if not has_pending_extension(step.obj):
        raise IllegalTransition(_gettext("This extension request has already been decided."), detail="extension_decided")


def _guard_objected(step: Step) -> None:
    from .selectors import has_objected_assignment

    if not has_objected_assignment(step.obj):
        raise IllegalTransition(
            _gettext("No unit has objected to this proposal; there is nothing to re-assign."), detail="not_objected"
        )


def _guard_unevaluated(step: Step) -> None:
    from .selectors import has_unevaluated_reply

    if not has_unevaluated_reply(step.obj):
        raise IllegalTransition(_gettext("There is no reply left to evaluate."), detail="nothing_to_evaluate")


def _guard_dissatisfied(step: Step) -> None:
    from .selectors import has_dissatisfied_reply

    if not step.data.get("assignments") and not has_dissatisfied_reply(step.obj):
        raise IllegalTransition(_gettext("No reply of this round was found dissatisfying; nothing to re-handle."),
                                detail="nothing_to_rehandle")


def _guard_closable(step: Step) -> None:
    from .selectors import may_close

    p = step.obj
    if not may_close(p, step.today):
        raise IllegalTransition(
            _gettext("The proposal can be closed when every reply is evaluated without dissatisfaction, "
                     "when the evaluation period has ended (%(date)s), or with a note after re-handling.")
            % {"date": p.evaluation_due.isoformat() if p.evaluation_due else "—"}, detail="not_closable",
        )


def _guard_owes(step: Step) -> None:
    from .selectors import owes_something

    if not owes_something(step.obj):
        raise IllegalTransition(_gettext("No unit owes anything on this proposal."), detail="nothing_to_urge")


_unit = _unit_guard()
_lead_or_sole = _unit_guard(lambda a: a.answers_proposer)
_co = _unit_guard(lambda a: a.role == R.CO)

# Unit actions act on one assignment of the actor's unit; these are the assignment states they start from.
ASSIGNMENT_SOURCES: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({A.ASSIGNED}),
    "object": frozenset({A.ASSIGNED}),
    "consult": frozenset({A.HANDLING, A.REPLIED}),
    "send_views": frozenset({A.HANDLING}),
    "request_extension": frozenset({A.HANDLING}),
    "reply": frozenset({A.HANDLING}),
}

T = Transition
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # Drafting and co-signing
        T("update", {S.DRAFT, S.RETURNED}, None, {"proposer"}, _("edit")),
        T("invite_cosigners", {S.DRAFT, S.COSIGNING, S.RETURNED}, None, {"proposer"}, _("invite co-signers")),
        T("submit", {S.DRAFT}, None, {"proposer"}, _("submit")),  # → cosigning or submitted
        T("cosign", {S.COSIGNING}, None, {"cosigner"}, _("co-sign"), guard=_guard_invitation),
        T("decline_cosign", {S.COSIGNING}, None, {"cosigner"}, _("decline to co-sign"), guard=_guard_invitation),
        T("close_cosigning", {S.COSIGNING}, S.SUBMITTED, {"proposer", "staff", "system"}, _("end co-signing")),
        T("withdraw", {S.DRAFT, S.COSIGNING, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, {"proposer"}, _("withdraw")),
        # Review (审查)
        T("return_for_revision", {S.SUBMITTED}, S.RETURNED, {"staff"}, _("return for revision")),
        T("resubmit", {S.RETURNED}, S.SUBMITTED, {"proposer"}, _("resubmit")),
        T("register", {S.SUBMITTED}, S.REGISTERED, {"staff"}, _("register")),
        T("merge", {S.SUBMITTED, S.REGISTERED}, S.MERGED, {"staff"}, _("merge")),
        T("convert", {S.SUBMITTED, S.REGISTERED}, S.CONVERTED, {"staff"}, _("convert")),
        T("reject", {S.SUBMITTED}, S.REJECTED, {"staff"}, _("do not register")),
        # Assignment (交办)
        T("assign", {S.REGISTERED}, S.ASSIGNED, {"staff"}, _("assign")),
        T("reassign", LIVE, None, {"staff"}, _("re-assign"), guard=_guard_objected),
        T("acknowledge", LIVE, S.HANDLING, {"unit"}, _("acknowledge"), guard=_unit),
        T("object", LIVE, None, {"unit"}, _("object to the assignment"), guard=_guard_object),
        # Handling (办理)
        T("consult", {S.HANDLING}, None, {"unit"}, _("record a consultation"), guard=_unit),
        T("send_views", {S.HANDLING}, None, {"unit"}, _("send views to the lead unit"), guard=_co),
        T("request_extension", {S.HANDLING}, None, {"unit"}, _("request an extension"), guard=_unit),
        T("approve_extension", {S.HANDLING}, None, {"staff"}, _("approve the extension"), guard=_guard_pending_extension),
        T("refuse_extension", {S.HANDLING}, None, {"staff"}, _("refuse the extension"), guard=_guard_pending_extension),
        T("reply", {S.HANDLING}, None, {"unit"}, _("reply"), guard=_lead_or_sole),  # → replied when all units have
        # Evaluation and after (评价, 重新办理, 办结, 归档)
        T("evaluate", {S.REPLIED}, None, {"proposer"}, _("evaluate the reply"), guard=_guard_unevaluated),
        T("rehandle", {S.REPLIED}, S.HANDLING, {"staff"}, _("re-handle"), guard=_guard_dissatisfied),
        T("close", {S.REPLIED}, S.CLOSED, {"staff"}, _("close"), guard=_guard_closable),
        T("archive", {S.CLOSED}, S.ARCHIVED, {"staff"}, _("archive")),
        # Orthogonal flags and follow-up
        T("urge", LIVE, None, {"staff", "leader"}, _("urge"), guard=_guard_owes),
        T("mark_key", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED}, None, {"staff"}, _("mark as key proposal")),
        T("supervise", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED}, None, {"leader"}, _("give an instruction")),
        T("mark_excellent", {S.REPLIED, S.CLOSED, S.ARCHIVED}, None, {"staff"}, _("mark as excellent")),
        T("set_public", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED, S.ARCHIVED}, None, {"staff"}, _("publish")),
    ]
}


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


def is_legal(action: str, state: str) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and state in t.sources


def actions_available(state: str, relations: set[str]) -> list[Transition]:
    """The transitions legal in `state` for someone with these relations (no guard asked)."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.actors & relations]
