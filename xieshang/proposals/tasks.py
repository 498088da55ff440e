"""Periodic jobs of proposals: deadline reminders and the end of co-signing.

Reminders: the reply due date and the first contact with the proposer (answering units), the views
due date (co-handling units): N working days before (timer proposal.remind_before), on the day and
weekly after; the evaluation due date (the proposer): once, N working days before. Each has its own
dedupe key, so each goes out once per recipient.

A scheduler (cron: `xieshang shell -c ...`, or a periodic enqueue of the tasks below) calls
`run_periodic_jobs()` once a day or more often; every job is idempotent, so running it twice,
or on several machines at once, sends nothing twice and moves nothing twice.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from xieshang.core import timers
from xieshang.core.errors import ServiceError
from xieshang.core.models import Notification, Role, RoleAssignment, TimerSetting
from xieshang.core.services import notify

from . import deadlines, selectors
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    HandlingConsultation,
    Proposal,
    ProposalState,
    Reply,
)

log = logging.getLogger(__name__)

LIVE_PROPOSAL = (ProposalState.ASSIGNED, ProposalState.HANDLING)
OPEN_ASSIGNMENT = (AssignmentState.ASSIGNED, AssignmentState.HANDLING)


def _reminder_kind(before_day: datetime.date, due: datetime.date, today: datetime.date):
    """Which reminder (kind, key date) is due today for a reply due on `due`, or None.

    "before": from the reminder day (`before_day`, proposal.remind_before ahead) until the day before
    the due date; "due": on the due date; "overdue": once a week after it (the key date is the start
    of the week of lateness, so each week gives one reminder).
    """
    if today > due:
        weeks = (today - due - datetime.timedelta(days=1)).days // 7
        return "overdue", due + datetime.timedelta(days=1 + 7 * weeks)
    if today == due:
        return "due", due
    if before_day <= today:
        return "before", due
    return None


def _horizon(today: datetime.date) -> datetime.date:
    """No reminder is due today for a reply due after this day, whatever the committees' timers say."""
    spans = [(5, "working_days")] + list(
        TimerSetting.objects.filter(key="proposal.remind_before").values_list("amount", "unit")
    )
    days = 0
    for amount, unit in spans:
        days = max(days, {"working_days": amount * 3 + 30, "months": amount * 31 + 15}.get(unit, amount + 1))
    return today + datetime.timedelta(days=days)


def send_deadline_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the unit users of every live assignment N working days before its due date, on the
    day, and weekly when overdue; each (assignment, kind, date) once per user. Returns how many went out."""
    today = today or deadlines.today()
    rows = list(
        Assignment.objects.filter(
            state__in=OPEN_ASSIGNMENT, proposal__state__in=LIVE_PROPOSAL, due_date__lte=_horizon(today)
        ).select_related("proposal__committee", "unit").order_by("id")
    )
    timer_of: dict[int, tuple[int, str]] = {}
    due_now = []
    for a in rows:
        cid = a.proposal.committee_id
        if cid not in timer_of:
            timer_of[cid] = timers.timer(cid, "proposal.remind_before")
        amount, unit = timer_of[cid]
        found = _reminder_kind(timers.apply(cid, -amount, unit, a.due_date), a.due_date, today)
        if found is not None:
            kind, key_date = found
            due_now.append((a, kind, f"proposal.assignment:{a.pk}:{kind}:{key_date.isoformat()}"))
    if not due_now:
        return 0
    # who acts for each unit, and who already has which reminder: two queries for the whole run
    users_of: dict[tuple[int, int], list] = {}
    for ra in RoleAssignment.objects.filter(
        role=Role.UNIT, handling_unit_id__in={a.unit_id for a, _k, _d in due_now}, user__is_active=True
    ).select_related("user"):
        users_of.setdefault((ra.committee_id, ra.handling_unit_id), []).append(ra.user)
    already = set(
        Notification.objects.filter(dedupe_key__in=[key for _a, _k, key in due_now]).values_list("dedupe_key", "recipient_id")
    )
    sent = 0
    for a, kind, key in due_now:
        p = a.proposal
        recipients = [u for u in users_of.get((p.committee_id, a.unit_id), []) if (key, u.pk) not in already]
        if not recipients:
            continue
        label = f"{p.number} {p.title}" if p.number else p.title
        if kind == "before":
            title = _("Reply due on %(date)s: %(title)s") % {"date": a.due_date.isoformat(), "title": label}
        elif kind == "due":
            title = _("Reply due today: %(title)s") % {"title": label}
        else:
            title = _("Reply overdue since %(date)s: %(title)s") % {"date": a.due_date.isoformat(), "title": label}
        with transaction.atomic():
            created = notify(
                recipients=recipients, kind=f"proposal.reminder_{kind}", title=title,
                url=selectors.proposal_url(p), committee=p.committee, dedupe_key=key,
            )
            if created:
                sent += len(created)
                Assignment.objects.filter(pk=a.pk).update(last_reminded_on=today)
    return sent


def _unit_users(pairs) -> dict[tuple[int, int], list]:
    """The active users acting for each (committee id, unit id) in `pairs`: one query."""
    users_of: dict[tuple[int, int], list] = {}
    for ra in RoleAssignment.objects.filter(
        role=Role.UNIT, handling_unit_id__in={unit for _c, unit in pairs}, user__is_active=True
    ).select_related("user"):
        users_of.setdefault((ra.committee_id, ra.handling_unit_id), []).append(ra.user)
    return users_of


def _send_once(items, kind: str) -> int:
    """items: (proposal, recipients, title, dedupe key, assignment or None). Sends each key once per
    recipient (one query finds what was sent before); returns how many notifications went out."""
    if not items:
        return 0
    already = set(
        Notification.objects.filter(dedupe_key__in=[key for _p, _r, _t, key, _a in items])
        .values_list("dedupe_key", "recipient_id")
    )
    sent = 0
    for p, recipients, title, key, _a in items:
        recipients = [u for u in recipients if (key, u.pk) not in already]
        if not recipients:
            continue
        with transaction.atomic():
            created = notify(recipients=recipients, kind=kind, title=title, url=selectors.proposal_url(p),
                             committee=p.committee, dedupe_key=key)
        sent += len(created)
    return sent


def _label(p) -> str:
    return f"{p.number} {p.title}" if p.number else p.title


def _unit_reminders(rows, date_field: str, key_prefix: str, kind: str, titles: dict, today) -> int:
    """Before / on / weekly after the date `date_field` of each assignment in `rows` (as the reply
    reminders), to the users of its unit."""
    timer_of: dict[int, tuple[int, str]] = {}
    due_now = []
    for a in rows:
        cid = a.proposal.committee_id
        if cid not in timer_of:
            timer_of[cid] = timers.timer(cid, "proposal.remind_before")
        amount, unit = timer_of[cid]
        day = getattr(a, date_field)
        found = _reminder_kind(timers.apply(cid, -amount, unit, day), day, today)
        if found is not None:
            which, key_date = found
            due_now.append((a, which, f"{key_prefix}:{a.pk}:{which}:{key_date.isoformat()}"))
    if not due_now:
        return 0
    users_of = _unit_users({(a.proposal.committee_id, a.unit_id) for a, _w, _k in due_now})
    items = []
    for a, which, key in due_now:
        day = getattr(a, date_field)
        title = titles[which] % {"date": day.isoformat(), "title": _label(a.proposal)}
        items.append((a.proposal, users_of.get((a.proposal.committee_id, a.unit_id), []), title, key, a))
    return _send_once(items, kind)


def send_first_contact_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the answering units (sole, lead, split) that have recorded no consultation with the proposer
    yet of their first-contact date (timer proposal.first_contact): before it, on it, weekly after it."""
    today = today or deadlines.today()
    rows = list(
        Assignment.objects.filter(
            state__in=OPEN_ASSIGNMENT, proposal__state__in=LIVE_PROPOSAL, first_contact_due__isnull=False,
            first_contact_due__lte=_horizon(today),
        ).exclude(role=AssignmentRole.CO).filter(~Exists(HandlingConsultation.objects.filter(assignment=OuterRef("pk"))))
        .select_related("proposal__committee", "unit").order_by("id")
    )
    return _unit_reminders(rows, "first_contact_due", "proposal.first_contact", "proposal.first_contact_reminder", {
        "before": _("Contact the proposer by %(date)s: %(title)s"),
        "due": _("Contact the proposer today (%(date)s): %(title)s"),
        "overdue": _("The first contact with the proposer was due on %(date)s: %(title)s"),
    }, today)


def send_views_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the co-handling units that have not sent their views to the lead unit of the views date
    (timer proposal.co_views): before it, on it, weekly after it."""
    today = today or deadlines.today()
    rows = list(
        Assignment.objects.filter(
            role=AssignmentRole.CO, state__in=OPEN_ASSIGNMENT, proposal__state__in=LIVE_PROPOSAL,
            views_due__isnull=False, views_due__lte=_horizon(today),
        ).select_related("proposal__committee", "unit").order_by("id")
    )
    return _unit_reminders(rows, "views_due", "proposal.co_views", "proposal.views_reminder", {
        "before": _("Send your views to the lead unit by %(date)s: %(title)s"),
        "due": _("Send your views to the lead unit today (%(date)s): %(title)s"),
        "overdue": _("Your views to the lead unit were due on %(date)s: %(title)s"),
    }, today)


def send_evaluation_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the proposer of a replied proposal with replies still to evaluate, once, from N working
    days (timer proposal.remind_before) before the evaluation due date until that date."""
    today = today or deadlines.today()
    unevaluated = Reply.objects.filter(proposal=OuterRef("pk"), round=OuterRef("round"), evaluation__isnull=True)
    rows = list(
        Proposal.objects.filter(
            state=ProposalState.REPLIED, evaluation_due__isnull=False, evaluation_due__gte=today,
            evaluation_due__lte=_horizon(today),
        ).filter(Exists(unevaluated)).select_related("committee", "lead_proposer__user", "created_by").order_by("id")
    )
    timer_of: dict[int, tuple[int, str]] = {}
    items = []
    for p in rows:
        if p.committee_id not in timer_of:
            timer_of[p.committee_id] = timers.timer(p.committee_id, "proposal.remind_before")
        amount, unit = timer_of[p.committee_id]
        if timers.apply(p.committee_id, -amount, unit, p.evaluation_due) > today:
            continue
        proposer = p.lead_proposer.user if p.lead_proposer_id else p.created_by
        if not proposer.is_active:
            continue
        title = _("Please evaluate the replies to %(title)s by %(date)s") % {
            "title": _label(p), "date": p.evaluation_due.isoformat()}
        items.append((p, [proposer], title, f"proposal.evaluation:{p.pk}:{p.round}:{p.evaluation_due.isoformat()}", None))
    return _send_once(items, "proposal.evaluation_reminder")


def close_due_cosigning_now(now: datetime.datetime | None = None) -> int:
    """Move co-signing proposals whose deadline has passed to submitted (as the system); returns how many."""
    from .services import proposal_act

    now = now or timezone.now()
    moved = 0
    for pk in Proposal.objects.filter(state=ProposalState.COSIGNING, cosign_deadline__lt=now).values_list("pk", flat=True):
        try:
            proposal_act(actor=None, proposal=pk, action="close_cosigning")
        except ServiceError as exc:  # someone else moved it in the meantime
            log.info("close_cosigning skipped for proposal %s: %s", pk, exc)
            continue
        moved += 1
    return moved


def run_periodic_jobs(today: datetime.date | None = None) -> dict:
    """Everything proposals need done on a schedule. `today` moves the clock (tests, catch-up runs)."""
    now = timezone.now() if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 0)))
    return {
        "cosigning_closed": close_due_cosigning_now(now),
        "reminders": send_deadline_reminders_now(today),
        "first_contact_reminders": send_first_contact_reminders_now(today),
        "views_reminders": send_views_reminders_now(today),
        "evaluation_reminders": send_evaluation_reminders_now(today),
    }


@task()
def send_deadline_reminders() -> int:
    return send_deadline_reminders_now()


@task()
def close_due_cosigning() -> int:
    return close_due_cosigning_now()


@task()
def periodic_jobs() -> dict:
    return run_periodic_jobs()
