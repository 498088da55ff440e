"""The demo proposals (xieshang.proposals.demo): the seed's 2024 figure, the closed years' shape and dates,
the current year in every state, the demo accounts' work, and a second run that creates nothing.

The demo is loaded once for the module (in a transaction rolled back at its end, like TestCase's class
data); each test runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from xieshang.core import calendar, timers
from xieshang.core.demo_data import load_demo
from xieshang.core.management.commands import demo as demo_command
from xieshang.core.models import Event, Notification, User
from xieshang.proposals import deadlines, selectors
from xieshang.proposals import demo as proposals_demo
from xieshang.proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    CoSigner,
    Evaluation,
    EvaluationVerdict,
    ExtensionRequest,
    Proposal,
    ProposalKind,
    ProposalState,
    ProposerKind,
    Reply,
    ReplyOutcome,
    Supervision,
)

pytestmark = pytest.mark.django_db
S = ProposalState
LOADER = "xieshang.proposals.demo.load"
HANDLED = (S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED, S.ARCHIVED)
ANSWERING = (AssignmentRole.SOLE, AssignmentRole.LEAD, AssignmentRole.SPLIT)
EVERY_STATE_2026 = {
    S.DRAFT, S.COSIGNING, S.SUBMITTED, S.RETURNED, S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED,
    S.MERGED, S.CONVERTED, S.REJECTED, S.WITHDRAWN,
}


def run_demo() -> tuple[dict, str, float]:
    """The core demo, then this app's loader the way the `demo` command runs it."""
    started = time.monotonic()
    demo = load_demo()
    out = io.StringIO()
    demo_command.run_loader(LOADER, demo, stdout=out)
    return demo, out.getvalue(), time.monotonic() - started


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    real_now = timezone.now
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo, out, seconds = run_demo()
            print(f"\nproposals demo loaded (core + proposals) in {seconds:.1f} s\n{out}")
            yield SimpleNamespace(demo=demo, out=out, seconds=seconds, committee=demo["committee"],
                                  today=deadlines.today(), real_now=real_now)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def of_year(loaded, year: int):
    return Proposal.objects.filter(committee=loaded.committee, session__year=year)


def answering(qs=None):
    qs = Assignment.objects.all() if qs is None else qs
    return qs.filter(role__in=ANSWERING).exclude(state=AssignmentState.CANCELLED)


# --- Wiring and speed ----------------------------------------------------------------------------


def test_the_demo_command_runs_the_loader_and_reports_each_year(loaded):
    assert LOADER in demo_command.loaders()
    for year in (2024, 2025, 2026):
        assert f"proposals {year}: " in loaded.out
    assert "in progress through the services" in loaded.out
    assert timezone.now is loaded.real_now  # the loader's clock is put back
    print(f"load time (printed, not asserted): {loaded.seconds:.1f} s")


# --- 2024: the seed's published figure ---------------------------------------------------------------


def test_2024_has_293_registered_proposals_all_replied(loaded):
    proposals = of_year(loaded, 2024)
    registered = proposals.filter(state__in=HANDLED)
    assert registered.count() == 293
    for p in registered.prefetch_related("assignments__replies"):
        units = [a for a in p.assignments.all() if a.role in ANSWERING and a.state != AssignmentState.CANCELLED]
        assert units, p.number
        assert all(a.replies.exists() for a in units), p.number
    # received > registered: merged, converted, not registered and withdrawn ones besides
    received = proposals.exclude(state__in=(S.DRAFT, S.COSIGNING)).exclude(state=S.WITHDRAWN, submitted_at__isnull=True)
    assert received.count() > 293
    assert {S.MERGED, S.CONVERTED, S.REJECTED, S.WITHDRAWN} <= set(proposals.values_list("state", flat=True))
    assert not proposals.filter(merged_into__isnull=False).exclude(merged_into__state__in=HANDLED).exists()
    # numbered 13-3-0001 … 13-3-0293, one number each
    numbers = sorted(registered.values_list("number", flat=True))
    assert numbers[0] == "13-3-0001" and numbers[-1] == "13-3-0293" and len(set(numbers)) == 293


@pytest.mark.skipif(importlib.util.find_spec("xieshang.reports.proposal_stats") is None, reason="reports not there yet")
def test_2024_statistics_show_293_and_100_percent(loaded):
    from xieshang.reports.proposal_stats import proposal_statistics

    stats = proposal_statistics(loaded.committee, year=2024)
    assert stats["registered"] == 293 and stats["replied"] == 293
    assert stats["reply_rate"] == 1.0 and stats["reply_rate_display"].startswith("100")
    assert stats["received"] > stats["registered"]
    for year in (2025,):
        later = proposal_statistics(loaded.committee, year=year)
        assert later["reply_rate"] == 1.0 and later["registered"] > 250


# --- The closed years: spread and shape -----------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025])
def test_closed_year_is_complete_and_spread(loaded, year):
    proposals = of_year(loaded, year)
    registered = proposals.filter(state__in=HANDLED)
    assert set(registered.values_list("state", flat=True)) <= {S.CLOSED, S.ARCHIVED}
    n = registered.count()
    # final replies: A/B/C about 60/30/10
    finals = Reply.objects.filter(proposal__in=registered).exclude(
        pk__in=Reply.objects.filter(proposal__in=registered, round=1, proposal__round=2).values("pk"))
    outcomes = Counter(finals.values_list("outcome", flat=True))
    total = sum(outcomes.values())
    assert 0.5 <= outcomes[ReplyOutcome.ADOPTED] / total <= 0.7
    assert 0.2 <= outcomes[ReplyOutcome.PLANNED] / total <= 0.4
    assert 0.04 <= outcomes[ReplyOutcome.EXPLAINED] / total <= 0.16
    # every registered proposal evaluated: ≈ 85 % satisfied, 13 % basically, 2 % dissatisfied then re-handled
    first_verdict = dict(Evaluation.objects.filter(proposal__in=registered, reply__round=1).values_list("proposal", "verdict"))
    assert len(first_verdict) == n
    verdicts = Counter(first_verdict.values())
    assert 0.78 <= verdicts[EvaluationVerdict.SATISFIED] / n <= 0.92
    assert 0.08 <= verdicts[EvaluationVerdict.BASICALLY_SATISFIED] / n <= 0.2
    assert 1 <= verdicts[EvaluationVerdict.DISSATISFIED] <= 0.05 * n
    for p in registered.filter(evaluations__verdict=EvaluationVerdict.DISSATISFIED).distinct():
        assert p.round == 2
        second = p.replies.filter(round=2)
        assert second.exists() and all(r.evaluation.verdict != EvaluationVerdict.DISSATISFIED for r in second)
        assert Event.objects.for_object(p).filter(action="proposal.rehandle").exists()
        assert p.rehandlings.get().instructions  # the office's instructions for the second round
    assert not registered.filter(replies__evaluation__isnull=True).exists()
    # the evaluations carry their sub-verdicts (the default questions: attitude, result, met the proposer)
    answered = Evaluation.objects.filter(proposal__in=registered).values_list("answers", flat=True)
    assert all([a["key"] for a in answers] == ["attitude", "result", "met_proposer"] for answers in answered)
    # assignments: mostly sole, about a tenth lead + co, a few split; many units
    lead_co = registered.filter(assignments__role=AssignmentRole.LEAD).distinct().count()
    split = registered.filter(assignments__role=AssignmentRole.SPLIT).distinct().count()
    assert 0.05 <= lead_co / n <= 0.2 and split >= 2
    assert Assignment.objects.filter(proposal__in=registered).values("unit").distinct().count() >= 25
    # categories, sectors, proposers, co-signers, organisations
    assert registered.values("category").distinct().count() >= 6
    assert registered.values("sector_name").distinct().count() >= 20
    assert registered.values("lead_proposer").distinct().count() >= 150
    assert registered.filter(proposer_kind=ProposerKind.ORGANIZATION).count() >= 5
    assert CoSigner.objects.filter(proposal__in=registered, state=CoSigner.State.SIGNED).count() >= n // 2
    assert registered.filter(kind=ProposalKind.INTERIM).exists()
    # key proposals supervised by the leader; excellent and public ones
    leader = User.objects.get(username="leader")
    key = registered.filter(is_key=True)
    assert key.count() >= 5 and not key.exclude(supervising_leader=leader).exists()
    assert Supervision.objects.filter(proposal__in=key, leader=leader).count() >= key.count()
    assert registered.filter(is_excellent=True).count() >= 5
    assert registered.filter(is_public=True).count() >= 0.2 * n
    assert Reply.objects.filter(proposal__in=registered.filter(is_public=True), is_public=True).exists()


@pytest.mark.parametrize("year", [2024, 2025])
def test_closed_year_dates_follow_the_session_and_the_calendar(loaded, year):
    committee = loaded.committee
    proposals = of_year(loaded, year)
    session_kind = proposals.filter(state__in=HANDLED, kind=ProposalKind.SESSION)
    for p in session_kind:
        assert datetime.date(year - 1, 11, 1) <= timezone.localtime(p.submitted_at).date() <= datetime.date(year, 1, 31)
        assert timezone.localtime(p.created_at).date() <= timezone.localtime(p.submitted_at).date()
        assert datetime.date(year, 2, 1) <= timezone.localtime(p.assigned_at).date() <= datetime.date(year, 3, 31)
    replies = Reply.objects.filter(proposal__in=session_kind, round=1)
    assert all(datetime.date(year, 3, 1) <= timezone.localtime(at).date() <= datetime.date(year, 7, 31)
               for at in replies.values_list("replied_at", flat=True))
    # deadlines from the timers on the working-day calendar; evaluations within 15 working days
    extended = set(ExtensionRequest.objects.filter(state="approved").values_list("assignment", flat=True))
    for a in Assignment.objects.filter(proposal__in=proposals, round=1).exclude(state=AssignmentState.CANCELLED):
        start = timezone.localtime(a.assigned_at).date()
        assert a.original_due_date == timers.deadline(committee, "proposal.reply", start)
        assert a.objection_due == timers.deadline(committee, "proposal.objection", start)
        assert a.due_date == a.original_due_date or a.pk in extended
    last_reply = {}  # (proposal, round) → the day the last unit replied: the evaluation period starts then
    for pid, rnd, at in Reply.objects.filter(proposal__in=proposals).values_list("proposal", "round", "replied_at"):
        last_reply[pid, rnd] = max(last_reply.get((pid, rnd), at), at)
    for e in Evaluation.objects.filter(proposal__in=proposals).select_related("reply"):
        replied = timezone.localtime(last_reply[e.proposal_id, e.reply.round]).date()
        assert replied <= timezone.localtime(e.evaluated_at).date() <= calendar.add_working_days(replied, 15, committee)
    # one audit event per step, dated in the proposal's own time
    events = Event.objects.filter(content_type__model="proposal", object_id__in=[str(pk) for pk in proposals.values_list("pk", flat=True)])
    first, last = (timezone.localtime(d).date() for d in (events.order_by("created_at")[0].created_at,
                                                           events.order_by("-created_at")[0].created_at))
    assert datetime.date(year - 1, 11, 1) <= first and last <= datetime.date(year + 1, 3, 31)
    p = session_kind.order_by("number").first()
    actions = [e.action for e in selectors.timeline_of(User.objects.get(username="staff"), p)]
    assert actions[0] == "proposal.create" and actions[-1] in ("proposal.archive", "proposal.evaluate", "proposal.set_public",
                                                               "proposal.mark_excellent")
    for step in ("proposal.submit", "proposal.register", "proposal.assign", "proposal.acknowledge", "proposal.reply",
                 "proposal.evaluate"):
        assert step in actions
    assert p.version == len(actions)


# --- 2026: in progress -----------------------------------------------------------------------------


def test_2026_has_every_state(loaded):
    states = set(of_year(loaded, 2026).values_list("state", flat=True))
    assert EVERY_STATE_2026 <= states


def test_2026_has_overdue_and_due_soon_assignments(loaded):
    committee, today = loaded.committee, loaded.today
    overdue = selectors.overdue_assignments(committee, today)
    assert overdue.count() >= 3 and all(a.due_date < today for a in overdue)
    soon = [a for a in Assignment.objects.filter(proposal__committee=committee, state__in=("assigned", "handling"),
                                                  proposal__state__in=("assigned", "handling"))
            if deadlines.due_info(a, today)["due_soon"]]
    limit = calendar.add_working_days(today, 5, committee)
    assert len(soon) >= 2 and all(today <= a.due_date <= limit for a in soon)
    # the in-progress assignments' dates are the services' own: reply timer from the day of assignment
    for a in Assignment.objects.filter(proposal__session__year=2026, proposal__state__in=("assigned", "handling")).exclude(
            state="cancelled").filter(round=1):
        start = timezone.localtime(a.assigned_at).date()
        assert a.original_due_date == timers.deadline(committee, "proposal.reply", start)


@pytest.mark.parametrize("username", ["unit", "unit2"])
def test_demo_units_have_work_in_every_inbox_tab(loaded, username):
    user = User.objects.get(username=username)
    committee = loaded.committee
    for bucket in ("to_acknowledge", "handling", "due_soon", "replied"):
        assert selectors.unit_inbox(user, committee, bucket).exists(), bucket
    units = set(user.role_assignments.values_list("handling_unit", flat=True))
    assert selectors.overdue_assignments(committee, loaded.today).filter(unit_id__in=units).exists()


def test_demo_members_have_proposals_in_several_states(loaded):
    committee = loaded.committee
    member, member2 = (User.objects.get(username=u) for u in ("member", "member2"))
    mine = Proposal.objects.filter(committee=committee, lead_proposer__user=member)
    assert len(set(mine.values_list("state", flat=True))) >= 6
    assert {S.DRAFT, S.COSIGNING, S.SUBMITTED, S.HANDLING, S.REPLIED} <= set(mine.values_list("state", flat=True))
    assert selectors.to_evaluate(member, committee).exists()
    assert selectors.cosign_invitations(member, committee).exists()
    theirs = Proposal.objects.filter(committee=committee, lead_proposer__user=member2)
    assert theirs.count() >= 4 and theirs.filter(state=S.RETURNED).exists()
    assert selectors.cosign_invitations(member2, committee).exists()
    assert CoSigner.objects.filter(member__user=member2, proposal__lead_proposer__user=member).count() >= 2


def test_the_office_and_the_leader_have_work(loaded):
    committee = loaded.committee
    staff, leader = (User.objects.get(username=u) for u in ("staff", "leader"))
    assert selectors.review_queue(committee).count() >= 3
    assert selectors.objections_pending(committee).exists()
    assert selectors.extension_requests_pending(committee).exists()
    assert selectors.supervised_by(leader, committee).exclude(state__in=(S.CLOSED, S.ARCHIVED)).exists()
    labels = {item["label"] for item in selectors.todos_for(staff, committee)}
    assert len(labels) >= 4


def test_in_progress_proposals_went_through_the_services_at_their_own_time(loaded):
    committee = loaded.committee
    in_progress = of_year(loaded, 2026).filter(state__in=(S.ASSIGNED, S.HANDLING, S.REPLIED))
    assert in_progress.count() >= 15
    unit_user = User.objects.get(username="unit")
    mine = Assignment.objects.filter(proposal__in=in_progress, unit__short_name="州农业农村局").exclude(state="cancelled")
    assert mine.count() >= 5
    for a in mine.select_related("proposal"):
        p = a.proposal
        assign = Event.objects.for_object(p).filter(action__in=("proposal.assign", "proposal.reassign")).last()
        assert assign.created_at == a.assigned_at  # the event is dated when the assignment was made
        assert timezone.localtime(a.assigned_at).date() < loaded.today
        # the unit was told then, by the service itself
        assert Notification.objects.filter(recipient=unit_user, kind="proposal.assigned", created_at=a.assigned_at,
                                           title__contains=p.number).exists()
    notes = Notification.objects.filter(committee=committee)
    assert notes.filter(created_at__lt=timezone.now() - datetime.timedelta(days=30)).exists()
    # history is written in bulk without notifications
    assert not notes.filter(created_at__year=2024).exists()


def test_titles_and_texts_are_varied_proposals(loaded):
    proposals = list(Proposal.objects.filter(committee=loaded.committee))
    assert len(proposals) > 900
    assert all(p.title.startswith("关于") and (p.title.endswith("的建议") or p.title.endswith("的反映")) for p in proposals)
    assert len({p.body for p in proposals}) >= 0.98 * len(proposals)
    assert len({p.title for p in proposals}) >= 300
    themed = [p for p in proposals if p.state != S.REJECTED]
    paragraphs = Counter(len(p.body.split("\n\n")) for p in themed)
    assert set(paragraphs) <= {3, 4, 5, 6}
    assert sum("为此，建议" in p.body for p in themed) == len(themed)
    words = " ".join(p.title for p in proposals)
    for theme in ("数字农业", "番茄", "粮油", "葡萄酒", "硅基", "铝", "托育", "养老", "法治", "教育"):
        assert theme in words, theme
    reply = Reply.objects.filter(proposal__session__year=2024).select_related("proposal").first()
    assert reply.proposal.number in reply.text and "现答复如下" in reply.text


# --- Idempotency --------------------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True) if m._meta.label != "sessions.Session"
    }


def test_a_second_run_creates_nothing(loaded):
    before = table_counts()
    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first()
    _demo, out, seconds = run_demo()
    assert table_counts() == before
    assert Event.objects.order_by("-id").values_list("id", flat=True).first() == last_event
    assert out.count("already there") == 3
    print(f"second run (nothing to do) in {seconds:.1f} s")


def test_statistics_by_own_queries_for_every_year(loaded):
    """Independent of the reports app: registered-or-later proposals each answered by every answering unit."""
    for year, expected in ((2024, 293), (2025, None)):
        registered = of_year(loaded, year).filter(state__in=HANDLED).annotate(
            units=Count("assignments", filter=Q(assignments__role__in=ANSWERING) & ~Q(assignments__state="cancelled"),
                        distinct=True),
            replied_units=Count("assignments", filter=Q(assignments__role__in=ANSWERING) & ~Q(assignments__state="cancelled")
                                & Q(assignments__replies__isnull=False), distinct=True),
        )
        if expected is not None:
            assert registered.count() == expected
        assert registered.filter(units__gte=1).count() == registered.count()
        assert not registered.exclude(units=F("replied_units")).exists()


def test_a_past_year_with_registered_proposals_from_elsewhere_is_left_alone(loaded):
    """An imported past year is not doubled by the demo's proposals (the published figure would be wrong)."""
    from xieshang.core.models import Session

    assert proposals_demo.already_there(loaded.demo["sessions"][2024], history=True) == "already there"
    session = Session.objects.create(term=loaded.demo["term"], number=9, year=2030)
    assert proposals_demo.already_there(session, history=True) == ""
    member = loaded.demo["members"]["member"]
    Proposal.objects.create(committee=loaded.committee, session=session, state=S.CLOSED, title="关于测试的建议",
                            number="13-9-0001", sequence=1, lead_proposer=member, created_by=member.user, imported=True)
    assert proposals_demo.already_there(session, history=True).startswith("left alone")
    assert proposals_demo.already_there(session, history=False) == ""  # the current year is filled whatever else is there


def test_every_demo_proposal_is_in_the_search_index(loaded):
    """The years written in bulk are indexed at the end of the loader (the services index the others)."""
    from xieshang.proposals import search

    assert search.reindex(committee=loaded.committee, stale_only=True) == 0
    staff = loaded.demo["users"]["staff"]
    old = of_year(loaded, 2024).filter(state__in=HANDLED).order_by("sequence").first()
    hits = selectors.proposal_list(staff, loaded.committee, {"q": old.number})
    assert list(hits.values_list("pk", flat=True)) == [old.pk]
    assert old.pk in set(selectors.proposal_list(staff, loaded.committee, {"q": old.title}).values_list("pk", flat=True))
