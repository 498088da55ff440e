"""Proposal statistics (提案统计): the figures of a committee's year or session, each traceable.

`proposal_statistics(committee, year=..., session=...)` computes every figure with a fixed number
of aggregate queries (six, whatever the number of proposals: no Python loop over proposals).
`proposal_statistics_records(committee, figure, ...)` returns the queryset behind one figure, so
that `records.count()` equals the figure and a reader can open the records it counts.

Scope
-----
A proposal belongs to the year of its session (`Session.year`, the plenary session of that year;
interim proposals belong to the session they were filed under). `session` narrows to one session.

Figures about proposals (records: `Proposal` querysets)
------------------------------------------------------
received      reached the office: every proposal that left the proposer's hands — all states except
              draft and co-signing, and except proposals withdrawn before they were ever submitted
              (withdrawn with no `submitted_at`). Returned proposals count: the office received them.
to_review     the office's review queue (models.PROPOSAL_TO_REVIEW: submitted), as the workbench and the list count it.
under_review  received and not yet decided: submitted or returned for revision (PROPOSAL_UNDER_REVIEW).
registered    立案 and handled as a proposal of its own: registered, assigned, handling, replied,
              closed or archived. A proposal merged into another (并案) or converted after its
              registration is *not* counted here but under `merged` / `converted`, because it is
              answered through the other proposal or not as a proposal at all; counting it would
              leave it forever unreplied. So, always:
              received = under_review + registered + merged + converted + rejected + withdrawn.
merged        并案: merged into another proposal (before or after registration).
converted     转意见建议: converted to a suggestion or an opinion report.
rejected      不立案.
withdrawn     撤案 after submission (withdrawn with `submitted_at` set).
replied       办复: registered proposals whose every answering unit (sole, lead or split — co-handling
              units send their views to the lead unit instead) has replied at least once, and that
              have at least one answering unit. Cancelled assignments (re-assigned after an
              objection) do not count.
supervised    key proposals under supervision (models.PROPOSAL_SUPERVISED: registered, not yet closed), as the
              supervised page counts them.
key           重点提案 among the registered ones.  excellent  优秀提案 among the registered ones.
reply_rate    办复率 = replied / registered (0–1; None when nothing is registered), with a display
              string such as "100%" in `reply_rate_display`.

Figures about replies (records: `Reply` querysets)
--------------------------------------------------
They count *final* replies: for each answering unit of a registered proposal, its latest reply
(after a re-handling round, the new reply replaces the old one).
replies                    final replies.
outcome_a / _b / _c        A 类 (adopted) / B 类 (planned) / C 类 (explained) final replies.
on_time                    final replies given by their due date (`Reply.is_on_time`).
on_time_reply_rate         on_time / replies.
satisfied / basically_satisfied / dissatisfied   the proposer's verdict on final replies.
evaluated                  final replies with a verdict; not_evaluated: without one (silence is
                           shown separately, never counted as satisfied).
satisfaction_rate          满意率 = (satisfied + basically_satisfied) / evaluated.

Breakdowns
----------
by_unit      per handling unit: live assignments (all roles), answering ones (sole/lead/split),
             co-handling ones, final replies, on time, A/B/C, satisfied+basically satisfied,
             dissatisfied. Records: `Assignment` (assignments) or `Reply` querysets.
by_category  per proposal category: received, registered, replied, reply rate.
by_sector    per sector (界别: the lead proposer's sector recorded at submission, else the lead
             proposer's current sector — as the proposal list filters it): the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from xieshang.core import categories
from xieshang.core.formats import percent
from xieshang.core.models import Session
from xieshang.proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    PROPOSAL_SUPERVISED,
    PROPOSAL_TO_REVIEW,
    PROPOSAL_UNDER_REVIEW,
    EvaluationVerdict,
    Proposal,
    ProposalState,
    Reply,
    ReplyOutcome,
)

S = ProposalState

HANDLED_STATES = (S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED, S.ARCHIVED)
ANSWERING_ROLES = (AssignmentRole.SOLE, AssignmentRole.LEAD, AssignmentRole.SPLIT)


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # a lazy translation
    model: str  # "proposal" | "reply" | "assignment"


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure("received", _("Received"), "proposal"),
        Figure("to_review", _("To review"), "proposal"),
        Figure("under_review", _("Under review"), "proposal"),
        Figure("registered", _("Registered"), "proposal"),
        Figure("merged", _("Merged"), "proposal"),
        Figure("converted", _("Converted"), "proposal"),
        Figure("rejected", _("Not registered"), "proposal"),
        Figure("withdrawn", _("Withdrawn"), "proposal"),
        Figure("replied", _("Replied"), "proposal"),
        Figure("key", _("Key proposals"), "proposal"),
        Figure("supervised", _("Supervised"), "proposal"),
        Figure("excellent", _("Excellent proposals"), "proposal"),
        Figure("replies", _("Replies"), "reply"),
        Figure("outcome_a", ReplyOutcome.ADOPTED.label, "reply"),
        Figure("outcome_b", ReplyOutcome.PLANNED.label, "reply"),
        Figure("outcome_c", ReplyOutcome.EXPLAINED.label, "reply"),
        Figure("on_time", _("Replied on time"), "reply"),
        Figure("evaluated", _("Evaluated"), "reply"),
        Figure("satisfied", EvaluationVerdict.SATISFIED.label, "reply"),
        Figure("basically_satisfied", EvaluationVerdict.BASICALLY_SATISFIED.label, "reply"),
        Figure("dissatisfied", EvaluationVerdict.DISSATISFIED.label, "reply"),
        Figure("not_evaluated", _("Not evaluated"), "reply"),
        Figure("assignments", _("Assignments"), "assignment"),
        Figure("answering", _("As sole, lead or split unit"), "assignment"),
        Figure("co", _("As co-handling unit"), "assignment"),
    ]
}

RATES = {
    "reply_rate": _("Reply rate"),
    "satisfaction_rate": _("Satisfaction rate"),
    "on_time_reply_rate": _("On-time reply rate"),
}


# --- The conditions, once ------------------------------------------------------------------


def _received_q(prefix: str = "") -> Q:
    p = prefix
    return ~Q(**{f"{p}state__in": (S.DRAFT, S.COSIGNING)}) & ~Q(
        **{f"{p}state": S.WITHDRAWN, f"{p}submitted_at__isnull": True}
    )


def _answering_assignments():
    return Assignment.objects.filter(role__in=ANSWERING_ROLES).exclude(state=AssignmentState.CANCELLED)


def _replied_q() -> Q:
    """Has an answering unit, and no answering unit without a reply (on a Proposal queryset)."""
    answering = _answering_assignments().filter(proposal=OuterRef("pk"))
    unreplied = answering.filter(~Exists(Reply.objects.filter(assignment=OuterRef("pk"))))
    return Q(state__in=HANDLED_STATES) & Q(Exists(answering)) & ~Q(Exists(unreplied))


PROPOSAL_CONDITIONS = {
    "received": lambda: _received_q(),
    "to_review": lambda: Q(state__in=PROPOSAL_TO_REVIEW),
    "under_review": lambda: Q(state__in=PROPOSAL_UNDER_REVIEW),
    "registered": lambda: Q(state__in=HANDLED_STATES),
    "merged": lambda: Q(state=S.MERGED),
    "converted": lambda: Q(state=S.CONVERTED),
    "rejected": lambda: Q(state=S.REJECTED),
    "withdrawn": lambda: Q(state=S.WITHDRAWN, submitted_at__isnull=False),
    "replied": _replied_q,
    "key": lambda: Q(state__in=HANDLED_STATES, is_key=True),
    "supervised": lambda: Q(state__in=PROPOSAL_SUPERVISED, is_key=True),
    "excellent": lambda: Q(state__in=HANDLED_STATES, is_excellent=True),
}

_EVALUATED = Q(evaluation__isnull=False)
REPLY_CONDITIONS = {
    "replies": lambda: Q(),
    "outcome_a": lambda: Q(outcome=ReplyOutcome.ADOPTED),
    "outcome_b": lambda: Q(outcome=ReplyOutcome.PLANNED),
    "outcome_c": lambda: Q(outcome=ReplyOutcome.EXPLAINED),
    "on_time": lambda: Q(is_on_time=True),
    "evaluated": lambda: _EVALUATED,
    "satisfied": lambda: Q(evaluation__verdict=EvaluationVerdict.SATISFIED),
    "basically_satisfied": lambda: Q(evaluation__verdict=EvaluationVerdict.BASICALLY_SATISFIED),
    "dissatisfied": lambda: Q(evaluation__verdict=EvaluationVerdict.DISSATISFIED),
    "not_evaluated": lambda: Q(evaluation__isnull=True),
}

ASSIGNMENT_CONDITIONS = {
    "assignments": lambda: Q(),
    "answering": lambda: Q(role__in=ANSWERING_ROLES),
    "co": lambda: Q(role=AssignmentRole.CO),
}


# --- Scope ----------------------------------------------------------------------------------


def _session_id(session) -> int | None:
    if session in (None, ""):
        return None
    return session.pk if isinstance(session, Session) else int(session)


def scope(committee, *, year=None, session=None) -> QuerySet[Proposal]:
    """The committee's proposals of a year and/or session (all of them when neither is given)."""
    qs = Proposal.objects.filter(committee=committee)
    if year not in (None, ""):
        qs = qs.filter(session__year=int(year))
    sid = _session_id(session)
    if sid is not None:
        qs = qs.filter(session_id=sid)
    return qs


def _prefixed(prefix: str, **lookups) -> dict:
    return {f"{prefix}{k}": v for k, v in lookups.items()}


def _scope_filter(committee, prefix: str, *, year=None, session=None) -> Q:
    """The scope of proposals as a condition on a related model (prefix "proposal__")."""
    q = Q(**_prefixed(prefix, committee=committee))
    if year not in (None, ""):
        q &= Q(**_prefixed(prefix, session__year=int(year)))
    sid = _session_id(session)
    if sid is not None:
        q &= Q(**_prefixed(prefix, session_id=sid))
    return q


def final_replies(committee, *, year=None, session=None) -> QuerySet[Reply]:
    """Each answering unit's latest reply to each registered proposal in scope."""
    later = Reply.objects.filter(assignment=OuterRef("assignment"), round__gt=OuterRef("round"))
    return (
        Reply.objects.filter(_scope_filter(committee, "proposal__", year=year, session=session))
        .filter(proposal__state__in=HANDLED_STATES, assignment__role__in=ANSWERING_ROLES)
        .exclude(assignment__state=AssignmentState.CANCELLED)
        .filter(~Exists(later))
    )


def live_assignments(committee, *, year=None, session=None) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(_scope_filter(committee, "proposal__", year=year, session=session))
        .filter(proposal__state__in=HANDLED_STATES)
        .exclude(state=AssignmentState.CANCELLED)
    )


# --- The figures -------------------------------------------------------------------------------


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def proposal_statistics(committee, *, year=None, session=None) -> dict:
    """Every figure of the module docstring for one committee (and year/session). JSON-serialisable."""
    proposals = scope(committee, year=year, session=session)
    totals = proposals.aggregate(**{key: _count(make()) for key, make in PROPOSAL_CONDITIONS.items()})

    replies = final_replies(committee, year=year, session=session)
    totals.update(replies.aggregate(**{key: _count(make()) for key, make in REPLY_CONDITIONS.items()}))

    stats: dict = {
        "committee": committee.code,
        "year": int(year) if year not in (None, "") else None,
        "session": _session_id(session),
        **totals,
    }
    stats["reply_rate"] = _rate(totals["replied"], totals["registered"])
    stats["reply_rate_display"] = percent(totals["replied"], totals["registered"])
    good = totals["satisfied"] + totals["basically_satisfied"]
    stats["satisfaction_rate"] = _rate(good, totals["evaluated"])
    stats["satisfaction_rate_display"] = percent(good, totals["evaluated"])
    stats["on_time_reply_rate"] = _rate(totals["on_time"], totals["replies"])
    stats["on_time_reply_rate_display"] = percent(totals["on_time"], totals["replies"])
    stats["outcomes"] = {"A": totals["outcome_a"], "B": totals["outcome_b"], "C": totals["outcome_c"]}

    stats["by_unit"] = _by_unit(committee, year=year, session=session)
    stats["by_category"] = _by_group(proposals, "category", categories.catalogue(committee).labels())
    stats["by_sector"] = _by_group(proposals.annotate(sector_key=_sector_expression()), "sector_key", None)
    return stats


def _sector_expression():
    return Case(
        When(sector_name="", then=Coalesce(F("lead_proposer__sector__name"), Value(""))),
        default=F("sector_name"),
        output_field=CharField(),
    )


def _sector_q(prefix: str, sector: str) -> Q:
    p = prefix
    if sector:
        return Q(**{f"{p}sector_name": sector}) | Q(**{f"{p}sector_name": "", f"{p}lead_proposer__sector__name": sector})
    return Q(**{f"{p}sector_name": ""}) & (
        Q(**{f"{p}lead_proposer__isnull": True}) | Q(**{f"{p}lead_proposer__sector__isnull": True})
    )


def _by_group(proposals, field: str, labels: dict | None) -> list[dict]:
    rows = (
        proposals.values(field)
        .annotate(
            received=_count(_received_q()),
            registered=_count(PROPOSAL_CONDITIONS["registered"]()),
            replied=_count(_replied_q()),
        )
        .filter(received__gt=0)
        .order_by("-registered", "-received", field)
    )
    out = []
    for row in rows:
        value = row[field] or ""
        out.append({
            "key": value,
            "label": str(labels.get(value, value)) if labels is not None else (value or str(_("(none)"))),
            "received": row["received"],
            "registered": row["registered"],
            "replied": row["replied"],
            "reply_rate": _rate(row["replied"], row["registered"]),
            "reply_rate_display": percent(row["replied"], row["registered"]),
        })
    return out


def _by_unit(committee, *, year=None, session=None) -> list[dict]:
    assignment_rows = (
        live_assignments(committee, year=year, session=session)
        .values("unit_id", "unit__name")
        .annotate(**{key: _count(make()) for key, make in ASSIGNMENT_CONDITIONS.items()})
        .order_by()
    )
    reply_rows = (
        final_replies(committee, year=year, session=session)
        .values("assignment__unit_id")
        .annotate(
            **{key: _count(REPLY_CONDITIONS[key]()) for key in (
                "replies", "on_time", "outcome_a", "outcome_b", "outcome_c", "evaluated",
                "satisfied", "basically_satisfied", "dissatisfied",
            )}
        )
        .order_by()
    )
    by_reply = {row["assignment__unit_id"]: row for row in reply_rows}
    empty = dict.fromkeys(("replies", "on_time", "outcome_a", "outcome_b", "outcome_c", "evaluated",
                           "satisfied", "basically_satisfied", "dissatisfied"), 0)
    units = []
    for row in assignment_rows:
        r = by_reply.get(row["unit_id"], empty)
        good = r["satisfied"] + r["basically_satisfied"]
        units.append({
            "unit_id": row["unit_id"],
            "unit": row["unit__name"],
            "assignments": row["assignments"],
            "answering": row["answering"],
            "co": row["co"],
            **{k: r[k] for k in empty},
            "reply_rate": _rate(r["replies"], row["answering"]),
            "reply_rate_display": percent(r["replies"], row["answering"]),
            "on_time_reply_rate": _rate(r["on_time"], r["replies"]),
            "on_time_reply_rate_display": percent(r["on_time"], r["replies"]),
            "satisfaction_rate": _rate(good, r["evaluated"]),
            "satisfaction_rate_display": percent(good, r["evaluated"]),
        })
    units.sort(key=lambda u: (-u["assignments"], u["unit"]))
    return units


# --- The records behind a figure -------------------------------------------------------------------


class UnknownFigure(ValueError):
    pass


def proposal_statistics_records(
    committee, figure: str, *, year=None, session=None, unit=None, category=None, sector=None
) -> QuerySet:
    """The records a figure counts, with the same filters (and a breakdown row's own filter:
    `unit` (id), `category` (code) or `sector` (name; "" for none)). `records.count()` equals the
    figure. Proposal figures give proposals, reply figures replies, assignment figures assignments.
    Raises UnknownFigure for a figure that is not in FIGURES."""
    if figure not in FIGURES:
        raise UnknownFigure(figure)
    kind = FIGURES[figure].model
    if kind == "proposal":
        qs = scope(committee, year=year, session=session).filter(PROPOSAL_CONDITIONS[figure]())
        prefix = ""
        if unit not in (None, ""):
            qs = qs.filter(Exists(live_assignments(committee).filter(proposal=OuterRef("pk"), unit_id=int(unit))))
    elif kind == "reply":
        qs = final_replies(committee, year=year, session=session).filter(REPLY_CONDITIONS[figure]())
        prefix = "proposal__"
        if unit not in (None, ""):
            qs = qs.filter(assignment__unit_id=int(unit))
    else:
        qs = live_assignments(committee, year=year, session=session).filter(ASSIGNMENT_CONDITIONS[figure]())
        prefix = "proposal__"
        if unit not in (None, ""):
            qs = qs.filter(unit_id=int(unit))
    if category not in (None, ""):
        qs = qs.filter(**{f"{prefix}category": category})
    if sector is not None:
        qs = qs.filter(_sector_q(prefix, sector))
    return qs


def figure_list_params(figure: str, *, year=None, session=None, category=None, sector=None, unit=None) -> dict | None:
    """Query parameters of the proposal list (proposals:list) that select exactly the records of a
    proposal figure, or None when the list has no such filter (the records page is exact)."""
    states = {"merged": S.MERGED, "converted": S.CONVERTED, "rejected": S.REJECTED,
              "to_review": S.SUBMITTED}  # to_review: PROPOSAL_TO_REVIEW is this one state
    if figure not in states:
        return None
    params = {"state": str(states[figure])}
    if year not in (None, ""):
        params["year"] = str(year)
    if session not in (None, ""):
        params["session"] = str(_session_id(session))
    if category not in (None, ""):
        params["category"] = category
    if sector not in (None, ""):
        params["sector"] = sector
    if unit not in (None, ""):
        params["unit"] = str(unit)
    return params
