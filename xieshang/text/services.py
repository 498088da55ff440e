"""The text engine put to work: similar items for a user, suggestions for the office, what was chosen.

    similar(user, committee, title, body, kinds=KINDS, k=10, exclude=None)
        -> [{"id", "kind", "number", "title", "state", "state_label", "url", "score", "passages", "reply", …}]
        the k most similar earlier items the user may see (the apps' selectors decide; an item the user may
        not see is left out entirely — not even counted)
    suggest(committee, kind, title, body)
        -> {"categories": [{"code", "name", "score"}], "units": [{"id", "name", "score"}], "status", "message"}
        status "ok", "short" (too little text), "not_enough_history" or "unavailable" (no readable model)
    suggestion_record(committee, kind, obj, chosen, actor, title, body)
        called by the apps' services when the person decides: what was suggested then, what was chosen
    acceptance(committee) -> per kind {"n", "accepted", "rate"}

Who may ask: `may_ask_similar` (anyone working in the committee who drafts or reviews: members, keepers,
office, leaders) and `may_ask_suggestions` (office staff, admins and station keepers: those who decide).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from xieshang.core import clock
from xieshang.core.models import HandlingUnit, Role
from xieshang.core.selectors import roles_of

from . import engine, store
from .history import KIND_LABELS, KINDS, SOURCES
from .models import SuggestionKind, TextSuggestion

log = logging.getLogger(__name__)

# Cut before anything else: the engine cuts again to its own limits (title 200, body 20,000 characters).
TITLE_LIMIT = 1_000
BODY_LIMIT = 20_000
SIMILAR_K = 10
CATEGORY_K = 3
UNIT_K = 5
# One-click accept takes the first unit as lead and the next ones scoring at least this as co units.
CO_UNIT_SCORE = 0.5
CO_UNITS_MAX = 2

SIMILAR_ROLES = {Role.MEMBER, Role.STATION, Role.STAFF, Role.ADMIN, Role.LEADER}
SUGGEST_ROLES = {Role.STAFF, Role.ADMIN, Role.STATION}


def may_ask_similar(user, committee) -> bool:
    return bool(roles_of(user, committee) & SIMILAR_ROLES)


def may_ask_suggestions(user, committee) -> bool:
    return bool(roles_of(user, committee) & SUGGEST_ROLES)


def _cut(title, body):
    return str(title or "")[:TITLE_LIMIT], str(body or "")[:BODY_LIMIT]


def similar(user, committee, title, body, *, kinds=KINDS, k=SIMILAR_K, exclude=None) -> list[dict]:
    title, body = _cut(title, body)
    kinds = [kind for kind in (kinds or KINDS) if kind in SOURCES]  # none named: every kind
    if not kinds:
        return []
    excluded = {exclude} if exclude else set()
    # ask for more than k: some are of other kinds or hidden from this user
    matches = store.similar_query(committee, title, body, k=max(k * 5, 50), exclude=excluded)
    seen, picked = set(), []
    for m in matches:
        if m.id in seen or m.id[0] not in kinds:
            continue  # a re-added item's older text, or a kind not asked for
        seen.add(m.id)
        picked.append(m)
    by_kind = {}
    for m in picked:
        by_kind.setdefault(m.id[0], []).append(m.id[1])
    visible = {kind: SOURCES[kind].visible(user, committee, ids) for kind, ids in by_kind.items()}
    shown = [m for m in picked if m.id[1] in visible[m.id[0]]][:k]
    details = {}
    for kind in {m.id[0] for m in shown}:
        details[kind] = SOURCES[kind].details(user, [m.id[1] for m in shown if m.id[0] == kind])
    out = []
    for m in shown:
        d = details[m.id[0]].get(m.id[1])
        if d is None:
            continue
        out.append({"id": m.id[1], "kind": m.id[0], "kind_label": str(KIND_LABELS[m.id[0]]), "score": m.score,
                    "passages": m.passages, **d})
    return out


def _status_message(committee, kind) -> tuple[str, str]:
    entry = store.status(committee).get(kind) or {}
    if entry.get("ok") is False:
        return "not_enough_history", _(
            "No suggestion: not enough history yet (%(rows)s decided items; at least %(min)s are needed).") % {
            "rows": entry.get("rows", 0), "min": engine.MIN_ROWS}
    return "unavailable", _("No suggestion: the suggestions have not been trained for this committee yet, "
                            "or their file cannot be read.")


def suggest(committee, kind, title, body) -> dict:
    """Ranked categories and (for proposals and demands) units; never raises for bad text or a bad model."""
    title, body = _cut(title, body)
    out = {"categories": [], "units": [], "status": "ok", "message": ""}
    source = SOURCES.get(kind)
    if source is None:
        return out
    model = store.model(committee, kind)
    if model is None:
        out["status"], out["message"] = _status_message(committee, kind)
        return out
    try:
        categories = model.suggest_categories(title, body, k=CATEGORY_K)
        units = model.suggest_units(title, body, k=UNIT_K * 2) if kind != "opinion" else []
    except Exception:  # noqa: BLE001 — a model that fails to answer: no suggestion, the page works
        log.exception("text suggestion for %s %s failed", committee.code, kind)
        out["status"], out["message"] = "unavailable", _("No suggestion: the suggestion model failed.")
        return out
    if not categories:
        out["status"] = "short"
        return out
    out["categories"] = [{"code": s.name, "name": source.label(s.name, committee), "score": s.score} for s in categories]
    ids = [int(s.name) for s in units if s.name.isdigit()]
    names = {u.pk: str(u) for u in HandlingUnit.objects.filter(committee=committee, is_active=True, pk__in=ids)}
    out["units"] = [{"id": int(s.name), "name": names[int(s.name)], "score": s.score}
                    for s in units if s.name.isdigit() and int(s.name) in names][:UNIT_K]
    return out


def accept_units(units: list[dict]) -> list[int]:
    """The units one-click accept chooses: the first as lead, then co units scoring CO_UNIT_SCORE or more."""
    if not units:
        return []
    co = [u["id"] for u in units[1:] if u["score"] >= CO_UNIT_SCORE][:CO_UNITS_MAX]
    return [units[0]["id"], *co]


# ---- what was chosen --------------------------------------------------------------------------------------

def suggestion_record(*, committee, kind: str, obj, chosen, actor=None, title="", body="") -> TextSuggestion | None:
    """Record the decision on `obj` (kind: a SuggestionKind value) against what the engine suggests for its
    text now (the same model the page showed, unless retrained meanwhile). `chosen`: a category code, a unit
    id or a list of unit ids, the lead first. Nothing is recorded without a suggestion (no model, too short);
    never raises: a failure here must not undo the decision (it runs in a savepoint)."""
    try:
        with transaction.atomic():
            return _record(committee, kind, obj, chosen, actor, title, body)
    except Exception:  # noqa: BLE001
        log.exception("recording the text suggestion %s of %s failed", kind, getattr(obj, "pk", None))
        return None


def _record(committee, kind, obj, chosen, actor, title, body):
    source_kind, what = kind.split(".")
    result = suggest(committee, source_kind, title, body)
    ranked = result["categories"] if what == "category" else result["units"]
    chosen = [str(c) for c in (chosen if isinstance(chosen, list | tuple) else [chosen]) if c not in (None, "")]
    if not ranked or not chosen:
        return None
    suggested = [{"value": str(s.get("code", s.get("id"))), "score": s["score"]} for s in ranked]
    values = [s["value"] for s in suggested]
    accepted = chosen[0] == values[0] and set(chosen) <= set(values)
    # one row per decision: deciding again (registered again, edited again) replaces it
    row, _created = TextSuggestion.objects.update_or_create(
        committee=committee, kind=kind, object_id=obj.pk,
        defaults={"suggested": suggested, "chosen": chosen, "accepted": accepted, "decided_by": actor,
                  "at": clock.now()})
    return row


def acceptance(committee, year=None) -> list[dict]:
    """Per kind: decisions with a suggestion, how many took it as suggested, the rate (None without any)."""
    qs = TextSuggestion.objects.filter(committee=committee)
    if year:
        qs = qs.filter(at__year=year)
    counts = {r["kind"]: r for r in qs.values("kind").annotate(n=Count("id"), accepted_n=Count("id", filter=Q(accepted=True)))}
    out = []
    for value, label in SuggestionKind.choices:
        r = counts.get(value, {})
        n, accepted = r.get("n", 0), r.get("accepted_n", 0)
        out.append({"kind": value, "label": label, "n": n, "accepted": accepted,
                    "rate": round(accepted / n, 3) if n else None})
    return out


def units_text(committee, ids) -> str:
    """The names of the committee's active units among `ids` ("12,15": lead first), joined by 、 — what the
    assignment form takes as its suggestion. Ids of other committees' units are ignored."""
    wanted = [int(x) for x in str(ids or "").split(",")[:10] if x.strip().isascii() and x.strip().isdigit() and len(x.strip()) < 12]
    names = dict(HandlingUnit.objects.filter(committee=committee, is_active=True, pk__in=wanted).values_list("pk", "name"))
    return engine.UNIT_SEPARATOR.join(names[i] for i in wanted if i in names)
