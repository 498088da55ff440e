"""Reads of the public portal (no sign-in). The one place that decides what the public may see.

Public are: proposals marked public (`is_public`) that were registered (numbered) — never drafts or
proposals under review, even if the flag were set —, and among their replies only those marked
public (`Reply.is_public`). What is shown is limited to the fields in PUBLIC_PROPOSAL_FIELDS: never
the contact phone or address, never the member's phone, e-mail, address or employer. Mobile phone
numbers written inside a public text are masked (139****5678).
"""

from __future__ import annotations

import re

from django.db.models import Count, Prefetch, Q, QuerySet

from xieshang.core import categories
from xieshang.core.errors import NotFound
from xieshang.core.models import Committee
from xieshang.proposals import search
from xieshang.proposals.models import Assignment, AssignmentState, Proposal, ProposalState, Reply

S = ProposalState
PUBLIC_STATES = (S.REGISTERED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.CLOSED, S.ARCHIVED)
PUBLIC_PROPOSAL_FIELDS = (
    "id", "committee_id", "session_id", "number", "sequence", "title", "body", "category", "state", "kind",
    "proposer_kind", "lead_proposer_id", "organization_id", "special_committee_id", "sector_name",
    "registered_at", "is_key", "is_excellent", "is_public",
)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """Mobile numbers inside a public text as 139****5678."""
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text or "")


def portal_committee(code: str | None = None) -> Committee:
    """The committee named by `?committee=<code>` (active ones only), else the first active prefecture
    committee (else the first active committee). NotFound for an unknown code or when there is none."""
    active = Committee.objects.filter(is_active=True)
    if code:
        committee = active.filter(code=code).first()
    else:
        committee = active.filter(level=Committee.Level.PREFECTURE).order_by("pk").first() or active.order_by("pk").first()
    if committee is None:
        raise NotFound()
    return committee


def portal_committees() -> QuerySet[Committee]:
    return Committee.objects.filter(is_active=True).order_by("level", "code")


def _public_replies() -> QuerySet[Reply]:
    return Reply.objects.filter(is_public=True).select_related("assignment__unit").only(
        "id", "proposal_id", "assignment_id", "round", "outcome", "text", "replied_at", "is_public",
        "assignment__id", "assignment__unit__id", "assignment__unit__name",
    ).order_by("round", "id")


def public_proposals(committee, params: dict | None = None) -> QuerySet[Proposal]:
    """The committee's public proposals, filtered by q (Chinese text in the subject, text or number),
    year and category; newest session first, then by number. Unknown filter values are ignored."""
    params = params or {}
    qs = (
        Proposal.objects.filter(committee=committee, is_public=True, state__in=PUBLIC_STATES)
        .select_related("session__term", "lead_proposer", "organization", "special_committee")
        .only(*PUBLIC_PROPOSAL_FIELDS, "session__id", "session__year", "session__number", "session__term__id",
              "session__term__number", "lead_proposer__id", "lead_proposer__name", "organization__id",
              "organization__name", "special_committee__id", "special_committee__name")
        .annotate(public_reply_count=Count("replies", filter=Q(replies__is_public=True)))
    )
    text = (params.get("q") or "").strip()[:100]
    if text:
        qs = search.filter_queryset(qs, text, scope=search.WORDS, committee=committee)
    year = params.get("year")
    if year not in (None, ""):
        try:
            qs = qs.filter(session__year=int(year))
        except (TypeError, ValueError):
            pass
    category = params.get("category")
    if category and category in categories.catalogue(committee):
        qs = qs.filter(category=category)
    return qs.order_by("-session__year", "sequence", "id")


def public_years(committee) -> list[int]:
    return sorted(
        set(Proposal.objects.filter(committee=committee, is_public=True, state__in=PUBLIC_STATES)
            .values_list("session__year", flat=True)),
        reverse=True,
    )


def public_proposal_get(committee, pk) -> Proposal:
    """One public proposal of the committee with its public replies (`public_replies`) and the names
    of its handling units (`unit_names`); NotFound unless it is public."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    proposal = (
        public_proposals(committee)
        .prefetch_related(
            Prefetch("replies", queryset=_public_replies(), to_attr="public_replies"),
            Prefetch("assignments", queryset=Assignment.objects.exclude(state=AssignmentState.CANCELLED)
                     .select_related("unit").only("id", "proposal_id", "role", "unit__id", "unit__name")
                     .order_by("role", "id"), to_attr="live_assignments"),
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise NotFound()
    proposal.public_body = mask_phones(proposal.body)
    for reply in proposal.public_replies:
        reply.public_text = mask_phones(reply.text)
    return proposal
