"""Opinion report statistics (社情民意信息统计): the figures of a committee's year, computed from the records.

`opinion_statistics(committee, year=...)` computes every figure with a fixed number of aggregate queries
(six, whatever the number of reports: no Python loop over reports). Like the proposal statistics
(proposal_stats.py), it is read by the statistics page, its Excel export, the API and the command
`xieshang stats opinions --committee changji --year 2024 [--json]`.

Scope
-----
A report belongs to its `year` — the year it was submitted (the year of its number, 收稿编号); a combined
report, the year it was made. Its adoptions and instructions count with it, whenever they were recorded
(a report of December adopted in January counts in the year of the report). Bulletin issues count in the
year of their number.

Figures (keys of the JSON)
--------------------------
received          收到: reports that reached the office from their submitters — every state but draft and
                  withdrawn (`workflow.GROUPS["received"]`), not counting the combined reports the office
                  made from them (those are the office's work, not submissions).
pending           still with the office or back with the submitter: submitted, returned, editing, awaiting
                  approval, approved (among the received).
returned          currently returned to the submitter for more information (among the received).
edited            编辑: reports the office edited — received reports and combined reports with at least one
                  staff version (a combined report always has one: its combined text).
combined          received reports combined into a combined report (并入综合).
combined_reports  combined reports made (综合).
declined          不予采用 by the office, with a reason (received or combined reports).
forwarded         报送: reports sent in a bulletin issue (forwarded or closed) — single and combined
                  reports alike, each counted once whatever the number of recipients.
forwardings       the (report, recipient) pairs sent.
bulletins         the bulletin issues of the year (《社情民意》, by the year of their number).
adopted           采用: forwarded reports with at least one adoption (any recipient, any level, any manner).
adopted_prefecture / adopted_province / adopted_national
                  reports with at least one adoption at that level (a report adopted at two levels counts
                  in both; so these may add up to more than `adopted`).
adoptions         the adoption records (one per report, recipient and level).
instructions      领导批示: the instructions recorded on the year's reports; instructions_prefecture /
                  _province / _national by level; instructed: reports with at least one instruction.
adoption_rate     采用率 = adopted / forwarded (0–1, None when nothing was forwarded): of the reports the
                  committee sent, the share some recipient used. `adoption_rate_display` e.g. "45.2%".
forward_rate      报送率 = forwarded / (received − combined + combined_reports): of the reports the office
                  could send (each combined report standing for the reports in it), the share it sent.

Breakdowns (lists of rows with received, forwarded, adopted, instructions, adoption_rate)
------------------------------------------------------------------------------------------
by_sector         界别: the sector of the report's first member author (`OpinionReport.member`; a combined
                  report: the first author of the first report in it); "(none)" for reports of a party,
                  group, special committee or station without a member.
by_organization   党派团体/单位: the party or group that submitted it; else the special committee or the
                  liaison station; else the party or group of its first member author; "(none)".
by_category       the report's category.
by_level          adoptions and instructions per level (prefecture, province, national).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from xieshang.core import categories
from xieshang.core.formats import percent
from xieshang.opinions.models import (
    Adoption,
    Bulletin,
    Forwarding,
    Instruction,
    Level,
    OpinionReport,
    OpinionState,
    OpinionVersion,
    SubmitterKind,
)
from xieshang.opinions.workflow import GROUPS

S = OpinionState
LEVELS = tuple(Level.values)


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # a lazy translation


FIGURES: dict[str, Figure] = {f.key: f for f in [
    Figure("received", pgettext_lazy("opinion statistics", "Received")),
    Figure("pending", _("In progress")),
    Figure("returned", _("Returned for more information")),
    Figure("edited", _("Edited by the office")),
    Figure("combined", _("Combined into others")),
    Figure("combined_reports", _("Combined reports made")),
    Figure("declined", _("Not used")),
    Figure("forwarded", pgettext_lazy("opinion statistics", "Forwarded")),
    Figure("forwardings", _("Forwardings (report × recipient)")),
    Figure("bulletins", _("Bulletin issues")),
    Figure("adopted", pgettext_lazy("opinion statistics", "Adopted")),
    Figure("adopted_prefecture", _("Adopted at prefecture level")),
    Figure("adopted_province", _("Adopted at province level")),
    Figure("adopted_national", _("Adopted at national level")),
    Figure("adoptions", _("Adoption records")),
    Figure("instructed", _("Reports with instructions")),
    Figure("instructions", pgettext_lazy("opinion statistics", "Leaders' instructions")),
    Figure("instructions_prefecture", _("Instructions at prefecture level")),
    Figure("instructions_province", _("Instructions at province level")),
    Figure("instructions_national", _("Instructions at national level")),
]}

RATES = {
    "adoption_rate": _("Adoption rate (adopted / forwarded)"),
    "forward_rate": _("Forwarding rate (forwarded / reports that could be sent)"),
}

OVERVIEW = (
    "received", "pending", "returned", "edited", "combined", "combined_reports", "declined", "forwarded", "forwardings",
    "bulletins", "adopted", "adopted_prefecture", "adopted_province", "adopted_national", "adoptions", "instructed",
    "instructions", "instructions_prefecture", "instructions_province", "instructions_national",
)

PENDING = (S.SUBMITTED, S.RETURNED, S.EDITING, S.AWAITING_APPROVAL, S.APPROVED)


# --- The conditions, once ------------------------------------------------------------------------------


def _received_q() -> Q:
    return Q(state__in=GROUPS["received"], is_combined=False)


def _forwarded_q() -> Q:
    return Q(state__in=GROUPS["sent"])


def _adopted_q(level: str | None = None) -> Q:
    rows = Adoption.objects.filter(report=OuterRef("pk"))
    if level:
        rows = rows.filter(level=level)
    return _forwarded_q() & Q(Exists(rows))


def _edited_q() -> Q:
    staff = OpinionVersion.objects.filter(report=OuterRef("pk"), is_staff_edit=True)
    return ~Q(state=S.DRAFT) & ~Q(state=S.WITHDRAWN) & Q(Exists(staff))


def _instructed_q() -> Q:
    return Q(Exists(Instruction.objects.filter(report=OuterRef("pk"))))


CONDITIONS = {
    "received": _received_q,
    "pending": lambda: _received_q() & Q(state__in=PENDING),
    "returned": lambda: _received_q() & Q(state=S.RETURNED),
    "edited": _edited_q,
    "combined": lambda: _received_q() & Q(state=S.COMBINED),
    "combined_reports": lambda: Q(is_combined=True) & ~Q(state=S.DRAFT),
    "declined": lambda: Q(state=S.DECLINED),
    "forwarded": _forwarded_q,
    "adopted": _adopted_q,
    **{f"adopted_{level}": (lambda level=level: _adopted_q(level)) for level in LEVELS},
    "instructed": _instructed_q,
}


def scope(committee, *, year=None) -> QuerySet[OpinionReport]:
    """The committee's reports of a year (all years when None)."""
    qs = OpinionReport.objects.filter(committee=committee)
    if year not in (None, ""):
        qs = qs.filter(year=int(year))
    return qs


def _related_scope(committee, year) -> Q:
    q = Q(report__committee=committee)
    if year not in (None, ""):
        q &= Q(report__year=int(year))
    return q


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


# --- The figures -----------------------------------------------------------------------------------------


def opinion_statistics(committee, *, year=None) -> dict:
    """Every figure of the module docstring for one committee (and year). JSON-serialisable."""
    reports = scope(committee, year=year)
    totals = reports.aggregate(**{key: _count(make()) for key, make in CONDITIONS.items()})
    instructions = Instruction.objects.filter(_related_scope(committee, year)).aggregate(
        instructions=Count("pk"), **{f"instructions_{level}": Count("pk", filter=Q(level=level)) for level in LEVELS})
    totals.update(instructions)
    totals.update(Adoption.objects.filter(_related_scope(committee, year)).aggregate(
        adoptions=Count("pk"), **{f"adoptions_{level}": Count("pk", filter=Q(level=level)) for level in LEVELS}))
    totals["forwardings"] = Forwarding.objects.filter(_related_scope(committee, year)).count()
    bulletins = Bulletin.objects.filter(committee=committee)
    if year not in (None, ""):
        bulletins = bulletins.filter(year=int(year))
    totals["bulletins"] = bulletins.count()

    stats: dict = {"committee": committee.code, "year": int(year) if year not in (None, "") else None, **totals}
    stats["adoption_rate"] = _rate(totals["adopted"], totals["forwarded"])
    stats["adoption_rate_display"] = percent(totals["adopted"], totals["forwarded"])
    sendable = totals["received"] - totals["combined"] + totals["combined_reports"]
    stats["forward_rate"] = _rate(totals["forwarded"], sendable)
    stats["forward_rate_display"] = percent(totals["forwarded"], sendable)
    stats["by_level"] = [
        {"key": level, "label": str(Level(level).label), "adopted": totals[f"adopted_{level}"],
         "adoptions": totals[f"adoptions_{level}"], "instructions": totals[f"instructions_{level}"]}
        for level in LEVELS
    ]
    stats["by_sector"] = _by_group(reports.annotate(group_key=_sector_expression()))
    stats["by_organization"] = _by_group(reports.annotate(group_key=_organization_expression()))
    stats["by_category"] = _by_group(reports.annotate(group_key=F("category")), categories.catalogue(committee).labels())  # the committee's list
    return stats


def _sector_expression():
    return Coalesce(F("member__sector__name"), Value(""), output_field=CharField())


def _organization_expression():
    return Case(
        When(submitter_kind=SubmitterKind.ORGANIZATION, then=Coalesce(F("organization__name"), Value(""))),
        When(submitter_kind=SubmitterKind.SPECIAL_COMMITTEE, then=Coalesce(F("special_committee__name"), Value(""))),
        When(submitter_kind=SubmitterKind.STATION, liaison_station__isnull=False, then=F("liaison_station__name")),
        default=Coalesce(F("member__organization__name"), Value("")),
        output_field=CharField(),
    )


def _instruction_count():
    counts = (Instruction.objects.filter(report=OuterRef("pk")).order_by().values("report")
              .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _by_group(reports, labels: dict | None = None) -> list[dict]:
    rows = (
        reports.exclude(state__in=(S.DRAFT, S.WITHDRAWN)).annotate(instruction_count=_instruction_count())
        .values("group_key")
        .annotate(
            received=_count(_received_q()),
            forwarded=_count(_forwarded_q()),
            adopted=_count(_adopted_q()),
            instructions=Coalesce(Sum("instruction_count"), Value(0)),
        )
        .order_by("-forwarded", "-received", "group_key")
    )
    out = []
    for row in rows:
        key = row["group_key"] or ""
        if labels is not None:
            label = str(labels.get(key, key))
        else:
            label = key or str(_("(none)"))
        out.append({
            "key": key, "label": label, "received": row["received"], "forwarded": row["forwarded"],
            "adopted": row["adopted"], "instructions": row["instructions"],
            "adoption_rate": _rate(row["adopted"], row["forwarded"]),
            "adoption_rate_display": percent(row["adopted"], row["forwarded"]),
        })
    return out


def _o(text: str) -> str:
    """The words of these statistics where other screens use the same English for other things."""
    return pgettext("opinion statistics", text)


def years_with_reports(committee) -> list[int]:
    """The years that have reports, latest first (the page's year choices)."""
    return sorted(set(OpinionReport.objects.filter(committee=committee).exclude(state=S.DRAFT)
                      .values_list("year", flat=True).distinct()), reverse=True)


# --- Excel ---------------------------------------------------------------------------------------------------


def statistics_workbook(stats: dict, scope_label: str, committee_name: str) -> bytes:
    """The figures and each breakdown on its own sheet (core.exports: title row, frozen header, numbers as
    numbers, the adoption rate a number shown as a percentage)."""
    from django.utils.translation import gettext
    from openpyxl import Workbook

    from xieshang.core.exports import workbook_bytes

    from .exports import _sheet, overview_rows

    workbook = Workbook()
    workbook.remove(workbook.active)
    heading = f"{committee_name} · {scope_label}"
    _sheet(workbook, gettext("Overview"), [gettext("Figure"), gettext("Value")],
           overview_rows(stats, FIGURES, OVERVIEW, RATES), {1: 36, 2: 14}, heading=heading)
    _sheet(workbook, gettext("By level"), [gettext("Level"), _o("Adopted"), gettext("Adoption records"),
                                           _o("Leaders' instructions")],
           [(r["label"], r["adopted"], r["adoptions"], r["instructions"]) for r in stats["by_level"]],
           heading=f"{heading} · {gettext('By level')}")
    for title, first, rows in (
        (gettext("By sector"), gettext("Sector"), stats["by_sector"]),
        (gettext("By party or group"), gettext("Party, group or unit"), stats["by_organization"]),
        (gettext("By category"), gettext("Category"), stats["by_category"]),
    ):
        _sheet(workbook, title, [first, _o("Received"), _o("Forwarded"), _o("Adopted"), _o("Leaders' instructions"),
                                 gettext("Adoption rate")],
               [(r["label"], r["received"], r["forwarded"], r["adopted"], r["instructions"], r["adoption_rate"])
                for r in rows], heading=f"{heading} · {title}", kinds={6: "percent"})
    return workbook_bytes(workbook)


# --- The command (`xieshang stats opinions`) -------------------------------------------------------------


def print_opinion_statistics(stdout, committee, year=None, *, as_json: bool = False) -> dict:
    """Write the statistics to `stdout`: one JSON object (`as_json`), or a table of figures, rates and the
    breakdown by level. Returns the statistics."""
    import json

    from django.utils.translation import gettext

    from .management.commands.stats import _pad, _width

    stats = opinion_statistics(committee, year=year)
    if as_json:
        stdout.write(json.dumps(stats, ensure_ascii=False, indent=2, default=str))
        return stats
    stdout.write(f"{committee.name} · {year or gettext('All years')} · {gettext('Opinion reports')}")
    rows = [(str(FIGURES[key].label), str(stats[key])) for key in OVERVIEW]
    rows += [(str(label), stats[f"{key}_display"]) for key, label in RATES.items()]
    width = max(_width(label) for label, _v in rows)
    for label, value in rows:
        stdout.write(f"  {_pad(label, width)}  {value:>6}")
    for title, key in ((gettext("By sector"), "by_sector"), (gettext("By party or group"), "by_organization")):
        if not stats[key]:
            continue
        stdout.write("")
        heads = " / ".join((_o("Received"), _o("Forwarded"), _o("Adopted"), _o("Leaders' instructions")))
        stdout.write(f"{title} ({heads})")
        group_width = max(_width(r["label"]) for r in stats[key])
        for r in stats[key]:
            stdout.write(f"  {_pad(r['label'], group_width)}  {r['received']:>4} {r['forwarded']:>4} {r['adopted']:>4}"
                         f" {r['instructions']:>4}")
    return stats
