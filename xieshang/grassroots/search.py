"""The search documents of demands (core.search kind "demand"): the text and the tracking code as the
demand's own words; the place and the unit as names. The citizen's name and phone are never indexed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xieshang.core.search import Document

from .models import Demand


def documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        Demand.objects.filter(pk__in=list(ids)).select_related("place", "unit")
        .only("id", "committee_id", "text", "tracking_code", "received_on", "version", "place__name", "unit__name")
    )
    for demand in rows:
        names = [demand.place.name] + ([demand.unit.name] if demand.unit_id else [])
        yield Document(
            kind="demand", object_id=demand.pk, committee_id=demand.committee_id, title=demand.text[:60],
            body=demand.text, year=demand.received_on.year, version=demand.version,
            words=(demand.tracking_code,), names=tuple(names),
        )
