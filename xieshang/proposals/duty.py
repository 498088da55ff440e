"""The proposals' facts in the duty ledger (xieshang.core.duty), written by services.py's handlers.

Who earns what (kinds declared in declarations.DUTY_KINDS):
- "proposal.lead": the first proposer (lead_proposer) of a member proposal, when it is registered (立案);
- "proposal.cosigner": each member who co-signed it (signed before co-signing ended), when it is registered;
- "proposal.key" / "proposal.excellent": every one of those proposers, when the proposal is marked key
  (at registration or later) or excellent; removed again when the flag is taken off.
Every fact of a proposal carries `authors` = the number of its proposers (lead + co-signers) and `lead` = True
for the first proposer only; `occurred_on` is the day of the registration or of the marking.

A proposal of a party, group or special committee credits no member (its drafting member is not its
proposer). A registered proposal converted into a suggestion or opinion report loses its facts (it is no
longer a proposal); one merged into another keeps them (it was registered and is answered through the target).
Withdrawal, rejection and merging before registration happen before any fact is written.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from xieshang.core.duty import duty_fact_record, duty_facts_clear
from xieshang.core.models import DutyFact, Member

from .models import CoSigner, Proposal, ProposalState, ProposerKind

LEAD = "proposal.lead"
COSIGNER = "proposal.cosigner"
KEY = "proposal.key"
EXCELLENT = "proposal.excellent"
KINDS = (LEAD, COSIGNER, KEY, EXCELLENT)
BATCH = 2000


def proposers(proposal: Proposal) -> list[Member]:
    """The members who share the credit for `proposal`: its first proposer, then its co-signers in the order
    they signed (empty for an organisation's or special committee's proposal)."""
    if proposal.proposer_kind != ProposerKind.MEMBER or not proposal.lead_proposer_id:
        return []
    signed = list(
        CoSigner.objects.filter(proposal_id=proposal.pk, state=CoSigner.State.SIGNED)
        .order_by("answered_at", "id").values_list("member_id", flat=True)
    )
    ids = [proposal.lead_proposer_id] + [m for m in signed if m != proposal.lead_proposer_id]
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids)}
    return [members[i] for i in ids if i in members]


def _record(proposal: Proposal, members: list[Member], kind_of, day: datetime.date) -> None:
    for index, member in enumerate(members):
        duty_fact_record(
            member=member, kind=kind_of(index), obj=proposal, occurred_on=day, authors=len(members), lead=index == 0
        )


def credit_registration(proposal: Proposal, day: datetime.date) -> None:
    """The proposal was registered on `day`: its first proposer and co-signers earn their facts (and the key
    facts, when it was registered as a key proposal)."""
    members = proposers(proposal)
    _record(proposal, members, lambda i: LEAD if i == 0 else COSIGNER, day)
    if proposal.is_key:
        _record(proposal, members, lambda i: KEY, day)


def credit_flag(proposal: Proposal, kind: str, on: bool, day: datetime.date) -> None:
    """The key or excellent flag was set (`on`) or taken off on `day`."""
    if not on:
        duty_facts_clear(obj=proposal, kinds=[kind])
        return
    _record(proposal, proposers(proposal), lambda i: kind, day)


def remove_all(proposal: Proposal) -> None:
    """The proposal no longer earns anyone credit (converted, withdrawn)."""
    duty_facts_clear(obj=proposal, kinds=KINDS)


def backfill(proposals) -> int:
    """Write the facts of proposals that were registered without them (imported rows, the demo's bulk years):
    lead and co-signers on the registration day, key and excellent on the same day (the marking day is not
    kept). Facts already there are left as they are. A few queries per 2,000 proposals (the same as migration
    proposals/0008). Returns the number of proposals credited."""
    rows = [
        p for p in proposals
        if p.registered_at and p.number and p.state != ProposalState.CONVERTED
        and p.proposer_kind == ProposerKind.MEMBER and p.lead_proposer_id
    ]
    if not rows:
        return 0
    content_type = ContentType.objects.get_for_model(Proposal)
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        signed: dict[int, list[int]] = {}
        for proposal_id, member_id in (
            CoSigner.objects.filter(proposal_id__in=[p.pk for p in batch], state=CoSigner.State.SIGNED)
            .order_by("answered_at", "id").values_list("proposal_id", "member_id")
        ):
            signed.setdefault(proposal_id, []).append(member_id)
        facts = []
        for p in batch:
            members = [p.lead_proposer_id] + [m for m in signed.get(p.pk, []) if m != p.lead_proposer_id]
            day = timezone.localtime(p.registered_at).date()
            kinds = [lambda i: LEAD if i == 0 else COSIGNER]
            if p.is_key:
                kinds.append(lambda i: KEY)
            if p.is_excellent:
                kinds.append(lambda i: EXCELLENT)
            for kind_of in kinds:
                facts += [
                    DutyFact(committee_id=p.committee_id, member_id=member_id, kind=kind_of(index),
                             content_type=content_type, object_id=p.pk, authors=len(members), lead=index == 0,
                             occurred_on=day)
                    for index, member_id in enumerate(members)
                ]
        DutyFact.objects.bulk_create(facts, ignore_conflicts=True)
    return len(rows)
