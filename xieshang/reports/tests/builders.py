"""Direct model creation of proposals in any state, for the statistics and portal tests.

The statistics read what the workflow leaves in the database; building those rows directly is
fast and lets a test state its expected figures by hand. (The workflow itself is tested through
the services in xieshang/proposals/tests; the import tests go through `proposals_import`.)
"""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from xieshang.core.tests.factories import MemberFactory, UserFactory
from xieshang.proposals import search
from xieshang.proposals.models import (
    Assignment,
    CoSigner,
    Evaluation,
    Proposal,
    Reply,
)

_seq = itertools.count(1)
T0 = timezone.make_aware(datetime.datetime(2024, 1, 10, 10, 0))


def member(committee, name=None, **kwargs):
    user = UserFactory(full_name=name) if name else UserFactory()
    return MemberFactory(committee=committee, user=user, **({"name": name} if name else {}), **kwargs)


def proposal(committee, session, state, *, lead=None, creator=None, number=True, **fields) -> Proposal:
    """A proposal in `state`; registered and later states get a number."""
    lead = lead or member(committee)
    creator = creator or lead.user
    submitted = state not in ("draft", "cosigning")
    defaults = {
        "title": f"关于测试事项的建议{next(_seq)}",
        "body": "一、现状\n二、建议",
        "submitted_at": T0 if submitted else None,
        "sector_name": lead.sector.name if lead.sector_id else "",
    }
    defaults.update(fields)
    p = Proposal.objects.create(
        committee=committee, session=session, state=state, lead_proposer=lead, created_by=creator, **defaults
    )
    if number and state in ("registered", "assigned", "handling", "replied", "closed", "archived"):
        p.sequence = Proposal.objects.filter(session=session, sequence__isnull=False).count() + 1
        p.number = f"{session.term.number}-{session.number}-{p.sequence:04d}"
        p.registered_at = T0
        p.save(update_fields=["sequence", "number", "registered_at"])
    search.index_proposals([p.pk])  # as every writer of proposals does (xieshang/proposals/search.py)
    return p


def assign(p: Proposal, unit, role="sole", state="handling") -> Assignment:
    return Assignment.objects.create(
        proposal=p, unit=unit, role=role, state=state, assigned_at=T0,
        objection_due=datetime.date(2024, 1, 17), due_date=datetime.date(2024, 4, 10),
        original_due_date=datetime.date(2024, 4, 10),
    )


def reply(assignment: Assignment, outcome="adopted", *, round=1, on_time=True, verdict=None, text="经研究，答复如下。", public=False, by=None) -> Reply:
    by = by or assignment.proposal.created_by
    r = Reply.objects.create(
        assignment=assignment, proposal=assignment.proposal, round=round, outcome=outcome, text=text,
        replied_by=by, replied_at=T0 + datetime.timedelta(days=60), is_on_time=on_time, is_public=public,
    )
    if verdict:
        Evaluation.objects.create(
            reply=r, proposal=assignment.proposal, verdict=verdict, evaluated_by=assignment.proposal.created_by,
            evaluated_at=T0 + datetime.timedelta(days=70),
        )
    return r


def cosign(p: Proposal, m, state="signed") -> CoSigner:
    return CoSigner.objects.create(proposal=p, member=m, state=state)
