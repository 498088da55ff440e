"""Two published-style scoring tables, written for these tests (shapes of real 履职量化考核办法).

TABLE_ZERO: starts at 0, categories with caps (and one floor), points per half-day, per meeting and per item,
shared credit of joint proposals (the first proposer half, the others the rest).
TABLE_SEVENTY: starts at 70, an attendance category of deductions held at a floor, bonuses only beyond a quota
("the first registered proposal is expected", "two opinion reports a year are the requirement"), the first
proposer of a joint proposal takes it all (lead_share 1) and co-signing scores on its own, a once-a-year item.
"""

TABLE_ZERO = {
    "base": 0,
    "bands": [{"name": "优秀", "min": 85}, {"name": "称职", "min": 60}, {"name": "基本称职", "min": 50},
              {"name": "不称职", "min": None}],
    "categories": [
        {"name": "参加会议", "start": 0, "cap": 30, "floor": 0, "items": [
            {"kind": "plenary_present", "points": 2, "per": "half_day"},
            {"kind": "plenary_absent", "points": -5, "per": "half_day"},
            {"kind": "standing_present", "points": 3, "per": "meeting"},
            {"kind": "meeting_present", "points": 1, "per": "meeting", "cap": 6},
        ]},
        {"name": "提案工作", "start": 0, "cap": 30, "floor": None, "items": [
            {"kind": "proposal_registered", "points": 6, "per": "item", "lead_share": 0.5},
            {"kind": "proposal_key", "points": 5, "per": "item"},
            {"kind": "proposal_excellent", "points": 10, "per": "item"},
        ]},
        {"name": "社情民意信息", "start": 0, "cap": 25, "items": [
            {"kind": "opinion_submitted", "points": 2, "per": "item", "cap": 10},
            {"kind": "opinion_adopted_prefecture", "points": 4, "per": "item"},
            {"kind": "opinion_adopted_province", "points": 8, "per": "item"},
            {"kind": "opinion_adopted_national", "points": 15, "per": "item"},
            {"kind": "instruction_prefecture", "points": 5, "per": "item"},
            {"kind": "instruction_province", "points": 10, "per": "item"},
        ]},
        {"name": "基层履职", "start": 0, "cap": 15, "items": [
            {"kind": "activity", "points": 2, "per": "item"},
            {"kind": "reception_day", "points": 3, "per": "item"},
            {"kind": "inspection", "points": 2, "per": "item"},
            {"kind": "research", "points": 3, "per": "item"},
            {"kind": "visit", "points": 1, "per": "item", "cap": 5},
        ]},
        {"name": "学习及其他", "start": 0, "cap": 10, "items": [
            {"kind": "training", "points": 1, "per": "half_day", "cap": 4},
            {"kind": "commendation", "points": 5, "per": "item"},
            {"kind": "public_service", "points": 2, "per": "item"},
        ]},
    ],
}

TABLE_SEVENTY = {
    "base": 70,
    "bands": [{"name": "不称职", "min": None}, {"name": "优秀", "min": 90}, {"name": "基本称职", "min": 60},
              {"name": "称职", "min": 70}],
    "categories": [
        {"name": "会议出勤（扣分）", "start": 0, "cap": 0, "floor": -20, "items": [
            {"kind": "plenary_leave", "points": -1, "per": "half_day"},
            {"kind": "plenary_absent", "points": -4, "per": "half_day"},
            {"kind": "standing_leave", "points": -1, "per": "meeting"},
            {"kind": "standing_absent", "points": -5, "per": "meeting"},
            {"kind": "meeting_absent", "points": -2, "per": "meeting", "cap": 6},
        ]},
        {"name": "提案和社情民意（加分）", "start": 0, "cap": 20, "items": [
            {"kind": "proposal_registered", "points": 5, "per": "item", "after": 1, "lead_share": 1},
            {"kind": "proposal_cosigned", "points": 1, "per": "item", "cap": 3},
            {"kind": "opinion_submitted", "points": 2, "per": "item", "after": 2},
            {"kind": "opinion_adopted_province", "points": 6, "per": "item"},
            {"kind": "instruction_province", "points": 8, "per": "item"},
        ]},
        {"name": "调研视察（加分）", "start": 0, "cap": 10, "items": [
            {"kind": "research", "points": 3, "per": "item"},
            {"kind": "inspection", "points": 2, "per": "item"},
            {"kind": "supervision", "points": 2, "per": "item"},
            {"kind": "speech_oral", "points": 3, "per": "meeting"},
            {"kind": "speech_written", "points": 1, "per": "item"},
        ]},
        {"name": "学习和公益（加分）", "start": 0, "items": [
            {"kind": "training", "points": 2, "per": "year"},
            {"kind": "public_service", "points": 1, "per": "item", "cap": 3},
        ]},
    ],
}


def ledger(kind, n=1, quantity=1, authors=1, lead=True):
    """n ledger rows of one kind (dicts as scoring.from_ledger reads them)."""
    return [{"kind": kind, "quantity": quantity, "authors": authors, "lead": lead} for _ in range(n)]
