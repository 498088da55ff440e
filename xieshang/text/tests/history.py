"""A small committee history for the text screens' tests: decided proposals with categories and units (bare rows,
fast), written for these tests from the synthetic corpus (no real rows)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from xieshang.proposals.models import Assignment, Proposal
from xieshang.proposals.tests.factories import ProposalFactory, make_committee, make_member, make_role_user, make_unit

from .corpus import TOPICS, sentence

# corpus topic → (proposal category code, opinion/demand code unused)
CODES = {"经济发展": "economy", "教育事业": "culture", "资源环境": "ecology", "城乡建设": "society"}
LAST_YEAR_TITLE = "关于加快老旧小区加装电梯的建议"
LAST_YEAR_BODY = ("我市老旧小区多为六层以下住宅，没有电梯，老年住户上下楼十分困难。建议住房城乡建设部门简化加装电梯审批流程。"
                  "建议财政对加装电梯给予补贴，并协调低层住户意见。")
REPLY_TEXT = "我局已出台老旧小区加装电梯实施办法，审批时限压缩至二十个工作日，并安排专项补贴资金。"


def make_history(committee=None, per_topic=10, seed=3):
    """(committee, units by category code, finance unit, staff user): per_topic closed proposals per topic in
    2025, each assigned to its topic's unit (lead; a third also to the finance bureau as co unit)."""
    committee = committee or make_committee()
    rng = random.Random(seed)
    units, users = {}, {}
    for topic, (unit_name, _words) in TOPICS.items():
        if topic in CODES:
            units[CODES[topic]], users[CODES[topic]] = make_unit(committee, name=unit_name)
    finance, _u = make_unit(committee, name="财政局")
    staff = make_role_user(committee, "staff")
    author = make_member(committee)
    member_row = author.memberships.get(committee=committee)
    when = timezone.make_aware(datetime.datetime(2025, 3, 1, 10))
    for topic, (_unit, words) in TOPICS.items():
        if topic not in CODES:
            continue
        code = CODES[topic]
        for i in range(per_topic):
            title = f"关于{rng.choice(['加强', '完善', '推进'])}{rng.choice(words)}{rng.choice(['工作', '管理'])}的提案"
            body = "".join(sentence(rng, words) for _ in range(6))
            p = ProposalFactory(committee=committee, state="closed", category=code, title=title, body=body,
                                lead_proposer=member_row, created_by=author)
            _assign(p, units[code], "lead" if i % 3 == 0 else "sole", when)
            if i % 3 == 0:
                _assign(p, finance, "co", when)
    Proposal.objects.filter(committee=committee).update(created_at=when)
    return committee, units, finance, staff


def _assign(p, unit, role, when):
    day = when.date()
    Assignment.objects.create(proposal=p, unit=unit, role=role, state="replied", assigned_at=when, objection_due=day,
                              due_date=day, original_due_date=day)
