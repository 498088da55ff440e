"""The search documents of meetings (core.search kind "meeting") and consultation topics (kind "topic").

- meeting: the title, the notice, the minutes and the place as the meeting's own words;
- topic: the title and the reason as its own words; the member, party or group, or special committee that
  submitted it as names.

Who finds what is the lists' business: the meetings and topics pages and the API search inside the user's own
visible queryset (selectors.meetings_visible_to, plan_selectors.topics_visible_to), so a hit the user may not
see never shows. Upkeep: `index_meetings` / `index_topics` (= core `index`) in the services' transaction, after
creating an object and after every Machine action (the Machines' `after_save`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xieshang.core import search
from xieshang.core.search import Document

from .models import ConsultationTopic, Meeting


def meeting_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = Meeting.objects.filter(pk__in=list(ids)).only(
        "id", "committee_id", "title", "notice", "minutes", "place", "year", "version")
    for meeting in rows:
        yield Document(
            kind="meeting", object_id=meeting.pk, committee_id=meeting.committee_id, title=meeting.title,
            body=meeting.notice, year=meeting.year, version=meeting.version, words=(meeting.minutes, meeting.place),
        )


def topic_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        ConsultationTopic.objects.filter(pk__in=list(ids)).select_related("member", "organization", "special_committee")
        .only("id", "committee_id", "title", "reason", "year", "version", "member__name", "organization__name",
              "special_committee__name")
    )
    for topic in rows:
        names = [row.name for row in (topic.member, topic.organization, topic.special_committee) if row is not None]
        yield Document(
            kind="topic", object_id=topic.pk, committee_id=topic.committee_id, title=topic.title, body=topic.reason,
            year=topic.year, version=topic.version, names=tuple(names),
        )


def index_meetings(ids) -> None:
    """Write the search documents of these meetings (ids or rows; in the caller's transaction)."""
    search.index("meeting", [ids] if isinstance(ids, Meeting) else list(ids))


def index_topics(ids) -> None:
    """Write the search documents of these topics (ids or rows; in the caller's transaction)."""
    search.index("topic", [ids] if isinstance(ids, ConsultationTopic) else list(ids))

