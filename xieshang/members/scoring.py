"""A member's score for a year: `compute(rules, facts)` (pure: no database), with the arithmetic item by item.

For each item of each category (rules.py), the member's facts of the item's kind, in the order given (the
ledger's: by date), are counted in units:

- `half_day`: each fact's quantity is a number of half-days; `meeting` and `item`: each fact is one unit;
  `year`: one unit when there is any fact of the kind;
- `after` N: only units beyond the first N earn points (a half-day fact may be split);
- shared credit: with `lead_share` s, a fact of an object with several authors (authors > 1) earns s of the
  points for the first author (lead) and (1 − s) / (authors − 1) for every other; a fact of one author, or
  any fact of an item without lead_share, earns the full points;
- the item's points are Σ counted units × points × share, rounded to two places (half up), then held within
  its cap: at most `cap`, and for deductions (negative points) at least −`cap`.

A category's points are its `start` plus its items' points, then held between its `floor` and `cap`; the
total is the rules' `base` plus the categories; the band is the one with the highest `min` not above the total
(`null`: the lowest). Every figure is a Decimal of two places.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .rules import Category, Item, Rules, kind_label

CENT = Decimal("0.01")
ONE = Decimal(1)


@dataclasses.dataclass(frozen=True)
class Fact:
    """One fact in the vocabulary of the rules (rules.KINDS): a ledger fact mapped (selectors.scoring_facts)
    or one typed into the try-out."""

    kind: str
    quantity: Decimal = ONE
    authors: int = 1
    lead: bool = True


@dataclasses.dataclass
class ItemResult:
    category: str
    kind: str
    per: str
    units: Decimal  # every unit the member has of the kind
    counted: Decimal  # the units beyond `after`
    raw: Decimal  # before the item's cap
    points: Decimal
    capped: bool
    arithmetic: str

    @property
    def label(self) -> str:
        return kind_label(self.kind)


@dataclasses.dataclass
class CategoryResult:
    name: str
    start: Decimal
    raw: Decimal  # start + the items' points, before the floor and cap
    points: Decimal
    capped: bool
    floored: bool
    items: list[ItemResult]


@dataclasses.dataclass
class Result:
    base: Decimal
    total: Decimal
    band: str
    categories: list[CategoryResult]

    @property
    def items(self) -> list[ItemResult]:
        return [i for c in self.categories for i in c.items]


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def number_text(value: Decimal | None) -> str:
    """A rule's number as people write it: 2, 2.5, 0.25 (no trailing zeros, never 1E+2)."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def share_of(item: Item, fact: Fact) -> Decimal:
    """The part of an item's points one fact earns (1 without lead_share or for a single author)."""
    if item.lead_share is None or fact.authors <= 1:
        return ONE
    if fact.lead:
        return item.lead_share
    return (ONE - item.lead_share) / Decimal(fact.authors - 1)


def _units_of(item: Item, facts: list[Fact]) -> list[tuple[Decimal, Fact]]:
    if item.per == "year":
        return [(ONE, Fact(kind=item.kind))] if facts else []
    if item.per == "half_day":
        return [(Decimal(f.quantity), f) for f in facts]
    return [(ONE, f) for f in facts]


def score_item(item: Item, facts: list[Fact], category: str = "") -> ItemResult:
    """The points of one item for the member's facts of its kind."""
    units = _units_of(item, [f for f in facts if f.kind == item.kind])
    total_units = sum((u for u, _f in units), Decimal(0))
    skip = item.after
    # the counted units, grouped by what each earns (share), in the order they come
    groups: dict[tuple, Decimal] = {}
    for count, fact in units:
        taken = min(skip, count)
        skip -= taken
        count -= taken
        if count <= 0:
            continue
        share = share_of(item, fact)
        key = (share, fact.lead if share != ONE else None, fact.authors if share != ONE else None)
        groups[key] = groups.get(key, Decimal(0)) + count
    counted = sum(groups.values(), Decimal(0))
    raw = cents(sum((count * item.points * key[0] for key, count in groups.items()), Decimal(0)))
    points, capped = raw, False
    if item.cap is not None:
        if raw > item.cap:
            points, capped = cents(item.cap), True
        elif raw < -item.cap:
            points, capped = cents(-item.cap), True
    return ItemResult(category=category, kind=item.kind, per=item.per, units=total_units, counted=counted, raw=raw,
                      points=points, capped=capped, arithmetic=_arithmetic(item, total_units, groups, raw, points, capped))


def score_category(category: Category, facts: list[Fact]) -> CategoryResult:
    items = [score_item(item, facts, category.name) for item in category.items]
    raw = cents(category.start + sum((i.points for i in items), Decimal(0)))
    points, capped, floored = raw, False, False
    if category.cap is not None and raw > category.cap:
        points, capped = cents(category.cap), True
    if category.floor is not None and raw < category.floor:
        points, floored = cents(category.floor), True
    return CategoryResult(name=category.name, start=category.start, raw=raw, points=points, capped=capped,
                          floored=floored, items=items)


def compute(rules: Rules, facts) -> Result:
    """The score of one member's year of `facts` (Facts in the rules' vocabulary) under `rules`."""
    facts = list(facts)
    categories = [score_category(c, facts) for c in rules.categories]
    total = cents(rules.base + sum((c.points for c in categories), Decimal(0)))
    return Result(base=cents(rules.base), total=total, band=rules.band_for(total), categories=categories)


# --- The arithmetic, one line per item, in the reader's language ------------------------------------------


def _count_text(per: str, n: Decimal) -> str:
    value = number_text(n)
    if per == "half_day":
        return _("%(n)s half-days") % {"n": value}
    if per == "meeting":
        return _("%(n)s meetings") % {"n": value}
    if per == "year":
        return _("%(n)s year") % {"n": value}
    return _("%(n)s items") % {"n": value}


def _term(item: Item, key: tuple, count: Decimal) -> str:
    share, lead, authors = key
    text = f"{number_text(count)} × {number_text(item.points)}"
    if share == ONE:
        return text
    s = number_text(item.lead_share)
    if lead:
        return text + " × " + _("%(share)s (first of %(authors)d authors)") % {"share": s, "authors": authors}
    return text + " × " + _("(1 − %(share)s) / %(others)d (one of %(authors)d authors)") % {
        "share": s, "others": authors - 1, "authors": authors}


def _arithmetic(item: Item, units: Decimal, groups: dict, raw: Decimal, points: Decimal, capped: bool) -> str:
    if units == 0:
        return _("none: 0")
    head = _count_text(item.per, units)
    if item.after:
        head += _(", the first %(n)s not counted") % {"n": number_text(item.after)}
    if not groups:
        return _("%(units)s: %(sum)s") % {"units": head, "sum": "0"}
    terms = " + ".join(_term(item, key, count) for key, count in groups.items())
    line = _("%(units)s: %(sum)s") % {"units": head, "sum": f"{terms} = {raw}"}
    if capped:
        line += _("; item cap %(cap)s → %(points)s") % {"cap": number_text(item.cap), "points": points}
    return line


# --- From the ledger to the vocabulary ----------------------------------------------------------------------


def from_ledger(rows) -> tuple[list[Fact], list[str]]:
    """The vocabulary facts of ledger rows (objects or dicts with kind, quantity, authors, lead; in the order to
    count them), through rules.LEDGER_MAP, and the ledger kinds that map to nothing (ignored by scoring), sorted."""
    from .rules import LEDGER_MAP

    facts: list[Fact] = []
    unmapped: set[str] = set()
    for row in rows:
        get = row.get if isinstance(row, dict) else (lambda key, _row=row: getattr(_row, key))
        kinds = LEDGER_MAP.get(get("kind"))
        if not kinds:
            unmapped.add(get("kind"))
            continue
        for kind in kinds:
            facts.append(Fact(kind=kind, quantity=Decimal(get("quantity")), authors=int(get("authors")),
                              lead=bool(get("lead"))))
    return facts, sorted(unmapped)
