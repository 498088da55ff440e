"""The text screens: the similar-items panel (drafting and review, htmx), the suggestions at review, the
acceptance rate. Thin: parse, call xieshang.text.services, render."""


from __future__ import annotations

import json
import time

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xieshang.core import clock
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import require_roles, screen

from . import services
from .history import KIND_LABELS, KINDS

TEXT_FIELDS = ("body", "situation", "analysis", "suggestion", "text")
OFFICE = ("staff", "admin")


def _kinds(value) -> list[str]:
    wanted = [k for k in str(value or "").replace(" ", "").split(",") if k in KINDS]
    return wanted or list(KINDS)


def _int(value):
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


@screen
@require_POST
def similar_panel(request):
    """htmx, while a member drafts: the ten most similar earlier items the user may see, with the passages
    that match. Posts the draft form's fields (title, body or the report's three parts) and `exclude`
    ("kind:id", the item being edited: left out)."""
    committee = _committee(request)
    if not services.may_ask_similar(request.user, committee):
        raise Http404
    post = request.POST
    title = post.get("title", "")
    body = "\n".join(post.get(name, "") for name in TEXT_FIELDS if post.get(name))
    exclude = None
    kind, _sep, pk = str(post.get("exclude", "")).partition(":")
    if kind in KINDS and _int(pk):
        exclude = (kind, _int(pk))
    elif pk := _int(post.get("proposal")):  # the proposal form's own hidden field
        exclude = ("proposal", pk)
    started = time.perf_counter()
    items = services.similar(request.user, committee, title, body, kinds=_kinds(post.get("kinds")), exclude=exclude)
    response = render(request, "text/_similar.html", {"items": items, "kind_labels": KIND_LABELS,
                                                      "asked": bool((title + body).strip()), "merge_from": None})
    response["Server-Timing"] = f"similar;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@screen
def review_panel(request, kind, pk):
    """htmx, at review (office staff): the suggestions for one proposal, demand or opinion report, each
    with one-click accept, and the similar items (proposals: with a merge button)."""
    from .history import SOURCES

    committee = _committee(request)
    require_roles(request, OFFICE + ("station",))
    if kind not in SOURCES:
        raise Http404
    source = SOURCES[kind]
    obj = source.model.objects.filter(committee=committee, pk=pk).first()
    if obj is None or pk not in source.visible(request.user, committee, [pk]):
        raise Http404
    title, body = source.text(obj)
    suggestion = services.suggest(committee, kind, title, body) if services.may_ask_suggestions(
        request.user, committee) else None
    items = services.similar(request.user, committee, title, body, exclude=(kind, pk))
    merge_from = obj if kind == "proposal" and obj.state in ("submitted", "registered") and set(
        services.roles_of(request.user, committee)) & set(OFFICE) else None
    accept_units = services.accept_units(suggestion["units"]) if suggestion and suggestion.get("units") else []
    register_fills = {}
    if kind == "proposal" and obj.state == "submitted":  # at registration: fill the register form's fields
        units = [["[name=register-lead_unit]", str(accept_units[0])],
                 ["[name=register-co_units]", [str(u) for u in accept_units[1:]]]] if accept_units else []
        categories = suggestion.get("categories") if suggestion else None
        category = [["[name=register-category]", categories[0]["code"]]] if categories else []
        register_fills = {"units": json.dumps(units), "all": json.dumps(category + units)} if units else {}
    return render(request, "text/_review.html", {
        "kind": kind, "obj": obj, "suggestion": suggestion, "items": items, "kind_labels": KIND_LABELS,
        "accept_units": accept_units, "register_fills": register_fills,
        "merge_from": merge_from, "asked": True, "part": request.GET.get("part", ""),
        "next_url": request.GET.get("next", ""),
    })


@screen
def acceptance(request):
    """Office staff: how often the suggestions were taken as suggested, per kind, this year and all years."""
    committee = _committee(request)
    require_roles(request, OFFICE)
    year = clock.today().year
    rows = services.acceptance(committee)
    this_year = {r["kind"]: r for r in services.acceptance(committee, year=year)}
    for r in rows:
        r["year"] = this_year[r["kind"]]
    from . import store

    labels = {**KIND_LABELS, "similar": _("similar items")}
    training = [{"kind": kind, "label": labels.get(kind, kind), "trained_at": s.get("trained_at", ""),
                 "ok": s.get("ok", True), "count": s.get("items", s.get("rows", 0))}
                for kind, s in store.status(committee).items() if isinstance(s, dict)]
    return render(request, "text/acceptance.html", {"rows": rows, "year": year, "training": training})
