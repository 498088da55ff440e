"""Downloads of the opinion reports' official papers (documents.py): the bulletin issue as Word and the
year's adopted reports as Excel. Thin: check through selectors (hidden → 404), build, answer the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from xieshang.core import clock
from xieshang.core.documents import DOCX
from xieshang.core.errors import NotFound
from xieshang.core.exports import XLSX
from xieshang.core.middleware import committee_of_request

from . import documents, selectors

FIRST_YEAR, LAST_YEAR = 2000, 2200


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def year_of(value) -> int | None:
    """A year from a query string ("" or anything odd: None)."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


@login_required
def bulletin_docx(request, pk: int):
    """《社情民意》第 N 期 as Word: office staff, administrators and leaders of the committee (404 otherwise)."""
    committee = committee_of_request(request)
    if committee is None:
        raise Http404
    try:
        bulletin = selectors.bulletin_get(request.user, pk, committee=committee)
    except NotFound:
        raise Http404 from None
    return file_response(documents.bulletin_docx(bulletin), DOCX, documents.bulletin_filename(bulletin))


@login_required
def adopted_xlsx(request):
    """The year's adopted reports (`?year=`, default this year) as Excel: office staff, administrators and
    leaders (404 otherwise)."""
    committee = committee_of_request(request)
    if not documents.may_see_adopted(request.user, committee):
        raise Http404
    year = year_of(request.GET.get("year")) or clock.today().year
    content, _rows = documents.adopted_xlsx(committee, year)
    return file_response(content, XLSX, documents.adopted_filename(committee, year))
