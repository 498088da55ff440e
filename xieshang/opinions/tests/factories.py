"""Factories for opinion reports, and `walk_to`: a report brought to any state through the services.

    from xieshang.opinions.tests.factories import make_actors, walk_to

    actors = make_actors()                       # committee, author, coauthor, other, staff, staff2, leader, unit, station
    report = walk_to("forwarded", actors)        # draft → submitted → editing → awaiting_approval → approved → forwarded
    actors.recipients                            # 州委 (prefecture), 自治区政协 (province), 全国政协 (national)

Every step goes through xieshang.opinions.services, so the audit trail, versions, numbers and
notifications are what the application itself makes. `OpinionReportFactory` makes bare rows fast
(lists, query counts) without the workflow.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

import factory
from factory.django import DjangoModelFactory

from xieshang.core.tests.factories import (
    CommitteeFactory,
    HandlingUnitFactory,
    MemberFactory,
    TermFactory,
    UserFactory,
    grant,
)
from xieshang.opinions import services
from xieshang.opinions.models import Level, OpinionAuthor, OpinionReport, OpinionState, Recipient

_codes = itertools.count(1)

SITUATION = "近年来，我州部分乡村学校寄宿条件较差，学生冬季取暖、饮水等问题较为突出。"
ANALYSIS = "主要原因是建设投入不足、管护责任不清，部分设施年久失修。"
SUGGESTION = "建议统筹资金改造寄宿设施，明确县乡两级管护责任，建立定期检查制度。"


def make_committee(code: str | None = None):
    committee = CommitteeFactory(code=code or f"oc{next(_codes)}")
    TermFactory(committee=committee)
    return committee


def make_member(committee, **kwargs):
    """A user with the member role and a Member row in `committee`; returns the user."""
    user = UserFactory(**kwargs)
    grant(user, committee, "member")
    MemberFactory(committee=committee, user=user)
    return user


def make_role_user(committee, role: str, **kwargs):
    user = UserFactory(**kwargs)
    if role == "unit":
        grant(user, committee, "unit", unit=HandlingUnitFactory(committee=committee))
    else:
        grant(user, committee, role)
    return user


def make_recipients(committee) -> list[Recipient]:
    return [
        Recipient.objects.create(committee=committee, name="州委", level=Level.PREFECTURE, sort_order=1),
        Recipient.objects.create(committee=committee, name="州政府", level=Level.PREFECTURE, sort_order=2),
        Recipient.objects.create(committee=committee, name="自治区政协", level=Level.PROVINCE, sort_order=3),
        Recipient.objects.create(committee=committee, name="全国政协", level=Level.NATIONAL, sort_order=4),
    ]


@dataclass
class Actors:
    committee: object
    author: object  # a member: the report's first author
    coauthor: object  # a member: the report's second author (joint report)
    other: object  # another member (sees nothing of the author's reports)
    staff: object
    staff2: object
    leader: object
    unit: object  # a handling-unit user (no business with reports)
    station: object  # a station keeper
    recipients: list = field(default_factory=list)

    def by_role(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


def make_actors(committee=None) -> Actors:
    committee = committee or make_committee()
    return Actors(
        committee=committee,
        author=make_member(committee),
        coauthor=make_member(committee),
        other=make_member(committee),
        staff=make_role_user(committee, "staff"),
        staff2=make_role_user(committee, "staff"),
        leader=make_role_user(committee, "leader"),
        unit=make_role_user(committee, "unit"),
        station=make_role_user(committee, "station"),
        recipients=make_recipients(committee),
    )


def draft(actors: Actors, *, author=None, title: str = "关于改善乡村学校寄宿条件的建议", coauthors=None, **fields):
    from xieshang.core.models import Member

    author = author or actors.author
    co = coauthors if coauthors is not None else (
        [Member.objects.get(user=actors.coauthor, committee=actors.committee)] if author == actors.author else []
    )
    values = {"situation": SITUATION, "analysis": ANALYSIS, "suggestion": SUGGESTION, **fields}
    return services.opinion_create(actor=author, committee=actors.committee, title=title, co_authors=co, **values)


# The path to each state: (action, actor attribute, data)
PATH = {
    "draft": [],
    "submitted": [("submit", "author", {})],
    "returned": [("submit", "author", {}), ("return", "staff", {"reason": "请补充具体数据和典型事例。"})],
    "withdrawn": [("withdraw", "author", {})],
    "editing": [("submit", "author", {}), ("start_editing", "staff", {})],
    "declined": [("submit", "author", {}), ("decline", "staff", {"reason": "与已报送信息重复。"})],
    "awaiting_approval": [("submit", "author", {}), ("start_editing", "staff", {}), ("send_for_approval", "staff", {})],
    "approved": [("submit", "author", {}), ("start_editing", "staff", {}), ("send_for_approval", "staff", {}),
                 ("approve", "leader", {})],
}
PATH["forwarded"] = PATH["approved"] + [("forward", "staff", "recipients")]
PATH["closed"] = PATH["forwarded"] + [("close", "staff", {})]


def walk_to(state: str, actors: Actors, report=None, **draft_fields) -> OpinionReport:
    """A report (by default of `actors.author`, with `actors.coauthor`) brought to `state` through the services;
    the author's steps are taken by its first author. (Combined reports: services.opinion_combine.)"""
    report = report or draft(actors, **draft_fields)
    author = report.authors.order_by("order").first().user
    for action, who, data in PATH[state]:
        if data == "recipients":
            data = {"recipients": [r.pk for r in actors.recipients[:3]]}
        actor = author if who == "author" else getattr(actors, who)
        report = services.opinion_act(actor=actor, report=report, action=action, data=data)
    report.refresh_from_db()
    return report


class OpinionReportFactory(DjangoModelFactory):
    """A bare submitted row with one author (no services, no audit, no index): for lists and query counts."""

    class Meta:
        model = OpinionReport
        skip_postgeneration_save = True

    committee = factory.LazyFunction(make_committee)
    year = 2026
    number = factory.Sequence(lambda n: 100000 + n)  # clear of the numbers the services give
    title = factory.Sequence(lambda n: f"关于第{n}项民生问题的建议")
    situation = SITUATION
    analysis = ANALYSIS
    suggestion = SUGGESTION
    state = OpinionState.SUBMITTED
    member = factory.LazyAttribute(lambda o: MemberFactory(committee=o.committee))
    created_by = factory.LazyAttribute(lambda o: o.member.user)
    submitted_at = factory.LazyFunction(lambda: datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC))

    @factory.post_generation
    def with_author(obj, create, extracted, **kwargs):
        if create:
            OpinionAuthor.objects.create(report=obj, user=obj.created_by, member=obj.member, order=0)
