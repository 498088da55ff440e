"""Background exports of opinion reports (xieshang.core.exports kind "opinions"): the list any length, written
by the worker as the requesting user — through `selectors.opinion_list`, so with exactly the rows that user
may see — with the columns of the office's list (`lists.INBOX`, the page's own export) in chunks of
ROWS_PER_CHUNK (the outcomes of each chunk in a fixed number of queries).

params (text values, as a query string gives them): state, group, year, q, submitter, commission, mine, sort.
"""

from __future__ import annotations

from . import page_selectors, selectors

ROWS_PER_CHUNK = 500
PARAMS = ("state", "group", "year", "q", "submitter", "commission", "mine", "sort")


def _params(params: dict) -> dict:
    out = {key: params.get(key) or None for key in PARAMS}
    for key in ("year", "submitter", "commission"):
        out[key] = selectors._int(out[key]) if out[key] else None
    out["mine"] = str(params.get("mine") or "").lower() in ("1", "true", "yes", "on")
    if out["group"] and out["group"] not in selectors.workflow.GROUPS:
        out["group"] = None
    return out


def _rows(user, committee, params: dict):
    ids = list(selectors.opinion_list(user, committee, **_params(params)).values_list("pk", flat=True))
    for start in range(0, len(ids), ROWS_PER_CHUNK):
        chunk = ids[start:start + ROWS_PER_CHUNK]
        rows = {r.pk: r for r in page_selectors.with_outcomes(
            selectors.OpinionReport.objects.filter(pk__in=chunk).select_related("commission"))}
        yield from (rows[pk] for pk in chunk if pk in rows)


def write_opinion_list(handle, *, user, committee, params: dict) -> int:
    """Write the reports `user` sees in `committee` with the filters `params` as an .xlsx workbook into
    `handle`; returns the number of rows written."""
    from .lists import INBOX

    return INBOX.write_xlsx(handle, _rows(user, committee, params or {}))
