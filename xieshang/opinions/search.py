"""The search documents of opinion reports (core.search kind "opinion"): title, text and number as the
report's own words; the submitters' names and their party, group or special committee as names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Prefetch

from xieshang.core.search import Document

from .models import OpinionAuthor, OpinionReport


def documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        OpinionReport.objects.filter(pk__in=list(ids))
        .select_related("organization", "special_committee")
        .prefetch_related(Prefetch("authors", queryset=OpinionAuthor.objects.select_related("member", "user").order_by("order", "id")))
        .only("id", "committee_id", "title", "situation", "analysis", "suggestion", "year", "number", "version",
              "organization__name", "special_committee__name")
    )
    for report in rows:
        names = [a.member.name if a.member_id else a.user.display_name for a in report.authors.all()]
        if report.organization_id:
            names.append(report.organization.name)
        if report.special_committee_id:
            names.append(report.special_committee.name)
        yield Document(
            kind="opinion", object_id=report.pk, committee_id=report.committee_id, title=report.title,
            body=report.body, year=report.year, version=report.version,
            words=(f"{report.year}-{report.number}" if report.number else "",),
            names=tuple(names),
        )
