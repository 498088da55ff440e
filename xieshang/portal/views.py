"""The public portal: no sign-in, only what the portal selectors make public."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from xieshang.core.errors import NotFound, page_error

from . import selectors
from .forms import PublicSearchForm

PER_PAGE = 20


def _committee(request):
    try:
        return selectors.portal_committee(request.GET.get("committee") or None)
    except NotFound as exc:
        raise page_error(exc) from None


def _committee_query(request) -> str:
    code = request.GET.get("committee")
    return urlencode({"committee": code}) if code else ""


def home(request):
    committee = _committee(request)
    latest = list(selectors.public_proposals(committee)[:5])
    return render(request, "portal/home.html", {
        "committee": committee, "latest": latest, "committees": selectors.portal_committees(),
        "committee_query": _committee_query(request),
    })


def proposals(request):
    committee = _committee(request)
    form = PublicSearchForm(request.GET or None, years=selectors.public_years(committee))
    params = form.params()
    page = Paginator(selectors.public_proposals(committee, params), PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in params.items()}
    if request.GET.get("committee"):
        query["committee"] = request.GET["committee"]
    return render(request, "portal/proposals.html", {
        "committee": committee, "form": form, "page": page, "page_query": urlencode(query),
        "committee_query": _committee_query(request),
    })


def proposal(request, pk: int):
    committee = _committee(request)
    try:
        item = selectors.public_proposal_get(committee, pk)
    except NotFound as exc:
        raise page_error(exc) from None
    return render(request, "portal/proposal.html", {
        "committee": committee, "p": item, "committee_query": _committee_query(request),
    })
