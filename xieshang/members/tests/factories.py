"""People of one committee for the members app's tests, and ledger facts written through core.duty."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from xieshang.core import duty
from xieshang.core.tests.factories import (
    CommitteeFactory,
    HandlingUnitFactory,
    MemberFactory,
    SectorFactory,
    TermFactory,
    UserFactory,
    grant,
)


def make_people(committee=None):
    committee = committee or CommitteeFactory()
    if not committee.terms.exists():
        TermFactory(committee=committee)
    people = SimpleNamespace(committee=committee)
    for role in ("staff", "admin", "leader"):
        user = UserFactory()
        grant(user, committee, role)
        setattr(people, role, user)
    people.unit = UserFactory()
    grant(people.unit, committee, "unit", unit=HandlingUnitFactory(committee=committee))
    for name in ("member", "other"):
        user = UserFactory()
        grant(user, committee, "member")
        setattr(people, name + "_user", user)
        setattr(people, name, MemberFactory(committee=committee, user=user))
    return people


def record(member, kind, n=1, *, on=datetime.date(2026, 3, 1), quantity=1, authors=1, lead=True):
    """n ledger facts of `kind` for `member`, each about an object of its own (a sector row stands in)."""
    for _ in range(n):
        duty.duty_fact_record(member=member, kind=kind, obj=SectorFactory(committee=member.committee), occurred_on=on,
                              quantity=quantity, authors=authors, lead=lead)
