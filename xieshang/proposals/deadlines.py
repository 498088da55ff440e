"""Deadlines of proposals, in working days on the official calendar (xieshang.core.calendar).

The deadlines themselves are core `Deadline` rows (xieshang.core.deadlines), one per (proposal, kind,
party): the kinds are declared in `declarations.DEADLINE_KINDS` (objection, first contact, co units'
views, reply, evaluation); the party of a unit's deadline is its assignment, "assignment:<id>"; the
evaluation (the proposer's) has none. The Assignment's columns (objection_due, first_contact_due,
due_date, original_due_date, views_due) and Proposal.evaluation_due stay as the copies the lists sort
and filter on. `sync_proposals(ids)` is the one helper that keeps both consistent: the services call it
after every action (the workflow's after_save), and the reminder job calls `sync_stale()` first, which
catches writes that bypassed the services (bulk loads, imports, the Django admin).

`now()` and `today()` are the one clock (xieshang.core.clock); tests set it with
`xieshang.proposals.tests.factories.set_today(monkeypatch, date)`.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from xieshang.core import calendar, clock, timers
from xieshang.core import deadlines as core_deadlines

from .models import (
    ASSIGNMENT_OPEN,
    PROPOSAL_LIVE,
    Assignment,
    AssignmentRole,
    AssignmentState,
    HandlingConsultation,
    Proposal,
    ProposalState,
    Reply,
)

OPEN_STATES = ASSIGNMENT_OPEN
REMIND_TIMER = "proposal.remind_before"  # the remind-before timer of every proposal deadline

OBJECTION, FIRST_CONTACT, CO_VIEWS, REPLY, EVALUATION = (
    "proposal.objection", "proposal.first_contact", "proposal.co_views", "proposal.reply", "proposal.evaluation")
KINDS = (OBJECTION, FIRST_CONTACT, CO_VIEWS, REPLY, EVALUATION)
# The proposal states in which assignments (and so deadlines) may exist.
WITH_ASSIGNMENTS = frozenset({ProposalState.ASSIGNED, ProposalState.HANDLING, ProposalState.REPLIED,
                              ProposalState.CLOSED, ProposalState.ARCHIVED})


def now() -> datetime.datetime:
    return clock.now()


def today() -> datetime.date:
    return clock.today()


def assignment_dates(committee, start: datetime.date, role: str = AssignmentRole.SOLE) -> dict:
    """The dates of an assignment made on `start`: objection_due, first_contact_due, due_date
    (= original_due_date) and, for co units, views_due."""
    due = timers.deadline(committee, "proposal.reply", start)
    return {
        "objection_due": timers.deadline(committee, "proposal.objection", start),
        "first_contact_due": timers.deadline(committee, "proposal.first_contact", start),
        "due_date": due,
        "original_due_date": due,
        "views_due": timers.deadline(committee, "proposal.co_views", start) if role == AssignmentRole.CO else None,
    }


def latest_extension(committee, original_due_date: datetime.date) -> datetime.date:
    """The latest date an extension may reach (timer proposal.extension_max after the original due date)."""
    return timers.deadline(committee, "proposal.extension_max", original_due_date)


def reminder_date(committee, due_date: datetime.date) -> datetime.date:
    """The day the "due soon" reminder goes out: proposal.remind_before ahead of the due date."""
    return core_deadlines.reminder_date(committee, due_date, REMIND_TIMER)


def _info(committee_id, due, state, today, remind: tuple[int, str]) -> dict:
    open_ = state in OPEN_STATES
    # Days left only while the unit still owes the reply: a replied (or objected, cancelled) assignment shows its
    # date alone, on every page and in the API.
    days = calendar.working_days_between(today, due, committee_id) if open_ else None
    return {
        "due_date": due,
        "days_left": days,
        "days_abs": abs(days) if days is not None else None,
        "overdue": open_ and core_deadlines.is_overdue(due, today),
        "due_soon": open_ and core_deadlines.due_soon(due, committee_id, today, remind=remind),
    }


def due_infos(assignments, today: datetime.date | None = None) -> list[dict]:
    """due_info for a page of assignments, reading each committee's timer once; also sets `a.due` on each
    (None rows are skipped)."""
    today = today or globals()["today"]()
    remind: dict[int, tuple[int, str]] = {}
    out = []
    with calendar.pinned():  # one read of the calendar's version for the whole page
        for a in assignments:
            if a is None:
                continue
            cid = a.proposal.committee_id
            if cid not in remind:
                remind[cid] = core_deadlines.remind_before(cid, REMIND_TIMER)
            a.due = _info(cid, a.due_date, a.state, today, remind[cid])
            out.append(a.due)
    return out


def due_info(assignment, today: datetime.date | None = None) -> dict:
    """{"due_date", "days_left" (working days; negative when overdue), "days_abs", "overdue", "due_soon"}.

    Only an assignment that still owes a reply (to acknowledge or handling) can be overdue or due soon.
    """
    today = today or globals()["today"]()
    committee_id = assignment.proposal.committee_id
    return _info(committee_id, assignment.due_date, assignment.state, today,
                 core_deadlines.remind_before(committee_id, REMIND_TIMER))


# --- The Deadline rows: one helper keeps them equal to the proposals' own columns -------------------

A = AssignmentState
SYNC_CHUNK = 500


def party_of(assignment) -> str:
    """The party of a unit's deadline: its assignment ("assignment:<id>")."""
    return f"assignment:{getattr(assignment, 'pk', assignment)}"


def assignment_id(party: str) -> int | None:
    prefix, _sep, rest = party.partition(":")
    return int(rest) if prefix == "assignment" and rest.isdigit() else None


def _wanted_of_assignment(a: Assignment, p: Proposal, consulted: bool) -> list:
    """What the deadlines of one assignment should be now (kind, party, due, original due, state)."""
    W = core_deadlines.Want
    live = p.state in PROPOSAL_LIVE
    owes = live and a.state in ASSIGNMENT_OPEN
    party = party_of(a)
    if a.acknowledged_at or a.objected_at:
        objection = "met"
    else:
        objection = "open" if owes and a.state == A.ASSIGNED else "waived"
    out = [
        W(OBJECTION, party, a.objection_due, a.objection_due, objection),
        W(REPLY, party, a.due_date, a.original_due_date, "open" if owes else ("met" if a.state == A.REPLIED else "waived")),
    ]
    if a.role != AssignmentRole.CO and a.first_contact_due:
        state = "met" if consulted else ("open" if owes else "waived")
        out.append(W(FIRST_CONTACT, party, a.first_contact_due, a.first_contact_due, state))
    if a.role == AssignmentRole.CO and a.views_due:
        state = "met" if a.state == A.REPLIED else ("open" if owes else "waived")
        out.append(W(CO_VIEWS, party, a.views_due, a.views_due, state))
    return out


def _unevaluated():
    return Reply.objects.filter(proposal=OuterRef("pk"), round=OuterRef("round"), evaluation__isnull=True)


def sync_proposals(proposal_ids) -> int:
    """Bring the Deadline rows of these proposals in line with their assignments and evaluation date
    (opened, extended, met, waived as the proposal's own data says); returns how many rows changed.
    A fixed number of queries per 500 proposals; locks the proposals (the services hold the lock already)."""
    ids = sorted({int(i) for i in proposal_ids})
    changed = 0
    for start in range(0, len(ids), SYNC_CHUNK):
        chunk = ids[start:start + SYNC_CHUNK]
        with transaction.atomic():
            proposals = {
                p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=chunk)
                .only("pk", "committee_id", "state", "round", "evaluation_due")
                .annotate(unevaluated=Exists(_unevaluated()))
            }
            wanted = {pk: (p.committee_id, []) for pk, p in proposals.items()}
            consulted = HandlingConsultation.objects.filter(assignment=OuterRef("pk"))
            for a in Assignment.objects.filter(proposal_id__in=list(proposals)).annotate(consulted=Exists(consulted)):
                wanted[a.proposal_id][1].extend(_wanted_of_assignment(a, proposals[a.proposal_id], a.consulted))
            for pk, p in proposals.items():
                if p.evaluation_due:
                    state = "open" if p.state == ProposalState.REPLIED and p.unevaluated else (
                        "waived" if p.unevaluated else "met")
                    wanted[pk][1].append(core_deadlines.Want(EVALUATION, "", p.evaluation_due, p.evaluation_due, state))
            changed += core_deadlines.deadlines_reconcile(model=Proposal, wanted=wanted, kinds=KINDS)
    return changed


def _rows(kind: str):
    from xieshang.core.models import Deadline

    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), kind=kind,
        state__in=(Deadline.State.OPEN, Deadline.State.EXTENDED),
    )


def stale_proposal_ids() -> set[int]:
    """The proposals whose Deadline rows disagree with their data: a deadline that runs without an open
    row with the same dates, or an open row whose deadline no longer runs. A fixed number of queries."""
    party = Concat(Value("assignment:"), Cast("pk", output_field=CharField()), output_field=CharField())
    owing = Assignment.objects.filter(state__in=ASSIGNMENT_OPEN, proposal__state__in=PROPOSAL_LIVE).annotate(dl_party=party)
    consulted = HandlingConsultation.objects.filter(assignment=OuterRef("pk"))
    running = {
        OBJECTION: (owing.filter(state=A.ASSIGNED, acknowledged_at__isnull=True, objected_at__isnull=True),
                    "objection_due", "objection_due"),
        REPLY: (owing, "due_date", "original_due_date"),
        FIRST_CONTACT: (owing.exclude(role=AssignmentRole.CO).filter(first_contact_due__isnull=False)
                        .filter(~Exists(consulted)), "first_contact_due", "first_contact_due"),
        CO_VIEWS: (owing.filter(role=AssignmentRole.CO, views_due__isnull=False), "views_due", "views_due"),
    }
    stale: set[int] = set()
    for kind, (qs, due, original) in running.items():
        same = _rows(kind).filter(object_id=OuterRef("proposal_id"), party=OuterRef("dl_party"),
                                  due_on=OuterRef(due), original_due_on=OuterRef(original))
        stale.update(qs.filter(~Exists(same)).values_list("proposal_id", flat=True))
        still = qs.filter(proposal_id=OuterRef("object_id"), dl_party=OuterRef("party"))
        stale.update(_rows(kind).filter(~Exists(still)).values_list("object_id", flat=True))
    evaluating = Proposal.objects.filter(state=ProposalState.REPLIED, evaluation_due__isnull=False).filter(Exists(_unevaluated()))
    same = _rows(EVALUATION).filter(object_id=OuterRef("pk"), party="", due_on=OuterRef("evaluation_due"))
    stale.update(evaluating.filter(~Exists(same)).values_list("pk", flat=True))
    stale.update(_rows(EVALUATION).filter(~Exists(evaluating.filter(pk=OuterRef("object_id")))).values_list("object_id", flat=True))
    return stale


def sync_stale() -> int:
    """Repair the Deadline rows of every proposal written around the services (run before the reminders)."""
    return sync_proposals(stale_proposal_ids())


# --- What the reminder job asks of proposal deadlines (declared in declarations.DEADLINE_KINDS) ------


def _unit_users(pairs) -> dict[tuple[int, int], list]:
    """The active users acting for each (committee id, unit id) in `pairs`: one query."""
    from xieshang.core.models import Role, RoleAssignment

    users_of: dict[tuple[int, int], list] = {}
    if not pairs:
        return users_of
    for ra in RoleAssignment.objects.filter(
        role=Role.UNIT, handling_unit_id__in={unit for _c, unit in pairs}, user__is_active=True
    ).select_related("user").order_by("id"):
        users_of.setdefault((ra.committee_id, ra.handling_unit_id), []).append(ra.user)
    return users_of


def _prepare_units(deadlines, qs) -> list:
    """Attach each deadline's assignment, proposal and unit users (two queries); leave out the rows whose
    assignment no longer owes anything (the reminder job's last check)."""
    rows = {a.pk: a for a in qs.filter(pk__in={assignment_id(d.party) for d in deadlines}, state__in=ASSIGNMENT_OPEN,
                                          proposal__state__in=PROPOSAL_LIVE).select_related("proposal__committee", "unit")}
    users = _unit_users({(a.proposal.committee_id, a.unit_id) for a in rows.values()})
    out = []
    for d in deadlines:
        a = rows.get(assignment_id(d.party))
        if a is None or a.proposal_id != d.object_id:
            continue
        d.assignment, d.proposal = a, a.proposal
        d.users = users.get((a.proposal.committee_id, a.unit_id), [])
        out.append(d)
    return out


def prepare_reply(deadlines) -> list:
    return _prepare_units(deadlines, Assignment.objects.all())


def prepare_first_contact(deadlines) -> list:
    consulted = HandlingConsultation.objects.filter(assignment=OuterRef("pk"))
    return _prepare_units(deadlines, Assignment.objects.exclude(role=AssignmentRole.CO).filter(~Exists(consulted)))


def prepare_co_views(deadlines) -> list:
    return _prepare_units(deadlines, Assignment.objects.filter(role=AssignmentRole.CO))


def prepare_evaluation(deadlines) -> list:
    """The proposer of each replied proposal with replies of this round still to evaluate (one query)."""
    rows = {
        p.pk: p for p in Proposal.objects.filter(pk__in={d.object_id for d in deadlines}, state=ProposalState.REPLIED)
        .filter(Exists(_unevaluated())).select_related("committee", "lead_proposer__user", "created_by")
    }
    out = []
    for d in deadlines:
        p = rows.get(d.object_id)
        if p is None:
            continue
        d.proposal = p
        d.users = [p.lead_proposer.user if p.lead_proposer_id else p.created_by]
        out.append(d)
    return out


def recipients(deadline) -> list:
    return deadline.users


def url(deadline) -> str:
    from .selectors import proposal_url

    return proposal_url(deadline.object_id)


def subject(deadline) -> str:
    p = deadline.proposal
    return f"{p.number} {p.title}" if p.number else p.title


def _unit_key(prefix: str):
    def key(deadline, stage: str, key_date: datetime.date) -> str:
        return f"{prefix}:{assignment_id(deadline.party)}:{stage}:{key_date.isoformat()}"
    return key


dedupe_reply = _unit_key("proposal.assignment")
dedupe_first_contact = _unit_key("proposal.first_contact")
dedupe_co_views = _unit_key("proposal.co_views")


def dedupe_evaluation(deadline, stage: str, key_date: datetime.date) -> str:
    return f"proposal.evaluation:{deadline.object_id}:{deadline.proposal.round}:{deadline.due_on.isoformat()}"


def reply_reminded(deadline, stage: str, today: datetime.date) -> None:
    """The reply reminders also stamp the assignment (Assignment.last_reminded_on, shown to the office)."""
    Assignment.objects.filter(pk=assignment_id(deadline.party)).update(last_reminded_on=today)
