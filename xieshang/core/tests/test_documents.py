"""The Word building blocks (xieshang/core/documents.py): each block puts its text into the file in the
official layout (A4, GB/T 9704 margins, fonts with their fallbacks, red masthead, page numbers), a
bulletin issue can be made of them, and hostile or very long text never breaks the file."""

from __future__ import annotations

import datetime
import io
import zipfile

import docx
import pytest
from django.utils import timezone, translation

from xieshang.core import documents as d


def reopen(doc):
    """The document as Word would read it: saved to bytes and opened again."""
    data = d.to_bytes(doc)
    assert data[:2] == b"PK" and zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    return docx.Document(io.BytesIO(data)), data


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def part(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def bulletin(body_text: str, *, recipients=("中共昌吉州委", "昌吉州人民政府", "自治区政协")):
    """A 《社情民意》 issue as the opinions app makes it: masthead, issue, unit and signer, title, text,
    unit and date, and the 报送 line at the foot."""
    doc = d.new_document()
    d.red_header(doc, "", "社情民意", size=42)
    d.document_number(doc, "第12期（总第345期）")
    d.masthead_line(doc, "编报单位：昌吉州政协办公室", "签发人：张三", rule=True)
    d.title(doc, "关于加强农村饮水安全的建议")
    d.body(doc, body_text)
    d.signature(doc, "昌吉州政协办公室", datetime.date(2024, 5, 6))
    d.cc_line(doc, "报送", recipients, top_rule=True)
    d.page_numbers(doc)
    return doc


def test_chinese_date_in_any_language():
    with translation.override("en"):
        assert d.chinese_date(datetime.date(2024, 5, 6)) == "2024年5月6日"
    aware = timezone.make_aware(datetime.datetime(2026, 11, 29, 23, 30))
    assert d.chinese_date(aware) == "2026年11月29日"  # local time, not UTC
    assert d.chinese_date(None) == "" and d.chinese_date("2024年1月8日") == "2024年1月8日"


def test_page_setup_is_a4_with_the_official_margins_and_fonts():
    document, data = reopen(d.new_document())
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    assert document.styles["Normal"].font.size.pt == 16  # 三号
    styles = part(data, "word/styles.xml")
    assert 'w:eastAsia="仿宋_GB2312"' in styles
    fonts = part(data, "word/fontTable.xml")  # what to use where the official fonts are missing
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in fonts
    _, plain = reopen(d.new_document(fonts=d.PLAIN))
    assert 'w:eastAsia="仿宋"' in part(plain, "word/styles.xml") and "仿宋_GB2312" not in part(plain, "word/fontTable.xml")


def test_each_block_renders_its_text_in_its_font():
    doc = d.new_document()
    header = d.red_header(doc, "昌吉州政协", "文件", rule=True)
    number = d.document_number(doc, "昌政协〔2024〕5号", signer="李四")
    heading = d.title(doc, "关于印发《工作规则》的通知")
    to = d.salutation(doc, "各专门委员会：")
    first = d.paragraph(doc, "现将规则印发给你们。")
    lines = d.body(doc, "一、总则\n\n  二、附则  ")
    sign = d.signature(doc, "昌吉州政协办公室", datetime.date(2024, 5, 6))
    cc = d.cc_line(doc, "抄送", ["州委办公室", "", "州政府办公室"])
    d.page_numbers(doc)
    document, data = reopen(doc)
    assert texts(document) == [
        "昌吉州政协文件", "昌政协〔2024〕5号　签发人：李四", "关于印发《工作规则》的通知", "各专门委员会：",
        "现将规则印发给你们。", "一、总则", "二、附则", "", "昌吉州政协办公室", "2024年5月6日",
        "抄送：州委办公室，州政府办公室。",
    ]
    assert header.runs[0].font.color.rgb == docx.shared.RGBColor.from_string("C00000")
    assert header.runs[0].font.name == "方正小标宋简体" and heading.runs[0].font.size.pt == 22
    assert number.runs[0].font.name == "仿宋_GB2312" and to.paragraph_format.first_line_indent is None
    assert first.paragraph_format.first_line_indent.pt == 32 and lines[0].paragraph_format.first_line_indent.pt == 32
    assert first.paragraph_format.line_spacing.pt == 28
    assert sign[-1].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert cc.runs[0].font.size.pt == 14  # 四号
    xml = part(data, "word/document.xml")
    assert 'w:color="C00000"' in xml  # the red rule under the masthead
    assert 'w:eastAsia="方正小标宋简体"' in xml and 'w:eastAsia="仿宋_GB2312"' in xml


def test_page_numbers_are_dashed_and_alternate_sides():
    document, data = reopen(bulletin("正文。"))
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —"
    assert odd.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT
    footers = "".join(part(data, name) for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if "footer" in name)
    assert footers.count("PAGE") == 2 and 'w:fldCharType="begin"' in footers
    assert "evenAndOddHeaders" in part(data, "word/settings.xml")


def test_a_bulletin_issue_is_made_of_the_blocks():
    document, data = reopen(bulletin("一、基本情况\n部分村组饮水不稳定。\n二、建议\n加大投入。"))
    assert texts(document) == [
        "社情民意", "第12期（总第345期）", "编报单位：昌吉州政协办公室\t签发人：张三", "关于加强农村饮水安全的建议",
        "一、基本情况", "部分村组饮水不稳定。", "二、建议", "加大投入。", "", "昌吉州政协办公室", "2024年5月6日",
        "报送：中共昌吉州委，昌吉州人民政府，自治区政协。",
    ]
    masthead = document.paragraphs[2]
    assert masthead.paragraph_format.tab_stops[0].alignment == docx.enum.text.WD_TAB_ALIGNMENT.RIGHT
    xml = part(data, "word/document.xml")
    assert '<w:color w:val="C00000"/>' in xml  # the red masthead …
    assert '<w:bottom w:val="single" w:sz="12" w:space="1" w:color="C00000"/>' in xml  # … and the red rule under the signer line
    assert "<w:top " in xml  # the 版记 line between two rules


HOSTILE = [
    "<script>alert('x')</script>", '"双引号" \'单引号\' & < >', "{{ 正文 }} {% if x %}{% endif %}",
    "]]><![CDATA[", "控制\x00字符\x07\x1b\x0b和\ufffe", "\u202e反向\u200b零宽", "𠮷𡈽（扩展区汉字）", "\\ \t 制表",
]


def test_hostile_text_stays_text_and_keeps_the_file_valid():
    doc = d.new_document()
    for text in HOSTILE:
        d.red_header(doc, text, text)
        d.document_number(doc, text, signer=text)
        d.masthead_line(doc, text, text)
        d.title(doc, text)
        d.salutation(doc, text)
        d.paragraph(doc, text)
        d.body(doc, text)
        d.signature(doc, text, text)
        d.cc_line(doc, text, [text, text])
    d.page_numbers(doc)
    document, data = reopen(doc)
    every = "\n".join(texts(document))
    assert "<script>alert('x')</script>" in every and '"双引号" \'单引号\' & < >' in every
    assert "{{ 正文 }} {% if x %}{% endif %}" in every and "]]><![CDATA[" in every
    assert "控制字符和" in every and "\x00" not in every and "𠮷𡈽" in every
    assert "<script>" not in part(data, "word/document.xml")  # escaped, never markup


def test_very_long_text_makes_a_valid_file():
    long = ("数字乡村建设" * 4000 + "\n") * 5  # 120,000 characters in five paragraphs
    document, _data = reopen(bulletin(long, recipients=[f"单位{i}" for i in range(300)]))
    assert sum(len(p.text) for p in document.paragraphs) > 120000
    assert document.paragraphs[-1].text.startswith("报送：单位0，单位1，") and document.paragraphs[-1].text.endswith("单位299。")


@pytest.mark.parametrize("names, expected", [("甲单位", "抄送：甲单位。"), ("甲单位。", "抄送：甲单位。"), ([], "抄送：。")])
def test_cc_line_ends_with_one_full_stop(names, expected):
    doc = d.new_document()
    assert d.cc_line(doc, "抄送", names).text == expected


@pytest.mark.parametrize("day, text", [
    (datetime.date(2026, 12, 5), "二〇二六年十二月五日"),
    (datetime.date(2024, 1, 10), "二〇二四年一月十日"),
    (datetime.date(2030, 10, 31), "二〇三〇年十月三十一日"),
    (datetime.date(2025, 11, 20), "二〇二五年十一月二十日"),
    (datetime.date(2008, 2, 29), "二〇〇八年二月二十九日"),
])
def test_dates_under_a_seal_are_written_in_chinese_numerals(day, text):
    assert d.chinese_numeral_date(day) == text
    assert d.chinese_numeral_date(None) == ""
    doc = d.new_document()
    d.signature(doc, "州农业农村局", day, numerals=True)
    document, _data = reopen(doc)
    assert texts(document)[-2:] == ["州农业农村局", text]
    assert all(p.alignment == 2 for p in document.paragraphs[-2:])  # right-aligned
