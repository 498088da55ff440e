"""What text of a proposal is searched; the index itself is core's (xieshang/core/search.py, ADR 0007).

A proposal's document (kind "proposal", declared in declarations.SEARCH_KINDS) holds its own words —
subject, number, text — and the names around it: lead proposer, co-signers who signed, party or group,
special committee, sector (the sector recorded at submission, else the lead proposer's).

Upkeep: `index_proposals(ids)` (= core `index("proposal", ids)`) writes the documents in the caller's
transaction: the services call it after creating, changing or importing proposals; renames of members,
organisations, special committees and sectors reach `organisation_row_changed` through
the handler proposals declare (declarations.ORGANISATION_CHANGED). Bulk writers call `reindex` (command
`xieshang search_reindex --kind proposal`). A write that changes nothing indexed writes nothing (the
digest, see core.search).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from xieshang.core import search as core
from xieshang.core.search import (  # noqa: F401  (the names the proposals' code and tests have always used)
    BATCH,
    NAMES,
    WORDS,
    Document,
    Query,
    build_document,
    grams,
    normalise,
    query_for,
    runs,
)

KIND = "proposal"


def _sector_name(sector_name: str, lead_sector: str | None) -> str:
    # as proposal_list's sector filter: the sector recorded at submission, else the lead proposer's
    return sector_name or lead_sector or ""


_ROW_FIELDS = (
    "id", "committee_id", "version", "title", "number", "body", "lead_proposer__name", "organization__name",
    "special_committee__name", "sector_name", "lead_proposer__sector__name",
)


def documents(ids: Sequence[int], *, using: str = "default", models=None) -> list[Document]:
    """The documents of the proposals `ids` that exist, read in two queries (the builder of kind
    "proposal"). `models`: the (Proposal, CoSigner) classes; migrations pass their historical ones."""
    if models is None:
        from .models import CoSigner, Proposal
    else:
        Proposal, CoSigner = models
    signed = defaultdict(list)
    for pid, name in (
        CoSigner.objects.using(using).filter(proposal_id__in=ids, state="signed")
        .order_by("proposal_id", "id").values_list("proposal_id", "member__name")
    ):
        signed[pid].append(name)
    out = []
    for pid, cid, version, title, number, body, lead, org, special, sector, lead_sector in (
        Proposal.objects.using(using).filter(pk__in=ids).order_by("pk").values_list(*_ROW_FIELDS)
    ):
        out.append(Document(
            kind=KIND, object_id=pid, committee_id=cid, version=version,
            words=(title, number, body),
            names=(lead, *signed.get(pid, ()), org, special, _sector_name(sector, lead_sector)),
        ))
    return out


def document_for(proposal) -> Document:
    """The document of one saved proposal."""
    return documents([proposal.pk])[0]


def filter_queryset(qs, text: str | None, *, scope: str | None = None, committee=None):
    """`qs` (proposals) restricted to the proposals whose text contains `text` (core.search.filter_by_text).

    `scope=WORDS` searches the proposal's own words only (subject, number, text: the public portal);
    `committee` (a Committee or id), when every row of `qs` is of one committee, narrows the index
    scan on PostgreSQL."""
    return core.filter_by_text(qs, KIND, text, scope=scope, committee=committee)


def index_proposals(ids: Iterable, *, using: str | None = None, batch: int = 500) -> int:
    """Write the documents of the proposals `ids` (ids or Proposal rows) that changed since they were
    written, in the caller's transaction (core `index("proposal", ids)`). Returns how many were written."""
    return core.index(KIND, ids, using=using, batch=batch)


def reindex(*, committee=None, batch: int = BATCH, stale_only: bool = False, using: str | None = None,
            stdout=None, models=None) -> int:
    """Rebuild the proposals' documents (core `reindex(kind="proposal", …)`); returns how many were
    written. (`models`: the (Proposal, CoSigner) classes; migrations pass their historical ones.)"""
    kwargs = {}
    if models is not None:
        alias = using or "default"
        kwargs = {"model": models[0], "builder": lambda ids: documents(ids, using=alias, models=models)}
    return core.reindex(kind=KIND, committee=committee, batch=batch, stale_only=stale_only, using=using,
                        stdout=stdout, **kwargs)[KIND]


# --- Renames ------------------------------------------------------------------------------------


def organisation_row_changed(obj, changes: dict) -> None:
    """Reindex the proposals whose documents name `obj` after an administration service changed it
    (Declarations.organisation_changed; called inside the service's transaction)."""
    from xieshang.core.models import Member, Organization, Sector, SpecialCommittee

    from .models import CoSigner, Proposal

    if isinstance(obj, Member):
        if not {"name", "sector"} & set(changes):
            return
        ids = set(Proposal.objects.filter(lead_proposer=obj).values_list("pk", flat=True))
        ids |= set(CoSigner.objects.filter(member=obj, state=CoSigner.State.SIGNED).values_list("proposal_id", flat=True))
    elif "name" not in changes:
        return
    elif isinstance(obj, Organization):
        ids = Proposal.objects.filter(organization=obj).values_list("pk", flat=True)
    elif isinstance(obj, SpecialCommittee):
        ids = Proposal.objects.filter(special_committee=obj).values_list("pk", flat=True)
    elif isinstance(obj, Sector):
        ids = Proposal.objects.filter(sector_name="", lead_proposer__sector=obj).values_list("pk", flat=True)
    else:
        return
    index_proposals(list(ids))


__all__ = [
    "KIND", "documents", "document_for", "filter_queryset", "index_proposals", "organisation_row_changed", "reindex",
]
