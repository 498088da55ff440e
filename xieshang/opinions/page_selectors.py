"""Reads the opinion report screens need beyond `selectors.py` (written by the screens; each starts from a
queryset the app's selectors made, so visibility stays in one place).

`with_outcomes(qs)` makes a list's rows carry what became of each report — its forwardings, adoptions and
instructions, and those of the combined report it went into — in a fixed number of queries whatever the
number of rows; `outcome_lines(report)` turns one such row into the lines the member reads (件件有回音).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from .models import (
    Adoption,
    Bulletin,
    Forwarding,
    Instruction,
    OpinionAuthor,
    OpinionReport,
    OpinionState,
    OpinionVersion,
)

S = OpinionState
COMBINED_DEPTH = 2  # a report combined into a combined report that was combined again (with_outcomes reads both)


def _outcome_prefetches(prefix: str = "") -> list:
    return [
        Prefetch(f"{prefix}forwardings", queryset=Forwarding.objects.select_related("recipient", "bulletin")
                 .order_by("bulletin_id", "recipient__sort_order", "recipient_id")),
        Prefetch(f"{prefix}adoptions", queryset=Adoption.objects.select_related("recipient").order_by("adopted_on", "id")),
        Prefetch(f"{prefix}instructions", queryset=Instruction.objects.order_by("date", "id")),
    ]


def with_outcomes(qs: QuerySet[OpinionReport]) -> QuerySet[OpinionReport]:
    """The rows with their outcomes and authors, and the combined report each went into (and the one that
    went into, COMBINED_DEPTH) with its own outcomes: ten queries for a page, whatever its size."""
    return qs.select_related(
        "combined_into__combined_into", "member", "bulletin",
    ).prefetch_related(None).prefetch_related(
        *_outcome_prefetches(),
        *_outcome_prefetches("combined_into__"),
        *_outcome_prefetches("combined_into__combined_into__"),  # a combined report combined again
        Prefetch("authors", queryset=OpinionAuthor.objects.select_related("member", "user").order_by("order", "id")),
        Prefetch("versions", queryset=OpinionVersion.objects.filter(is_staff_edit=True).only(
            "id", "report_id", "number", "created_at").order_by("number"), to_attr="staff_edits"),
    )


@dataclasses.dataclass
class Outcome:
    kind: str  # edited / returned / combined / declined / approved / forwarded / adopted / instruction / closed / withdrawn
    label: str
    date: Any = None
    text: str = ""
    link: Any = None  # a report the line points to (the combined report)
    via: Any = None  # the combined report this outcome came through


def _day(value):
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _sent_lines(report, via=None) -> list[Outcome]:
    """Forwarded (per bulletin issue), adopted (per recipient and level) and instructions of `report`."""
    out = []
    by_bulletin: dict[int, list] = {}
    for f in report.forwardings.all():
        by_bulletin.setdefault(f.bulletin_id, []).append(f)
    for rows in by_bulletin.values():
        b = rows[0].bulletin
        out.append(Outcome(
            "forwarded",
            _("Forwarded to %(recipients)s in bulletin issue %(number)s of %(year)s (%(kind)s)") % {
                "recipients": "、".join(f.recipient.name for f in rows), "year": b.year, "number": b.number,
                "kind": b.get_kind_display()},
            date=rows[0].forwarded_on, via=via,
        ))
    for a in report.adoptions.all():
        out.append(Outcome(
            "adopted",
            _("%(manner)s by %(recipient)s, %(level)s level (%(kind)s)") % {
                "manner": a.get_manner_display(), "recipient": a.recipient.name, "level": a.get_level_display(),
                "kind": a.get_kind_display()},
            date=a.adopted_on, text=a.note, via=via,
        ))
    for i in report.instructions.all():
        who = f"{i.leader_name}（{i.leader_title}）" if i.leader_title else i.leader_name
        out.append(Outcome(
            "instruction",
            _("Instruction by %(leader)s, %(level)s level") % {"leader": who, "level": i.get_level_display()},
            date=i.date, text=i.text, via=via,
        ))
    return out


def outcome_lines(report: OpinionReport) -> list[Outcome]:
    """What became of `report`, oldest first, from a row of `with_outcomes` (no query)."""
    out: list[Outcome] = []
    state = report.state
    edits = getattr(report, "staff_edits", None)
    if edits:
        out.append(Outcome("edited", _("Edited by the office"), date=_day(edits[0].created_at),
                           text=_("%(count)d edited versions") % {"count": len(edits)} if len(edits) > 1 else ""))
    if state == S.RETURNED:
        out.append(Outcome("returned", _("Returned for more information"), text=report.return_reason))
    if state == S.DECLINED:
        out.append(Outcome("declined", _("Not used"), text=report.decline_reason))
    if state == S.WITHDRAWN:
        out.append(Outcome("withdrawn", _("Withdrawn")))
    target, depth = report, 0
    while target.state == S.COMBINED and target.combined_into_id and depth < COMBINED_DEPTH:
        target, depth = target.combined_into, depth + 1
        out.append(Outcome("combined", _("Combined into"), link=target))
        if target.approved_at:
            out.append(Outcome("approved", _("Approved for forwarding"), date=_day(target.approved_at), via=target))
        out += _sent_lines(target, via=target)
        if target.state == S.DECLINED:
            out.append(Outcome("declined", _("Not used"), text=target.decline_reason, via=target))
    if report.approved_at:
        out.append(Outcome("approved", _("Approved for forwarding"), date=_day(report.approved_at)))
    out += _sent_lines(report)
    if state == S.CLOSED:
        out.append(Outcome("closed", _("Follow-up finished"), date=_day(report.closed_at)))
    return out


def next_bulletin_number(committee, year: int) -> int:
    """The number the next bulletin issue of `year` will get (shown in the composer before it is made)."""
    top = Bulletin.objects.filter(committee=committee, year=year).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def attachments_of(report):
    """The files attached to `report` (the caller has checked that the user may see it)."""
    from xieshang.core.attachments import attachments_of as core_attachments_of

    return core_attachments_of(report).select_related("uploaded_by")


def instructions_visible_to(visible_reports: QuerySet[OpinionReport]) -> QuerySet[Instruction]:
    """The instructions on the reports of `visible_reports` (a selector's queryset)."""
    return Instruction.objects.filter(report__in=visible_reports.values("pk")).select_related("report")
