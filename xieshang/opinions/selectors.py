"""Every read of opinion reports that depends on who asks: the one permission chokepoint of the app.

A report the user may not see is "not found" (404), the same as one that does not exist.

Visibility (`opinions_visible_to`):
  staff, administrators and leaders of the committee: every report that has been submitted (and their own drafts);
  everyone else: the reports they are an author of or created (a draft only to its authors), and the
           combined reports their own reports were combined into.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Commission, OpinionReport  # noqa: F401


def relations_of(user, report) -> set[str]:
    """How `user` stands to `report`: a subset of {"author", "staff", "leader"}; None (the scheduler) is {"system"}."""
    raise NotImplementedError


def can_see(user, report) -> bool:
    raise NotImplementedError


def opinions_visible_to(user, committee) -> QuerySet[OpinionReport]:
    raise NotImplementedError


def opinions_of(user, committee) -> QuerySet[OpinionReport]:
    """The user's own reports (author or creator), newest first."""
    raise NotImplementedError


def opinion_list(user, committee, *, state=None, group=None, year=None, q=None, submitter=None, commission=None,
                 sort=None) -> QuerySet[OpinionReport]:
    """The visible reports filtered and sorted (the pages, the API and the exports)."""
    raise NotImplementedError


def opinion_get(user, pk, committee=None) -> OpinionReport:
    """The report with what its detail shows (authors, versions, forwardings, adoptions, instructions) in a
    fixed number of queries; NotFound when `user` may not see it."""
    raise NotImplementedError


def available_actions(user, report) -> list:
    """The transitions `user` may carry out now (core Machine.available)."""
    raise NotImplementedError


def outcomes_of(user, report) -> list[dict]:
    """What became of the report (件件有回音): returned, edited, combined, declined, approved, forwarded,
    adopted (with level), instructions — oldest first, for its submitters' view."""
    raise NotImplementedError


def timeline_of(user, report):
    raise NotImplementedError


def versions_of(user, report):
    raise NotImplementedError


def approval_queue(user, committee) -> QuerySet[OpinionReport]:
    """Reports awaiting the leader's approval (and those in editing a leader may approve directly)."""
    raise NotImplementedError


def recipients_of(committee, *, active_only: bool = True):
    raise NotImplementedError


def commissions_visible_to(user, committee) -> QuerySet[Commission]:
    raise NotImplementedError


def commission_get(user, pk, committee=None) -> Commission:
    raise NotImplementedError


def commission_answers(user, commission) -> QuerySet[OpinionReport]:
    raise NotImplementedError


def bulletins_of(user, committee, *, year=None):
    raise NotImplementedError


def todos_for(user, committee) -> list[dict]:
    raise NotImplementedError
