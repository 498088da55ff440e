"""Helpers of the screens' tests: the people of one committee, recipients, and reports brought to a state
through the services (so the rows, versions, events and notifications are what the app itself makes)."""

from __future__ import annotations

import dataclasses
import datetime
import itertools

from django.test import Client

from xieshang.core.tests.factories import MemberFactory, UserFactory, grant
from xieshang.opinions import services
from xieshang.opinions.models import Recipient

_n = itertools.count(1)

SITUATION = "近年来，我州部分乡镇农村客运班线停运，群众出行不便。"
ANALYSIS = "主要原因是客源减少、运营成本上升，补贴政策落实不到位。"
SUGGESTION = "建议统筹城乡客运资源，推行预约响应式公交，落实运营补贴。"


@dataclasses.dataclass
class People:
    committee: object
    member: object
    other_member: object
    staff: object
    other_staff: object
    leader: object
    recipients: list


def user(committee, *roles, name=None, username=None):
    u = UserFactory(username=username or f"scr{next(_n)}", **({"full_name": name} if name else {}))
    for role in roles:
        grant(u, committee, role)
        if role == "member":
            MemberFactory(committee=committee, user=u, **({"name": name} if name else {}))
    return u


def people(committee) -> People:
    recipients = [
        Recipient.objects.create(committee=committee, name="州委", level="prefecture", sort_order=1),
        Recipient.objects.create(committee=committee, name="州政府", level="prefecture", sort_order=2),
        Recipient.objects.create(committee=committee, name="自治区政协", level="province", sort_order=3),
    ]
    return People(
        committee=committee,
        member=user(committee, "member", name="王委员"),
        other_member=user(committee, "member", name="赵委员"),
        staff=user(committee, "staff", name="李干部"),
        other_staff=user(committee, "staff", name="周干部"),
        leader=user(committee, "leader", name="马主席"),
        recipients=recipients,
    )


def client_for(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


def draft(p: People, author=None, title="关于恢复农村客运班线的建议", **kwargs):
    return services.opinion_create(
        actor=author or p.member, committee=p.committee, title=title,
        situation=kwargs.pop("situation", SITUATION), analysis=kwargs.pop("analysis", ANALYSIS),
        suggestion=kwargs.pop("suggestion", SUGGESTION), **kwargs,
    )


def act(report, actor, action, **data):
    return services.opinion_act(actor=actor, report=report, action=action, data=data)


def walk(p: People, to: str, report=None, author=None, **kwargs):
    """A report brought to `to` (submitted, editing, awaiting_approval, approved, forwarded, adopted,
    returned, declined) through the services."""
    report = report or draft(p, author=author, **kwargs)
    if to == "draft":
        return report
    report = act(report, author or p.member, "submit")
    if to == "submitted":
        return report
    if to == "returned":
        return act(report, p.staff, "return", reason="请补充具体乡镇名称和受影响人数。")
    if to == "declined":
        return act(report, p.staff, "decline", reason="内容已有部门答复，不再编报。")
    report = act(report, p.staff, "edit", title=report.title, situation=report.situation + "（经编辑）",
                 analysis=report.analysis, suggestion=report.suggestion, note="文字润色")
    if to == "editing":
        return report
    report = act(report, p.staff, "send_for_approval")
    if to == "awaiting_approval":
        return report
    report = act(report, p.leader, "approve")
    if to == "approved":
        return report
    report = act(report, p.staff, "forward", recipients=[r.pk for r in p.recipients[:2]])
    if to == "forwarded":
        return report
    report = act(report, p.staff, "record_adoption", recipient=p.recipients[0].pk, level="prefecture", kind="single")
    report = act(report, p.staff, "record_instruction", level="prefecture", leader="张书记",
                 date=datetime.date(2026, 3, 2).isoformat(), text="请州交通运输局研究落实。")
    return report
