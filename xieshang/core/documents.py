"""Word building blocks in the official layout (党政机关公文格式 GB/T 9704-2012), with python-docx.

Apps build their documents from these blocks (proposals: the proposal form and the reply letter;
opinions: the bulletin 《社情民意》). Every block appends to the document and returns what it made
(a paragraph, mostly), so an app can adjust one detail without copying the block:

    doc = new_document()                                   # A4, margins 37/35/28/26 mm, 仿宋_GB2312 三号
    red_header(doc, "", "社情民意")                         # the red masthead (版头)
    document_number(doc, "第12期")                          # 文号 / 期号, centred
    masthead_line(doc, "编报单位：昌吉州政协办公室", "签发人：张三", rule=True)  # … and the red rule
    title(doc, "关于……的建议")                              # 二号 方正小标宋, centred
    salutation(doc, "州委、州政府：")                         # 主送
    paragraph(doc, "正文……")                                # 三号 仿宋, first line indented two characters
    body(doc, "第一段\\n第二段")                             # one paragraph per line
    signature(doc, "昌吉州政协办公室", date)                   # unit and Chinese date, on the right
    signature(doc, "州农业农村局", date, numerals=True)       # … dated 二〇二六年十二月五日
    cc_line(doc, "报送", ["州委", "州政府"])                   # 报送：州委，州政府。 (版记)
    page_numbers(doc)                                      # — 1 — (odd pages right, even pages left)
    data = to_bytes(doc)

Fonts. Offices print in 仿宋_GB2312 (text) and 方正小标宋简体 (titles), which not every computer has:
`new_document()` names them (OFFICIAL) and records in the font table what Word, WPS or LibreOffice
should use instead when they are missing (w:altName: 仿宋, 宋体 …). `new_document(fonts=PLAIN)` uses
the fonts every Chinese Windows has (仿宋, 宋体, 黑体); the proposals' documents use these.

Text. Every text goes into runs as text only (never markup): characters that XML cannot hold
(control characters) are dropped, so user text of any kind and length makes a valid file.
Documents are in Chinese whatever the user's language: `chinese_date` does not depend on it.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from .text import clean as text_clean

# Chinese font sizes in points (号).
ERHAO, XIAOER, SANHAO, XIAOSAN, SIHAO, XIAOSI = 22, 18, 16, 15, 14, 12
RED, BLACK = "C00000", "000000"
LINE_SPACING = 28  # points: 固定值28磅 (22 lines of 28 characters on a page, as GB/T 9704 asks)
# GB/T 9704: A4; 天头 (top) 37 mm, 订口 (left) 28 mm; the text block 156 × 225 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"  # a Word file's content type


@dataclass(frozen=True)
class Fonts:
    body: str  # 正文: 三号仿宋
    title: str  # 标题: 二号小标宋
    heading: str  # 一级标题, table heads: 黑体
    kai: str = "楷体"  # 二级标题: 楷体


OFFICIAL = Fonts(body="仿宋_GB2312", title="方正小标宋简体", heading="黑体", kai="楷体_GB2312")
PLAIN = Fonts(body="仿宋", title="宋体", heading="黑体", kai="楷体")
# What to show when a font is missing (the font table's w:altName).
FALLBACKS = {
    "仿宋_GB2312": "仿宋", "方正小标宋简体": "宋体", "方正小标宋_GBK": "宋体", "楷体_GB2312": "楷体",
    "仿宋": "FangSong", "宋体": "SimSun", "黑体": "SimHei", "楷体": "KaiTi",
}


def clean(text) -> str:
    """`text` as a run can hold it: without the characters XML 1.0 forbids (core.text.clean, the one
    normaliser of typed text: text stored before it existed may still hold U+0013 or U+000B)."""
    return text_clean(text)


def chinese_date(value: datetime.date | datetime.datetime | str | None) -> str:
    """2024年5月6日 (always in Chinese; a datetime in local time; '' for None; a string as it is)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


_DIGITS = "〇一二三四五六七八九"


def _numeral(n: int) -> str:
    """1–31 as written in dates: 五, 十, 十二, 二十, 二十五, 三十一."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones or not tens else "")


def chinese_numeral_date(value: datetime.date | datetime.datetime | None) -> str:
    """二〇二六年十二月五日: the date as offices write it under a seal ('' for None; a datetime in local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    year = "".join(_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{_numeral(value.month)}月{_numeral(value.day)}日"


# --- The document --------------------------------------------------------------------------------


def fonts_of(doc) -> Fonts:
    return getattr(doc, "_xieshang_fonts", PLAIN)


def new_document(*, fonts: Fonts = OFFICIAL):
    """An empty A4 document with the margins of GB/T 9704 and text in `fonts.body` 三号."""
    import docx
    from docx.shared import Mm, Pt

    doc = docx.Document()
    doc._xieshang_fonts = fonts
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = fonts.body
    normal.font.size = Pt(SANHAO)
    set_font(normal.element, fonts.body)
    _declare_fallbacks(doc, fonts)
    return doc


def _declare_fallbacks(doc, fonts: Fonts) -> None:
    """Name the document's fonts in its font table with the font to use where they are missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    part = doc.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    known = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for name in dict.fromkeys((fonts.body, fonts.title, fonts.heading, fonts.kai)):
        if name in known or name not in FALLBACKS:
            continue
        font = table.makeelement(qn("w:font"), {qn("w:name"): name})
        for tag, value in (("w:altName", FALLBACKS[name]), ("w:charset", "86"), ("w:family", "modern"),
                           ("w:pitch", "fixed" if name.startswith(("仿宋", "楷体")) else "variable")):
            font.append(font.makeelement(qn(tag), {qn("w:val"): value}))
        table.append(font)
    from lxml import etree

    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_font(element, font_name: str) -> None:
    """Every script of `element` (a style or a run) in `font_name` (Chinese text needs w:eastAsia)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font_name)


def run(paragraph, text, *, font: str | None = None, size: float = SANHAO, bold: bool = False,
        color: str | None = None, doc=None):
    """A run of `text` (cleaned) in `font` (default: the document's body font) at `size` points."""
    from docx.shared import Pt, RGBColor

    if font is None:
        font = fonts_of(doc).body if doc is not None else PLAIN.body
    r = paragraph.add_run(clean(text))
    r.font.name = font
    r.font.size = Pt(size)
    r.font.bold = bold
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    set_font(r._r, font)
    return r


_ALIGN = {"center": "CENTER", "right": "RIGHT", "justify": "JUSTIFY", "left": "LEFT"}


def paragraph(doc, text="", indent: bool = True, *, align: str | None = "justify", font: str | None = None,
              size: float = SANHAO, bold: bool = False, color: str | None = None, space_after: float = 0,
              space_before: float = 0):
    """One paragraph of text: 三号 body font at a fixed line spacing of 28 pt, the first line indented
    by two characters (`indent`), justified (`align`: None, "left", "center", "right", "justify")."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align:
        p.alignment = getattr(WD_ALIGN_PARAGRAPH, _ALIGN[align])
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(space_before)
    fmt.line_spacing = Pt(LINE_SPACING) if size <= SANHAO else None
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        run(p, text, font=font or fonts_of(doc).body, size=size, bold=bold, color=color)
    return p


def body(doc, text, *, size: float = SANHAO) -> list:
    """The text as body paragraphs, one per line (blank lines left out), each indented two characters."""
    lines = (line.strip() for line in clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return [paragraph(doc, line, size=size) for line in lines if line]


def blank(doc, *, space_after: float = 0):
    """An empty line."""
    return paragraph(doc, "", indent=False, align=None, space_after=space_after)


def rule_below(p, *, color: str = RED, size: int = 12):
    """A line under paragraph `p` (the red rule of the masthead; black, thin, in the 版记). `size`: eighths of a point."""
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(borders)
    for old in borders.findall(qn("w:bottom")):
        borders.remove(old)
    borders.append(borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): str(size),
                                                       qn("w:space"): "1", qn("w:color"): color}))
    return p


def rule_above(p, *, color: str = BLACK, size: int = 8):
    """A line over paragraph `p` (the first rule of the 版记)."""
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(borders)
    borders.insert(0, borders.makeelement(qn("w:top"), {qn("w:val"): "single", qn("w:sz"): str(size),
                                                       qn("w:space"): "1", qn("w:color"): color}))
    return p


# --- The blocks of an official document --------------------------------------------------------------


def red_header(doc, org_name, title="", *, size: float = ERHAO, bold: bool = True, rule: bool = False,
               font: str | None = None, space_after: float = 6):
    """The masthead (版头, 发文机关标志): `org_name` and `title` ("昌吉州政协" + "文件"; "" + "社情民意")
    in red, centred, in the title font; `rule`: the red line right under it (else add it under the
    last masthead line with `masthead_line(…, rule=True)` or `rule_below`)."""
    p = paragraph(doc, f"{clean(org_name)}{clean(title)}", indent=False, align="center",
                  font=font or fonts_of(doc).title, size=size, bold=bold, color=RED, space_after=space_after)
    if rule:
        rule_below(p)
    return p


def document_number(doc, text, *, signer: str = "", align: str = "center", rule: bool = False,
                    size: float = SANHAO):
    """The document number (发文字号 昌政协〔2024〕5号, or an issue 第12期), centred; with `signer`,
    followed by 签发人：<signer> (上行文). `rule`: the red line under it."""
    p = paragraph(doc, indent=False, align=align, size=size)
    run(p, text, font=fonts_of(doc).body, size=size)
    if signer:
        run(p, f"　签发人：{clean(signer)}", font=fonts_of(doc).body, size=size)
    if rule:
        rule_below(p)
    return p


def masthead_line(doc, left, right="", *, rule: bool = False, size: float = SANHAO):
    """One line with `left` at the left margin and `right` at the right one (编报单位：… / 签发人：…
    or the date), under the masthead; `rule`: the red line under it."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm

    p = paragraph(doc, indent=False, align="left", size=size)
    section = doc.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    run(p, left, font=fonts_of(doc).body, size=size)
    if right:
        run(p, "\t" + clean(right), font=fonts_of(doc).body, size=size)
    if rule:
        rule_below(p)
    p.paragraph_format.space_after = Mm(2)
    return p


def title(doc, text, *, size: float = ERHAO, bold: bool = False, font: str | None = None, space_after: float = 12):
    """The title (标题): centred, in the title font (二号 小标宋)."""
    return paragraph(doc, text, indent=False, align="center", font=font or fonts_of(doc).title, size=size,
                     bold=bold, space_after=space_after)


def heading(doc, text, *, size: float = SANHAO, indent: bool = True):
    """A first-level heading inside the text (一、……): 黑体."""
    return paragraph(doc, text, indent=indent, align="justify", font=fonts_of(doc).heading, size=size)


def salutation(doc, text):
    """The addressee (主送机关 / 称呼: 州委、州政府： / 张三委员：) at the left margin."""
    return paragraph(doc, text, indent=False, align=None)


def signature(doc, org, date, *, gap: bool = True, numerals: bool = False) -> list:
    """The issuing unit and the date (成文日期, 2024年5月6日; with `numerals` 二〇二四年五月六日, as written
    under a seal) on the right, the date under the unit's name; `gap`: an empty line before."""
    out = [blank(doc)] if gap else []
    if org:
        out.append(paragraph(doc, org, indent=False, align="right"))
    text = chinese_numeral_date(date) if numerals and not isinstance(date, str) else chinese_date(date)
    out.append(paragraph(doc, text, indent=False, align="right"))
    return out


def cc_line(doc, label, names, *, size: float = SIHAO, rule: bool = True, top_rule: bool = False):
    """The line at the foot (版记): 抄送：甲，乙。 / 报送：州委，州政府。 (`names`: a list, or one string
    as it is), 四号, with a thin line under it (`rule`) and over it (`top_rule`)."""
    if not isinstance(names, str):
        names = "，".join(clean(name) for name in names if name)
    names = clean(names).rstrip("。")
    p = paragraph(doc, f"{clean(label)}：{names}。", indent=False, align=None, size=size)
    if rule:
        rule_below(p, color=BLACK, size=6)
    if top_rule:
        rule_above(p)
    return p


def _page_field(p, *, size: float = SIHAO, font: str = "宋体") -> None:
    """— PAGE — in paragraph `p` (a field Word fills in; "1" until it does)."""
    from docx.oxml.ns import qn

    run(p, "— ", font=font, size=size)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run(p, "", font=font, size=size)
        if kind:
            r._r.append(r._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
        elif text == " PAGE ":
            instr = r._r.makeelement(qn("w:instrText"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text
    run(p, " —", font=font, size=size)


def page_numbers(doc, *, size: float = SIHAO):
    """Page numbers in the footer as GB/T 9704 prints them: — 1 — in 四号 宋体, odd pages on the
    right and even pages on the left, one character in from the margin."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            for r in list(p.runs):
                r._r.getparent().remove(r._r)
            p.alignment = getattr(WD_ALIGN_PARAGRAPH, _ALIGN[align])
            fmt = p.paragraph_format
            if align == "right":
                fmt.right_indent = Pt(size)
            else:
                fmt.left_indent = Pt(size)
            _page_field(p, size=size)
    return doc


def table_cell(cell, text, *, bold: bool = False, center: bool = False, size: float = SIHAO, doc=None):
    """A table cell's text (lines kept as line breaks), vertically centred; bold in 黑体."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    fonts = fonts_of(doc) if doc is not None else PLAIN
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = clean(text).split("\n")
    for index, line in enumerate(lines):
        r = run(p, line, size=size, bold=bold, font=fonts.heading if bold else fonts.body)
        if index < len(lines) - 1:
            r.add_break()
    return cell


def to_bytes(doc) -> bytes:
    """The .docx file."""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = [
    "BLACK", "ERHAO", "FALLBACKS", "OFFICIAL", "PLAIN", "RED", "SANHAO", "SIHAO", "XIAOER", "XIAOSAN", "XIAOSI",
    "Fonts", "blank", "body", "cc_line", "chinese_date", "chinese_numeral_date", "clean", "document_number", "heading",
    "masthead_line",
    "new_document", "page_numbers", "paragraph", "red_header", "rule_above", "rule_below", "run", "salutation",
    "set_font", "signature", "table_cell", "title", "to_bytes",
]
