"""预警: the members the office should look at in a year, and why (read by the alerts page and the API).

- **Below the pass line** (`low`): the pass line is the `min` of the second-lowest band (the lowest has none:
  a total below the pass line is in the lowest band). At year's end (the year is over) the year's total with the
  leaders' adjustments is below it. At mid-year (from 1 July of the running year) the score of the facts up to
  30 June (with the adjustments) is below half the way from the base to the pass line (base + (pass − base) / 2:
  half a year's work is expected by then; a table that starts above its pass line warns at a total below the
  middle between them).
- **Absent twice in a row** (`absent`): two plenary or standing committee meetings one after the other (the
  member's attendance facts of the consultation app, this year and the last, in date order) both absent without
  approved leave (`consultation.plenary.absent` / `consultation.standing.absent`), the second in this year.
- **No proposal or report** (`no_output`): the committee set a date for the year (AlertSetting) and it has come,
  and the member has no ledger fact counting as `proposal_submitted` or `opinion_submitted` dated by then.

A fixed number of queries, whatever the number of members (the score table's, the attendance facts, the
setting, the procedure steps).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy

from xieshang.core import clock
from xieshang.core.errors import NotFound
from xieshang.core.models import DutyFact

from . import rules, selectors
from .models import AlertSetting, ProcedureStep

REASONS = {
    "low_year": gettext_lazy("below the pass line at year's end"),
    "low_mid": gettext_lazy("below the mid-year line"),
    "absent": gettext_lazy("absent from two plenary or standing meetings in a row without leave"),
    "no_output": gettext_lazy("no proposal or opinion report by the committee's date"),
}
ATTENDANCE = tuple(f"consultation.{body}.{presence}" for body in ("plenary", "standing")
                   for presence in ("present", "leave", "absent"))
OUTPUT_KINDS = {"proposal_submitted", "opinion_submitted"}


@dataclasses.dataclass
class Alert:
    row: selectors.ScoreRow  # the year's score (or the mid-year one) and ranks
    reasons: list[str]
    steps: list = dataclasses.field(default_factory=list)  # ProcedureStep rows of the year

    @property
    def labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]

    @property
    def next_step(self):
        done = {s.step for s in self.steps}
        return next((value for value, _label in ProcedureStep.Step.choices if value not in done), None)


@dataclasses.dataclass
class Alerts:
    year: int
    checkpoint: str  # "year", "mid" or "" (before July of the running year: no score check)
    pass_line: Decimal | None
    line: Decimal | None  # the line of this checkpoint
    output_due: datetime.date | None
    alerts: list[Alert]


def pass_line(parsed: rules.Rules | None) -> Decimal | None:
    """The min of the second-lowest band (None without rules or with a single band)."""
    if parsed is None:
        return None
    mins = sorted(b.min for b in parsed.bands if b.min is not None)
    return mins[0] if mins else None


def absent_twice(rows) -> set[int]:
    """Members with two plenary/standing attendance facts in a row both absent, the second in `year`:
    rows are (member_id, kind, occurred_on, year) in date order."""
    last: dict[int, str] = {}
    found = set()
    for member_id, kind, occurred_on, year in rows:
        absent = kind.endswith(".absent")
        if absent and last.get(member_id) == "absent" and occurred_on.year == year:
            found.add(member_id)
        last[member_id] = "absent" if absent else "other"
    return found


def compute(committee, year: int, today: datetime.date | None = None) -> Alerts:
    today = today or clock.today()
    year = selectors.check_year(year)
    checkpoint = "year" if today > datetime.date(year, 12, 31) else (
        "mid" if today >= datetime.date(year, 7, 1) else "")
    table = selectors.score_table(committee, year, until=datetime.date(year, 6, 30) if checkpoint == "mid" else None)
    line = passing = pass_line(table.rules)
    if checkpoint == "mid" and passing is not None:
        base = table.rules.base
        line = scoring_cents(base + (passing - base) / 2)
    reasons: dict[int, list[str]] = {}
    if checkpoint and line is not None:
        for row in table.rows:
            if row.total is not None and row.total < line:
                reasons.setdefault(row.member.pk, []).append("low_year" if checkpoint == "year" else "low_mid")
    attendance = (DutyFact.objects.filter(committee=committee, kind__in=ATTENDANCE,
                                          occurred_on__gte=datetime.date(year - 1, 1, 1),
                                          occurred_on__lte=datetime.date(year, 12, 31))
                  .order_by("member_id", "occurred_on", "id").values_list("member_id", "kind", "occurred_on"))
    for member_id in sorted(absent_twice((m, k, d, year) for m, k, d in attendance)):
        reasons.setdefault(member_id, []).append("absent")
    setting = AlertSetting.objects.filter(committee=committee, year=year).first()
    due = setting.output_due if setting is not None else None
    if due is not None and today >= due:
        output_kinds = [k for k, counts in rules.LEDGER_MAP.items() if OUTPUT_KINDS & set(counts)]
        productive = set(DutyFact.objects.filter(committee=committee, kind__in=output_kinds,
                                                 occurred_on__gte=datetime.date(year, 1, 1), occurred_on__lte=due)
                         .values_list("member_id", flat=True).distinct())
        for row in table.rows:
            if row.member.pk not in productive:
                reasons.setdefault(row.member.pk, []).append("no_output")
    steps: dict[int, list] = {}
    for step in ProcedureStep.objects.filter(committee=committee, year=year).order_by("id"):
        steps.setdefault(step.member_id, []).append(step)
    alerts = [Alert(row=row, reasons=reasons[row.member.pk], steps=steps.get(row.member.pk, []))
              for row in table.rows if row.member.pk in reasons]
    alerts.sort(key=lambda a: (a.row.total if a.row.total is not None else Decimal(10 ** 9), a.row.member.name))
    return Alerts(year=year, checkpoint=checkpoint, pass_line=passing, line=line, output_due=due, alerts=alerts)


def scoring_cents(value: Decimal) -> Decimal:
    from .scoring import cents

    return cents(value)


def committee_alerts(user, committee, year, today=None) -> Alerts:
    """The alerts of the year for the committee's office staff and administrators (NotFound for anyone else)."""
    if committee is None or not selectors.is_office(user, committee):
        raise NotFound()
    return compute(committee, year, today)
