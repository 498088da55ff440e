"""Factories for meeting tests, and `walk_to`: a meeting brought to any state through the services.

    w = make_world()           # committee (2026-03-02 is "today"), office staff, a leader, a unit user,
                               # three members (two of the standing committee), w.member / w.other_member users
    meeting = plan(w)          # a thematic consultation on 2026-04-01 (2 half-days) inviting w.member and w.other
    meeting = walk_to("held", w)
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from xieshang.consultation import services
from xieshang.consultation.models import Meeting
from xieshang.core import clock
from xieshang.core.models import Member
from xieshang.core.tests.factories import (
    CommitteeFactory, HandlingUnitFactory, MemberFactory, SessionFactory, TermFactory, UserFactory, grant,
)

_codes = itertools.count(1)
TODAY = datetime.date(2026, 3, 2)  # a Monday
MEETING_DAY = datetime.date(2026, 4, 1)


def make_member_user(committee, *, standing=False, name=None):
    user = UserFactory()
    grant(user, committee, "member")
    MemberFactory(committee=committee, user=user, is_standing_committee_member=standing,
                  **({"name": name} if name else {}))
    return user


@dataclass
class World:
    committee: object
    staff: object
    admin: object
    leader: object
    unit: object
    member: object
    other_member: object
    outsider: object  # a member of the committee who is not invited to `plan`'s meetings

    def by_role(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def member_row(self, user=None) -> Member:
        return Member.objects.get(user=user or self.member, committee=self.committee)


def make_world(committee=None, today=TODAY) -> World:
    clock.set_to(today)
    committee = committee or CommitteeFactory(code=f"mt{next(_codes)}")
    from xieshang.core.models import Term

    if not Term.objects.filter(committee=committee).exists():
        term = TermFactory(committee=committee)
        SessionFactory(term=term, is_current=True, number=3, year=today.year)
    staff, admin, leader, unit = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    grant(staff, committee, "staff")
    grant(admin, committee, "admin")
    grant(leader, committee, "leader")
    grant(unit, committee, "unit", unit=HandlingUnitFactory(committee=committee))
    return World(committee=committee, staff=staff, admin=admin, leader=leader, unit=unit,
                 member=make_member_user(committee, standing=True, name="张委员"),
                 other_member=make_member_user(committee, standing=True, name="李委员"),
                 outsider=make_member_user(committee, name="王委员"))


def plan_data(w: World, **fields) -> dict:
    return {"kind": "consultation", "form": "thematic", "title": "关于优化营商环境的专题协商会",
            "start_on": MEETING_DAY.isoformat(), "end_on": MEETING_DAY.isoformat(), "half_days": 2,
            "place": "州政协三楼会议室", "members": [w.member_row().pk, w.member_row(w.other_member).pk], **fields}


def plan(w: World, **fields) -> Meeting:
    return services.meeting_create(actor=w.staff, committee=w.committee, data=plan_data(w, **fields))


def walk_to(state: str, w: World, meeting: Meeting | None = None) -> Meeting:
    """planned, notified, held, minutes_sent, closed, cancelled — the clock moves to the first day for held."""
    meeting = meeting or plan(w)
    steps = {"planned": [], "notified": ["notify"], "held": ["notify", "hold"],
             "minutes_sent": ["notify", "hold", "send_minutes"], "closed": ["notify", "hold", "send_minutes", "close"],
             "cancelled": ["cancel"]}[state]
    for action in steps:
        data = {}
        if action == "hold":
            clock.set_to(meeting.start_on)
        elif action == "send_minutes":
            data = {"minutes": "会议纪要：与会委员围绕主题建言献策。"}
        elif action == "cancel":
            data = {"reason": "因故取消"}
        services.meeting_act(actor=w.staff, meeting=meeting, action=action, data=data)
        meeting.refresh_from_db()
    return meeting
