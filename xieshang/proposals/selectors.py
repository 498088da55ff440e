"""Every read of proposals that depends on who asks: the one permission chokepoint of the app.

A proposal the user may not see is "not found" (404), the same as one that does not exist.

Visibility (`proposals_visible_to`):
  staff, administrators and leaders of the committee: every proposal except other people's drafts;
  members: their own (lead proposer or creator), those they co-sign or are invited to co-sign,
           those their own merged proposals were merged into, and the public ones;
  handling-unit users: proposals with a live (not cancelled) assignment of their unit.
"""

from __future__ import annotations

import datetime
import json

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit
from xieshang.core.errors import NotFound
from xieshang.core.models import Event, Member, Role
from xieshang.core.screens import url_or_hash
from xieshang.core.selectors import has_role, member_ids_of, roles_of, unit_ids_of

from . import search, workflow
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    CoSigner,
    EvaluationVerdict,
    ExtensionRequest,
    PROPOSAL_SUPERVISED,
    PROPOSAL_TO_REVIEW,
    Proposal,
    ProposalState,
    Reply,
)

S = ProposalState
A = AssignmentState

# Assignment states in which the unit still owes something (acknowledgement, handling, a new unit).
OPEN_ASSIGNMENT_STATES = (A.ASSIGNED, A.HANDLING)
PENDING_ASSIGNMENT_STATES = (A.ASSIGNED, A.OBJECTED, A.HANDLING)
LIVE_PROPOSAL_STATES = (S.ASSIGNED, S.HANDLING)


def proposal_url(proposal) -> str:
    pk = proposal if isinstance(proposal, int) else proposal.pk
    url = url_or_hash("proposals:detail", pk)
    return "" if url == "#" else url


def _today() -> datetime.date:
    from .deadlines import today

    return today()


# --- Relations and visibility ---------------------------------------------------------


def _is_staff(user, committee) -> bool:
    return has_role(user, committee, Role.STAFF, Role.ADMIN)


def _is_proposer(user, proposal) -> bool:
    if proposal.lead_proposer_id:
        return proposal.lead_proposer.user_id == user.pk
    return proposal.created_by_id == user.pk


def relations_of(user, proposal) -> set[str]:
    """How `user` stands to `proposal`: a subset of {"proposer","cosigner","staff","leader","unit"}.

    None (the scheduler) is {"system"}. Staff and leaders have no relation to other people's drafts.
    """
    if user is None:
        return {"system"}
    if not getattr(user, "is_authenticated", False):
        return set()
    memo = getattr(proposal, "_xieshang_relations", None)  # a loaded detail computes them once (load_detail)
    if memo is not None and memo[0] == (user.pk, proposal.version):
        return set(memo[1])
    relations: set[str] = set()
    own = _is_proposer(user, proposal)
    if own:
        relations.add("proposer")
    cosigners = _loaded(proposal, "cosigners")
    if proposal.state != S.DRAFT and (
        any(c.member.user_id == user.pk for c in cosigners) if cosigners is not None
        else CoSigner.objects.filter(proposal=proposal, member__user=user).exists()
    ):
        relations.add("cosigner")
    if proposal.state != S.DRAFT or own:
        roles = roles_of(user, proposal.committee_id)
        if roles & {Role.STAFF, Role.ADMIN}:
            relations.add("staff")
        if Role.LEADER in roles:
            relations.add("leader")
    units = unit_ids_of(user, proposal.committee_id)
    assignments = _loaded(proposal, "assignments")
    if units and (
        any(a.unit_id in units and a.state != A.CANCELLED for a in assignments) if assignments is not None
        else proposal.assignments.filter(unit_id__in=units).exclude(state=A.CANCELLED).exists()
    ):
        relations.add("unit")
    if assignments is not None:
        proposal._xieshang_relations = ((user.pk, proposal.version), frozenset(relations))
    return relations


def _visibility_q(user, committee) -> Q | None:
    """The Q that selects the proposals of `committee` visible to `user` (None: nothing)."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user, committee)
    # "led by one of the user's Member rows" with the ids as constants (read once per request), neither a
    # join to core_member nor a subquery: the list's COUNT(*) then reads proposals only and plans in a
    # fraction of the time (benchmarks/bench_lists.py)
    own = Q(lead_proposer__isnull=True, created_by=user)
    if member_ids := member_ids_of(user):
        own |= Q(lead_proposer_id__in=member_ids)
    if roles & {Role.STAFF, Role.ADMIN, Role.LEADER}:
        return ~Q(state=S.DRAFT) | own
    q = own | (Q(pk__in=CoSigner.objects.filter(member__user=user).values("proposal_id")) & ~Q(state=S.DRAFT))
    # the proposals one's own proposals were merged into: their replies answer the merged ones too
    q |= Q(pk__in=Proposal.objects.filter(state=S.MERGED, lead_proposer__user=user).values("merged_into_id"))
    if Role.MEMBER in roles:
        q |= Q(is_public=True) & ~Q(state=S.DRAFT)
    units = unit_ids_of(user, committee)
    if units:
        q |= Q(pk__in=Assignment.objects.filter(unit_id__in=units).exclude(state=A.CANCELLED).values("proposal_id"))
    return q


def proposals_visible_to(user, committee) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(committee=committee)
    q = _visibility_q(user, committee)
    return qs.filter(q) if q is not None else qs.none()


def proposals_of(user, committee) -> QuerySet[Proposal]:
    """The user's own proposals in `committee` (lead proposer, or drafted by the user), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    # the user's Member rows as constants (no join to core_member): each side of the OR has its index
    own = Q(created_by=user)
    if member_ids := member_ids_of(user):
        own |= Q(lead_proposer_id__in=member_ids)
    return (
        Proposal.objects.filter(committee=committee)
        .filter(own)
        .select_related("session__term", "lead_proposer", "organization", "special_committee")
        .order_by("-created_at", "-id")
    )


def can_see(user, proposal) -> bool:
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(proposal, "_xieshang_seen_by", None) == (user.pk, proposal.version):  # proposal_get asked
        return True
    # What the row itself says, without a query (the same clauses as _visibility_q): one's own proposal;
    # for staff, administrators and leaders every proposal but other people's drafts.
    if proposal.lead_proposer_id:
        own = proposal.lead_proposer_id in member_ids_of(user)
    else:
        own = proposal.created_by_id == user.pk
    if own:
        return True
    if roles_of(user, proposal.committee_id) & {Role.STAFF, Role.ADMIN, Role.LEADER}:
        return proposal.state != S.DRAFT
    q = _visibility_q(user, proposal.committee_id)
    return q is not None and Proposal.objects.filter(pk=proposal.pk).filter(q).exists()


# Who may download a proposal's documents (the proposal form carries the proposer's phone and address):
# a member who sees a proposal only because it is public may not.
DOCUMENT_RELATIONS = frozenset({"proposer", "cosigner", "staff", "leader", "unit"})


def may_download_documents(user, proposal) -> bool:
    """May `user` have the proposal form (and see the contact phone and address)? The proposer,
    co-signers, office staff, leaders and the handling units of the proposal; nobody else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(relations_of(user, proposal) & DOCUMENT_RELATIONS) and can_see(user, proposal)


def _answers_merged_proposal_of(user, proposal) -> bool:
    """Is `user` the proposer of a proposal merged into `proposal` (whose replies answer theirs too)?"""
    own = Q(lead_proposer__user=user) | Q(lead_proposer__isnull=True, created_by=user)
    return Proposal.objects.filter(own, merged_into=proposal, state=S.MERGED).exists()


def may_download_reply_letters(user, proposal) -> bool:
    """May `user` have every reply letter of `proposal`? Those who may download its documents, and the
    proposers of the proposals merged into it (the replies answer them too)."""
    if may_download_documents(user, proposal):
        return True
    return bool(getattr(user, "is_authenticated", False)) and _answers_merged_proposal_of(user, proposal)


def may_download_reply_letter(user, reply) -> bool:
    """May `user` have this reply's letter (uploaded or generated)? As may_download_reply_letters, and
    anyone who sees the proposal when both the proposal and the reply are public."""
    proposal = reply.proposal
    if may_download_reply_letters(user, proposal):
        return True
    return reply.is_public and proposal.is_public and can_see(user, proposal)



def reads_only_as_public(user, proposal) -> bool:
    """Is `user` a public-only reader of `proposal` — one who sees it only because it is public (no
    relation to it: not a proposer, co-signer, office staff, leader or handling unit of it, and no
    proposal of theirs merged into it)? Such a reader sees exactly what the public portal shows
    (`public_view`): in the page, the print view, the API detail; the timeline is empty."""
    if not proposal.is_public or user is None or not getattr(user, "is_authenticated", False):
        return False  # the flag first: a proposal that is not public costs no query here
    return not may_download_reply_letters(user, proposal)


def public_view(proposal) -> Proposal:
    """`proposal` as the public portal shows it — its public replies, phone numbers masked, the names of its
    units (xieshang.portal.selectors.public_proposal_get, the one place that decides what the public may
    see); NotFound when the portal does not show it."""
    from xieshang.portal.selectors import public_proposal_get

    return public_proposal_get(proposal.committee_id, proposal.pk)


def members_for_cosigning(user, committee, q: str = "") -> QuerySet[Member]:
    """The active members of `committee` that `user` may invite as co-signers (everyone but the user),
    by name (`q`: part of the name); only for those who can draft there (members, office staff)."""
    if committee is None or not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    committee_id = getattr(committee, "pk", committee)
    roles = roles_of(user, committee_id)
    drafts = roles & {Role.STAFF, Role.ADMIN} or Member.objects.filter(
        user=user, committee_id=committee_id, is_active=True).exists()
    if not drafts:
        return Member.objects.none()
    qs = Member.objects.filter(committee_id=committee_id, is_active=True).exclude(user=user)
    text = (q or "").strip()[:40]
    if text:
        qs = qs.filter(name__icontains=text)
    return qs.select_related("sector").order_by("name", "id")


def proposal_get(user, pk, committee=None) -> Proposal:
    """The proposal if `user` may see it (in `committee` when given); NotFound otherwise."""
    pk = _int(pk)
    if pk is None or pk <= 0:
        raise NotFound()
    proposal = (
        Proposal.objects.select_related(
            "committee", "session__term", "lead_proposer__sector", "organization", "special_committee",
            "supervising_leader", "merged_into", "created_by",
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None or (committee is not None and proposal.committee_id != getattr(committee, "pk", committee)):
        raise NotFound()
    if not can_see(user, proposal):
        raise NotFound()
    if user is not None:  # the later reads of this request (timeline, documents) need not ask again
        proposal._xieshang_seen_by = (user.pk, proposal.version)
    return proposal


def _user_assignments(user, proposal, states=None) -> list[Assignment]:
    units = unit_ids_of(user, proposal.committee_id)
    if not units:
        return []
    qs = proposal.assignments.filter(unit_id__in=units).exclude(state=A.CANCELLED)
    if states is not None:
        qs = qs.filter(state__in=states)
    return list(qs)


def available_actions(user, proposal, relations: set[str] | None = None) -> list[workflow.Transition]:
    """The transitions `user` may try now (for buttons and the API): legal in the state, an actor
    relation, and the transition's guard passes (the same guard the action itself asks)."""
    from .services import MACHINE  # services import the selectors

    return MACHINE.available(user, proposal, relations=relations)


def may_close(proposal, today=None) -> bool:
    """Can the office close this replied proposal now? Every reply of the round evaluated without
    dissatisfaction, or the evaluation period over, or (with a note) after a re-handling round."""
    if proposal.state != S.REPLIED:
        return False
    today = today or _today()
    if proposal.evaluation_due and today > proposal.evaluation_due:
        return True
    if proposal.round > 1:
        return True
    return not has_unevaluated_reply(proposal) and not has_dissatisfied_reply(proposal)


def _unevaluated_replies(proposal) -> QuerySet[Reply]:
    return Reply.objects.filter(proposal=proposal, round=proposal.round, evaluation__isnull=True)


def _dissatisfied_replies(proposal) -> QuerySet[Reply]:
    return Reply.objects.filter(
        proposal=proposal, round=proposal.round, evaluation__verdict=EvaluationVerdict.DISSATISFIED
    )


# --- Lists ------------------------------------------------------------------------------

def _next_due_subquery():
    return Subquery(
        Assignment.objects.filter(proposal=OuterRef("pk"), state__in=OPEN_ASSIGNMENT_STATES)
        .order_by("due_date")
        .values("due_date")[:1]
    )


# The most rows one selection may hold (a list page shows at most 100).
SELECTION_MAX = 200


def selection_ids(value, limit: int | None = SELECTION_MAX) -> list[int]:
    """The proposal ids of a selection — a list of ids or a comma-separated text — each once, in order;
    what is not an id is left out, and at most `limit` are kept."""
    values = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
    ids: list[int] = []
    for v in values:
        number = _int(v.strip() if isinstance(v, str) else v)
        if number is not None and number > 0 and number not in ids:
            ids.append(number)
    return ids[:limit]


# The staff list's actions on a selection of rows (批量操作): action → (the data each row gets, the flag
# that says a row is so already: it is left as it is — marking a key proposal again would drop its leader).
BULK_ACTIONS = {"urge": ({}, None), "mark_key": ({"is_key": True}, "is_key"), "set_public": ({"value": True}, "is_public")}


def bulk_actions_for(user, committee) -> list[str]:
    """The bulk actions `user` may take on the staff list of `committee`: those whose transition allows
    a relation the user's roles give (office staff: "staff", leaders: "leader"). Each row is still checked
    by proposal_act."""
    roles = roles_of(user, committee) if getattr(user, "is_authenticated", False) else set()
    relations = ({"staff"} if roles & {Role.STAFF, Role.ADMIN} else set()) | ({"leader"} if Role.LEADER in roles else set())
    return [a for a in BULK_ACTIONS if workflow.TRANSITIONS[a].actors & relations]


def _int(value) -> int | None:
    """An integer a database column can hold, or None (also for text that is not a number)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) <= 2**63 - 1 else None


def proposal_list(user, committee, params: dict | None = None, *, plain: bool = False) -> QuerySet[Proposal]:
    """The proposals `user` sees in `committee`, filtered and sorted by `params` (strings as from a query string).

    Filters: session (id), year, state, category, unit (id), sector (name), key ("1"), overdue ("1"),
    q (words in the subject, number, text or the names of proposers, co-signers, party or group,
    special committee, sector: the bigram index of search.py), sort (`lists.PROPOSALS.sorts`). Unknown values are ignored.
    Each row carries `next_due` (the earliest reply date of an open assignment, or None).

    `plain`: the rows only, for callers that read columns (`values_list`) and compute the due dates
    themselves: no related rows, no prefetch, and `next_due` only when the sort needs it. Building the
    subquery and the joins costs a list page more Python time than its database work.
    """
    params = params or {}
    qs = proposals_visible_to(user, committee)
    if (session := _int(params.get("session"))) is not None:
        qs = qs.filter(session_id=session)
    if (year := _int(params.get("year"))) is not None:
        qs = qs.filter(session__year=year)
    if (state := params.get("state")) in S.values:
        qs = qs.filter(state=state)
    if category := params.get("category"):
        qs = qs.filter(category=category)
    if (unit := _int(params.get("unit"))) is not None:
        qs = qs.filter(pk__in=Assignment.objects.filter(unit_id=unit).exclude(state=A.CANCELLED).values("proposal_id"))
    if sector := (params.get("sector") or "").strip():
        qs = qs.filter(Q(sector_name=sector) | Q(sector_name="", lead_proposer__sector__name=sector))
    if params.get("key") in ("1", "true", "on", True):
        qs = qs.filter(is_key=True)
    if params.get("overdue") in ("1", "true", "on", True):
        qs = qs.filter(
            pk__in=Assignment.objects.filter(
                state__in=OPEN_ASSIGNMENT_STATES, due_date__lt=_today(), proposal__state__in=LIVE_PROPOSAL_STATES
            ).values("proposal_id")
        )
    if text := (params.get("q") or "").strip()[:100]:
        qs = search.filter_queryset(qs, text, committee=committee)
    if "ids" in params:  # a selection of rows (the staff list's "export the selection")
        qs = qs.filter(pk__in=selection_ids(params["ids"]))
    from .lists import PROPOSALS  # the sorts are defined with the list (page, API and export alike)

    if plain:
        return PROPOSALS.order(qs, params.get("sort"))
    qs = qs.annotate(next_due=_next_due_subquery())
    return PROPOSALS.order(qs.select_related(
        "session__term", "lead_proposer__sector", "organization", "special_committee", "committee"
    ).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.exclude(state=A.CANCELLED).select_related("unit"))
    ), params.get("sort"))


# The live (not cancelled) assignments of each row of a list page, read by the page's own query as one
# JSON array per row — [[role, state, due date "YYYY-MM-DD", unit id, unit name, assignment id], …] —
# instead of a second query: that query's ORM work cost a list page more than its SQL (about 0.4 ms of
# 6 on SQLite). Written in SQL because the two databases spell the JSON aggregate differently; the outer
# table is the list's base table, which Django leaves unaliased.
_LIVE_UNITS_SQL = {
    "sqlite": "json_group_array(json_array(a.role, a.state, a.due_date, u.id, u.name, a.id))",
    "postgresql": "json_agg(json_build_array(a.role, a.state, a.due_date, u.id, u.name, a.id))",
}
_LIVE_UNITS_FROM = (
    " FROM proposals_assignment a JOIN core_handlingunit u ON u.id = a.unit_id"
    " WHERE a.proposal_id = proposals_proposal.id AND a.state <> %s"
)


def with_live_units(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """`qs` with `live_units` on each row: read it with `live_units()`. Apply to a page's slice."""
    from django.db import connections
    from django.db.models.expressions import RawSQL

    vendor = connections[qs.db].vendor
    sql = "(SELECT " + _LIVE_UNITS_SQL[vendor] + _LIVE_UNITS_FROM + ")"
    return qs.annotate(live_units=RawSQL(sql, (A.CANCELLED,)))


def live_units(value) -> list[tuple]:
    """The `live_units` of one row as [(role, state, due_date, unit_id, unit_name, id), …] ordered by
    assignment id (dates as dates); [] for a row without any."""
    if value is None:
        return []
    if isinstance(value, str):  # SQLite: text; PostgreSQL's json arrives decoded
        value = json.loads(value)
    out = [(role, state, datetime.date.fromisoformat(due), unit_id, name, pk)
           for role, state, due, unit_id, name, pk in value]
    out.sort(key=lambda a: a[5])
    return out


def unit_inbox(user, committee, bucket: str) -> QuerySet[Assignment]:
    """The assignments of the user's units: "to_acknowledge" | "handling" | "due_soon" | "replied"."""
    units = unit_ids_of(user, committee)
    qs = Assignment.objects.filter(unit_id__in=units, proposal__committee=committee).select_related(
        "proposal__session__term", "proposal__lead_proposer", "unit"
    )
    if bucket == "to_acknowledge":
        qs = qs.filter(state=A.ASSIGNED, proposal__state__in=LIVE_PROPOSAL_STATES)
    elif bucket == "handling":
        qs = qs.filter(state=A.HANDLING, proposal__state__in=LIVE_PROPOSAL_STATES)
    elif bucket == "due_soon":
        today = _today()
        qs = qs.filter(
            state__in=OPEN_ASSIGNMENT_STATES, proposal__state__in=LIVE_PROPOSAL_STATES,
            due_date__gte=today, due_date__lte=_due_soon_limit(committee, today),
        )
    elif bucket == "replied":
        qs = qs.filter(state=A.REPLIED)
    else:
        return qs.none()
    return with_rehandling(qs).order_by("due_date", "id")


def with_rehandling(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Each assignment with the office's instructions of its proposal's current re-handling round, when the
    assignment is in that round (`rehandle_instructions`, None otherwise): in the page's own query."""
    from .models import Rehandling

    latest = Rehandling.objects.filter(proposal=OuterRef("proposal_id"), round=OuterRef("round"))
    return qs.annotate(rehandle_instructions=Subquery(latest.values("instructions")[:1]))


def _due_soon_limit(committee, today: datetime.date) -> datetime.date:
    """The last due date that counts as "due soon" today (timer proposal.remind_before; core's one rule)."""
    from xieshang.core.deadlines import due_soon_until

    return due_soon_until(committee, today, "proposal.remind_before")


def overdue_assignments(committee, today=None) -> QuerySet[Assignment]:
    """Assignments still owing a reply after their due date (in proposals being handled)."""
    today = today or _today()
    return (
        Assignment.objects.filter(
            proposal__committee=committee, proposal__state__in=LIVE_PROPOSAL_STATES,
            state__in=OPEN_ASSIGNMENT_STATES, due_date__lt=today,
        )
        .select_related("proposal__session__term", "proposal__lead_proposer", "unit")
        .order_by("due_date", "id")
    )


def review_queue(committee) -> QuerySet[Proposal]:
    """Submitted proposals waiting for the office's review, oldest first."""
    return (
        Proposal.objects.filter(committee=committee, state__in=PROPOSAL_TO_REVIEW)
        .select_related("session__term", "lead_proposer__sector", "organization", "special_committee")
        .order_by("submitted_at", "id")
    )


def cosign_invitations(user, committee) -> QuerySet[CoSigner]:
    """Open invitations to co-sign (proposal still co-signing, not yet answered)."""
    return (
        CoSigner.objects.filter(
            member__user=user, proposal__committee=committee, state=CoSigner.State.INVITED,
            proposal__state=S.COSIGNING,
        )
        .select_related("proposal__lead_proposer", "member")
        .order_by("proposal__cosign_deadline", "id")
    )


def to_evaluate(user, committee) -> QuerySet[Reply]:
    """Replies of the current round waiting for the user's verdict as proposer."""
    own = Q(proposal__lead_proposer__user=user) | Q(proposal__lead_proposer__isnull=True, proposal__created_by=user)
    return (
        Reply.objects.filter(own, proposal__committee=committee, proposal__state=S.REPLIED, evaluation__isnull=True)
        .filter(round=F("proposal__round"))
        .select_related("proposal", "assignment__unit")
        .order_by("replied_at", "id")
    )


def supervised_by(user, committee) -> QuerySet[Proposal]:
    """Key proposals under supervision (models.PROPOSAL_SUPERVISED: registered, not yet closed) that the user
    supervises as leader (all of them for staff): the supervised page, the leader's to-do and the statistics
    figure "supervised" count the same rows."""
    qs = Proposal.objects.filter(committee=committee, is_key=True, state__in=PROPOSAL_SUPERVISED)
    if not _is_staff(user, committee):
        qs = qs.filter(supervising_leader=user)
    return qs.select_related("session__term", "lead_proposer").order_by("-created_at", "-id")


def extension_requests_pending(committee) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(
        assignment__proposal__committee=committee, state=ExtensionRequest.State.PENDING
    ).select_related("assignment__proposal", "assignment__unit").order_by("requested_at", "id")


def objections_pending(committee) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        proposal__committee=committee, state=A.OBJECTED, proposal__state__in=LIVE_PROPOSAL_STATES
    ).select_related("proposal", "unit").order_by("objected_at", "id")


# --- The home page's to-dos --------------------------------------------------------------


def dissatisfied_to_decide(committee) -> QuerySet[Proposal]:
    """Replied proposals with a reply of the current round found dissatisfying: the office decides to have
    them handled again or (after the evaluation period) to close them. Oldest reply first."""
    from .models import Evaluation

    dissatisfied = Evaluation.objects.filter(
        proposal=OuterRef("pk"), reply__round=OuterRef("round"), verdict=EvaluationVerdict.DISSATISFIED
    )
    return (
        Proposal.objects.filter(committee=committee, state=S.REPLIED).filter(Exists(dissatisfied))
        .select_related("session__term", "lead_proposer").order_by("replied_at", "id")
    )


# The sub-verdict questions a committee asks when it has set none (EvaluationQuestion rows replace them):
# key, question, [(answer, label)]. The answers of the defaults are codes, so that the API's clients can
# send them in any language.
def _default_questions() -> list[dict]:
    degrees = [("satisfied", gettext_lazy("satisfied")), ("basically_satisfied", gettext_lazy("basically satisfied")),
               ("dissatisfied", gettext_lazy("dissatisfied"))]
    return [
        {"key": "attitude", "label": gettext_lazy("Handling attitude"), "options": degrees},
        {"key": "result", "label": gettext_lazy("Handling result"), "options": degrees},
        {"key": "met_proposer", "label": gettext_lazy("Did the unit communicate or meet with you?"),
         "options": [("yes", gettext_lazy("yes")), ("no", gettext_lazy("no"))]},
    ]


def evaluation_questions(committee) -> list[dict]:
    """The committee's sub-verdict questions: [{"key", "label", "options": [(answer, label)]}] — its own
    (EvaluationQuestion rows; key "q<position>", the answers their own text), else the defaults."""
    from .models import EvaluationQuestion

    rows = list(EvaluationQuestion.objects.filter(committee=committee).order_by("position"))
    if not rows:
        return _default_questions()
    return [{"key": f"q{q.position}", "label": q.label, "options": [(o, o) for o in q.options]} for q in rows]


def evaluation_questions_custom(committee) -> bool:
    """Has the committee set its own questions (else the defaults are asked)?"""
    from .models import EvaluationQuestion

    return EvaluationQuestion.objects.filter(committee=committee).exists()


def _todo(label, count, url, urgent=False) -> dict:
    return {"label": label, "count": count, "url": url, "urgent": bool(urgent and count)}


def todos_for(user, committee) -> list[dict]:
    """The user's proposal to-dos for the workbench, by role; only items with something to do."""
    roles = roles_of(user, committee)
    items: list[dict] = []
    today = _today()
    if Role.MEMBER in roles:
        own = Q(lead_proposer__user=user) | Q(lead_proposer__isnull=True, created_by=user)
        mine = Proposal.objects.filter(own, committee=committee)
        mine_url = url_or_hash("proposals:mine")
        items += [
            _todo(_("Draft proposals"), mine.filter(state=S.DRAFT).count(), mine_url),
            _todo(_("Proposals returned for revision"), mine.filter(state=S.RETURNED).count(), mine_url, urgent=True),
            _todo(_("Invitations to co-sign"), cosign_invitations(user, committee).count(),
                  url_or_hash("proposals:cosign_invitations"), urgent=True),
            _todo(_("Replies to evaluate"), to_evaluate(user, committee).count(), mine_url, urgent=True),
        ]
    if roles & {Role.STAFF, Role.ADMIN}:
        list_url = url_or_hash("proposals:list")
        items += [
            _todo(_("Proposals to review"), review_queue(committee).count(), url_or_hash("proposals:review")),
            _todo(_("Objections to re-assign"), objections_pending(committee).count(), list_url, urgent=True),
            _todo(_("Extension requests"), extension_requests_pending(committee).count(), list_url, urgent=True),
            _todo(_("Dissatisfied evaluations to decide"), dissatisfied_to_decide(committee).count(),
                  url_or_hash("proposals:dissatisfied"), urgent=True),
            _todo(_("Overdue assignments"), overdue_assignments(committee, today).count(),
                  url_or_hash("proposals:overdue"), urgent=True),
        ]
    if Role.UNIT in roles:
        inbox = url_or_hash("proposals:unit_inbox")
        units = unit_ids_of(user, committee)
        items += [
            _todo(_("Assignments to acknowledge"), unit_inbox(user, committee, "to_acknowledge").count(), inbox),
            _todo(_("Proposals being handled"), unit_inbox(user, committee, "handling").count(), inbox),
            _todo(_("Replies due soon"), unit_inbox(user, committee, "due_soon").count(), inbox, urgent=True),
            _todo(_("Overdue replies"), overdue_assignments(committee, today).filter(unit_id__in=units).count(),
                  inbox, urgent=True),
        ]
    if Role.LEADER in roles:
        items += [
            _todo(_("Key proposals I supervise"),
                  supervised_by(user, committee).filter(supervising_leader=user).count(),
                  url_or_hash("proposals:supervised")),
        ]
        if not roles & {Role.STAFF, Role.ADMIN}:
            items.append(_todo(_("Overdue assignments"), overdue_assignments(committee, today).count(),
                               url_or_hash("proposals:overdue"), urgent=True))
    return [item for item in items if item["count"]]


# --- The detail: what a proposal's page and API detail show, in a fixed number of queries --------------
#
# `load_detail` reads everything that belongs to one proposal in one query per table (whatever the number of
# units, consultations, views, extension requests, replies, co-signers and supervisions); the permission
# reads (`relations_of`, `can_see`, the documents) then use these rows instead of asking the database.
# The loaded rows are used only while the proposal is at the version it was loaded at: an action taken on
# the object afterwards (Machine.act bumps the version) sends the reads back to the database.


def detail_prefetches() -> list:
    from .models import CoUnitView, Evaluation, HandlingConsultation, Supervision

    replies = Reply.objects.select_related("assignment__unit", "evaluation__evaluated_by").order_by("round", "id")
    prefetches = [
        Prefetch("cosigners", queryset=CoSigner.objects.select_related("member__sector").order_by("invited_at", "id")),
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("round", "id")),
        Prefetch("assignments__consultations", queryset=HandlingConsultation.objects.order_by("date", "id")),
        Prefetch("assignments__co_views", queryset=CoUnitView.objects.order_by("round", "id")),
        Prefetch("assignments__extension_requests", queryset=ExtensionRequest.objects.order_by("requested_at", "id")),
        Prefetch("replies", queryset=replies),
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("evaluated_at", "id")),
        Prefetch("supervisions", queryset=Supervision.objects.select_related("leader").order_by("created_at", "id")),
    ]
    if hasattr(Reply, "attachments"):  # the uploaded letters (core attachments), read by `Reply.letter`
        prefetches.append("replies__attachments")
    prefetches.append("attachments")  # the proposal's files (core attachments; proposals.attachments)
    return prefetches


def load_detail(proposal: Proposal) -> Proposal:
    """Read what belongs to `proposal` (as `detail_prefetches`) into it, once; returns it."""
    from django.db.models import prefetch_related_objects

    if getattr(proposal, "_xieshang_detail_version", None) != proposal.version:
        prefetched = getattr(proposal, "_prefetched_objects_cache", None)
        if prefetched:  # rows read before an action changed the proposal
            prefetched.clear()
        prefetch_related_objects([proposal], *detail_prefetches())
        proposal._xieshang_detail_version = proposal.version
    return proposal


def _loaded(proposal, name: str):
    """The rows `load_detail` read for `name` (a list), or None when the proposal was not loaded (or has
    changed since)."""
    if getattr(proposal, "_xieshang_detail_version", None) != proposal.version:
        return None
    rows = getattr(proposal, "_prefetched_objects_cache", {}).get(name)
    return None if rows is None else list(rows)


# What the workflow's guards ask of a proposal (xieshang.proposals.workflow), answered from the loaded rows
# when the detail loaded them (the buttons of a detail page cost no query) and from the database otherwise
# (Machine.act asks them of the locked row it has just read).


def _has_assignment_in(proposal, states) -> bool:
    rows = _loaded(proposal, "assignments")
    if rows is not None:
        return any(a.state in states for a in rows)
    return proposal.assignments.filter(state__in=states).exists()


def has_objected_assignment(proposal) -> bool:
    return _has_assignment_in(proposal, (A.OBJECTED,))


def owes_something(proposal) -> bool:
    """Does a unit still owe an acknowledgement or a reply?"""
    return _has_assignment_in(proposal, OPEN_ASSIGNMENT_STATES)


def has_pending_extension(proposal) -> bool:
    rows = _loaded(proposal, "assignments")
    if rows is not None:
        return any(r.state == ExtensionRequest.State.PENDING for a in rows for r in a.extension_requests.all())
    return ExtensionRequest.objects.filter(assignment__proposal=proposal, state=ExtensionRequest.State.PENDING).exists()


def _evaluation_of(reply):
    try:
        return reply.evaluation
    except Reply.evaluation.RelatedObjectDoesNotExist:
        return None


def has_unevaluated_reply(proposal) -> bool:
    """Is a reply of the current round not evaluated yet?"""
    rows = _loaded(proposal, "replies")
    if rows is not None:
        return any(r.round == proposal.round and _evaluation_of(r) is None for r in rows)
    return _unevaluated_replies(proposal).exists()


def rehandlings_of(proposal) -> list:
    """The proposal's re-handling rounds (instructions, due date), oldest first; no query before a re-handling
    (a proposal's first round has none)."""
    if proposal.round < 2:
        return []
    return list(proposal.rehandlings.order_by("round"))


def has_evaluated_reply(proposal) -> bool:
    """Was a reply of the current round evaluated already (so the proposer may correct the verdict)?"""
    rows = _loaded(proposal, "replies")
    if rows is not None:
        return any(r.round == proposal.round and _evaluation_of(r) is not None for r in rows)
    return Reply.objects.filter(proposal=proposal, round=proposal.round, evaluation__isnull=False).exists()


def has_dissatisfied_reply(proposal) -> bool:
    """Was a reply of the current round evaluated as dissatisfying?"""
    rows = _loaded(proposal, "replies")
    if rows is not None:
        return any(r.round == proposal.round and (e := _evaluation_of(r)) is not None
                   and e.verdict == EvaluationVerdict.DISSATISFIED for r in rows)
    return _dissatisfied_replies(proposal).exists()


def unit_assignments(proposal, unit_ids) -> list[Assignment]:
    """The proposal's live (not cancelled) assignments of these units, by id."""
    rows = _loaded(proposal, "assignments")
    if rows is not None:
        return sorted((a for a in rows if a.unit_id in unit_ids and a.state != A.CANCELLED), key=lambda a: a.pk)
    return list(proposal.assignments.filter(unit_id__in=unit_ids).exclude(state=A.CANCELLED).order_by("id"))


def invitation_of(proposal, user) -> CoSigner | None:
    """The user's co-signer row of this proposal (the first, by id), or None."""
    rows = _loaded(proposal, "cosigners")
    if rows is not None:
        return min((c for c in rows if c.member.user_id == user.pk), key=lambda c: c.pk, default=None)
    return CoSigner.objects.filter(proposal=proposal, member__user=user).first()


# --- Timeline ------------------------------------------------------------------------------


def timeline_of(user, proposal) -> list[Event]:
    """The proposal's audit events, oldest first, each with a human `label` (the action's name) and
    `from_label` / `to_label` (the translated names of the states before and after)."""
    if not can_see(user, proposal):
        raise NotFound()
    if reads_only_as_public(user, proposal):
        return []  # the public portal shows no timeline
    events = list(audit.timeline(proposal))
    for event in events:
        event.label = event_label(event.action, event.payload)
        event.from_label = state_label(event.from_state)
        event.to_label = state_label(event.to_state)
    return events


def state_label(state: str) -> str:
    """The translated name of a proposal state ("" for none; the code itself for an unknown one)."""
    if not state:
        return ""
    return str(S(state).label) if state in S.values else state


# Events that are not transitions of workflow.TRANSITIONS (or are named differently in the timeline).
EVENT_LABELS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("edited"),
    "imported": gettext_lazy("imported"),
}


def event_label(action: str, payload: dict | None = None) -> str:
    """The timeline's name of an audit event `proposal.<action>`; flags switched off say so."""
    name = action.split(".", 1)[-1]
    if name in EVENT_LABELS:
        return str(EVENT_LABELS[name])
    if payload and payload.get("value") is False:
        if name == "set_public":
            return _("withdraw from publication")
        if name == "mark_excellent":
            return _("unmark as excellent")
    if name == "mark_key" and payload and payload.get("is_key") is False:
        return _("unmark as key proposal")
    t = workflow.TRANSITIONS.get(name)
    if t is not None:
        return str(t.label)
    return name


__all__ = [
    "public_view", "reads_only_as_public",
    "available_actions", "can_see", "event_label", "may_download_documents", "may_download_reply_letter",
    "may_download_reply_letters", "members_for_cosigning", "state_label", "cosign_invitations", "overdue_assignments", "proposal_get", "proposal_list",
    "proposals_of", "proposals_visible_to", "relations_of", "review_queue", "supervised_by", "timeline_of", "to_evaluate",
    "todos_for", "unit_inbox", "url_or_hash", "proposal_url",
]
