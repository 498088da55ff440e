"""The opinion reports' documents: the bulletin issue (《社情民意》第 N 期) as a Word file in the official
layout, and the year's list of adopted reports (社情民意信息采用情况表) as an Excel workbook.

Both are official papers and come out in Chinese whatever the user's language (as the proposals' forms
and letters do). Who may download them is decided by the callers through selectors: the bulletin is for
the committee's office staff, administrators and leaders (`selectors.bulletin_get`, 404 for anyone else
— the authors of its reports too: an issue may carry other people's reports and its 报送 list is the
office's business; each author sees what became of their own report on the report); the adopted list
likewise (`may_see_adopted`).

The bulletin, built only from xieshang.core.documents' blocks:

    社情民意                                  red masthead (版头)
    第12期（专报）  签发人：马建平                期号, kind, approving leader
    编报单位：昌吉州政协办公室      2024年5月6日     ── red rule
    <title of each report>                    二号 小标宋, centred
    <situation / analysis / suggestion>       三号 仿宋, one paragraph per line
    （反映人：李永福、阿依古丽·买买提）           the submitters (a party's or committee's name)
    报送：州委，州政府，自治区政协。               版记: the recipients, between thin rules
    昌吉州政协办公室              2024年5月6日印发
    — 1 —                                     page numbers

The year's list: one row per report of the year (`OpinionReport.year`, the year it was submitted) with
at least one adoption recorded, numbered 1…n in the order of the bulletin issues; a title row, the
header frozen under it, numeric cells for 序号, 报送期号, 采用次数 and 批示数.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch

from xieshang.core import documents as blocks
from xieshang.core.models import Role
from xieshang.core.selectors import roles_of

from .models import Adoption, Bulletin, Forwarding, Instruction, Level, OpinionAuthor, OpinionReport, SubmitterKind

BULLETIN_NAME = "社情民意"
KIND_LABELS = {Bulletin.Kind.SPECIAL: "专报", Bulletin.Kind.COMBINED: "综合"}
LEVEL_LABELS = {Level.PREFECTURE: "州级", Level.PROVINCE: "自治区级", Level.NATIONAL: "全国级"}
MANNER_LABELS = {Adoption.Manner.ADOPTED: "采用", Adoption.Manner.TRANSFERRED: "转送", Adoption.Manner.EXCERPTED: "摘报"}
ADOPTION_KIND_LABELS = {Adoption.Kind.SINGLE: "单篇", Adoption.Kind.COMBINED: "综合"}
PART_HEADINGS = ("一、基本情况", "二、原因分析", "三、意见建议")
ADOPTED_READERS = {Role.STAFF, Role.ADMIN, Role.LEADER}


def office_name(committee) -> str:
    """编报单位: the committee's office (昌吉州政协办公室)."""
    return f"{committee.short_name or committee.name}办公室"


def issue_label(bulletin) -> str:
    """第12期（专报）"""
    return f"第{bulletin.number}期（{KIND_LABELS.get(bulletin.kind, bulletin.kind)}）"


def author_names(report) -> list[str]:
    """Who the report is from, as printed: a party's, group's or special committee's name, else the authors."""
    if report.submitter_kind == SubmitterKind.ORGANIZATION and report.organization_id:
        return [report.organization.name]
    if report.submitter_kind == SubmitterKind.SPECIAL_COMMITTEE and report.special_committee_id:
        return [report.special_committee.name]
    names = [a.member.name if a.member_id else a.user.display_name for a in report.authors.all()]
    if report.submitter_kind == SubmitterKind.STATION and report.liaison_station_id:
        names = [report.liaison_station.name, *names]
    return names


def signer_name(bulletin) -> str:
    """签发人: the approving leader's name (`signed_by`'s display name; `signed_by_name` when the issue
    names no account, or names one by something other than its user name)."""
    user = bulletin.signed_by if bulletin.signed_by_id else None
    if user is not None and bulletin.signed_by_name in ("", user.username):
        return user.display_name
    return bulletin.signed_by_name


def _bulletin_reports(bulletin) -> list[OpinionReport]:
    return list(
        OpinionReport.objects.filter(bulletin=bulletin)
        .select_related("organization", "special_committee", "liaison_station")
        .prefetch_related(Prefetch("authors", queryset=OpinionAuthor.objects.select_related("member", "user")
                                   .order_by("order", "id")))
        .order_by("forwarded_at", "id")
    )


def _recipient_names(bulletin) -> list[str]:
    names = [r.name for r in bulletin.recipients.order_by("sort_order", "id")]
    if not names:  # an issue written before the M2M was kept: its forwardings
        names = list(dict.fromkeys(
            Forwarding.objects.filter(bulletin=bulletin).order_by("recipient__sort_order", "recipient_id")
            .values_list("recipient__name", flat=True)))
    return names


def bulletin_docx(bulletin) -> bytes:
    """The issue as a .docx (the caller has checked that the user may see it: selectors.bulletin_get)."""
    committee = bulletin.committee
    signer = signer_name(bulletin)
    doc = blocks.new_document()
    blocks.red_header(doc, "", BULLETIN_NAME, size=36, space_after=0)
    blocks.document_number(doc, issue_label(bulletin), signer=signer)
    blocks.masthead_line(doc, f"编报单位：{office_name(committee)}", blocks.chinese_date(bulletin.issued_on), rule=True)
    blocks.blank(doc)
    for index, report in enumerate(_bulletin_reports(bulletin)):
        if index:
            blocks.blank(doc)
        blocks.title(doc, report.title)
        parts = [p for p in (report.situation, report.analysis, report.suggestion)]
        several = sum(1 for p in parts if p and p.strip()) > 1
        for heading, text in zip(PART_HEADINGS, parts, strict=True):
            if not (text and text.strip()):
                continue
            if several:
                blocks.heading(doc, heading)
            blocks.body(doc, text)
        names = author_names(report)
        if names:
            blocks.paragraph(doc, f"（反映人：{'、'.join(names)}）", indent=False, align="right")
    blocks.blank(doc)
    blocks.cc_line(doc, "报送", _recipient_names(bulletin), top_rule=True)
    foot = blocks.masthead_line(doc, office_name(committee), f"{blocks.chinese_date(bulletin.issued_on)}印发",
                                size=blocks.SIHAO)
    blocks.rule_below(foot, color=blocks.BLACK, size=8)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def bulletin_filename(bulletin) -> str:
    return f"社情民意_{bulletin.year}年第{bulletin.number}期.docx"


# --- The year's list of adopted reports --------------------------------------------------------------

ADOPTED_COLUMNS = ("序号", "标题", "作者", "界别/单位", "报送期号", "采用单位", "采用层级", "采用方式", "采用次数",
                   "批示领导", "批示日期", "批示数")
NUMERIC = {"序号", "报送期号", "采用次数", "批示数"}


def may_see_adopted(user, committee) -> bool:
    return bool(committee is not None and getattr(user, "is_authenticated", False)
                and roles_of(user, committee) & ADOPTED_READERS)


def adopted_reports(committee, year: int):
    """The committee's reports of `year` with at least one adoption, in bulletin order, with what a row
    shows (authors, member's sector and organisation, bulletin, adoptions, instructions): five queries."""
    adopted = Adoption.objects.filter(report=OuterRef("pk"))
    return (
        OpinionReport.objects.filter(committee=committee, year=year).filter(Exists(adopted))
        .select_related("bulletin", "organization", "special_committee", "liaison_station", "member__sector",
                        "member__organization")
        .prefetch_related(
            Prefetch("authors", queryset=OpinionAuthor.objects.select_related("member", "user").order_by("order", "id")),
            Prefetch("adoptions", queryset=Adoption.objects.select_related("recipient").order_by(
                "recipient__sort_order", "recipient_id", "level")),
            Prefetch("instructions", queryset=Instruction.objects.order_by("date", "id")),
        )
        .order_by("bulletin__year", "bulletin__number", "number", "id")
    )


def _unit(report) -> str:
    """界别/单位: the submitting party, group, committee or station, else the lead member's sector."""
    if report.submitter_kind == SubmitterKind.ORGANIZATION and report.organization_id:
        return report.organization.name
    if report.submitter_kind == SubmitterKind.SPECIAL_COMMITTEE and report.special_committee_id:
        return report.special_committee.name
    if report.submitter_kind == SubmitterKind.STATION and report.liaison_station_id:
        return report.liaison_station.name
    member = report.member
    if member is not None and member.sector_id:
        return member.sector.name
    return ""


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def adopted_row(index: int, report) -> list:
    adoptions = list(report.adoptions.all())
    instructions = list(report.instructions.all())
    leaders = [f"{i.leader_name}（{i.leader_title}）" if i.leader_title else i.leader_name for i in instructions]
    return [
        index,
        report.title,
        "、".join(author_names(report)),
        _unit(report),
        report.bulletin.number if report.bulletin_id else None,
        "、".join(_distinct(a.recipient.name for a in adoptions)),
        "、".join(_distinct(LEVEL_LABELS.get(a.level, a.level) for a in adoptions)),
        "、".join(_distinct(f"{ADOPTION_KIND_LABELS.get(a.kind, a.kind)}{MANNER_LABELS.get(a.manner, a.manner)}"
                           for a in adoptions)),
        len(adoptions),
        "；".join(leaders),
        "、".join(_distinct(blocks.chinese_date(i.date) for i in instructions)),
        len(instructions),
    ]


def adopted_title(committee, year: int) -> str:
    return f"{committee.short_name or committee.name}{year}年社情民意信息采用情况表"


def adopted_xlsx(committee, year: int) -> tuple[bytes, int]:
    """The workbook and its number of rows (core.exports.write_table): row 1 the title, row 2 the column
    names (both frozen), then one row per adopted report; counts as numbers, text never a formula."""
    from openpyxl import Workbook

    from xieshang.core.exports import Col, workbook_bytes, write_table

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年采用情况"
    widths = {"序号": 6, "报送期号": 9, "采用次数": 9, "批示数": 8}
    columns = [Col(name, "number" if name in NUMERIC else "text", widths.get(name)) for name in ADOPTED_COLUMNS]
    rows = (adopted_row(index, report) for index, report in enumerate(adopted_reports(committee, year), start=1))
    count = write_table(ws, title=adopted_title(committee, year), columns=columns, rows=rows)
    return workbook_bytes(wb), count


def adopted_filename(committee, year: int) -> str:
    return f"社情民意信息采用情况_{committee.code}_{year}.xlsx"
