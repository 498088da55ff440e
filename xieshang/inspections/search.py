"""The search documents of inspections (core.search kind "inspection") and supervision items (kind "supervision").

- inspection: the topic, the purpose, the findings, the report's title and text, the places and units of its
  visits and the recommendations as its own words; the sponsoring special committee and the report's author as
  names;
- supervision: the topic, the purpose, the findings, the report, the recommendations and the follow-up as its own
  words; the body supervised and the sponsoring special committee as names.

Who finds what is the lists' business: the pages search inside the user's own visible queryset
(selectors.inspections_visible_to / supervision_visible_to: a member only finds the items of their team), so a
hit the user may not see never shows. Upkeep: `index_inspections` / `index_supervision` (= core `index`) in the
services' transaction, after creating an item and after every Machine action (the Machines' `after_save`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Prefetch

from xieshang.core import search
from xieshang.core.search import Document

from .models import Inspection, Recommendation, SupervisionItem, Visit


def inspection_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        Inspection.objects.filter(pk__in=list(ids)).select_related("special_committee", "report_author")
        .prefetch_related(Prefetch("visits", queryset=Visit.objects.order_by("date", "id").only(
                              "id", "inspection_id", "place", "units")),
                          Prefetch("recommendations", queryset=Recommendation.objects.order_by("number", "id").only(
                              "id", "inspection_id", "text")))
        .only("id", "committee_id", "title", "purpose", "findings", "report_title", "report_text", "year", "version",
              "special_committee__name", "report_author__name")
    )
    for obj in rows:
        visits = [text for v in obj.visits.all() for text in (v.place, v.units)]
        names = [row.name for row in (obj.special_committee, obj.report_author) if row is not None]
        yield Document(
            kind="inspection", object_id=obj.pk, committee_id=obj.committee_id, title=obj.title, body=obj.purpose,
            year=obj.year, version=obj.version,
            words=(obj.findings, obj.report_title, obj.report_text, *visits,
                   *(r.text for r in obj.recommendations.all())),
            names=tuple(names),
        )


def supervision_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        SupervisionItem.objects.filter(pk__in=list(ids)).select_related("special_committee")
        .prefetch_related(Prefetch("recommendations", queryset=Recommendation.objects.order_by("number", "id").only(
            "id", "supervision_id", "text")))
        .only("id", "committee_id", "title", "body", "purpose", "findings", "report_text", "follow_up", "year",
              "version", "special_committee__name")
    )
    for obj in rows:
        yield Document(
            kind="supervision", object_id=obj.pk, committee_id=obj.committee_id, title=obj.title, body=obj.purpose,
            year=obj.year, version=obj.version, words=(obj.findings, obj.report_text,
                                                              *(r.text for r in obj.recommendations.all()),
                                                              obj.follow_up),
            names=(obj.body, obj.special_committee.name if obj.special_committee_id else ""),
        )


def index_inspections(ids) -> None:
    """Write the search documents of these inspections (ids or rows; in the caller's transaction)."""
    search.index("inspection", [ids] if isinstance(ids, Inspection) else list(ids))


def index_supervision(ids) -> None:
    """Write the search documents of these supervision items (ids or rows; in the caller's transaction)."""
    search.index("supervision", [ids] if isinstance(ids, SupervisionItem) else list(ids))
