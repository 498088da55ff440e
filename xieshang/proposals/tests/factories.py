"""Factories for proposals, and `walk_to`: a proposal brought to any state through the services.

    from xieshang.proposals.tests.factories import walk_to

    proposal, actors = walk_to("handling", committee=committee, units=2)   # lead + co unit
    actors.proposer / actors.member / actors.staff / actors.leader / actors.cosigner
    actors.units[i] (HandlingUnit) / actors.unit_users[i] (its user) / actors.unit_user(unit)

Every step goes through `xieshang.proposals.services.proposal_act`, so the audit trail, the
assignments, the replies and the notifications are what the application itself makes.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

import factory
from factory.django import DjangoModelFactory

from xieshang.core.models import RoleAssignment, Session
from xieshang.core.tests.factories import (
    CommitteeFactory,
    HandlingUnitFactory,
    MemberFactory,
    SessionFactory,
    TermFactory,
    UserFactory,
    grant,
)
from xieshang.proposals import search, services
from xieshang.proposals.models import Proposal, ProposalState

_codes = itertools.count(1)


def set_today(monkeypatch, day: datetime.date) -> None:
    """Set the one clock (xieshang.core.clock; proposals.deadlines.now/today ask it) to `day`, 10:00 local
    time. Undone after the test (the root conftest resets the clock; `monkeypatch` is kept for the callers)."""
    from xieshang.core import clock

    clock.set_to(day)  # a date: 10:00 local time that day


def make_committee(code: str | None = None, **kwargs):
    """A committee with term 13 and sessions 1–4 (2023–2026; the 2026 one current), like the `committee` fixture."""
    committee = CommitteeFactory(code=code or f"pc{next(_codes)}", **kwargs)
    term = TermFactory(committee=committee)
    for number, year in ((1, 2023), (2, 2024), (3, 2025), (4, 2026)):
        SessionFactory(term=term, number=number, year=year, is_current=(year == 2026))
    return committee


def make_member(committee, username=None, **kwargs):
    """A user with the member role and a Member row in `committee`; returns the user."""
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    grant(user, committee, "member")
    MemberFactory(committee=committee, user=user)
    return user


def make_role_user(committee, role: str, unit=None, **kwargs):
    user = UserFactory(**kwargs)
    grant(user, committee, role, unit=unit)
    return user


def make_unit(committee, **kwargs):
    """A handling unit of `committee` and one user acting for it: (unit, user)."""
    unit = HandlingUnitFactory(committee=committee, **kwargs)
    return unit, make_role_user(committee, "unit", unit=unit)


class ProposalFactory(DjangoModelFactory):
    """A bare draft row (no services, no audit): for lists and statistics that need many rows fast.

    Use `walk_to` when the proposal must have gone through the workflow."""

    class Meta:
        model = Proposal

    committee = factory.LazyFunction(make_committee)
    session = factory.LazyAttribute(
        lambda o: Session.objects.filter(term__committee=o.committee, is_current=True).first()
        or SessionFactory(term=TermFactory(committee=o.committee), is_current=True)
    )
    lead_proposer = factory.LazyAttribute(lambda o: MemberFactory(committee=o.committee))
    created_by = factory.LazyAttribute(lambda o: o.lead_proposer.user)
    title = factory.Sequence(lambda n: f"关于加强第{n}项工作的提案")
    body = "建议如下：一、……；二、……。"
    state = ProposalState.DRAFT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        proposal = super()._create(model_class, *args, **kwargs)
        search.index_proposals([proposal.pk])  # as every writer of proposals does (search.py)
        return proposal


@dataclass
class Actors:
    committee: object
    proposer: object  # the lead proposer's user
    member: object  # the lead proposer's Member row
    staff: object
    leader: object
    cosigner: object  # a member invited to co-sign (has signed once the walk passed co-signing)
    units: list = field(default_factory=list)
    unit_users: list = field(default_factory=list)
    roles: list = field(default_factory=list)

    def unit_user(self, unit):
        return self.unit_users[self.units.index(unit)]


def make_actors(committee=None, units=1, roles=None) -> Actors:
    """The people of one proposal's life: proposer, co-signer, staff, leader and `units` handling units."""
    committee = committee or make_committee()
    proposer = make_member(committee)
    cosigner = make_member(committee)
    if isinstance(units, int):
        pairs = [make_unit(committee) for _ in range(units)]
        unit_rows, unit_users = [u for u, _ in pairs], [u for _, u in pairs]
    else:
        unit_rows = list(units)
        unit_users = []
        for unit in unit_rows:
            row = RoleAssignment.objects.filter(handling_unit=unit, role="unit").select_related("user").first()
            unit_users.append(row.user if row else make_role_user(committee, "unit", unit=unit))
    if roles is None:
        roles = ["sole"] if len(unit_rows) == 1 else ["lead"] + ["co"] * (len(unit_rows) - 1)
    return Actors(
        committee=committee,
        proposer=proposer,
        member=proposer.memberships.get(committee=committee),
        staff=make_role_user(committee, "staff"),
        leader=make_role_user(committee, "leader"),
        cosigner=cosigner,
        units=unit_rows,
        unit_users=unit_users,
        roles=list(roles),
    )


# The order of the main path; side exits are reached from the state before them.
_PATH = ["draft", "cosigning", "submitted", "registered", "assigned", "handling", "replied", "closed", "archived"]
_SIDE = {"returned": "submitted", "withdrawn": "submitted", "merged": "submitted", "converted": "submitted",
         "rejected": "submitted"}


def walk_to(state: str, committee=None, units=1, roles=None, actors: Actors | None = None, cosign=True,
            verdict="satisfied", **fields):
    """Create a proposal and act on it through the services until it is in `state`.

    units: how many handling units (or a list of HandlingUnit); roles: their roles (default sole for one
    unit, else lead + co); cosign: invite (and have sign) one co-signer; verdict: the proposer's verdict on
    the way to "closed". Extra keyword arguments go to proposal_create (title, body, category, kind ...).
    Returns (proposal, actors).
    """
    state = str(state)
    if state not in _PATH and state not in _SIDE:
        raise ValueError(f"walk_to cannot reach {state!r}")
    actors = actors or make_actors(committee, units, roles)
    act = services.proposal_act
    fields.setdefault("title", "关于优化营商环境的提案")
    fields.setdefault("body", "建议：一、简化审批；二、加强服务。")
    p = services.proposal_create(actor=actors.proposer, committee=actors.committee, **fields)
    target = _SIDE.get(state, state)
    stop = _PATH.index(target)
    if stop >= 1:
        if cosign:
            p = act(actor=actors.proposer, proposal=p, action="invite_cosigners",
                    data={"members": [actors.cosigner.memberships.get(committee=actors.committee).pk]})
        p = act(actor=actors.proposer, proposal=p, action="submit")
        if p.state == ProposalState.COSIGNING:
            if target == "cosigning":
                return p, actors
            p = act(actor=actors.cosigner, proposal=p, action="cosign")  # the last one to answer: submitted
            if p.state == ProposalState.COSIGNING:
                p = act(actor=actors.proposer, proposal=p, action="close_cosigning")
    if state in _SIDE:
        data = {
            "returned": ("return_for_revision", {"reason": "请补充调研数据"}),
            "withdrawn": ("withdraw", {"reason": "另行提交"}),
            "converted": ("convert", {"to": "suggestion"}),
            "rejected": ("reject", {"reason_code": "not_in_scope"}),
        }
        if state == "merged":
            other, _ = walk_to("submitted", actors=actors, cosign=False, title="关于同一问题的另一提案")
            p = act(actor=actors.staff, proposal=p, action="merge", data={"into": other.pk})
        else:
            action, payload = data[state]
            actor = actors.proposer if action == "withdraw" else actors.staff
            p = act(actor=actor, proposal=p, action=action, data=payload)
        return p, actors
    if stop >= _PATH.index("registered"):
        p = act(actor=actors.staff, proposal=p, action="register")
    if stop >= _PATH.index("assigned"):
        units_data = [{"unit": u.pk, "role": r} for u, r in zip(actors.units, actors.roles)]
        p = act(actor=actors.staff, proposal=p, action="assign", data={"units": units_data})
    if stop >= _PATH.index("handling"):
        for user in actors.unit_users:
            p = act(actor=user, proposal=p, action="acknowledge")
    if stop >= _PATH.index("replied"):
        for user, role in zip(actors.unit_users, actors.roles):
            if role == "co":
                p = act(actor=user, proposal=p, action="send_views", data={"text": "协办意见：同意主办单位意见。"})
        for user, role in zip(actors.unit_users, actors.roles):
            if role != "co":
                p = act(actor=user, proposal=p, action="reply",
                        data={"outcome": "adopted", "text": "经研究，已采纳并落实。", "signed_by": "张局长"})
    if stop >= _PATH.index("closed"):
        data = {"verdict": verdict} if verdict == "satisfied" else {"verdict": verdict, "comment": "尚有不足。"}
        p = act(actor=actors.proposer, proposal=p, action="evaluate", data=data)
        if p.state != ProposalState.CLOSED:  # a dissatisfied verdict: the office closes after the period
            raise ValueError("walk_to('closed') needs a satisfied verdict")
    if stop >= _PATH.index("archived"):
        p = act(actor=actors.staff, proposal=p, action="archive")
    return p, actors
