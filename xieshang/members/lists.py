"""履职档案 list: the committee's members with the year's score, band and ranks (core.lists.ListDef: the page's
head and the Excel export read one definition). Scores are computed in Python (selectors.score_table), so the
filters, the search and the sorts are applied to the rows here, not in the database."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy

from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort


def _special_text(row, labels=None) -> str:
    return "、".join(f"{name} {rank or '—'}/{size}" for name, rank, size in row.special)


_COLUMNS = (
    Column("rank", gettext_lazy("Rank"), sort="rank", value=lambda r, labels: r.rank, numeric=True),
    Column("name", gettext_lazy("Name"), sort="name", value=lambda r, labels: r.member.name),
    Column("sector", gettext_lazy("Sector"), sort="sector", value=lambda r, labels: r.sector_name),
    Column("special", gettext_lazy("Special committees"), value=lambda r, labels: r.special_names),
    Column("computed", gettext_lazy("Computed"), value=lambda r, labels: r.computed, numeric=True),
    Column("adjustment", gettext_lazy("Adjustment"), value=lambda r, labels: r.adjustment or None, numeric=True),
    Column("total", gettext_lazy("Total"), sort="total", value=lambda r, labels: r.total, numeric=True),
    Column("band", gettext_lazy("Grade"), value=lambda r, labels: r.band),
    Column("sector_rank", gettext_lazy("Rank in the sector"), value=lambda r, labels: r.sector_rank, numeric=True),
    Column("special_rank", gettext_lazy("Rank in special committees"), value=_special_text),
)

SCORES = ListDef(
    name="member-scores", columns=_COLUMNS,
    sorts=(Sort("rank", gettext_lazy("Best first"), ("name",)), Sort("-rank", gettext_lazy("Lowest first"), ("name",)),
           Sort("name", gettext_lazy("Name"), ("name",)), Sort("sector", gettext_lazy("Sector"), ("name",)),
           Sort("total", gettext_lazy("Lowest total first"), ("name",)),
           Sort("-total", gettext_lazy("Highest total first"), ("name",))),
    default_sort="rank",
    filters=(Filter("q", gettext_lazy("Search"), "text"), Filter("year", gettext_lazy("Year"), "int"),
             Filter("sector", gettext_lazy("Sector"), "int"),
             Filter("special", gettext_lazy("Special committee"), "int"),
             Filter("band", gettext_lazy("Grade"), "choice")),
    layouts={"page": Layout(("rank", "name", "sector", "special", "total", "band", "sector_rank")),
             "export": Layout(tuple(c.key for c in _COLUMNS), title=gettext_lazy("Duty scores"))},
    default_page_size=50,
)

_NONE_LAST = 10 ** 9


def _key(sort: str):
    import decimal

    def total(row):
        return row.total if row.total is not None else decimal.Decimal(-10 ** 9)

    return {
        "rank": lambda r: (r.rank or _NONE_LAST, r.member.name, r.member.pk),
        "-rank": lambda r: (-(r.rank or _NONE_LAST), r.member.name, r.member.pk),
        "name": lambda r: (r.member.name, r.member.pk),
        "sector": lambda r: (r.sector_name == "", r.sector_name, r.rank or _NONE_LAST, r.member.name),
        "total": lambda r: (total(r), r.member.name, r.member.pk),
        "-total": lambda r: (-total(r), r.member.name, r.member.pk),
    }[sort]


def as_int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def filtered(rows: list, params) -> list:
    """The rows the filters keep (q: in the name; sector, special: ids; band: a band's name), sorted by `sort`."""
    q = str(params.get("q") or "").strip()[:40]
    sector, special = as_int(params.get("sector")), as_int(params.get("special"))
    band = str(params.get("band") or "").strip()
    out = [
        r for r in rows
        if (not q or q.casefold() in r.member.name.casefold())
        and (sector is None or r.member.sector_id == sector)
        and (special is None or any(s.pk == special for s in r.member.special_committees.all()))
        and (not band or r.band == band)
    ]
    return sorted(out, key=_key(SCORES.sort(params.get("sort")).key))


def page_of(rows: list, request):
    return Paginator(rows, SCORES.page_size(request.GET.get("page_size"))).get_page(request.GET.get("page"))
