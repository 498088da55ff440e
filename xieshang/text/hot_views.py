"""Hot topics (热点) pages: the statistics page (this year against last, by kind, Excel export) and the
leader's workbench card (loaded with htmx after the page). Statistics roles only (staff, administrators,
leaders: reports.selectors); anyone else gets the 404 of a page that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xieshang.core import clock
from xieshang.core.errors import NotFound, page_error
from xieshang.core.imports import XLSX_CONTENT_TYPE
from xieshang.core.middleware import committee_of_request
from xieshang.reports.selectors import default_year, sessions_of, statistics_committee

from . import hot

CARD_TOPICS = 5
PAGE_TOPICS = 20


def _committee(request):
    try:
        return statistics_committee(request.user, committee_of_request(request))
    except NotFound as exc:
        raise page_error(exc) from None


def _year(request, committee) -> int:
    value = request.GET.get("year", "")
    if value:
        if not (value.isascii() and value.isdigit() and len(value) == 4) or not 2000 <= int(value) <= 2200:
            raise Http404
        return int(value)
    return default_year(committee) or clock.today().year


def _years(committee, year: int) -> list[int]:
    years = set(sessions_of(committee).values_list("year", flat=True)) | {year, clock.today().year}
    return sorted(years, reverse=True)


def kind_labels() -> dict:
    return {"proposal": _("Proposals"), "opinion": _("Opinion reports"), "demand": _("Citizens' demands")}


def _rows(topics):
    labels = kind_labels()
    return [{"topic": t, "kinds": [{"kind": k, "label": labels[k], "count": t.by_kind[k][0],
                                    "last_year": t.by_kind[k][1]} for k in hot.KINDS]} for t in topics]


def _topics(request, k: int, *, examples: bool = True):
    """(committee, year, topics) of the request: the committee if the user may see its statistics (else
    404), the year asked (else the current session's), its `k` hot topics (examples the user may see)."""
    committee = _committee(request)
    year = _year(request, committee)
    return committee, year, hot.hot_topics(committee, year, k=k, viewer=request.user if examples else None)


@login_required
def page(request):
    committee, year, topics = _topics(request, PAGE_TOPICS)
    return render(request, "text/hot_page.html", {
        "committee": committee, "year": year, "last_year": year - 1, "years": _years(committee, year),
        "rows": _rows(topics), "kind_labels": kind_labels(),
        "export_url": reverse("reports:hot_export") + f"?year={year}",
    })


@login_required
def card(request):
    """The workbench card and the statistics pages' section: the year's first hot topics (an htmx fragment)."""
    _unused, year, topics = _topics(request, CARD_TOPICS)
    return render(request, "text/hot_card.html", {
        "year": year, "topics": topics, "page_url": reverse("reports:hot") + f"?year={year}",
    })


@login_required
def export(request):
    committee, year, topics = _topics(request, PAGE_TOPICS, examples=False)  # counts only
    content = workbook(topics, year, committee.name)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"热点_{committee.code}_{year}.xlsx")
    return response


def workbook(topics, year: int, committee_name: str) -> bytes:
    """One sheet: the theme, this year's and last year's counts, the change, and both years by kind."""
    from openpyxl import Workbook

    from xieshang.core.exports import Col, workbook_bytes, write_table

    labels = kind_labels()
    wb = Workbook()
    sheet = wb.active
    sheet.title = _("Hot topics")[:31]
    columns = [Col(_("Theme"), "text", 24), Col(str(year), "number"), Col(str(year - 1), "number"),
               Col(pgettext("hot topic", "Change"), "number")]
    for kind in hot.KINDS:
        columns += [Col(f"{labels[kind]} {year}", "number"), Col(f"{labels[kind]} {year - 1}", "number")]
    rows = [[t.label, t.count, t.last_year, t.change, *[n for kind in hot.KINDS for n in t.by_kind[kind]]]
            for t in topics]
    write_table(sheet, title=f"{committee_name} · {_('Hot topics')} · {year}", columns=columns, rows=rows)
    return workbook_bytes(wb)
