"""Demo proposal clues (提案线索) and calls (线索征集): last year's closed call and this year's open one, with
clues from members and the public in every state and a draft proposal started from an accepted clue. Written
through the services with the clock set to each step's moment; idempotent (a committee with calls is left alone)."""

from __future__ import annotations

import datetime

from xieshang.core import clock
from xieshang.core.demo_kit import at
from xieshang.core.demo_kit import clock as demo_clock

from . import clue_services as services
from .models import ClueCall

PUBLIC = [  # (title, text, category, name, contact)
    ("城区老旧小区加装电梯", "我家住在老旧小区六楼，老人上下楼非常困难，希望政府出台加装电梯的补贴政策，简化审批流程。",
     "society", "李女士", "139****2210"),
    ("农村客运班线太少", "我们村每天只有一趟班车，学生和老人进城很不方便，建议增加班次或开通预约公交。", "agriculture", "", ""),
    ("希望多建社区托育点", "双职工家庭三岁以下孩子没人带，建议在社区建设普惠托育点。", "society", "王先生", ""),
    ("广告", "推广优惠，点击链接", "other", "", ""),
]
MEMBERS = [
    ("推进棉花产业数字化转型", "棉花种植、加工、仓储环节信息化水平不高，建议建设全产业链数字平台，推动棉花质量追溯。", "economy"),
    ("加强基层医疗卫生人才队伍建设", "乡镇卫生院人才引不进、留不住，建议完善定向培养和职称倾斜政策。", "society"),
]


def load(demo: dict, stdout=None) -> dict:
    committee = demo["committee"]
    if ClueCall.objects.filter(committee=committee).exists():
        if stdout is not None:
            stdout.write("Demo proposal clues: already there\n")
        return {}
    staff = demo["users"]["staff"]
    member, member2 = demo["members"]["member"].user, demo["members"]["member2"].user
    session = demo["current_session"]
    today = clock.today()
    start = today - datetime.timedelta(days=40)

    def step(days: int, minutes: int, fn):
        with demo_clock(at(start + datetime.timedelta(days=days), minutes)):
            return fn()

    def new_call(title, text, opens, closes):
        return services.clue_call_create(actor=staff, committee=committee, data={
            "session": session.pk, "title": title, "text": text, "opens_on": opens, "closes_on": closes})

    earlier = step(0, 9 * 60 + 30, lambda: new_call(
        "大会提案线索征集（第一批）", "围绕全州经济社会发展中的重点难点问题，面向委员和社会各界征集提案线索。",
        start, start + datetime.timedelta(days=20)))
    step(0, 10 * 60, lambda: services.clue_call_publish(actor=staff, call=earlier))
    clues = []
    for i, (title, text, category, name, contact) in enumerate(PUBLIC):
        clues.append(step(2 + i, 15 * 60 + 7 * i, lambda t=title, x=text, c=category, n=name, k=contact:
                          services.clue_submit_public(committee=committee, client=f"demo-{i}", data={
                              "call": earlier.pk, "title": t, "text": x, "category": c, "name": n, "contact": k})))
    for i, (title, text, category) in enumerate(MEMBERS):
        clues.append(step(6 + i, 11 * 60, lambda t=title, x=text, c=category, who=(member, member2)[i]:
                          services.clue_submit(actor=who, committee=committee, data={
                              "call": earlier.pk, "title": t, "text": x, "category": c})))
    lift, bus, nursery, spam, cotton, doctors = clues
    step(10, 9 * 60 + 40, lambda: services.clue_review(actor=staff, clue=lift, decision="accept",
                                                       note="群众反映集中，建议委员深入调研。"))
    step(10, 9 * 60 + 50, lambda: services.clue_review(actor=staff, clue=cotton, decision="accept"))
    step(10, 10 * 60, lambda: services.clue_review(actor=staff, clue=spam, decision="decline",
                                                   note="与提案工作无关。"))
    step(10, 10 * 60 + 5, lambda: services.clue_review(actor=staff, clue=nursery, decision="accept"))
    step(11, 9 * 60 + 30, lambda: services.clue_review(actor=staff, clue=doctors, decision="mark_duplicate",
                                                       duplicate_of=nursery, note="同属民生服务，合并研究。"))
    step(12, 16 * 60, lambda: services.proposal_from_clue(actor=member2, clue=lift))
    step(21, 17 * 60, lambda: services.clue_call_close(actor=staff, call=earlier))
    current = step(30, 9 * 60 + 30, lambda: new_call(
        "大会提案线索征集（第二批）", "聚焦乡村振兴、营商环境和民生保障，欢迎委员和群众提出提案线索。",
        start + datetime.timedelta(days=30), today + datetime.timedelta(days=30)))
    step(30, 10 * 60, lambda: services.clue_call_publish(actor=staff, call=current))
    step(35, 20 * 60, lambda: services.clue_submit_public(committee=committee, client="demo-late", data={
        "call": current.pk, "title": "冬季供暖费用偏高", "text": "建议公开供暖成本，完善价格听证。",
        "category": "society"}))
    del bus  # left for the office to review
    if stdout is not None:
        stdout.write(f"Demo proposal clues: 2 calls, {len(clues) + 1} clues\n")
    return {}
