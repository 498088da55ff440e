"""Periodic jobs of proposals: deadline reminders and the end of co-signing.

A scheduler (cron: `xieshang shell -c ...`, or a periodic enqueue of the tasks below) calls
`run_periodic_jobs()` once a day or more often; every job is idempotent, so running it twice,
or on several machines at once, sends nothing twice and moves nothing twice.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from xieshang.core.errors import ServiceError
from xieshang.core.services import notify

from . import deadlines, selectors
from .models import Assignment, AssignmentState, Proposal, ProposalState

log = logging.getLogger(__name__)

LIVE_PROPOSAL = (ProposalState.ASSIGNED, ProposalState.HANDLING)
OPEN_ASSIGNMENT = (AssignmentState.ASSIGNED, AssignmentState.HANDLING)


def _reminder_kind(committee_id: int, due: datetime.date, today: datetime.date) -> tuple[str, datetime.date] | None:
    """Which reminder (kind, key date) is due today for a reply due on `due`, or None.

    "before": from the reminder day (proposal.remind_before ahead) until the day before the due date;
    "due": on the due date; "overdue": once a week after it (the key date is the start of the week
    of lateness, so each week gives one reminder).
    """
    if today > due:
        weeks = (today - due - datetime.timedelta(days=1)).days // 7
        return "overdue", due + datetime.timedelta(days=1 + 7 * weeks)
    if today == due:
        return "due", due
    if deadlines.reminder_date(committee_id, due) <= today:
        return "before", due
    return None


def send_deadline_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the unit users of every live assignment; returns how many notifications went out."""
    from .services import _unit_users  # the one place that knows who a unit's users are

    today = today or deadlines.today()
    sent = 0
    rows = (
        Assignment.objects.filter(state__in=OPEN_ASSIGNMENT, proposal__state__in=LIVE_PROPOSAL)
        .select_related("proposal__committee", "unit")
        .order_by("id")
    )
    for a in rows.iterator(chunk_size=500):
        p = a.proposal
        found = _reminder_kind(p.committee_id, a.due_date, today)
        if found is None:
            continue
        kind, key_date = found
        label = f"{p.number} {p.title}" if p.number else p.title
        if kind == "before":
            title = _("Reply due on %(date)s: %(title)s") % {"date": a.due_date.isoformat(), "title": label}
        elif kind == "due":
            title = _("Reply due today: %(title)s") % {"title": label}
        else:
            title = _("Reply overdue since %(date)s: %(title)s") % {"date": a.due_date.isoformat(), "title": label}
        created = notify(
            recipients=_unit_users(p.committee_id, a.unit_id), kind=f"proposal.reminder_{kind}", title=title,
            url=selectors.proposal_url(p), committee=p.committee,
            dedupe_key=f"proposal.assignment:{a.pk}:{kind}:{key_date.isoformat()}",
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
