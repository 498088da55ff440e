"""Two published-style tables (tables.py), each with a member's year computed by hand (the comments)."""

from decimal import Decimal

from django.utils import translation

from xieshang.members import rules, scoring
from xieshang.members.scoring import Fact

from .tables import TABLE_SEVENTY, TABLE_ZERO, ledger


def facts(kind, n=1, quantity=1):
    return [Fact(kind=kind, quantity=Decimal(quantity)) for _ in range(n)]


def by_kind(result):
    return {(i.category, i.kind): i for i in result.items}


def by_category(result):
    return {c.name: c for c in result.categories}


def test_table_zero_member_year():
    rows = (ledger("proposal.lead") + ledger("proposal.lead", authors=3) + ledger("proposal.cosigner", authors=2, lead=False)
            + ledger("proposal.cosigner", authors=4, lead=False) + ledger("proposal.key", authors=3)
            + ledger("proposal.excellent") + ledger("opinion.submitted", 6) + ledger("opinion.adopted.prefecture", 2)
            + ledger("opinion.adopted.province") + ledger("opinion.instruction.prefecture")
            + ledger("grassroots.activity", 4) + ledger("grassroots.reception_day", 2) + ledger("consultation.speech"))
    mapped, unmapped = scoring.from_ledger(rows)
    assert unmapped == ["consultation.speech"]
    year = mapped + (facts("plenary_present", quantity=5) + facts("plenary_absent", quantity=1)
                     + facts("standing_present", 3) + facts("meeting_present", 8) + facts("visit", 7)
                     + facts("training", 2, quantity=3) + facts("commendation"))
    with translation.override("en"):
        result = scoring.compute(rules.parse(TABLE_ZERO), year)
    cats = by_category(result)
    # 参加会议: 5 half-days × 2 = 10, 1 × −5 = −5, 3 × 3 = 9, 8 × 1 = 8 → item cap 6: 20 (category cap 30)
    assert cats["参加会议"].points == Decimal("20.00") and not cats["参加会议"].capped
    # 提案工作: registered 6 (alone) + 6 × 0.5 (first of 3) + 6 × 0.5 / 1 (one of 2) + 6 × 0.5 / 3 (one of 4) = 13;
    # key 5 (no lead_share: full to each), excellent 10: 28
    items = by_kind(result)
    assert items[("提案工作", "proposal_registered")].points == Decimal("13.00")
    assert cats["提案工作"].points == Decimal("28.00")
    # 社情民意信息: 6 × 2 = 12 → cap 10; 2 × 4 = 8; 8; 5 → 31 → category cap 25
    assert items[("社情民意信息", "opinion_submitted")].points == Decimal("10.00")
    assert items[("社情民意信息", "opinion_submitted")].capped
    assert cats["社情民意信息"].raw == Decimal("31.00") and cats["社情民意信息"].points == Decimal("25.00")
    assert cats["社情民意信息"].capped
    # 基层履职: 4 × 2 = 8, 2 × 3 = 6, 7 × 1 = 7 → cap 5: 19 → 15
    assert cats["基层履职"].points == Decimal("15.00")
    # 学习及其他: 6 half-days × 1 = 6 → cap 4, 5: 9
    assert cats["学习及其他"].points == Decimal("9.00")
    assert result.total == Decimal("97.00") and result.band == "优秀"
    registered = items[("提案工作", "proposal_registered")].arithmetic
    assert registered == ("4 items: 1 × 6 + 1 × 6 × 0.5 (first of 3 authors) + 1 × 6 × (1 − 0.5) / 1 (one of 2 authors)"
                          " + 1 × 6 × (1 − 0.5) / 3 (one of 4 authors) = 13.00")
    assert items[("参加会议", "meeting_present")].arithmetic == "8 meetings: 8 × 1 = 8.00; item cap 6 → 6.00"
    assert items[("参加会议", "plenary_present")].arithmetic == "5 half-days: 5 × 2 = 10.00"
    assert items[("社情民意信息", "opinion_adopted_national")].arithmetic == "none: 0"


def test_table_zero_sparse_year_is_below_the_line():
    year = facts("plenary_present", quantity=4) + facts("plenary_absent", quantity=1) + facts("standing_present", 2)
    result = scoring.compute(rules.parse(TABLE_ZERO), year)
    assert result.total == Decimal("9.00")  # 8 − 5 + 6
    assert result.band == "不称职"


def test_table_seventy_member_year():
    rows = (ledger("proposal.lead") + ledger("proposal.lead", authors=3) + ledger("proposal.cosigner", authors=2, lead=False)
            + ledger("opinion.submitted", 4) + ledger("opinion.adopted.province"))
    mapped, unmapped = scoring.from_ledger(rows)
    assert unmapped == []
    year = mapped + (facts("plenary_leave", quantity=2) + facts("standing_absent") + facts("meeting_absent", 4)
                     + facts("research", 2) + facts("inspection") + facts("speech_oral") + facts("training", 3)
                     + facts("public_service", 5))
    with translation.override("en"):
        result = scoring.compute(rules.parse(TABLE_SEVENTY), year)
    cats, items = by_category(result), by_kind(result)
    # 会议出勤: 2 half-days × −1 = −2, 1 × −5, 4 × −2 = −8 → cap 6: −6 → −13 (floor −20, cap 0)
    attendance = cats["会议出勤（扣分）"]
    assert items[("会议出勤（扣分）", "meeting_absent")].points == Decimal("-6.00")
    assert attendance.points == Decimal("-13.00") and not attendance.floored
    # 提案和社情民意: registered: 3, the first not counted; then first of 3 → 5 × 1, one of 2 → 5 × 0 = 5;
    # co-signed 1; opinions 4, the first 2 not counted: 2 × 2 = 4; adopted at province 6 → 16
    assert items[("提案和社情民意（加分）", "proposal_registered")].points == Decimal("5.00")
    assert items[("提案和社情民意（加分）", "proposal_registered")].arithmetic == (
        "3 items, the first 1 not counted: 1 × 5 + 1 × 5 × (1 − 1) / 1 (one of 2 authors) = 5.00")
    assert items[("提案和社情民意（加分）", "opinion_submitted")].points == Decimal("4.00")
    assert cats["提案和社情民意（加分）"].points == Decimal("16.00")
    # 调研视察: 6 + 2 + 3 = 11 → cap 10
    assert cats["调研视察（加分）"].points == Decimal("10.00")
    # 学习和公益: training once a year 2, public service 5 → cap 3: 5
    assert items[("学习和公益（加分）", "training")].units == Decimal(1)
    assert items[("学习和公益（加分）", "training")].arithmetic == "1 year: 1 × 2 = 2.00"
    assert cats["学习和公益（加分）"].points == Decimal("5.00")
    assert result.total == Decimal("88.00") and result.band == "称职"  # 70 − 13 + 16 + 10 + 5


def test_table_seventy_deductions_stop_at_the_floor():
    year = facts("plenary_absent", quantity=4) + facts("standing_absent", 2)  # −16 − 10 = −26 → floor −20
    result = scoring.compute(rules.parse(TABLE_SEVENTY), year)
    attendance = by_category(result)["会议出勤（扣分）"]
    assert attendance.raw == Decimal("-26.00") and attendance.points == Decimal("-20.00") and attendance.floored
    assert result.total == Decimal("50.00") and result.band == "不称职"


def test_table_seventy_empty_year_is_the_base():
    result = scoring.compute(rules.parse(TABLE_SEVENTY), [])
    assert result.total == Decimal("70.00") and result.band == "称职"


def test_half_day_after_splits_a_fact():
    doc = {"bands": [{"name": "x", "min": None}], "categories": [{"name": "c", "items": [
        {"kind": "training", "points": 1, "per": "half_day", "after": 3}]}]}
    result = scoring.compute(rules.parse(doc), facts("training", quantity=2) + facts("training", quantity=2.5))
    assert result.items[0].units == Decimal("4.5") and result.items[0].counted == Decimal("1.5")
    assert result.total == Decimal("1.50")


def test_lead_share_with_one_author_is_full_credit():
    doc = {"bands": [{"name": "x", "min": None}], "categories": [{"name": "c", "items": [
        {"kind": "proposal_registered", "points": 5, "per": "item", "lead_share": 0.6}]}]}
    assert scoring.compute(rules.parse(doc), [Fact("proposal_registered", authors=1, lead=False)]).total == 5
