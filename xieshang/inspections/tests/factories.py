"""Factories for inspection tests, and `walk_to`: an inspection or supervision item brought to any state through
the services.

    w = make_world()             # the meetings' world (2026-03-02 is "today"): staff, admin, leader, unit user,
                                 # members w.member (on the team), w.other_member (on the team), w.outsider
    i = plan(w)                  # a research planned for May 2026, w.leader leading it
    i = walk_to("report_sent", w)
    s = walk_supervision_to("reported", w)
"""

from __future__ import annotations

import datetime

from xieshang.consultation.tests.factories import TODAY, World, make_world  # noqa: F401 (re-exported)
from xieshang.core import clock
from xieshang.core.models import SpecialCommittee
from xieshang.core.tests.factories import HandlingUnitFactory
from xieshang.inspections import services
from xieshang.inspections.models import Inspection, SupervisionItem

VISIT_DAY = datetime.date(2026, 5, 12)


def plan_data(w: World, **fields) -> dict:
    sc, _created = SpecialCommittee.objects.get_or_create(committee=w.committee, name="经济委员会")
    return {"kind": "research", "title": "数字农业发展情况调研", "year": 2026, "planned_month": 5,
            "purpose": "了解数字农业发展现状", "lead_leader": w.leader.pk, "special_committee": sc.pk, **fields}


def plan(w: World, **fields) -> Inspection:
    return services.inspection_create(actor=w.staff, committee=w.committee, data=plan_data(w, **fields))


def team_data(w: World) -> dict:
    return {"leaders": [w.member_row().pk], "members": [w.member_row(w.other_member).pk]}


STEPS = {
    "planned": [], "under_way": ["set_team", "start"],
    "report_drafted": ["set_team", "start", "add_visit", "record_findings", "add_recommendation", "draft_report"],
    "report_sent": ["set_team", "start", "add_visit", "record_findings", "add_recommendation", "draft_report",
                    "send_report"],
    "closed": ["set_team", "start", "add_visit", "record_findings", "add_recommendation", "draft_report",
               "send_report", "answer", "close"],
    "cancelled": ["cancel"],
}


def action_data(action: str, w: World, obj=None) -> dict:
    if action == "answer":
        rec = obj.recommendations.filter(answered_on__isnull=True).first() or obj.recommendations.first()
        return {"recommendation": rec.pk, "answer": "已采纳，列入明年工作要点。", "adopted": True}
    return {
        "set_team": team_data(w),
        "add_visit": {"date": clock.today().isoformat(), "place": "昌吉市", "units": "州农业农村局、某数字农业园区"},
        "record_findings": {"findings": "数字农业基础设施仍有短板。"},
        "add_recommendation": {"text": "加快建设农业大数据平台。", "recipient": "州政府"},
        "draft_report": {"report_title": "关于数字农业发展情况的调研报告", "report_text": "报告正文。",
                         "author": w.member_row().pk},
        "send_report": {"recipients": "州委、州政府"},
        "cancel": {"reason": "因故取消"},
        "update": plan_data(w),
    }.get(action, {})


def walk_to(state: str, w: World, inspection: Inspection | None = None) -> Inspection:
    obj = inspection or plan(w)
    for action in STEPS[state]:
        services.inspection_act(actor=w.staff, inspection=obj, action=action, data=action_data(action, w, obj))
        obj.refresh_from_db()
    return obj


def supervision_data(w: World, **fields) -> dict:
    return {"title": "普惠托育服务政策落实情况民主监督", "body": "州卫生健康委", "year": 2026, **fields}


SUPERVISION_STEPS = {
    "planned": [], "under_way": ["set_team", "start"], "reported": ["set_team", "start", "record_findings", "report"],
    "closed": ["set_team", "start", "record_findings", "report", "close"], "cancelled": ["cancel"],
}


def supervision_action_data(action: str, w: World, obj=None) -> dict:
    if action == "answer":
        rec = obj.recommendations.filter(answered_on__isnull=True).first() or obj.recommendations.first() if obj else None
        if rec is None:
            return {"recommendation": 999999, "answer": "已采纳。", "adopted": True}
        return {"recommendation": rec.pk, "answer": "州卫生健康委已采纳，制定整改方案。", "adopted": True}
    return {"set_team": team_data(w), "record_findings": {"findings": "托位供给不足。"},
            "add_recommendation": {"text": "建议增加普惠托位供给。", "recipient": "州卫生健康委"},
            "report": {"report_text": "监督报告正文。"}, "close": {"follow_up": "州卫生健康委已制定整改方案。"},
            "cancel": {"reason": "因故取消"}, "update": supervision_data(w)}.get(action, {})


def walk_supervision_to(state: str, w: World, item: SupervisionItem | None = None) -> SupervisionItem:
    obj = item or services.supervision_create(actor=w.staff, committee=w.committee, data=supervision_data(w))
    for action in SUPERVISION_STEPS[state]:
        services.supervision_act(actor=w.staff, item=obj, action=action, data=supervision_action_data(action, w, obj))
        obj.refresh_from_db()
    return obj


def supervisor_data(w: World, **fields) -> dict:
    unit = HandlingUnitFactory(committee=w.committee)
    return {"member": w.member_row().pk, "unit": unit.pk, "term_start": "2026-01-01", "term_end": "2027-12-31",
            **fields}


def appoint(w: World, **fields):
    return services.supervisor_appoint(actor=w.staff, committee=w.committee, data=supervisor_data(w, **fields))
