"""Deadlines of proposals, in working days on the official calendar (xieshang.core.calendar).

`now()` and `today()` are the one clock of the app (services, selectors and tasks ask them), so tests
can move it: `xieshang.proposals.tests.factories.set_today(monkeypatch, date)`.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from xieshang.core import calendar, timers

from .models import AssignmentRole, AssignmentState

OPEN_STATES = (AssignmentState.ASSIGNED, AssignmentState.HANDLING)


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate()


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
    amount, unit = timers.timer(committee, "proposal.remind_before")
    return timers.apply(committee, -amount, unit, due_date)


def due_info(assignment, today: datetime.date | None = None) -> dict:
    """{"due_date", "days_left" (working days; negative when overdue), "overdue", "due_soon"}.

    Only an assignment that still owes a reply (to acknowledge or handling) can be overdue or due soon.
    """
    today = today or globals()["today"]()
    committee_id = assignment.proposal.committee_id
    due = assignment.due_date
    open_ = assignment.state in OPEN_STATES
    return {
        "due_date": due,
        "days_left": calendar.working_days_between(today, due, committee_id),
        "overdue": open_ and today > due,
        "due_soon": open_ and reminder_date(committee_id, due) <= today <= due,
    }
