"""Word documents of a proposal (python-docx): the proposal form (提案表) and the reply letter (答复函).

Both are filled from an editable template when the committee has one —
`settings.DATA_DIR / "templates" / <committee code> / "proposal.docx"` or `"reply_letter.docx"` —
whose `{{占位符}}` placeholders are replaced (list in docs/documents.md, and PROPOSAL_PLACEHOLDERS /
REPLY_PLACEHOLDERS below); otherwise the built-in layout is used, made of core's building blocks (xieshang/core/documents.py):
A4, margins of the official document standard (GB/T 9704), titles in 宋体 二号, text in 仿宋 三号, the
form's table in 仿宋 四号 (the fonts every Chinese Windows has: core.documents.PLAIN).

Documents are always in Chinese, whatever the language of the person who asks for them.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from xieshang.core import categories
from xieshang.core import documents as blocks
from xieshang.core.formats import cn_date, session_label

from .models import AssignmentRole, AssignmentState, CoSigner, ProposalKind, ProposerKind

# Chinese font sizes in points, and the fonts (core.documents).
ERHAO, XIAOER, SANHAO, SIHAO, XIAOSI = blocks.ERHAO, blocks.XIAOER, blocks.SANHAO, blocks.SIHAO, blocks.XIAOSI
FANGSONG, SONGTI, HEITI = blocks.PLAIN.body, blocks.PLAIN.title, blocks.PLAIN.heading

PROPOSAL_PLACEHOLDERS = {
    "标题": "the header line, e.g. 昌吉州政协第十三届三次会议提案",
    "委员会": "the committee's name (昌吉回族自治州政协)",
    "会议": "the session, e.g. 第十三届三次会议",
    "提案号": "the proposal number, e.g. 13-3-0042 (empty before registration)",
    "案由": "the subject",
    "类别": "the category (经济建设 …)",
    "提案人": "the lead proposer (member, party or group, or special committee)",
    "界别": "the lead proposer's sector",
    "工作单位及职务": "the lead proposer's employer and post",
    "联系电话": "the contact phone",
    "通讯地址": "the contact address",
    "联系方式": "phone and address on one line",
    "附议人": "the co-signers who signed, separated by 、",
    "正文": "the text (one paragraph per line when the placeholder is alone in its paragraph)",
    "办理单位": "the handling units with their roles, e.g. 州教育局（主办）、州财政局（协办）",
    "提交日期": "the date of submission, e.g. 2024年1月8日",
    "附件": "the attached files, one per line: 1. 调研报告.pdf (alone in its paragraph: one paragraph per file)",
}

REPLY_PLACEHOLDERS = {
    "承办单位": "the unit that replies (letterhead and signature)",
    "答复标题": "关于昌吉州政协第十三届三次会议第42号提案的答复",
    "称呼": "the salutation, e.g. 张三委员：",
    "答复正文": "the reply text (one paragraph per line when the placeholder is alone in its paragraph)",
    "答复类别": "A, B or C",
    "答复类别标注": "（A类）",
    "签发人": "who signed the reply",
    "答复日期": "the date of the reply, e.g. 2026年11月29日",
    "成文日期": "the date under the seal in Chinese numerals, e.g. 二〇二六年十一月二十九日",
    "文号": "the letter's document number as the unit gave it, e.g. 州农业农村局〔2026〕12号",
    "联系人": "the unit's contact person",
    "联系电话": "the unit's contact phone",
    "抄送": "the copy line, e.g. 昌吉州政协提案委员会",
    "提案号": "the proposal number",
    "案由": "the proposal's subject",
    "提案人": "the lead proposer",
    "委员会": "the committee's name",
    "会议": "the session",
}

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+?)\s*\}\}")
# A first line of the unit's text that is already a salutation (张三委员： / 尊敬的张三委员: / 民盟昌吉州委：):
# short, ending with a colon, no full stop in it. The letter then prints it once, not the generated one too.
SALUTATION_LINE = re.compile(r"^[^。！？；，,.!?;\n]{1,40}[：:]$")

OUTCOME_LETTERS = {"adopted": "A", "planned": "B", "explained": "C"}
ROLE_NAMES = {"sole": "单办", "lead": "主办", "co": "协办", "split": "分办"}


# --- Values -----------------------------------------------------------------------------------


def _committee_short(committee) -> str:
    return committee.short_name or committee.name


def _session(proposal) -> str:
    session = proposal.session
    return session_label(session.term.number, session.number)


def proposal_values(proposal) -> dict[str, str]:
    """The placeholder values of the proposal form."""
    with translation.override("zh-hans"):
        member = proposal.lead_proposer if proposal.proposer_kind == ProposerKind.MEMBER else None
        sector = proposal.sector_name or (member.sector.name if member and member.sector_id else "")
        phone = proposal.contact_phone or (member.phone if member else "")
        address = proposal.contact_address or (member.address if member else "")
        contact = "　".join(x for x in (f"电话：{phone}" if phone else "", f"地址：{address}" if address else "") if x)
        cosigners = CoSigner.objects.filter(proposal=proposal, state=CoSigner.State.SIGNED).select_related("member")
        units = (
            proposal.assignments.exclude(state=AssignmentState.CANCELLED).select_related("unit").order_by("role", "id")
        )
        role_order = {AssignmentRole.SOLE: 0, AssignmentRole.LEAD: 1, AssignmentRole.SPLIT: 2, AssignmentRole.CO: 3}
        units = sorted(units, key=lambda a: (role_order.get(a.role, 9), a.id))
        header = f"{_committee_short(proposal.committee)}{_session(proposal)}提案"
        if proposal.kind == ProposalKind.INTERIM:
            header += "（平时提案）"
        return {
            "标题": header,
            "委员会": proposal.committee.name,
            "会议": _session(proposal),
            "提案号": proposal.number or "",
            "案由": proposal.title,
            "类别": categories.catalogue(proposal.committee_id).name(proposal.category),
            "提案人": proposal.proposer_name,
            "界别": sector,
            "工作单位及职务": member.employer if member else "",
            "联系电话": phone,
            "通讯地址": address,
            "联系方式": contact,
            "附议人": "、".join(c.member.name for c in cosigners),
            "正文": (proposal.body or "").replace("\r\n", "\n").strip(),
            "办理单位": "、".join(
                f"{a.unit.name}（{ROLE_NAMES.get(a.role, a.role)}）" if a.role != AssignmentRole.SOLE else a.unit.name
                for a in units
            ),
            "提交日期": cn_date(proposal.submitted_at) if proposal.submitted_at else "",
            "附件": "\n".join(f"{i}. {name}" for i, name in enumerate(attachment_names(proposal), start=1)),
        }


def attachment_names(proposal) -> list[str]:
    """The names of the proposal's attached files (its material, oldest first): the form's 附件 list. Reads
    the prefetched attachments when the detail loaded them."""
    from .models import PROPOSAL_MATERIAL

    return [a.original_name for a in sorted(proposal.attachments.all(), key=lambda a: (a.uploaded_at, a.pk))
            if a.purpose == PROPOSAL_MATERIAL]


def split_salutation(text: str, default: str) -> tuple[str, str]:
    """(salutation, body) of a reply: the unit's own salutation when its text begins with one (then not
    repeated in the body), else `default`."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    first = lines[0].strip() if lines else ""
    if SALUTATION_LINE.match(first):
        return first, "\n".join(lines[1:]).strip()
    return default, "\n".join(lines).strip()


def reply_values(reply) -> dict[str, str]:
    """The placeholder values of the reply letter."""
    with translation.override("zh-hans"):
        proposal = reply.proposal
        unit = reply.assignment.unit
        committee = proposal.committee
        ref = f"第{proposal.sequence}号" if proposal.sequence else (f"第{proposal.number}号" if proposal.number else "")
        if proposal.proposer_kind == ProposerKind.MEMBER:
            salutation = f"{proposal.proposer_name}委员："
        else:
            salutation = f"{proposal.proposer_name}："
        salutation, text = split_salutation(reply.text, salutation)
        letter = OUTCOME_LETTERS.get(reply.outcome, "")
        return {
            "承办单位": unit.name,
            "答复标题": f"关于{_committee_short(committee)}{_session(proposal)}{ref}提案的答复",
            "称呼": salutation,
            "答复正文": text,
            "答复类别": letter,
            "答复类别标注": f"（{letter}类）" if letter else "",
            "签发人": reply.signed_by,
            "答复日期": cn_date(reply.replied_at),
            "成文日期": blocks.chinese_numeral_date(reply.replied_at),
            "文号": reply.document_number or "",
            "联系人": unit.contact_person,
            "联系电话": unit.contact_phone,
            "抄送": f"{_committee_short(committee)}提案委员会",
            "提案号": proposal.number or "",
            "案由": proposal.title,
            "提案人": proposal.proposer_name,
            "委员会": committee.name,
            "会议": _session(proposal),
        }


# --- Templates ----------------------------------------------------------------------------------


def template_path(committee, name: str) -> Path:
    return Path(settings.DATA_DIR) / "templates" / committee.code / name


def _replace_in_paragraph(paragraph, values: dict[str, str]) -> None:
    from docx.text.paragraph import Paragraph

    text = paragraph.text
    if "{{" not in text or not PLACEHOLDER.search(text):
        return
    runs = paragraph.runs
    if not runs:
        return
    alone = PLACEHOLDER.fullmatch(text.strip())
    if alone and alone.group(1) in values and "\n" in values[alone.group(1)]:
        lines = [line for line in values[alone.group(1)].split("\n")]
        runs[0].text = lines[0]
        for run in runs[1:]:
            run.text = ""
        anchor = paragraph._p
        for line in lines[1:]:
            clone = copy.deepcopy(paragraph._p)
            anchor.addnext(clone)
            anchor = clone
            copied = Paragraph(clone, paragraph._parent)
            copied.runs[0].text = line
            for run in copied.runs[1:]:
                run.text = ""
        return
    runs[0].text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    for run in runs[1:]:
        run.text = ""


def _replace_in_container(container, values: dict[str, str]) -> None:
    for paragraph in list(container.paragraphs):
        _replace_in_paragraph(paragraph, values)
    for table in getattr(container, "tables", []):
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                _replace_in_container(cell, values)


def fill_template(path: Path, values: dict[str, str]) -> bytes:
    """The template at `path` with every {{placeholder}} replaced (unknown ones are left visible)."""
    import docx

    document = docx.Document(str(path))
    values = {key: blocks.clean(value) for key, value in values.items()}  # runs hold no control characters
    _replace_in_container(document, values)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part is not None and not part.is_linked_to_previous:
                _replace_in_container(part, values)
    return blocks.to_bytes(document)


# --- The built-in layout -----------------------------------------------------------------------------


def _builtin_proposal(values: dict[str, str]) -> bytes:
    from docx.shared import Mm

    doc = blocks.new_document(fonts=blocks.PLAIN)
    blocks.title(doc, values["标题"], size=ERHAO, bold=True)
    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    widths = (Mm(30), Mm(55), Mm(22), Mm(49))

    def row():
        r = table.add_row()
        for i, width in enumerate(widths):
            r.cells[i].width = width
        return r

    def cell(c, text, *, head=False):
        blocks.table_cell(c, text, bold=head, center=head, doc=doc)

    r = row()
    cell(r.cells[0], "提案号", head=True)
    cell(r.cells[1], values["提案号"])
    cell(r.cells[2], "类别", head=True)
    cell(r.cells[3], values["类别"])
    r = row()
    cell(r.cells[0], "案由", head=True)
    cell(r.cells[1].merge(r.cells[3]), values["案由"])
    r = row()
    cell(r.cells[0], "提案人", head=True)
    cell(r.cells[1], values["提案人"])
    cell(r.cells[2], "界别", head=True)
    cell(r.cells[3], values["界别"])
    for label, text in (
        ("工作单位及职务", values["工作单位及职务"]),
        ("联系方式", "\n".join(x for x in (
            f"电话：{values['联系电话']}" if values["联系电话"] else "",
            f"地址：{values['通讯地址']}" if values["通讯地址"] else "",
        ) if x)),
        ("附议人", values["附议人"]),
    ):
        r = row()
        cell(r.cells[0], label, head=True)
        cell(r.cells[1].merge(r.cells[3]), text)
    if values["办理单位"]:
        r = row()
        cell(r.cells[0], "办理单位", head=True)
        cell(r.cells[1].merge(r.cells[3]), values["办理单位"])

    blocks.blank(doc, space_after=6)
    blocks.paragraph(doc, "正文", indent=False, align=None, font=HEITI)
    blocks.body(doc, values["正文"])
    if values["附件"]:  # GB/T 9704: 附件：1. … under the text, later items aligned under the first name
        from docx.shared import Pt

        blocks.blank(doc)
        for index, line in enumerate(values["附件"].split("\n")):
            p = blocks.paragraph(doc, ("附件：" if index == 0 else "") + line, indent=True)
            if index:
                p.paragraph_format.first_line_indent = Pt(SANHAO * 5)
    if values["提交日期"]:
        blocks.blank(doc)
        blocks.paragraph(doc, f"提交日期：{values['提交日期']}", indent=False, align="right")
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def _builtin_reply(values: dict[str, str]) -> bytes:
    doc = blocks.new_document(fonts=blocks.PLAIN)
    if values["答复类别标注"]:  # the reply's category, top right of the first page
        blocks.document_number(doc, values["答复类别标注"], align="right")
    blocks.red_header(doc, values["承办单位"])  # the unit's letterhead
    # 文号 on the left and 签发人 on the right, the red rule under them (GB/T 9704)
    blocks.masthead_line(doc, values["文号"], f"签发人：{values['签发人']}" if values["签发人"] else "", rule=True)
    blocks.blank(doc)
    blocks.title(doc, values["答复标题"], size=XIAOER, bold=True)
    blocks.salutation(doc, values["称呼"])
    blocks.body(doc, values["答复正文"])
    # the seal line: the unit's full name, the date under it in Chinese numerals, both on the right
    blocks.signature(doc, values["承办单位"], values["成文日期"])
    if values["联系人"] or values["联系电话"]:
        blocks.blank(doc)
        contact = "　".join(x for x in (
            f"联系人：{values['联系人']}" if values["联系人"] else "",
            f"联系电话：{values['联系电话']}" if values["联系电话"] else "",
        ) if x)
        blocks.paragraph(doc, contact, indent=False, align=None, size=SIHAO)
    blocks.cc_line(doc, "抄送", values["抄送"])
    blocks.page_numbers(doc)  # — 1 — in the footer
    return blocks.to_bytes(doc)


# --- The two documents -------------------------------------------------------------------------------------


def proposal_docx(proposal) -> bytes:
    """The proposal form as a .docx (the committee's template when it has one)."""
    values = proposal_values(proposal)
    path = template_path(proposal.committee, "proposal.docx")
    if path.is_file():
        return fill_template(path, values)
    return _builtin_proposal(values)


def reply_letter_docx(reply) -> bytes:
    """The reply letter (答复函) of one unit's reply as a .docx (the committee's template when it has one)."""
    values = reply_values(reply)
    path = template_path(reply.proposal.committee, "reply_letter.docx")
    if path.is_file():
        return fill_template(path, values)
    return _builtin_reply(values)


def proposal_docx_filename(proposal) -> str:
    return f"提案{proposal.number or proposal.pk}.docx"


def reply_letter_filename(reply) -> str:
    proposal = reply.proposal
    return f"答复函_{proposal.number or proposal.pk}_{reply.assignment.unit.name}.docx"
