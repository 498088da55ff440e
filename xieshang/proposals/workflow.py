"""The proposal workflow as a table: (action, from states, to state, who may).

Services look an action up here before doing anything: a state not in `sources` makes the action
illegal (409), an actor without one of the `actors` relations is refused. `target=None` means the
service computes the next state (e.g. `submit` goes to co-signing only when someone is invited;
unit actions move the proposal only when every unit has moved).

Actor relations (computed by selectors.relations_of):
  proposer  the lead proposer (or the drafting user of an organisation's proposal)
  cosigner  an invited co-signer
  staff     office staff or administrator of the proposal's committee
  leader    a leader of the committee
  unit      a user of a handling unit that holds a live assignment of the proposal
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import AssignmentState as A
from .models import ProposalState as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None
    actors: frozenset[str]
    label: str
    # Unit actions act on one assignment; these are the assignment states they start from.
    assignment_sources: frozenset[str] = frozenset()


def _t(action, sources, target, actors, label, assignment_sources=()):
    return Transition(action, frozenset(sources), target, frozenset(actors), label, frozenset(assignment_sources))


LIVE = {S.ASSIGNED, S.HANDLING}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # Drafting and co-signing
        _t("update", {S.DRAFT, S.RETURNED}, None, {"proposer"}, _("edit")),
        _t("invite_cosigners", {S.DRAFT, S.COSIGNING, S.RETURNED}, None, {"proposer"}, _("invite co-signers")),
        _t("submit", {S.DRAFT}, None, {"proposer"}, _("submit")),  # → cosigning or submitted
        _t("cosign", {S.COSIGNING}, None, {"cosigner"}, _("co-sign")),
        _t("decline_cosign", {S.COSIGNING}, None, {"cosigner"}, _("decline to co-sign")),
        _t("close_cosigning", {S.COSIGNING}, S.SUBMITTED, {"proposer", "staff", "system"}, _("end co-signing")),
        _t("withdraw", {S.DRAFT, S.COSIGNING, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, {"proposer"}, _("withdraw")),
        # Review (审查)
        _t("return_for_revision", {S.SUBMITTED}, S.RETURNED, {"staff"}, _("return for revision")),
        _t("resubmit", {S.RETURNED}, S.SUBMITTED, {"proposer"}, _("resubmit")),
        _t("register", {S.SUBMITTED}, S.REGISTERED, {"staff"}, _("register")),
        _t("merge", {S.SUBMITTED, S.REGISTERED}, S.MERGED, {"staff"}, _("merge")),
        _t("convert", {S.SUBMITTED, S.REGISTERED}, S.CONVERTED, {"staff"}, _("convert")),
        _t("reject", {S.SUBMITTED}, S.REJECTED, {"staff"}, _("do not register")),
        # Assignment (交办)
        _t("assign", {S.REGISTERED}, S.ASSIGNED, {"staff"}, _("assign")),
        _t("reassign", LIVE, None, {"staff"}, _("re-assign")),
        _t("acknowledge", LIVE, S.HANDLING, {"unit"}, _("acknowledge"), {A.ASSIGNED}),
        _t("object", LIVE, None, {"unit"}, _("object to the assignment"), {A.ASSIGNED}),
        # Handling (办理)
        _t("consult", {S.HANDLING}, None, {"unit"}, _("record a consultation"), {A.HANDLING, A.REPLIED}),
        _t("send_views", {S.HANDLING}, None, {"unit"}, _("send views to the lead unit"), {A.HANDLING}),
        _t("request_extension", {S.HANDLING}, None, {"unit"}, _("request an extension"), {A.HANDLING}),
        _t("approve_extension", {S.HANDLING}, None, {"staff"}, _("approve the extension")),
        _t("refuse_extension", {S.HANDLING}, None, {"staff"}, _("refuse the extension")),
        _t("reply", {S.HANDLING}, None, {"unit"}, _("reply"), {A.HANDLING}),  # → replied when all units have
        # Evaluation and after (评价, 重新办理, 办结, 归档)
        _t("evaluate", {S.REPLIED}, None, {"proposer"}, _("evaluate the reply")),  # → closed when all satisfied
        _t("rehandle", {S.REPLIED}, S.HANDLING, {"staff"}, _("re-handle")),
        _t("close", {S.REPLIED}, S.CLOSED, {"staff"}, _("close")),
        _t("archive", {S.CLOSED}, S.ARCHIVED, {"staff"}, _("archive")),
        # Orthogonal flags and follow-up
        _t("urge", LIVE, None, {"staff", "leader"}, _("urge")),
        _t("mark_key", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED}, None, {"staff"}, _("mark as key proposal")),
        _t("supervise", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED}, None, {"leader"}, _("give an instruction")),
        _t("mark_excellent", {S.REPLIED, S.CLOSED, S.ARCHIVED}, None, {"staff"}, _("mark as excellent")),
        _t("set_public", {S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED, S.ARCHIVED}, None, {"staff"}, _("publish")),
    ]
}

# States a proposal never leaves.
FINAL_STATES = frozenset({S.WITHDRAWN, S.MERGED, S.CONVERTED, S.REJECTED, S.ARCHIVED})


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


def is_legal(action: str, state: str) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and state in t.sources


def actions_available(state: str, relations: set[str]) -> list[Transition]:
    """The transitions legal in `state` for someone with these relations (for buttons and the API)."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.actors & relations]
