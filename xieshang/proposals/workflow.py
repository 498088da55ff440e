"""The proposal workflow as a table of core `Transition`s: (action, from states, to state, who may, guard).

`xieshang.proposals.services.MACHINE` (a `xieshang.core.workflow.Machine`) runs it: a state not in
`sources` makes the action illegal (409), an actor without one of the `actors` relations is refused
(403), and the transition's `guard` refuses what this actor cannot do to this proposal now (the same
guard decides the buttons, so a button is shown exactly when the action would be accepted).
Each transition's `input` (schemas.py) is the one definition of its fields: the machine validates the
action's data with it (422 with field errors) and the handler reads `step.input`; the API's body and the
page's form feed the same schema.
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

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xieshang.core.errors import IllegalTransition
from xieshang.core.workflow import Step, Transition

from . import schemas as I
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
            gettext("The time for objections ended on %(date)s; acknowledge the assignment or ask the office.")
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
        # the named request (the guard runs before the input is validated: it reads the raw data)
        step.found = _pending_request(step, I.as_id(step.data.get("request")))
        return
    if not has_pending_extension(step.obj):
        raise IllegalTransition(gettext("This extension request has already been decided."), detail="extension_decided")


def _guard_objected(step: Step) -> None:
    from .selectors import has_objected_assignment

    if not has_objected_assignment(step.obj):
        raise IllegalTransition(
            gettext("No unit has objected to this proposal; there is nothing to re-assign."), detail="not_objected"
        )


def _guard_unevaluated(step: Step) -> None:
    from .selectors import has_unevaluated_reply

    if not has_unevaluated_reply(step.obj):
        raise IllegalTransition(gettext("There is no reply left to evaluate."), detail="nothing_to_evaluate")


def _guard_evaluated(step: Step) -> None:
    from .selectors import has_evaluated_reply

    if not has_evaluated_reply(step.obj):
        raise IllegalTransition(gettext("There is no evaluation of this round to correct."), detail="nothing_to_correct")


def _guard_dissatisfied(step: Step) -> None:
    from .selectors import has_dissatisfied_reply

    if not step.data.get("assignments") and not has_dissatisfied_reply(step.obj):
        raise IllegalTransition(gettext("No reply of this round was found dissatisfying; nothing to re-handle."),
                                detail="nothing_to_rehandle")


def _guard_closable(step: Step) -> None:
    from .selectors import may_close

    p = step.obj
    if not may_close(p, step.today):
        raise IllegalTransition(
            gettext("The proposal can be closed when every reply is evaluated without dissatisfaction, "
                     "when the evaluation period has ended (%(date)s), or with a note after re-handling.")
            % {"date": p.evaluation_due.isoformat() if p.evaluation_due else "—"}, detail="not_closable",
        )


def _guard_owes(step: Step) -> None:
    from .selectors import owes_something

    if not owes_something(step.obj):
        raise IllegalTransition(gettext("No unit owes anything on this proposal."), detail="nothing_to_urge")


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
        T("update", {S.DRAFT, S.RETURNED}, None, {"proposer"}, _("edit"), input=I.UpdateInput),
        T("invite_cosigners", {S.DRAFT, S.COSIGNING, S.RETURNED}, None, {"proposer"}, _("invite co-signers"),
          input=I.InviteCosignersInput),
        T("submit", {S.DRAFT}, None, {"proposer"}, _("submit"), input=I.SubmitInput),  # → cosigning or submitted
        T("cosign", {S.COSIGNING}, None, {"cosigner"}, _("co-sign"), guard=_guard_invitation, input=I.NoInput),
        T("decline_cosign", {S.COSIGNING}, None, {"cosigner"}, _("decline to co-sign"), guard=_guard_invitation,
          input=I.NoInput),
        T("close_cosigning", {S.COSIGNING}, S.SUBMITTED, {"proposer", "staff", "system"}, _("end co-signing"),
          input=I.NoInput),
        T("withdraw", {S.DRAFT, S.COSIGNING, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, {"proposer"}, _("withdraw"),
          input=I.WithdrawInput),
        # Review (审查)
        T("return_for_revision", {S.SUBMITTED}, S.RETURNED, {"staff"}, _("return for revision"),
          input=I.RequiredReasonInput),
        T("resubmit", {S.RETURNED}, S.SUBMITTED, {"proposer"}, _("resubmit"), input=I.NoInput),
        T("register", {S.SUBMITTED}, S.REGISTERED, {"staff"}, _("register"), input=I.RegisterInput),
        T("merge", {S.SUBMITTED, S.REGISTERED}, S.MERGED, {"staff"}, _("merge"), input=I.MergeInput),
        T("convert", {S.SUBMITTED, S.REGISTERED}, S.CONVERTED, {"staff"}, _("convert"), input=I.ConvertInput),
        T("reject", {S.SUBMITTED}, S.REJECTED, {"staff"}, _("do not register"), input=I.RejectInput),
        # Assignment (交办)
        T("assign", {S.REGISTERED}, S.ASSIGNED, {"staff"}, _("assign"), input=I.AssignInput),
        T("reassign", LIVE, None, {"staff"}, _("re-assign"), guard=_guard_objected, input=I.ReassignInput),
        T("acknowledge", LIVE, S.HANDLING, {"unit"}, _("acknowledge"), guard=_unit, input=I.UnitInput),
        T("object", LIVE, None, {"unit"}, _("object to the assignment"), guard=_guard_object, input=I.ObjectInput),
        # Handling (办理)
        T("consult", {S.HANDLING}, None, {"unit"}, _("record a consultation"), guard=_unit, input=I.ConsultInput),
        T("send_views", {S.HANDLING}, None, {"unit"}, _("send views to the lead unit"), guard=_co,
          input=I.SendViewsInput),
        T("request_extension", {S.HANDLING}, None, {"unit"}, _("request an extension"), guard=_unit,
          input=I.ExtensionRequestInput),
        T("approve_extension", {S.HANDLING}, None, {"staff"}, _("approve the extension"),
          guard=_guard_pending_extension, input=I.ExtensionDecisionInput),
        T("refuse_extension", {S.HANDLING}, None, {"staff"}, _("refuse the extension"),
          guard=_guard_pending_extension, input=I.ExtensionDecisionInput),
        T("reply", {S.HANDLING}, None, {"unit"}, _("reply"), guard=_lead_or_sole,  # → replied when all units have
          input=I.ReplyInput),
        # Evaluation and after (评价, 重新办理, 办结, 归档)
        T("evaluate", {S.REPLIED}, None, {"proposer"}, _("evaluate the reply"), guard=_guard_unevaluated,
          input=I.EvaluateInput),
        # The proposer may correct the verdict while the office has not decided: re-handling and closing
        # leave REPLIED, and so end it (a verdict that closes the proposal by itself ends it too).
        T("correct_evaluation", {S.REPLIED}, None, {"proposer"}, _("correct the evaluation"),
          guard=_guard_evaluated, input=I.CorrectEvaluationInput),
        T("rehandle", {S.REPLIED}, S.HANDLING, {"staff"}, _("re-handle"), guard=_guard_dissatisfied,
          input=I.RehandleInput),
        T("close", {S.REPLIED}, S.CLOSED, {"staff"}, _("close"), guard=_guard_closable, input=I.NoteInput),
        T("archive", {S.CLOSED}, S.ARCHIVED, {"staff"}, _("archive"), input=I.NoteInput),
        # Orthogonal flags and follow-up
        T("urge", LIVE, None, {"staff", "leader"}, _("urge"), guard=_guard_owes, input=I.UrgeInput),
        T("mark_key", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED}, None, {"staff"},
          _("mark as key proposal"), input=I.MarkKeyInput),
        T("supervise", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED}, None, {"leader"}, _("give an instruction"),
          input=I.SuperviseInput),
        T("mark_excellent", {S.REPLIED, S.CLOSED, S.ARCHIVED}, None, {"staff"}, _("mark as excellent"),
          input=I.FlagInput),
        T("set_public", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED, S.ARCHIVED}, None, {"staff"},
          _("publish"), input=I.SetPublicInput),
    ]
}
assert all(t.input is I.INPUTS[t.action] for t in TRANSITIONS.values()), "schemas.INPUTS names each action's input"

# One-click actions that cannot be undone: the page asks "are you sure?" before sending them (data-confirm on
# the action's form, core/static/xieshang/app.js). An action whose form shows its own confirmation step (the
# evaluation's summary) is asked there instead.
CONFIRMED = frozenset({"withdraw", "acknowledge", "evaluate", "rehandle", "close", "archive"})


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


def is_legal(action: str, state: str) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and state in t.sources


def actions_available(state: str, relations: set[str]) -> list[Transition]:
    """The transitions legal in `state` for someone with these relations (no guard asked)."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.actors & relations]
