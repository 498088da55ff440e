"""Properties of compute() over random rule sets and years (Hypothesis)."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.members import rules, scoring
from xieshang.members.scoring import Fact

KINDS = sorted(rules.KINDS)[:6]  # a few kinds, so that items and facts meet
money = st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False)
share = st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2))


@st.composite
def items(draw, points=money):
    return {"kind": draw(st.sampled_from(KINDS)), "points": draw(points), "per": draw(st.sampled_from(sorted(rules.PER))),
            "cap": draw(st.one_of(st.none(), positive)), "after": draw(st.integers(0, 3)), "lead_share": draw(share)}


@st.composite
def documents(draw, points=money):
    categories = []
    for _ in range(draw(st.integers(0, 4))):
        cap = draw(st.one_of(st.none(), positive))
        floor = draw(st.one_of(st.none(), money))
        if cap is not None and floor is not None and floor > cap:
            floor = cap
        categories.append({"name": "c", "start": draw(money), "cap": cap, "floor": floor,
                           "items": draw(st.lists(items(points), max_size=4))})
    mins = draw(st.lists(st.integers(-100, 200), unique=True, max_size=4))
    bands = [{"name": f"b{m}", "min": m} for m in mins] + [{"name": "lowest", "min": None}]
    return {"base": draw(money), "bands": draw(st.permutations(bands)), "categories": categories}


facts = st.lists(st.builds(Fact, kind=st.sampled_from(KINDS),
                           quantity=st.decimals(min_value=0, max_value=8, places=1),
                           authors=st.integers(1, 5), lead=st.booleans()), max_size=20)


@settings(max_examples=150, deadline=None)
@given(documents(), facts)
def test_the_totals_add_up_and_hold_their_limits(document, year):
    parsed = rules.parse(document)
    result = scoring.compute(parsed, year)
    assert result.total == parsed.base + sum((c.points for c in result.categories), Decimal(0))
    for category, rule in zip(result.categories, parsed.categories, strict=True):
        assert category.raw == category.start + sum((i.points for i in category.items), Decimal(0))
        if rule.floor is not None:
            assert category.points >= rule.floor
        if rule.cap is not None and (rule.floor is None or category.raw <= rule.cap):
            assert category.points <= rule.cap
        for item, item_rule in zip(category.items, rule.items, strict=True):
            if item_rule.cap is not None:
                assert abs(item.points) <= item_rule.cap
            assert item.counted <= item.units
            assert item.points == item.points.quantize(Decimal("0.01"))
    # the band: the highest min not above the total, else the lowest
    reached = [b.min for b in parsed.bands if b.min is not None and b.min <= result.total]
    expected = next(b.name for b in parsed.bands if b.min == (max(reached) if reached else None))
    assert result.band == expected
    assert rules.parse(parsed.as_document()) == parsed


@settings(max_examples=100, deadline=None)
@given(documents(points=positive), facts, st.builds(Fact, kind=st.sampled_from(KINDS), authors=st.integers(1, 5),
                                                   lead=st.booleans()))
def test_one_more_fact_never_lowers_a_score_without_deductions(document, year, extra):
    parsed = rules.parse(document)
    assert scoring.compute(parsed, year + [extra]).total >= scoring.compute(parsed, year).total


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 9), st.decimals(min_value=0, max_value=1, places=2), st.decimals(min_value=0, max_value=20, places=2))
def test_the_authors_shares_of_a_joint_object_add_up_to_its_points(authors, lead_share, points):
    document = {"bands": [{"name": "x", "min": None}], "categories": [{"name": "c", "items": [
        {"kind": "proposal_registered", "points": points, "per": "item", "lead_share": lead_share}]}]}
    parsed = rules.parse(document)
    lead = scoring.compute(parsed, [Fact("proposal_registered", authors=authors, lead=True)]).total
    other = scoring.compute(parsed, [Fact("proposal_registered", authors=authors, lead=False)]).total
    assert lead == (points * lead_share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(lead + (authors - 1) * other - points) <= Decimal("0.01") * authors


@settings(max_examples=100, deadline=None)
@given(documents(), facts)
def test_the_order_of_the_facts_does_not_matter_without_after(document, year):
    for category in document["categories"]:
        for item in category["items"]:
            item["after"] = 0
    parsed = rules.parse(document)
    assert scoring.compute(parsed, year).total == scoring.compute(parsed, list(reversed(year))).total
