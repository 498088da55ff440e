"""The Excel files of the demand lists (`?format=xlsx` on a list page): the same filtered and sorted rows as
the page, all pages, with the columns of the list's "export" layout (lists.py) through core.exports (a
title row and the header frozen under it; dates as dates, working days left and reopenings as numbers,
text never a formula). Written in chunks of ROWS_PER_CHUNK (each chunk's places and units in one query).
The citizen's name and phone are never written."""

from __future__ import annotations

import datetime

from . import page_selectors
from xieshang.core.lists import EXPORT_MAX_ROWS

ROWS_PER_CHUNK = 500


def _rows(qs, today: datetime.date):
    ids = list(qs.values_list("pk", flat=True)[:EXPORT_MAX_ROWS])
    model = qs.model
    for start in range(0, len(ids), ROWS_PER_CHUNK):
        chunk = ids[start:start + ROWS_PER_CHUNK]
        by_id = {r.pk: r for r in page_selectors.demand_rows(model.objects.filter(pk__in=chunk))}
        yield from page_selectors.with_due((by_id[pk] for pk in chunk if pk in by_id), today)


def write_demand_list(handle, listdef, qs, *, today: datetime.date | None = None) -> int:
    """Write the demands of `qs` (visible, filtered and ordered by the caller) as an .xlsx workbook into
    `handle`; returns the number of rows written."""
    from django.utils.translation import gettext

    from xieshang.core import clock

    return listdef.write_xlsx(handle, _rows(qs, today or clock.today()), labels={"late": gettext("late")})
