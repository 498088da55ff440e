"""The Word documents: the proposal form and the reply letter, built in or from a committee's template.

Proposals are built by direct model creation (xieshang/reports/tests/builders.py); the documents
only read them.
"""

import datetime
import io

import docx
import pytest
from django.utils import timezone, translation

from xieshang.core.models import Session
from xieshang.core.tests.factories import HandlingUnitFactory, SectorFactory
from xieshang.proposals.documents import (
    PROPOSAL_PLACEHOLDERS,
    REPLY_PLACEHOLDERS,
    proposal_docx,
    reply_letter_docx,
)
from xieshang.reports.tests import builders as b

pytestmark = pytest.mark.django_db


def _texts(data: bytes) -> str:
    """Every text of the document: paragraphs and table cells, in order."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def proposal(committee):
    """昌吉州政协 (short name) · 第十三届二次会议 (2024 in the fixture's term) · a closed proposal."""
    session = Session.objects.get(term__committee=committee, year=2024)
    sector = SectorFactory(committee=committee, name="经济界")
    lead = b.member(committee, "王建国", sector=sector, employer="昌吉州某公司总经理", phone="13912345678",
                    address="昌吉市延安北路1号")
    p = b.proposal(committee, session, "closed", lead=lead, title="关于发展番茄加工产业的建议", category="economy",
                   body="一、现状\n番茄加工产业基础良好。\n二、建议\n加大扶持力度。")
    b.cosign(p, b.member(committee, "赵六"))
    b.cosign(p, b.member(committee, "孙七"), state="declined")
    unit = HandlingUnitFactory(committee=committee, name="州工业和信息化局", contact_person="刘科长", contact_phone="0994-2345678")
    co = HandlingUnitFactory(committee=committee, name="州农业农村局")
    lead_assignment = b.assign(p, unit, "lead", "replied")
    b.assign(p, co, "co", "replied")
    reply = b.reply(lead_assignment, "adopted", text="经研究，现答复如下：\n一、已出台扶持政策。\n二、下一步加大支持。")
    reply.replied_at = timezone.make_aware(datetime.datetime(2026, 11, 29, 10, 0))
    reply.signed_by = "李局长"
    reply.save()
    return p


def test_proposal_form_has_the_official_fields(proposal):
    data = proposal_docx(proposal)
    text = _texts(data)
    assert "昌吉州政协第十三届二次会议提案" in text
    for expected in ("提案号", proposal.number, "案由", "关于发展番茄加工产业的建议", "提案人", "王建国", "界别", "经济界",
                     "工作单位及职务", "昌吉州某公司总经理", "联系方式", "13912345678", "昌吉市延安北路1号",
                     "附议人", "赵六", "正文", "番茄加工产业基础良好。", "加大扶持力度。", "办理单位",
                     "州工业和信息化局（主办）", "州农业农村局（协办）", "经济建设"):
        assert expected in text, expected
    assert "孙七" not in text  # declined to co-sign


def test_proposal_form_is_a4_with_chinese_fonts(proposal):
    document = docx.Document(io.BytesIO(proposal_docx(proposal)))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    title_run = document.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22  # 二号
    xml = document.element.xml
    assert 'w:eastAsia="仿宋"' in xml and 'w:eastAsia="宋体"' in xml


def test_documents_are_chinese_whatever_the_language(proposal):
    with translation.override("en"):
        text = _texts(proposal_docx(proposal))
    assert "第十三届二次会议" in text and "term" not in text


def test_reply_letter(proposal):
    reply = proposal.replies.get()
    text = _texts(reply_letter_docx(reply))
    seq = proposal.sequence
    assert text.splitlines()[:2] == ["（A类）", "州工业和信息化局"]  # the category, top right; the letterhead
    for expected in (f"关于昌吉州政协第十三届二次会议第{seq}号提案的答复", "王建国委员：", "一、已出台扶持政策。",
                     "二、下一步加大支持。", "签发人：李局长", "二〇二六年十一月二十九日", "抄送：昌吉州政协提案委员会",
                     "联系人：刘科长", "0994-2345678"):
        assert expected in text, expected


def test_reply_letter_outcome_line_follows_the_outcome(proposal):
    reply = proposal.replies.get()
    reply.outcome = "explained"
    reply.save()
    text = _texts(reply_letter_docx(reply))
    assert "（C类）" in text and "（A类）" not in text


def _template(path, paragraphs, table_rows=()):
    document = docx.Document()
    for text in paragraphs:
        p = document.add_paragraph()
        # split the placeholder across runs, as Word does when someone edits a template
        half = len(text) // 2
        p.add_run(text[:half])
        p.add_run(text[half:])
    if table_rows:
        table = document.add_table(rows=0, cols=2)
        for left, right in table_rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = left, right
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def test_committee_template_for_the_proposal_form(proposal, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _template(tmp_path / "templates" / "changji" / "proposal.docx",
              ["{{标题}}", "编号：{{提案号}}", "{{正文}}", "{{不存在}}"],
              [("提案人", "{{提案人}}（{{界别}}）"), ("附议人", "{{附议人}}")])
    document = docx.Document(io.BytesIO(proposal_docx(proposal)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "昌吉州政协第十三届二次会议提案"
    assert texts[1] == f"编号：{proposal.number}"
    # the text, one paragraph per line
    assert texts[2:6] == ["一、现状", "番茄加工产业基础良好。", "二、建议", "加大扶持力度。"]
    assert texts[6] == "{{不存在}}"  # an unknown placeholder stays visible for the template's author
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "王建国（经济界）" in cells and "赵六" in cells


def test_committee_template_for_the_reply_letter(proposal, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _template(tmp_path / "templates" / "changji" / "reply_letter.docx",
              ["{{承办单位}}", "{{答复类别标注}}", "{{答复标题}}", "{{称呼}}", "{{答复正文}}", "{{答复日期}}"])
    texts = [p.text for p in docx.Document(io.BytesIO(reply_letter_docx(proposal.replies.get()))).paragraphs]
    assert texts[:4] == ["州工业和信息化局", "（A类）", f"关于昌吉州政协第十三届二次会议第{proposal.sequence}号提案的答复", "王建国委员："]
    assert texts[4:7] == ["经研究，现答复如下：", "一、已出台扶持政策。", "二、下一步加大支持。"]
    assert texts[7] == "2026年11月29日"


def test_another_committees_template_is_not_used(proposal, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _template(tmp_path / "templates" / "hami" / "proposal.docx", ["哈密模板 {{标题}}"])
    assert "哈密模板" not in _texts(proposal_docx(proposal))


def test_every_placeholder_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "documents.md").read_text()
    for name in (*PROPOSAL_PLACEHOLDERS, *REPLY_PLACEHOLDERS):
        assert "{{" + name + "}}" in doc, name
