"""Periodic jobs of proposals: deadline reminders and the end of co-signing.

A scheduler (cron: `xieshang shell -c ...`, or a periodic enqueue of the tasks below) calls
`run_periodic_jobs()` once a day or more often; every job is idempotent, so running it twice,
or on several machines at once, sends nothing twice and moves nothing twice.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from xieshang.core import timers
from xieshang.core.errors import ServiceError
from xieshang.core.models import Notification, Role, RoleAssignment, TimerSetting
from xieshang.core.services import notify

from . import deadlines, selectors
from .models import Assignment, AssignmentState, Proposal, ProposalState

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
