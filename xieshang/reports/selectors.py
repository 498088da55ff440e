"""Reads of the reports app that depend on who asks: the permission chokepoint of the statistics pages.

The statistics of a committee are for its office staff, administrators and leaders; anyone else gets
NotFound (404), the same as a committee that does not exist. Importing past proposals is for office
staff and administrators.
"""

from __future__ import annotations

from django.db.models import QuerySet

from xieshang.core.errors import NotFound
from xieshang.core.models import Role, Session
from xieshang.core.selectors import has_role

STATS_ROLES = (Role.STAFF, Role.ADMIN, Role.LEADER)
IMPORT_ROLES = (Role.STAFF, Role.ADMIN)


def may_see_statistics(user, committee) -> bool:
    return committee is not None and has_role(user, committee, *STATS_ROLES)


def statistics_committee(user, committee):
    """The committee if `user` may see its statistics; NotFound otherwise."""
    if not may_see_statistics(user, committee):
        raise NotFound()
    return committee


def import_committee(user, committee):
    """The committee if `user` may import proposals into it; NotFound otherwise."""
    if committee is None or not has_role(user, committee, *IMPORT_ROLES):
        raise NotFound()
    return committee


def sessions_of(committee) -> QuerySet[Session]:
    """The committee's sessions, latest first (for the year and session selectors)."""
    return Session.objects.filter(term__committee=committee).select_related("term").order_by("-year", "-term__number", "-number")


def default_year(committee) -> int | None:
    """The year the statistics page opens on: the current session's, else the latest session's."""
    sessions = sessions_of(committee)
    current = sessions.filter(is_current=True, term__is_current=True).first() or sessions.first()
    return current.year if current else None
