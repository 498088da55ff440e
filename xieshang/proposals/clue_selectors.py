"""Every read of proposal clues (提案线索) and calls (线索征集) that depends on who asks.

Visibility:
  calls: office staff and administrators see every call of the committee; every other role of the committee
         (members, leaders, units, station keepers) the published ones (open or closed); the public portal
         only the calls open today (`open_calls`).
  clues: office staff and administrators see every clue; members and leaders the accepted ones and the
         ones they suggested themselves; nobody else any (the public suggests, never reads).
A call or clue the user may not see is NotFound, the same as a missing one.
Relations (the actors of clue_workflow): "staff" (office staff or administrator), "submitter" (who
suggested the clue).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xieshang.core import categories, clock
from xieshang.core.errors import NotFound
from xieshang.core.models import Role
from xieshang.core.selectors import roles_of
from xieshang.core.workflow import as_id

from .clue_workflow import CALL_GROUPS, CLUE_GROUPS
from .models import ClueCall, ClueCallState, ClueState, ProposalClue

OFFICE = frozenset({Role.STAFF, Role.ADMIN})
READERS = frozenset({Role.MEMBER, Role.LEADER})  # see the accepted clues


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _cid(committee):
    return getattr(committee, "pk", committee)


def is_office(user, committee) -> bool:
    return _authenticated(user) and bool(roles_of(user, _cid(committee)) & OFFICE)


# --- Calls ------------------------------------------------------------------------------------------------


def calls_visible_to(user, committee) -> QuerySet[ClueCall]:
    if not _authenticated(user):
        return ClueCall.objects.none()
    roles = roles_of(user, _cid(committee))
    qs = ClueCall.objects.filter(committee_id=_cid(committee))
    if roles & OFFICE:
        return qs
    if roles:
        return qs.filter(state__in=CALL_GROUPS["published"])
    return qs.none()


def call_list(user, committee) -> QuerySet[ClueCall]:
    """The calls `user` sees, newest first, each with `clue_count` (the clues `user` sees in it)."""
    clues = Q(clues__in=clues_visible_to(user, committee))
    return (
        calls_visible_to(user, committee)
        .select_related("session__term")
        .annotate(clue_count=Count("clues", filter=clues, distinct=True))
        .order_by("-opens_on", "-id")
    )


def call_get(user, pk, committee) -> ClueCall:
    number = as_id(pk)
    call = calls_visible_to(user, committee).select_related("session__term").filter(pk=number).first() if number else None
    if call is None:
        raise NotFound()
    return call


def call_relations(user, call) -> set[str]:
    if user is None:
        return {"system"}
    return {"staff"} if is_office(user, call.committee_id) else set()


def call_can_see(user, call) -> bool:
    if user is None:
        return True
    return calls_visible_to(user, call.committee_id).filter(pk=call.pk).exists()


def open_calls(committee, today=None) -> QuerySet[ClueCall]:
    """The calls taking suggestions today (what the public portal and the clue forms offer)."""
    today = today or clock.today()
    return (
        ClueCall.objects.filter(committee_id=_cid(committee), state=ClueCallState.OPEN, opens_on__lte=today,
                                closes_on__gte=today)
        .select_related("session__term")
        .order_by("closes_on", "id")
    )


# --- Clues ------------------------------------------------------------------------------------------------


def clues_visible_to(user, committee) -> QuerySet[ProposalClue]:
    if not _authenticated(user):
        return ProposalClue.objects.none()
    roles = roles_of(user, _cid(committee))
    qs = ProposalClue.objects.filter(committee_id=_cid(committee))
    if roles & OFFICE:
        return qs
    own = Q(submitted_by=user)
    if roles & READERS:
        return qs.filter(own | Q(state__in=CLUE_GROUPS["listed"]))
    return qs.filter(own) if roles else qs.none()


def clue_relations(user, clue) -> set[str]:
    if user is None:
        return {"system"}
    if not _authenticated(user):
        return set()
    relations = set()
    if is_office(user, clue.committee_id):
        relations.add("staff")
    if clue.submitted_by_id == user.pk:
        relations.add("submitter")
    return relations


def clue_can_see(user, clue) -> bool:
    if user is None:
        return True
    if not _authenticated(user):
        return False
    if clue.submitted_by_id == user.pk or is_office(user, clue.committee_id):
        return True
    return clue.state in CLUE_GROUPS["listed"] and bool(roles_of(user, clue.committee_id) & READERS)


def clue_list(user, committee, params: dict | None = None) -> QuerySet[ProposalClue]:
    """The clues `user` sees, filtered by `params` (strings as from a query string): state, group
    (to_review / listed / final), call (id), category, mine ("1"), q (words in the subject or text).
    Each row carries `draft_count` (the proposals started from it). One query, whatever the rows."""
    params = params or {}
    qs = clues_visible_to(user, committee)
    if (state := params.get("state")) in ClueState.values:
        qs = qs.filter(state=state)
    if (group := params.get("group")) in CLUE_GROUPS:
        qs = qs.filter(state__in=CLUE_GROUPS[group])
    if (call := as_id(params.get("call"))) is not None:
        qs = qs.filter(call_id=call)
    if (category := params.get("category")) and category in categories.catalogue(committee):
        qs = qs.filter(category=category)
    if str(params.get("mine") or "") in ("1", "true", "True") and _authenticated(user):
        qs = qs.filter(submitted_by=user)
    text = str(params.get("q") or "").strip()[:100]
    for word in text.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return (
        qs.select_related("call", "submitted_by", "duplicate_of")
        .annotate(draft_count=Count("proposals", distinct=True))
        .order_by("-created_at", "-id")
    )


def clue_get(user, pk, committee) -> ProposalClue:
    number = as_id(pk)
    clue = (
        ProposalClue.objects.select_related("call__session__term", "submitted_by", "duplicate_of", "reviewed_by")
        .annotate(draft_count=Count("proposals", distinct=True))
        .filter(pk=number, committee_id=_cid(committee)).first()
        if number else None
    )
    if clue is None or not clue_can_see(user, clue):
        raise NotFound()
    return clue


def clue_drafts_of(user, clue) -> QuerySet:
    """The proposals started from `clue` that `user` may see (through the proposals' own chokepoint)."""
    from .selectors import proposals_visible_to

    return proposals_visible_to(user, clue.committee_id).filter(clue=clue).select_related("lead_proposer")


def clues_to_review(committee) -> QuerySet[ProposalClue]:
    """The office's queue: the clues waiting for review (the to-do and the list's group "to_review")."""
    return ProposalClue.objects.filter(committee_id=_cid(committee), state__in=CLUE_GROUPS["to_review"])


# --- The workbench's to-dos ---------------------------------------------------------------------------------


def todos_for(user, committee) -> list[dict]:
    from django.utils.translation import gettext as _

    from .selectors import url_or_hash

    roles = roles_of(user, _cid(committee))
    items = []
    if roles & OFFICE:
        count = clues_to_review(committee).count()
        if count:
            items.append({"label": _("Proposal clues to review"), "count": count,
                          "url": url_or_hash("proposals:clues") + "?group=to_review", "urgent": False})
    if Role.MEMBER in roles:
        count = open_calls(committee).count()
        if count:
            items.append({"label": _("Calls for proposal clues open"), "count": count,
                          "url": url_or_hash("proposals:clue_calls"), "urgent": False})
    return items


# --- Timeline ---------------------------------------------------------------------------------------------


def event_label(action: str, payload: dict | None = None) -> str:
    """The timeline's name of a "proposal_clue.<action>" or "clue_call.<action>" event."""
    from django.utils.translation import gettext as _

    from .clue_workflow import CALL_TRANSITIONS, CLUE_TRANSITIONS

    kind, _dot, name = action.partition(".")
    table = CALL_TRANSITIONS if kind == "clue_call" else CLUE_TRANSITIONS
    if name in table:
        return str(table[name].label)
    return {
        "create": _("created"), "update": _("edited"), "submit": _("suggested"),
        "draft": _("draft proposal started"),
    }.get(name, name)
