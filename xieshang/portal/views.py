"""The public portal: no sign-in, only what the portal selectors make public."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from xieshang.core.addresses import client_address
from xieshang.core.errors import NotFound, ServiceError, page_error
from xieshang.core.screens import form_error

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
    form = PublicSearchForm(request.GET or None, years=selectors.public_years(committee), committee=committee)
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


def clue(request):
    """提案线索: anyone suggests a topic for a proposal (no account; name and contact optional). A robot that
    fills the hidden field is thanked and nothing is kept; too many suggestions from one address in an hour,
    or a form sent back too fast, get a message and keep what was typed. Never a 500 for bad input."""
    from xieshang.proposals import clue_selectors, clue_services
    from xieshang.proposals.clue_forms import PublicClueForm

    committee = _committee(request)
    calls = list(clue_selectors.open_calls(committee))
    context = {"committee": committee, "calls": calls, "committee_query": _committee_query(request)}
    status = 200
    if request.method == "POST":
        form = PublicClueForm(request.POST, calls=calls, committee=committee)
        if form.is_robot():
            return render(request, "portal/clue_thanks.html", context)
        if form.is_valid():
            try:
                clue_services.clue_submit_public(committee=committee, data=form.to_data(),
                                                 client=client_address(request) or "", request=request)
            except ServiceError as exc:
                form_error(request, form, exc)
                if not exc.field_errors:
                    form.add_error(None, str(exc.message))
                status = 429 if exc.detail == "rate_limited" else 422
            else:
                return render(request, "portal/clue_thanks.html", context)
        else:
            messages.error(request, _("Please correct the marked fields."))
            status = 422
    else:
        call = request.GET.get("call")
        form = PublicClueForm(calls=calls, initial={"call": call} if call else None, committee=committee)
    context["form"] = form
    return render(request, "portal/clue.html", context, status=status)
