"""A committee's duty scoring rules (履职量化考核办法) and the fact vocabulary they are written in.

The rule set is one JSON document (the form `GET`/`PUT /api/v1/duty/rules/{year}` exchange, issue #15):

    {"base": 0,
     "bands": [{"name": "优秀", "min": 85}, {"name": "称职", "min": 60}, {"name": "不称职", "min": null}],
     "categories": [{"name": "会议出勤", "start": 0, "cap": 30, "floor": 0,
                     "items": [{"kind": "plenary_present", "points": 2, "per": "half_day", "cap": null,
                                "after": 0, "lead_share": null}]}]}

`parse(document)` checks it and returns a `Rules` (frozen); a document that does not hold raises `RulesInvalid`
with every problem, each naming its place (`categories[2].items[0].kind: unknown fact kind "x"`). The checks:

- `base`, `start`, `points`, `cap`, `floor`, `min`, `after` are numbers (not text, not true/false) of at most two
  decimal places and at most MAX_NUMBER in size; `lead_share` a number in [0, 1] (at most four places);
- a `cap` (of an item or a category) is never below zero; a category's `floor` is not above its `cap`;
  `after` is not below zero;
- `per` is one of PER (`half_day`, `meeting`, `item`, `year`); `kind` one of KINDS (the vocabulary below);
- bands: at least one; names present and distinct; the `min`s distinct (two bands with one threshold overlap);
  exactly one band has `min` null — the lowest, which takes every total below the others (so the bands
  cover every total: no gap). Thresholds may be listed in any order;
- no field the form does not have (a typo such as "caps" is refused, not ignored).

The fact vocabulary (KINDS) is fixed: what a table may score. The duty ledger (core.DutyFact) speaks the apps'
dotted kinds; LEDGER_MAP says which vocabulary kinds each ledger kind counts as (see its comment).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core.text import clean

# --- The vocabulary -------------------------------------------------------------------------------------

KINDS: dict[str, object] = {
    "plenary_present": gettext_lazy("present at a plenary session (per half-day)"),
    "plenary_leave": gettext_lazy("approved leave from a plenary session"),
    "plenary_absent": gettext_lazy("absent from a plenary session without leave"),
    "standing_present": gettext_lazy("present at a standing committee meeting"),
    "standing_leave": gettext_lazy("approved leave from a standing committee meeting"),
    "standing_absent": gettext_lazy("absent from a standing committee meeting without leave"),
    "meeting_present": gettext_lazy("present at another meeting or activity of the committee"),
    "meeting_leave": gettext_lazy("approved leave from another meeting"),
    "meeting_absent": gettext_lazy("absent from another meeting without leave"),
    "speech_oral": gettext_lazy("speech at a meeting"),
    "speech_written": gettext_lazy("written statement to a meeting"),
    "proposal_submitted": gettext_lazy("proposal submitted"),
    "proposal_registered": gettext_lazy("proposal registered"),
    "proposal_key": gettext_lazy("key proposal"),
    "proposal_excellent": gettext_lazy("excellent proposal"),
    "proposal_cosigned": gettext_lazy("proposal co-signed"),
    "opinion_submitted": gettext_lazy("opinion report submitted"),
    "opinion_adopted_prefecture": gettext_lazy("opinion report adopted at prefecture level"),
    "opinion_adopted_province": gettext_lazy("opinion report adopted at province level"),
    "opinion_adopted_national": gettext_lazy("opinion report adopted at national level"),
    "instruction_prefecture": gettext_lazy("leader's instruction at prefecture level"),
    "instruction_province": gettext_lazy("leader's instruction at province level"),
    "instruction_national": gettext_lazy("leader's instruction at national level"),
    "activity": gettext_lazy("activity at a liaison station or studio"),
    "reception_day": gettext_lazy("reception day"),
    "inspection": gettext_lazy("inspection"),
    "research": gettext_lazy("research team"),
    "supervision": gettext_lazy("democratic supervision"),
    "training": gettext_lazy("training"),
    "visit": gettext_lazy("visit to constituents"),
    "public_service": gettext_lazy("public service"),
    "commendation": gettext_lazy("commendation"),
    "other": gettext_lazy("other duty"),
}

# How a fact kind's units are counted (scoring.py): a half-day counts each fact's quantity as half-days; a
# meeting and an item count the facts; a year is one unit when the member has any fact of the kind.
PER: dict[str, object] = {
    "half_day": gettext_lazy("per half-day"),
    "meeting": gettext_lazy("per meeting"),
    "item": gettext_lazy("per item"),
    "year": gettext_lazy("per year"),
}

# The duty ledger's kinds (declared by the apps) → the vocabulary kinds a fact of that kind counts as. A fact
# keeps its quantity, authors and lead in each. Ledger kinds not listed here are ignored by scoring (and listed
# as such with the member's duty: `unmapped`).
#
# Proposals: the ledger has facts only of registered (立案) proposals — "proposal.lead" for the first proposer,
# "proposal.cosigner" for each co-signer, both with authors = the proposers and lead = first. Each of them is a
# proposal_registered fact (lead or not, so a table's lead_share splits the credit of a joint proposal). Every
# registered proposal was also submitted, so each is a proposal_submitted fact too: a table that scores
# submission ("提交提案每件2分，立案再加3分") counts registered ones; a proposal submitted and never registered has
# no ledger fact yet (that needs a "proposal.submitted" kind in proposals), so proposal_submitted is a lower
# bound until then. A co-signer's fact is also proposal_cosigned: a table that scores co-signing on its own gives
# proposal_registered a lead_share of 1 (the first proposer takes it all) and proposal_cosigned its points.
MANUAL_PREFIX = "members.manual."

LEDGER_MAP: dict[str, tuple[str, ...]] = {
    "proposal.lead": ("proposal_submitted", "proposal_registered"),
    "proposal.cosigner": ("proposal_submitted", "proposal_registered", "proposal_cosigned"),
    "proposal.key": ("proposal_key",),
    "proposal.excellent": ("proposal_excellent",),
    "opinion.submitted": ("opinion_submitted",),
    "opinion.adopted.prefecture": ("opinion_adopted_prefecture",),
    "opinion.adopted.province": ("opinion_adopted_province",),
    "opinion.adopted.national": ("opinion_adopted_national",),
    "opinion.instruction.prefecture": ("instruction_prefecture",),
    "opinion.instruction.province": ("instruction_province",),
    "opinion.instruction.national": ("instruction_national",),
    "grassroots.activity": ("activity",),
    "grassroots.reception_day": ("reception_day",),
    # Meetings (the consultation app): attendance with the quantity in half-days where the meeting counts them
    # (else 1), so a half_day item counts half-days and a meeting item counts meetings; speeches one each.
    **{f"consultation.{body}.{presence}": (f"{body}_{presence}",)
       for body in ("plenary", "standing", "meeting") for presence in ("present", "leave", "absent")},
    "consultation.speech.oral": ("speech_oral",),
    "consultation.speech.written": ("speech_written",),
    # Inspections and democratic supervision (the inspections app): team membership of one that took place, the
    # report's author (an inspection or study tour counts as inspection, a research as research), a special
    # supervisor's report.
    "inspections.team.inspection": ("inspection",),
    "inspections.team.study_visit": ("inspection",),
    "inspections.team.research": ("research",),
    "inspections.report.inspection": ("inspection",),
    "inspections.report.study_visit": ("inspection",),
    "inspections.report.research": ("research",),
    "inspections.supervision.team": ("supervision",),
    "inspections.supervisor_report": ("supervision",),
    # Facts added by hand (补录, models.ManualFact): one ledger kind per kind of the vocabulary, counted as it.
    **{f"{MANUAL_PREFIX}{kind}": (kind,) for kind in KINDS},
    # Training (models.Course): an attendee's fact, the quantity in half-days (4 hours a half-day).
    "members.training": ("training",),
}

MAX_NUMBER = Decimal(100000)
MAX_NAME = 60
MAX_BANDS = 20
MAX_CATEGORIES = 50
MAX_ITEMS = 100

DOCUMENT_KEYS = ("base", "bands", "categories")
BAND_KEYS = ("name", "min")
CATEGORY_KEYS = ("name", "start", "cap", "floor", "items")
ITEM_KEYS = ("kind", "points", "per", "cap", "after", "lead_share")


def kind_label(kind: str) -> str:
    label = KINDS.get(kind)
    return str(label) if label is not None else kind


def per_label(per: str) -> str:
    label = PER.get(per)
    return str(label) if label is not None else per


# --- The parsed rules ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Band:
    name: str
    min: Decimal | None


@dataclasses.dataclass(frozen=True)
class Item:
    kind: str
    points: Decimal
    per: str
    cap: Decimal | None = None
    after: Decimal = Decimal(0)
    lead_share: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Category:
    name: str
    items: tuple[Item, ...]
    start: Decimal = Decimal(0)
    cap: Decimal | None = None
    floor: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Rules:
    base: Decimal
    bands: tuple[Band, ...]
    categories: tuple[Category, ...]

    def band_for(self, total: Decimal) -> str:
        """The band with the highest `min` not above `total`; the band without a `min` when none is."""
        reached = [b for b in self.bands if b.min is not None and b.min <= total]
        if reached:
            return max(reached, key=lambda b: b.min).name
        return next(b.name for b in self.bands if b.min is None)

    def as_document(self) -> dict:
        """The JSON form (numbers as JSON numbers: integers where they are whole)."""
        return {
            "base": _json_number(self.base),
            "bands": [{"name": b.name, "min": _json_number(b.min)} for b in self.bands],
            "categories": [
                {"name": c.name, "start": _json_number(c.start), "cap": _json_number(c.cap),
                 "floor": _json_number(c.floor),
                 "items": [{"kind": i.kind, "points": _json_number(i.points), "per": i.per, "cap": _json_number(i.cap),
                            "after": _json_number(i.after), "lead_share": _json_number(i.lead_share)}
                           for i in c.items]}
                for c in self.categories
            ],
        }


def _json_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- Parsing ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Problem:
    place: str  # "categories[2].items[0].kind"; "" for the whole document
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class RulesInvalid(ValueError):
    """The rule set does not hold: `problems`, each with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class _Reader:
    def __init__(self):
        self.problems: list[Problem] = []

    def fail(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    def obj(self, value, place: str, keys: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(place, _("must be an object"))
            return None
        for key in value:
            if key not in keys:
                self.fail(_join(place, str(key)[:40]), _("unknown field (expected one of: %(keys)s)")
                          % {"keys": ", ".join(keys)})
        return value

    def number(self, value, place: str, *, required=False, default=None, places=2, low=None, high=None,
               low_message=None) -> Decimal | None:
        """A number of the document as a Decimal (`default` when absent); `low_message` is said for a number
        outside [low, high]."""
        if value is None:
            if required:
                self.fail(place, _("a number is required"))
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            self.fail(place, _("must be a number"))
            return default
        if isinstance(value, str) and not value.strip():
            if required:
                self.fail(place, _("a number is required"))
            return default
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(place, _("must be a number"))
            return default
        if not number.is_finite():
            self.fail(place, _("must be a number"))
            return default
        if abs(number) > MAX_NUMBER:
            self.fail(place, _("must be between -%(max)s and %(max)s") % {"max": MAX_NUMBER})
            return default
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.fail(place, _("at most %(n)d decimal places") % {"n": places})
            return default
        if low is not None and number < low:
            self.fail(place, low_message or (_("must not be below %(low)s") % {"low": low}))
            return default
        if high is not None and number > high:
            self.fail(place, low_message or (_("must not be above %(high)s") % {"high": high}))
            return default
        return number

    def name(self, value, place: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(place, _("a name is required"))
            return ""
        text = " ".join(clean(value, single_line=True).split())
        if not text:
            self.fail(place, _("a name is required"))
            return ""
        if len(text) > MAX_NAME:
            self.fail(place, _("at most %(n)d characters") % {"n": MAX_NAME})
            return ""
        return text

    def array(self, value, place: str, limit: int) -> list:
        if not isinstance(value, list):
            self.fail(place, _("must be a list"))
            return []
        if len(value) > limit:
            self.fail(place, _("at most %(n)d entries") % {"n": limit})
            return []
        return value


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def parse(document) -> Rules:
    """The rule set of a JSON document (a dict), or RulesInvalid naming the place of every problem."""
    r = _Reader()
    doc = r.obj(document, "", DOCUMENT_KEYS)
    if doc is None:
        raise RulesInvalid(r.problems)
    base = r.number(doc.get("base", 0), "base", default=Decimal(0))
    bands = _bands(r, doc.get("bands"))
    categories = []
    for ci, raw in enumerate(r.array(doc.get("categories", []), "categories", MAX_CATEGORIES)):
        category = _category(r, raw, f"categories[{ci}]")
        if category is not None:
            categories.append(category)
    if r.problems:
        raise RulesInvalid(r.problems)
    return Rules(base=base, bands=tuple(bands), categories=tuple(categories))


def _bands(r: _Reader, value) -> list[Band]:
    if value is None:
        r.fail("bands", _("at least one band is required (the lowest with min null)"))
        return []
    rows = r.array(value, "bands", MAX_BANDS)
    bands: list[Band] = []
    names: dict[str, int] = {}
    mins: dict[Decimal, int] = {}
    lowest: list[int] = []
    for bi, raw in enumerate(rows):
        place = f"bands[{bi}]"
        row = r.obj(raw, place, BAND_KEYS)
        if row is None:
            continue
        name = r.name(row.get("name"), f"{place}.name")
        if "min" not in row:
            r.fail(f"{place}.min", _("give a number, or null for the lowest band"))
            continue
        low = r.number(row.get("min"), f"{place}.min")
        if name:
            if name in names:
                r.fail(f"{place}.name", _("band “%(name)s” is named twice (also bands[%(other)d])")
                       % {"name": name, "other": names[name]})
            names.setdefault(name, bi)
        if row.get("min") is None:
            lowest.append(bi)
        elif low is not None:
            if low in mins:
                r.fail(f"{place}.min", _("bands overlap: bands[%(other)d] starts at %(min)s too")
                       % {"other": mins[low], "min": low})
            mins.setdefault(low, bi)
        bands.append(Band(name=name, min=None if row.get("min") is None else low))
    if rows:
        if not lowest:
            r.fail("bands", _("the bands leave a gap: exactly one band must have min null (the lowest, "
                              "for every total below the other thresholds)"))
        for bi in lowest[1:]:
            r.fail(f"bands[{bi}].min", _("bands overlap: only one band may have min null (bands[%(first)d] has)")
                   % {"first": lowest[0]})
    if not rows and isinstance(value, list):
        r.fail("bands", _("at least one band is required (the lowest with min null)"))
    return bands


def _category(r: _Reader, raw, place: str) -> Category | None:
    row = r.obj(raw, place, CATEGORY_KEYS)
    if row is None:
        return None
    name = r.name(row.get("name"), f"{place}.name")
    start = r.number(row.get("start", 0), f"{place}.start", default=Decimal(0))
    cap = r.number(row.get("cap"), f"{place}.cap", low=Decimal(0), low_message=_("a cap must not be below zero"))
    floor = r.number(row.get("floor"), f"{place}.floor")
    if cap is not None and floor is not None and floor > cap:
        r.fail(f"{place}.floor", _("the floor (%(floor)s) is above the cap (%(cap)s)") % {"floor": floor, "cap": cap})
    items = []
    for ii, raw_item in enumerate(r.array(row.get("items", []), f"{place}.items", MAX_ITEMS)):
        item = _item(r, raw_item, f"{place}.items[{ii}]")
        if item is not None:
            items.append(item)
    return Category(name=name, items=tuple(items), start=start, cap=cap, floor=floor)


def _item(r: _Reader, raw, place: str) -> Item | None:
    row = r.obj(raw, place, ITEM_KEYS)
    if row is None:
        return None
    kind = row.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        r.fail(f"{place}.kind", _("unknown fact kind “%(kind)s”") % {"kind": str(kind)[:40]})
        kind = ""
    per = row.get("per", "item")
    if not isinstance(per, str) or per not in PER:
        r.fail(f"{place}.per", _("unknown unit “%(per)s” (expected one of: %(units)s)")
               % {"per": str(per)[:40], "units": ", ".join(PER)})
        per = "item"
    points = r.number(row.get("points"), f"{place}.points", required=True, default=Decimal(0))
    cap = r.number(row.get("cap"), f"{place}.cap", low=Decimal(0), low_message=_("a cap must not be below zero"))
    after = r.number(row.get("after", 0), f"{place}.after", default=Decimal(0), low=Decimal(0))
    share = r.number(row.get("lead_share"), f"{place}.lead_share", places=4, low=Decimal(0), high=Decimal(1),
                     low_message=_("must be between 0 and 1"))
    return Item(kind=kind, points=points, per=per, cap=cap, after=after if after is not None else Decimal(0),
                lead_share=share)
