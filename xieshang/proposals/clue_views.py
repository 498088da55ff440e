"""The screens of proposal clues (提案线索) and calls (线索征集). Thin: a form, one service or selector, render.

A clue or call the user may not see is the 404 page; a service error lands on the form with what was typed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import categories, clock
from xieshang.core.errors import Forbidden, ServiceError
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import form_error, screen
from xieshang.core.selectors import member_of, roles_of

from . import clue_selectors as sel
from . import clue_services as services
from .clue_forms import REVIEW_FORMS, ClueCallForm, ClueForm, DuplicateForm
from .clue_workflow import CALL_TRANSITIONS, CLUE_GROUPS, CLUE_TRANSITIONS, call_is_open
from .models import ClueState

PER_PAGE = 20


def _may_suggest(request, committee) -> bool:
    return member_of(request.user, committee) is not None or sel.is_office(request.user, committee)


def _require_some_role(request, committee) -> None:
    if not roles_of(request.user, committee):
        raise Http404


def _submitted(request, form, write, done: str):
    """A posted form: valid → `write(data)` (a service) → the message `done`, and the written row; a service
    error lands on the form (what was typed stays); None while the page must be shown again."""
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return None
    try:
        row = write(form.to_data())
    except ServiceError as exc:
        form_error(request, form, exc)
        return None
    messages.success(request, done)
    return row


# --- Calls -------------------------------------------------------------------------------------------------


@screen
def calls(request):
    committee = _committee(request)
    _require_some_role(request, committee)
    office = sel.is_office(request.user, committee)
    form = None
    if office and request.method == "POST":
        form = ClueCallForm(request.POST, committee=committee)
        call = _submitted(request, form, lambda data: services.clue_call_create(
            actor=request.user, committee=committee, data=data), _("The call is saved. Publish it when it is ready."))
        if call is not None:
            return redirect("proposals:clue_call", call.pk)
    elif office:
        form = ClueCallForm(committee=committee)
    page = Paginator(sel.call_list(request.user, committee), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "proposals/clues/calls.html", {"page_obj": page, "form": form, "office": office})


@screen
def call_detail(request, pk):
    committee = _committee(request)
    call = sel.call_get(request.user, pk, committee)
    office = sel.is_office(request.user, committee)
    form = None
    if office and request.method == "POST":
        form = ClueCallForm(request.POST, committee=committee)
        if _submitted(request, form, lambda data: services.clue_call_update(
                actor=request.user, call=call, data=data, expected_version=request.POST.get("version")),
                _("The call is saved.")) is not None:
            return redirect("proposals:clue_call", call.pk)
    elif office and call.state != "closed":
        form = ClueCallForm(committee=committee, initial={
            "session": call.session_id, "title": call.title, "text": call.text,
            "opens_on": call.opens_on, "closes_on": call.closes_on,
        })
    actions = services.CALL_MACHINE.available(request.user, call) if office else []
    clues = sel.clue_list(request.user, committee, {"call": call.pk})[:50]
    return render(request, "proposals/clues/call_detail.html", {
        "call": call, "form": form, "actions": actions, "clues": clues, "office": office,
        "taking": call_is_open(call, clock.today()),
        "may_suggest": _may_suggest(request, committee),
    })


@screen
@require_POST
def call_act(request, pk, action):
    committee = _committee(request)
    if action not in CALL_TRANSITIONS:
        raise Http404
    call = sel.call_get(request.user, pk, committee)
    try:
        services.clue_call_act(actor=request.user, call=call, action=action,
                               expected_version=request.POST.get("version"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        if isinstance(exc, Forbidden):
            raise
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": CALL_TRANSITIONS[action].label})
    return redirect("proposals:clue_call", call.pk)


# --- Clues -------------------------------------------------------------------------------------------------


@screen
def clues(request):
    committee = _committee(request)
    _require_some_role(request, committee)
    params = {k: request.GET.get(k, "") for k in ("group", "state", "call", "category", "q", "mine")}
    page = Paginator(sel.clue_list(request.user, committee, params), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "proposals/clues/list.html", {
        "page_obj": page, "params": params, "office": sel.is_office(request.user, committee),
        "may_suggest": _may_suggest(request, committee), "groups": CLUE_GROUPS, "states": ClueState.choices,
        "categories": categories.catalogue(committee).choices(every=True),
    })


@screen
def clue_new(request):
    committee = _committee(request)
    if not _may_suggest(request, committee):
        raise Http404
    calls = list(sel.open_calls(committee))
    if request.method == "POST":
        form = ClueForm(request.POST, calls=calls, committee=committee)
        clue = _submitted(request, form, lambda data: services.clue_submit(
            actor=request.user, committee=committee, data=data), _("Thank you: your clue was sent to the office."))
        if clue is not None:
            return redirect("proposals:clue", clue.pk)
    else:
        call = request.GET.get("call")
        form = ClueForm(calls=calls, initial={"call": call} if call else None, committee=committee)
    return render(request, "proposals/clues/form.html", {"form": form})


def _review_forms(user, clue, committee, bound=None) -> list[dict]:
    """The office's review actions the machine offers now, each with its form (the bound one after an error)."""
    entries = []
    others = None
    for t in services.CLUE_MACHINE.available(user, clue):
        if bound and bound[0] == t.action:
            form = bound[1]
        elif t.action == "mark_duplicate":
            if others is None:
                others = list(sel.clues_visible_to(user, committee).exclude(pk=clue.pk).exclude(
                    state__in=(ClueState.DECLINED, ClueState.DUPLICATE)).order_by("-id")[:200])
            form = DuplicateForm(others=others, prefix=t.action)
        else:
            form = REVIEW_FORMS[t.action](prefix=t.action)
        entries.append({"action": t.action, "label": t.label, "form": form, "danger": t.action != "accept",
                        "confirm": True})
    return entries


def _detail(request, clue, committee, bound=None, status=200):
    drafts = list(sel.clue_drafts_of(request.user, clue)[:50])
    may_draft = clue.state == ClueState.ACCEPTED and member_of(request.user, committee) is not None
    return render(request, "proposals/clues/detail.html", {
        "clue": clue, "drafts": drafts, "reviews": _review_forms(request.user, clue, committee, bound),
        "office": sel.is_office(request.user, committee), "may_draft": may_draft,
        "client_key": uuid.uuid4().hex,
    }, status=status)


@screen
def clue_detail(request, pk):
    committee = _committee(request)
    return _detail(request, sel.clue_get(request.user, pk, committee), committee)


@screen
@require_POST
def clue_act(request, pk, action):
    committee = _committee(request)
    if action not in CLUE_TRANSITIONS:
        raise Http404
    clue = sel.clue_get(request.user, pk, committee)
    if action == "mark_duplicate":
        others = sel.clues_visible_to(request.user, committee).exclude(pk=clue.pk)[:200]
        form = DuplicateForm(request.POST, others=others, prefix=action)
    else:
        form = REVIEW_FORMS[action](request.POST, prefix=action)
    status = 200
    if form.is_valid():
        try:
            services.clue_act(actor=request.user, clue=clue, action=action, data=form.cleaned_data,
                              expected_version=request.POST.get("version"))
        except ServiceError as exc:
            form_error(request, form, exc)
            status = 403 if isinstance(exc, Forbidden) else 200
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": CLUE_TRANSITIONS[action].label})
            return redirect("proposals:clue", clue.pk)
    else:
        messages.error(request, _("Please correct the marked fields."))
    clue = sel.clue_get(request.user, pk, committee)
    return _detail(request, clue, committee, bound=(action, form), status=status)


@screen
@require_POST
def clue_draft(request, pk):
    committee = _committee(request)
    clue = sel.clue_get(request.user, pk, committee)
    try:
        proposal = services.proposal_from_clue(actor=request.user, clue=clue,
                                               client_key=request.POST.get("client_key"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        if isinstance(exc, Forbidden):
            raise
        return redirect("proposals:clue", clue.pk)
    messages.success(request, _("A draft proposal was started from the clue. Complete it and submit it."))
    return redirect(reverse("proposals:edit", args=[proposal.pk]))

