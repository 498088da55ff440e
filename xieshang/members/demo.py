"""Demo members' duty (履职) of 昌吉州政协: `load(demo, stdout=None)`, called by `xieshang demo` (declared in
declarations.py: `Declarations.demo_loaders`; members comes after proposals, opinions, grassroots and
consultation in INSTALLED_APPS, so their ledger facts are there).

What it makes, for 2024, 2025 and the running year 2026 (a year after the demo's today is left out):
* The committee's published-style scoring rules (《昌吉州政协委员履职量化考核办法》, written for this project in
  the shape real committees publish): a base of 50; meetings (with deductions for absences, floor −20),
  proposals, opinion reports, grassroots work, training and other duty, each category capped; bands 优秀 ≥ 80,
  称职 ≥ 60, 基本称职 ≥ 55, 不称职 below — so the pass line is 55. 2026 revises two items (reception days and
  adopted reports earn more), as committees do. Stored through services.duty_rules_put as the office.
* Training: a training course in spring (8 hours) and a study session in autumn (4 hours) each year, every
  active member enrolled, about 85 % present (a fixed seed); the attendance through the services, so the
  attendees earn `members.training` facts.
* A few facts added by hand each year (commendations, charity work, media interviews), with their reasons.
* The committee's date for a proposal or report: 30 June of each year.
* The non-performance procedure: the lowest members of 2025 below the pass line had a talk (谈话提醒) in
  January 2026, the lowest of them also a circulated notice (通报).
With the demo's proposals, reports and grassroots activities (no meetings' attendance unless the consultation
app's demo wrote it), about 80 % of the members come out 称职, 3–4 % 优秀, 10–17 % 基本称职 and 2–7 不称职 —
below the pass line, on the alerts list with those without a proposal or report by 30 June (the figures
`xieshang demo` prints, e.g. 2025: 优秀 12, 称职 251, 基本称职 30, 不称职 7).

Idempotent: a year that has rules keeps them; courses, hand facts and steps are matched by their natural keys.
"""

from __future__ import annotations

import copy
import datetime
import random
from django.utils import timezone

from xieshang.core import clock
from xieshang.core.demo_kit import clock as at

from . import alerts, selectors, services
from .models import AlertSetting, Course, DutyRuleSet, ManualFact, ProcedureStep

YEARS = (2024, 2025, 2026)
SEED = 15


def _item(kind, points, per="item", cap=None, after=0, lead_share=None):
    return {"kind": kind, "points": points, "per": per, "cap": cap, "after": after, "lead_share": lead_share}


RULES = {
    "base": 50,
    "bands": [{"name": "优秀", "min": 80}, {"name": "称职", "min": 60}, {"name": "基本称职", "min": 55},
              {"name": "不称职", "min": None}],
    "categories": [
        {"name": "会议出勤", "start": 0, "cap": 10, "floor": -20, "items": [
            _item("plenary_present", 1, "half_day"), _item("standing_present", 1, "meeting"),
            _item("meeting_present", 0.5, "meeting", cap=3),
            _item("plenary_absent", -5, "meeting"), _item("standing_absent", -3, "meeting"),
            _item("meeting_absent", -1, "meeting"),
            _item("speech_oral", 2), _item("speech_written", 1),
        ]},
        {"name": "提案工作", "start": 0, "cap": 15, "floor": None, "items": [
            _item("proposal_registered", 3, lead_share=0.6),
            _item("proposal_cosigned", 0.5, cap=2),
            _item("proposal_key", 3), _item("proposal_excellent", 5),
        ]},
        {"name": "社情民意信息", "start": 0, "cap": 15, "floor": None, "items": [
            _item("opinion_submitted", 2, cap=10),
            _item("opinion_adopted_prefecture", 2), _item("opinion_adopted_province", 4),
            _item("opinion_adopted_national", 8),
            _item("instruction_prefecture", 3), _item("instruction_province", 6),
            _item("instruction_national", 10),
        ]},
        {"name": "基层履职", "start": 0, "cap": 10, "floor": None, "items": [
            _item("activity", 1.5), _item("reception_day", 1.5),
            _item("inspection", 2), _item("research", 2), _item("supervision", 2), _item("visit", 1, cap=4),
        ]},
        {"name": "学习培训", "start": 0, "cap": 6, "floor": None, "items": [_item("training", 1.5, "half_day")]},
        {"name": "其他履职", "start": 0, "cap": 6, "floor": None, "items": [
            _item("public_service", 2), _item("commendation", 3), _item("other", 1, cap=3),
        ]},
    ],
}


def rules_of(year: int) -> dict:
    document = copy.deepcopy(RULES)
    if year >= 2026:  # the 2026 revision: reception days and adopted reports earn more
        for category in document["categories"]:
            for item in category["items"]:
                if item["kind"] == "reception_day":
                    item["points"] = 2
                if item["kind"] == "opinion_adopted_prefecture":
                    item["points"] = 3
    return document


COURSES = [
    ("{year}年度新任委员履职能力提升培训班", "course", (4, 18), "8", "中共昌吉州委党校"),
    ("{year}年度政协委员读书活动专题学习会", "study", (10, 16), "4", "州政协机关三楼会议室"),
]
HAND_FACTS = [
    ("commendation", "获评自治区“优秀政协委员”（自治区政协通报表彰）"),
    ("public_service", "参与“助力乡村振兴”结对帮扶，捐赠农资，受帮扶村委会出具证明"),
    ("other", "接受昌吉电视台《委员访谈》栏目采访，宣传政协协商工作"),
    ("public_service", "组织医疗专家开展义诊进社区活动，服务群众百余人"),
    ("commendation", "所在单位获评全州民族团结进步模范集体，本人受表彰"),
]


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load(demo: dict, stdout=None) -> dict:
    committee = demo["committee"]
    staff, leader = demo["users"]["staff"], demo["users"].get("leader")
    today = clock.today()
    rng = random.Random(SEED)
    members = sorted((m for m in demo["members"].values() if m.committee_id == committee.pk and m.is_active),
                     key=lambda m: m.pk)
    lines = []
    for year in YEARS:
        if year > today.year:
            continue
        done = []
        if not DutyRuleSet.objects.filter(committee=committee, year=year).exists():
            with at(_moment(datetime.date(year, 1, 20))):
                services.duty_rules_put(actor=staff, committee=committee, year=year, document=rules_of(year),
                                        version=0)
            done.append("rules")
        if not AlertSetting.objects.filter(committee=committee, year=year).exists():
            with at(_moment(datetime.date(year, 1, 20), 11)):
                services.alert_setting_put(actor=staff, committee=committee, year=year,
                                           output_due=datetime.date(year, 6, 30))
        for title, kind, (month, day), hours, place in COURSES:
            held_on = datetime.date(year, month, day)
            title = title.format(year=year)
            if held_on > today or Course.objects.filter(committee=committee, title=title).exists():
                continue
            with at(_moment(held_on - datetime.timedelta(days=14))):
                course = services.course_save(actor=staff, committee=committee, title=title, kind=kind,
                                              held_on=held_on, hours=hours, place=place)
                services.enrol(actor=staff, committee=committee, course=course.pk, member_ids=[m.pk for m in members])
            present = [m.pk for m in members if rng.random() < 0.85]
            with at(_moment(held_on, 17)):
                services.attendance_record(actor=staff, committee=committee, course=course.pk, present_ids=present)
            done.append(f"{title} ({len(present)} present)")
        if not ManualFact.objects.filter(committee=committee, occurred_on__year=year).exists():
            chosen = rng.sample(members, min(len(members), len(HAND_FACTS)))
            for index, (member, (kind, note)) in enumerate(zip(chosen, HAND_FACTS)):
                day = datetime.date(year, 3 + index * 2, 10)
                if day > today:
                    continue
                with at(_moment(day + datetime.timedelta(days=3))):
                    services.manual_fact_add(actor=staff, committee=committee, member=member.pk, kind=kind,
                                             occurred_on=day, note=note)
            done.append("hand facts")
        lines.append(f"  {year}: {', '.join(done) or 'already there'}")
    lines += _procedure(committee, staff, today)
    lines += _spread(committee, staff, today)
    if stdout is not None:
        stdout.write("Demo members' duty:\n" + "\n".join(lines) + "\n")
    return {}


def _procedure(committee, staff, today) -> list[str]:
    """The talks and the notice of 2026 for the lowest of 2025 below the pass line."""
    if today < datetime.date(2026, 2, 1) or ProcedureStep.objects.filter(committee=committee, year=2025).exists():
        return []
    found = alerts.compute(committee, 2025, today=datetime.date(2026, 1, 5))
    low = [a for a in found.alerts if "low_year" in a.reasons][:4]
    for index, alert in enumerate(low):
        with at(_moment(datetime.date(2026, 1, 12 + index))):
            services.procedure_record(actor=staff, committee=committee, member=alert.row.member.pk, year=2025,
                                      step="talk", taken_on=datetime.date(2026, 1, 12 + index),
                                      note="州政协秘书长与本人谈话，指出2025年度履职得分低于合格线，提醒按期提交提案、参加活动")
        if index == 0:
            with at(_moment(datetime.date(2026, 1, 26))):
                services.procedure_record(actor=staff, committee=committee, member=alert.row.member.pk, year=2025,
                                          step="notice", taken_on=datetime.date(2026, 1, 26),
                                          note="经主席会议研究，在全委范围内通报2025年度履职情况")
    return [f"  non-performance procedure 2025: {len(low)} talks, {min(len(low), 1)} notice"]


def _spread(committee, staff, today) -> list[str]:
    out = []
    for year in YEARS:
        if year > today.year:
            continue
        table = selectors.score_table(committee, year)
        bands: dict[str, int] = {}
        for row in table.rows:
            bands[row.band] = bands.get(row.band, 0) + 1
        low = len(alerts.compute(committee, year, today).alerts)
        out.append(f"  scores {year}: " + ", ".join(f"{name} {bands.get(name, 0)}" for name in table.bands)
                   + f"; {low} on the alerts list")
    return out

