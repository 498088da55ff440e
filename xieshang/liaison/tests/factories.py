"""Factories for liaison tests, and `walk_report` / `walk_task`: an object brought to any state through the
services (so events, versions, deadlines and notices are what the application makes).

    w = make_world()     # committee (current session), staff, admin, leader (also a member), leader2 (not a
                         # member), member, unit user, a grassroots place, a special committee with its staff
    report = walk_report("sent", w)
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from xieshang.core import clock
from xieshang.core.models import Member, SpecialCommittee
from xieshang.core.tests.factories import (
    CommitteeFactory, HandlingUnitFactory, MemberFactory, SessionFactory, TermFactory, UserFactory, grant,
)
from xieshang.liaison import services

_codes = itertools.count(1)

REPORT = {"kind": "immediate", "title": "关于全州冬季供暖保障情况的报告",
          "body": "州政协组织委员对供暖保障情况进行了专题调研，现将有关情况报告如下。"}


@dataclass
class World:
    committee: object
    staff: object
    admin: object
    leader: object  # a leader who is a member too
    leader2: object  # a leader without a member record
    member: object
    unit: object
    sc_staff: object  # staff bound to `special`
    special: object
    place: object

    def by_role(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def member_row(self, user) -> Member:
        return Member.objects.get(user=user, committee=self.committee)


def make_world() -> World:
    from xieshang.grassroots.tests.factories import make_place

    committee = CommitteeFactory(code=f"li{next(_codes)}")
    term = TermFactory(committee=committee)
    SessionFactory(term=term, is_current=True, number=3, year=clock.today().year)
    special = SpecialCommittee.objects.create(committee=committee, name="经济委员会")

    def user(role, member=False, **extra):
        row = UserFactory()
        grant(row, committee, role, **extra)
        if member:
            grant(row, committee, "member")
            MemberFactory(committee=committee, user=row, term=term)
        return row

    unit = UserFactory()
    grant(unit, committee, "unit", unit=HandlingUnitFactory(committee=committee))
    return World(
        committee=committee, staff=user("staff"), admin=user("admin"), leader=user("leader", member=True),
        leader2=user("leader"), member=user("member", member=True), unit=unit,
        sc_staff=user("staff", special_committee=special), special=special, place=make_place(committee),
    )


def new_report(w: World, **data):
    return services.report_create(actor=w.staff, committee=w.committee, data={**REPORT, **data})


REPORT_PATH = {
    "draft": [],
    "submitted": [("submit", "staff", {})],
    "returned": [("submit", "staff", {}), ("return", "leader", {"reason": "请补充具体数据。"})],
    "approved": [("submit", "staff", {}), ("approve", "leader", {})],
    "withdrawn": [("withdraw", "staff", {"reason": "情况已变化"})],
}
REPORT_PATH["sent"] = REPORT_PATH["approved"] + [("send", "staff", "send")]
REPORT_PATH["answered"] = REPORT_PATH["sent"] + [("record_instruction", "staff", "instruction")]


def action_data(kind: str) -> dict:
    today = clock.today()
    if kind == "send":
        return {"document_number": "昌州政协报〔2026〕3号", "sent_on": today.isoformat()}
    if kind == "instruction":
        return {"instruction_by": "州委主要领导", "instruction_on": today.isoformat(), "text": "同意，请抓好落实。"}
    return dict(kind)


def walk_report(state: str, w: World):
    report = new_report(w)
    for action, who, data in REPORT_PATH[state]:
        report = services.report_act(actor=getattr(w, who), report=report, action=action,
                                     data=action_data(data) if isinstance(data, str) else data)
    return report


TASK = {"title": "推进一机制三清单落实", "source_document": "州党委办公室交办单〔2026〕5号",
        "content": "梳理责任清单、任务清单、问题清单，按月报告进展。"}


def new_task(w: World, **data):
    return services.task_create(actor=w.staff, committee=w.committee, data={**TASK, **data})


VISIT = {"place": "昌吉高新区某新材料企业", "subject": "走访民营企业了解经营情况", "heard": "企业反映融资难、用工难。"}


def new_visit(w: World, *, leader=None, people=None, suggestions=("建议设立中小企业应急转贷资金。",), **data):
    leader = leader or w.leader
    return services.visit_create(actor=leader, committee=w.committee, data={
        **VISIT, "date": (clock.today() - datetime.timedelta(days=1)).isoformat(),
        "people": people or [{"kind": "entrepreneur", "name": "张企业家", "affiliation": "某公司董事长"},
                             {"kind": "expert", "name": "李专家"}],
        "suggestions": list(suggestions), **data})
