"""Factories for grassroots tests, and `walk_to`: a demand brought to any state through the services.

    from xieshang.grassroots.tests.factories import make_world, walk_to, new_demand

    w = make_world()        # committee, place (a station) with its keeper, a second place and keeper, unit users,
                            # members, staff, leader; w.by_role("keeper") …
    demand = walk_to("referred", w)

Every step goes through xieshang.grassroots.services, so audit, deadlines and notices are what the
application itself makes.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from xieshang.core import clock
from xieshang.core.models import Member
from xieshang.core.tests.factories import (
    CommitteeFactory, HandlingUnitFactory, SessionFactory, LiaisonStationFactory, MemberFactory, StudioFactory, TermFactory,
    UserFactory, grant,
)
from xieshang.grassroots import services
from xieshang.grassroots.models import Demand, Place, PlaceKind

_codes = itertools.count(1)

TEXT = "我们小区门口的路灯坏了两个多月，晚上老人孩子出行很不方便，希望尽快修好。"
ANSWER = "经核实，路灯线路老化，已于本周更换线路并恢复照明，后续纳入日常巡检。"


def make_place(committee, *, kind="station", name=None, county="昌吉市", **fields) -> Place:
    name = name or f"测试联络站{next(_codes)}"
    if kind == "station":
        row = LiaisonStationFactory(committee=committee, name=name)
        return Place.objects.create(committee=committee, station=row, kind=PlaceKind.STATION, name=name,
                                    county=county, **fields)
    row = StudioFactory(committee=committee, name=name, kind="member" if kind == "member_studio" else "sector")
    return Place.objects.create(committee=committee, studio=row, kind=kind, name=name, county=county, **fields)


def make_keeper(committee, place: Place):
    user = UserFactory()
    if place.station_id:
        grant(user, committee, "station", liaison_station=place.station)
    else:
        grant(user, committee, "station", studio=place.studio)
    return user


def make_member_user(committee):
    user = UserFactory()
    grant(user, committee, "member")
    MemberFactory(committee=committee, user=user)
    return user


@dataclass
class World:
    committee: object
    place: Place
    other_place: Place
    keeper: object  # keeps `place`
    other_keeper: object  # keeps `other_place`
    unit: object  # a user of `unit_row`
    unit_row: object
    other_unit: object  # a user of another unit
    member: object
    other_member: object
    staff: object
    leader: object

    def by_role(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def member_row(self, user=None) -> Member:
        return Member.objects.get(user=user or self.member, committee=self.committee)


def make_world(committee=None) -> World:
    committee = committee or CommitteeFactory(code=f"gr{next(_codes)}")
    from xieshang.core.models import Term

    if not Term.objects.filter(committee=committee).exists():
        term = TermFactory(committee=committee)
        SessionFactory(term=term, is_current=True, number=3, year=clock.today().year)
    place = make_place(committee, reception_days="10,20", public=True)
    other = make_place(committee, county="阜康市", public=True)
    unit_row = HandlingUnitFactory(committee=committee)
    unit = UserFactory()
    grant(unit, committee, "unit", unit=unit_row)
    other_unit = UserFactory()
    grant(other_unit, committee, "unit", unit=HandlingUnitFactory(committee=committee))
    staff = UserFactory()
    grant(staff, committee, "staff")
    leader = UserFactory()
    grant(leader, committee, "leader")
    return World(
        committee=committee, place=place, other_place=other, keeper=make_keeper(committee, place),
        other_keeper=make_keeper(committee, other), unit=unit, unit_row=unit_row, other_unit=other_unit,
        member=make_member_user(committee), other_member=make_member_user(committee), staff=staff, leader=leader,
    )


def new_demand(w: World, *, text: str = TEXT, phone: str = "13800138000", **data) -> Demand:
    return services.demand_create(actor=w.keeper, committee=w.committee,
                                  data={"text": text, "phone": phone, "name": "张先生", **data})


# The path to each state: (action, actor attribute, data)
PATH = {
    "received": [],
    "accepted": [("accept", "keeper", {})],
    "declined": [("decline", "keeper", {"reason": "不属于本站受理范围，建议向12345热线反映。"})],
    "referred": [("accept", "keeper", {}), ("refer", "keeper", "unit")],
    "converted": [("accept", "keeper", {}), ("convert", "keeper", "member")],
    "answered": [("accept", "keeper", {}), ("refer", "keeper", "unit"), ("answer", "unit", {"text": ANSWER})],
}
PATH["closed"] = PATH["answered"] + [("confirm", "citizen", {"satisfied": True})]


def walk_to(state: str, w: World, demand: Demand | None = None) -> Demand:
    demand = demand or new_demand(w)
    for action, who, data in PATH[state]:
        if data == "unit":
            data = {"unit": w.unit_row.pk}
        elif data == "member":
            data = {"to": "proposal", "member": w.member_row().pk}
        if who == "citizen":
            services.demand_confirm_public(tracking_code=demand.tracking_code, **data)
        else:
            services.demand_act(actor=w.by_role(who), demand=demand, action=action, data=data)
        demand.refresh_from_db()
    return demand


def plan_activity(w: World, *, date: datetime.date | None = None, **fields):
    data = {"topic": "老旧小区加装电梯协商议事会", "date": (date or clock.today()).isoformat(),
            "members": [w.member_row().pk, w.member_row(w.other_member).pk], "units": [w.unit_row.pk],
            "place": w.place.pk, **fields}
    return services.activity_create(actor=w.keeper, committee=w.committee, data=data)
