"""Periodic jobs of proposals: the end of co-signing; the deadline reminders run through core.

Reminders are the core job `xieshang.core.deadlines.run_reminders` (scheduler job "core.deadlines")
for the kinds proposals declare (declarations.DEADLINE_KINDS): the reply due date and the first contact
with the proposer (answering units), the views due date (co-handling units): N working days before
(timer proposal.remind_before), on the day and weekly after; the evaluation due date (the proposer):
once, N working days before. Each has its own dedupe key, so each goes out once per recipient. The
functions below run them for one kind (tests, catch-up runs) and keep their old names.

A scheduler (`xieshang scheduler`, or a periodic enqueue of the tasks below) calls the jobs once a day or
more often; every job is idempotent, so running it twice, or on several machines at once, sends nothing
twice and moves nothing twice.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from xieshang.core import clock
from xieshang.core import deadlines as core_deadlines
from xieshang.core.errors import ServiceError

from . import deadlines
from .models import Proposal, ProposalState

log = logging.getLogger(__name__)


def _remind(kind: str, today: datetime.date | None) -> int:
    return core_deadlines.run_reminders(today, kinds=[kind])[kind]


def send_deadline_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the unit users of every live assignment N working days before its reply due date, on the
    day, and weekly when overdue; each (assignment, stage, date) once per user. Returns how many went out."""
    return _remind(deadlines.REPLY, today)


def send_first_contact_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the answering units (sole, lead, split) that have recorded no consultation with the proposer
    yet of their first-contact date (timer proposal.first_contact): before it, on it, weekly after it."""
    return _remind(deadlines.FIRST_CONTACT, today)


def send_views_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the co-handling units that have not sent their views to the lead unit of the views date
    (timer proposal.co_views): before it, on it, weekly after it."""
    return _remind(deadlines.CO_VIEWS, today)


def send_evaluation_reminders_now(today: datetime.date | None = None) -> int:
    """Remind the proposer of a replied proposal with replies still to evaluate, once, from N working
    days (timer proposal.remind_before) before the evaluation due date until that date."""
    return _remind(deadlines.EVALUATION, today)


def close_due_cosigning_now(now: datetime.datetime | None = None) -> int:
    """Move co-signing proposals whose deadline has passed to submitted (as the system); returns how many."""
    from .services import proposal_act

    now = now or clock.now()
    moved = 0
    for pk in Proposal.objects.filter(state=ProposalState.COSIGNING, cosign_deadline__lt=now).values_list("pk", flat=True):
        try:
            proposal_act(actor=None, proposal=pk, action="close_cosigning")
        except ServiceError as exc:  # someone else moved it in the meantime
            log.info("close_cosigning skipped for proposal %s: %s", pk, exc)
            continue
        moved += 1
    return moved


def run_scheduled() -> dict:
    """What proposals do on a schedule besides the deadline reminders (scheduler job "proposals.periodic"):
    co-signing closed when its time is over."""
    return {"cosigning_closed": close_due_cosigning_now()}


def run_periodic_jobs(today: datetime.date | None = None) -> dict:
    """Everything proposals need done on a schedule, the reminders of their deadline kinds included (one
    run of the core job for them). `today` moves the clock (tests, catch-up runs)."""
    now = clock.now() if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 0)))
    sent = core_deadlines.run_reminders(today, kinds=deadlines.KINDS)
    return {
        "cosigning_closed": close_due_cosigning_now(now),
        "reminders": sent[deadlines.REPLY],
        "first_contact_reminders": sent[deadlines.FIRST_CONTACT],
        "views_reminders": sent[deadlines.CO_VIEWS],
        "evaluation_reminders": sent[deadlines.EVALUATION],
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
