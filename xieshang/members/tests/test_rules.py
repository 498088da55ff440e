"""The rule set's checks: every problem named by its place."""

import copy

import pytest
from django.utils import translation

from xieshang.members import rules

from .tables import TABLE_SEVENTY, TABLE_ZERO


def problems(document):
    with translation.override("en"):
        with pytest.raises(rules.RulesInvalid) as caught:
            rules.parse(document)
    return [str(p) for p in caught.value.problems]


def doc(**changes):
    d = copy.deepcopy(TABLE_ZERO)
    d.update(changes)
    return d


def test_the_tables_parse_and_round_trip():
    for table in (TABLE_ZERO, TABLE_SEVENTY):
        parsed = rules.parse(table)
        assert rules.parse(parsed.as_document()) == parsed


def test_unknown_kind_names_its_place():
    d = doc()
    d["categories"][2]["items"][0]["kind"] = "x"
    assert problems(d) == ["categories[2].items[0].kind: unknown fact kind “x”"]


def test_unknown_unit():
    d = doc()
    d["categories"][0]["items"][1]["per"] = "hour"
    assert problems(d) == ["categories[0].items[1].per: unknown unit “hour” (expected one of: half_day, meeting, item, year)"]


def test_caps_below_zero():
    d = doc()
    d["categories"][1]["cap"] = -1
    d["categories"][0]["items"][3]["cap"] = -0.5
    assert problems(d) == ["categories[0].items[3].cap: a cap must not be below zero",
                           "categories[1].cap: a cap must not be below zero"]


def test_floor_above_cap():
    d = doc()
    d["categories"][0]["floor"] = 40
    assert problems(d) == ["categories[0].floor: the floor (40) is above the cap (30)"]


@pytest.mark.parametrize("share", [-0.1, 1.5, "half", True])
def test_lead_share_outside_zero_one(share):
    d = doc()
    d["categories"][1]["items"][0]["lead_share"] = share
    [problem] = problems(d)
    assert problem.startswith("categories[1].items[0].lead_share: ")


def test_bands_overlap_same_min():
    d = doc(bands=[{"name": "优秀", "min": 85}, {"name": "良好", "min": 85}, {"name": "不称职", "min": None}])
    assert problems(d) == ["bands[1].min: bands overlap: bands[0] starts at 85 too"]


def test_bands_two_lowest_overlap():
    d = doc(bands=[{"name": "优秀", "min": 85}, {"name": "a", "min": None}, {"name": "b", "min": None}])
    assert problems(d) == ["bands[2].min: bands overlap: only one band may have min null (bands[1] has)"]


def test_bands_without_lowest_leave_a_gap():
    d = doc(bands=[{"name": "优秀", "min": 85}, {"name": "称职", "min": 60}])
    [problem] = problems(d)
    assert problem.startswith("bands: the bands leave a gap")


def test_bands_required_and_named_once():
    assert problems(doc(bands=[]))[0].startswith("bands: at least one band")
    d = doc(bands=[{"name": "优秀", "min": 85}, {"name": "优秀", "min": None}])
    assert problems(d) == ["bands[1].name: band “优秀” is named twice (also bands[0])"]
    assert problems(doc(bands=[{"name": "a"}])) == ["bands[0].min: give a number, or null for the lowest band",
                                                    "bands: the bands leave a gap: exactly one band must have min "
                                                    "null (the lowest, for every total below the other thresholds)"]


def test_numbers_and_unknown_fields():
    d = doc(base="seventy", extra=1)
    d["categories"][0]["items"][0]["points"] = 1.234
    d["categories"][0]["items"][0]["caps"] = 3
    del d["categories"][1]["items"][0]["points"]
    assert problems(d) == [
        "extra: unknown field (expected one of: base, bands, categories)",
        "base: must be a number",
        "categories[0].items[0].caps: unknown field (expected one of: kind, points, per, cap, after, lead_share)",
        "categories[0].items[0].points: at most 2 decimal places",
        "categories[1].items[0].points: a number is required",
    ]


def test_not_an_object():
    assert problems([]) == ["must be an object"]
    assert problems(doc(categories={})) == ["categories: must be a list"]


def test_every_problem_at_once():
    d = doc()
    d["categories"][0]["items"][0]["kind"] = "nope"
    d["categories"][4]["items"][2]["after"] = -1
    assert len(problems(d)) == 2


def test_band_for():
    parsed = rules.parse(TABLE_SEVENTY)
    from decimal import Decimal

    assert [parsed.band_for(Decimal(v)) for v in ("95", "90", "89.99", "70", "60", "59.99", "-5")] == [
        "优秀", "优秀", "称职", "称职", "基本称职", "不称职", "不称职"]


def test_vocabulary_and_mapping():
    assert len(rules.KINDS) == 33
    for ledger_kind, kinds in rules.LEDGER_MAP.items():
        assert kinds and set(kinds) <= set(rules.KINDS), ledger_kind


def test_mapping_covers_every_declared_ledger_kind():
    """Every kind an app declares today counts as something (a new kind must be added to LEDGER_MAP, or is
    listed as unmapped with a member's duty)."""
    from xieshang.core import registry

    assert set(registry.duty_kinds()) <= set(rules.LEDGER_MAP)


def test_names_are_cleaned_to_one_line():
    document = {"bands": [{"name": "第一行\r\n第二行\x07", "min": None}], "categories": []}
    assert rules.parse(document).bands[0].name == "第一行 第二行"
    assert problems({"bands": [{"name": "\x00\x07", "min": None}]}) == ["bands[0].name: a name is required"]
