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


def _info(committee_id, due, state, today, remind: tuple[int, str]) -> dict:
    open_ = state in OPEN_STATES
    days = calendar.working_days_between(today, due, committee_id)
    return {
        "due_date": due,
        "days_left": days,
        "days_abs": abs(days),
        "overdue": open_ and today > due,
        "due_soon": open_ and timers.apply(committee_id, -remind[0], remind[1], due) <= today <= due,
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
                remind[cid] = timers.timer(cid, "proposal.remind_before")
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
                 timers.timer(committee_id, "proposal.remind_before"))
