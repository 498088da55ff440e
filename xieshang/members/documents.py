"""委员年度履职报告: a member's yearly duty report as a Word file in the official layout (core.documents' blocks),
one member from their page (`duty_report_docx`), or every active member of the committee in one file, a member
a section, as a background export (core.exports kind "members-duty-reports", `write_duty_reports`).

Always in Chinese, whatever the user's language (an official paper):

    昌吉州政协委员年度履职报告                      title, 二号 小标宋
    （2026年度）                                  centred
    姓名 / 界别 / 专门委员会 / 工作单位及职务          a table
    一、履职得分                                   黑体 heading
    总分82.00分，等次：称职。全委第3名（共120名）…    the total with the leaders' adjustments, the ranks
    类别 | 得分                                   a table: each category
    二、计分明细   类别 | 事项 | 得分 | 计算方法       the items with the arithmetic
    三、履职记录   日期 | 事项 | 内容 | 数量           every fact of the year (补录 marked)
    四、领导调整   (when there are any)             points and reasons
    昌吉州政协办公室  2026年12月5日                   the office and the date of printing
    — 1 —                                         page numbers

Who may have it is decided by the callers through selectors (the member themself, the office and leaders).
"""

from __future__ import annotations

from django.utils import translation

from xieshang.core import clock
from xieshang.core import documents as blocks
from xieshang.core import duty as ledger

from . import rules, selectors


def office_name(committee) -> str:
    return f"{committee.short_name or committee.name}办公室"


def _table(doc, header: tuple[str, ...], rows: list[list], widths_mm: tuple[int, ...]):
    from docx.shared import Mm

    table = doc.add_table(rows=0, cols=len(header))
    table.style = "Table Grid"

    def add(values, head=False):
        row = table.add_row()
        for index, value in enumerate(values):
            row.cells[index].width = Mm(widths_mm[index])
            blocks.table_cell(row.cells[index], "" if value is None else str(value), bold=head, center=head,
                              size=blocks.XIAOSI, doc=doc)

    add(header, head=True)
    for values in rows:
        add(values)
    return table


def _ranks_text(score) -> str:
    if score is None or score.rank is None:
        return ""
    parts = [f"全委第{score.rank}名"]
    if score.sector_rank:
        parts.append(f"{score.sector_name}第{score.sector_rank}名（共{score.sector_size}名）")
    parts += [f"{name}第{rank}名（共{size}名）" for name, rank, size in score.special if rank]
    return "，".join(parts)


def add_report(doc, duty: selectors.Duty, *, total_members: int | None = None) -> None:
    """One member's report appended to `doc` (call inside translation.override("zh-hans"))."""
    member, result, score = duty.member, duty.result, duty.score
    committee = member.committee
    blocks.title(doc, f"{committee.short_name or committee.name}委员年度履职报告", bold=False)
    blocks.paragraph(doc, f"（{duty.year}年度）", indent=False, align="center")
    specials = "、".join(s.name for s in member.special_committees.all())
    _table(doc, ("姓名", "界别", "专门委员会", "工作单位及职务"),
           [[member.name, member.sector.name if member.sector_id else "", specials, member.employer]],
           (25, 35, 40, 56))
    blocks.heading(doc, "一、履职得分")
    if result is None:
        blocks.paragraph(doc, "本年度尚无履职量化考核办法，以下仅列履职记录。")
    else:
        total = score.total if score is not None else result.total
        band = score.band if score is not None else result.band
        text = f"总分{total}分，等次：{band}。"
        if score is not None and score.adjustment:
            text += f"其中按考核办法计算{result.total}分，领导调整{score.adjustment:+}分。"
        ranks = _ranks_text(score)
        if ranks:
            text += f"{ranks}{f'（全委共{total_members}名）' if total_members else ''}。"
        blocks.paragraph(doc, text)
        _table(doc, ("类别", "起始分", "各项合计", "得分"),
               [[c.name, c.start, c.raw, f"{c.points}{'（封顶）' if c.capped else ''}{'（保底）' if c.floored else ''}"]
                for c in result.categories], (60, 28, 34, 34))
        blocks.heading(doc, "二、计分明细")
        _table(doc, ("类别", "事项", "得分", "计算方法"),
               [[i.category, i.label, i.points, i.arithmetic] for i in result.items if i.units], (30, 40, 18, 68))
    blocks.heading(doc, "三、履职记录")
    rows = []
    for fact in duty.facts:
        by_hand = fact.kind.startswith(rules.MANUAL_PREFIX)
        about = (f"（补录）{fact.note}" if by_hand else fact.target_title) or ""
        rows.append([blocks.chinese_date(fact.occurred_on), ledger.kind_label(fact.kind), about, fact.quantity])
    if rows:
        _table(doc, ("日期", "事项", "内容", "数量"), rows, (34, 46, 60, 16))
    else:
        blocks.paragraph(doc, "本年度无履职记录。")
    if duty.adjustments:
        blocks.heading(doc, "四、领导调整")
        for adjustment in duty.adjustments:
            blocks.paragraph(doc, f"{adjustment.points:+}分：{adjustment.reason}")
    blocks.signature(doc, office_name(committee), clock.today())


def duty_report_docx(duty: selectors.Duty) -> bytes:
    """One member's report (the caller got `duty` through selectors.member_duty: it may be seen)."""
    doc = blocks.new_document()
    with translation.override("zh-hans"):
        add_report(doc, duty)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def filename(member, year: int) -> str:
    return f"委员年度履职报告_{year}_{member.name}.docx"


def report_of(user, member_id, year) -> bytes:
    """The report of a member the user may see (NotFound otherwise), computed in Chinese."""
    with translation.override("zh-hans"):
        duty = selectors.member_duty(user, member_id, year)
    return duty_report_docx(duty)


def write_duty_reports(handle, *, user, committee, params: dict) -> int:
    """Every active member's report of the year (`params["year"]`, default this year) in one file, a page break
    between members; the office and leaders only (NotFound, the export fails, for others). Returns how many."""
    from docx.enum.text import WD_BREAK

    year = selectors.check_year((params or {}).get("year") or clock.today().year)
    with translation.override("zh-hans"):
        table = selectors.committee_scores(user, committee, year)
        doc = blocks.new_document()
        count = 0
        for row in sorted(table.rows, key=lambda r: (r.rank or 10 ** 9, r.member.name)):
            if count:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            add_report(doc, selectors.member_duty(user, row.member.pk, year, table=table),
                       total_members=len(table.rows))
            count += 1
    blocks.page_numbers(doc)
    doc.save(handle)
    return count
