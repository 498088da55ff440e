"""core.exports.cell / write_table: the one way every Excel export writes its cells — text never a formula
(OWASP formula injection), no character that XML refuses, numbers and rates as numbers, a title row, a
frozen header and widths that fit Chinese text."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from xieshang.core.exports import Col, Typed, cell, clean_text, text_width, workbook_bytes, write_table

HOSTILE = ["=1+1", "+86 139", "-5 days", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://evil","x")']


def _written(write_only: bool, rows, columns=None, title="标题"):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    count = write_table(ws, title=title, columns=columns or [Col("名称"), Col("满意率", "percent"), Col("件数", "number")],
                        rows=rows)
    return count, load_workbook(io.BytesIO(workbook_bytes(wb))).worksheets[0]


@pytest.mark.parametrize("write_only", [True, False])
def test_text_that_starts_like_a_formula_is_written_as_text_with_its_characters_unchanged(write_only):
    count, ws = _written(write_only, [[text, None, None] for text in HOSTILE])
    assert count == len(HOSTILE)
    for row, text in enumerate(HOSTILE, start=3):
        c = ws.cell(row, 1)
        assert c.value == text and c.data_type == "s" and c.quotePrefix, text
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


@pytest.mark.parametrize("write_only", [True, False])
def test_control_characters_are_dropped_and_never_fail_the_export(write_only):
    text = "a\x00b\x01c\x07d\x0be\x1ff\ttab\nline"
    count, ws = _written(write_only, [[text, None, None], ["=\x08x", None, None]])
    assert count == 2
    assert ws.cell(3, 1).value == "abcdef\ttab\nline" and ws.cell(4, 1).value == "=x"
    assert clean_text("\x1b[31m红") == "[31m红"


@pytest.mark.parametrize("write_only", [True, False])
def test_title_row_frozen_header_numbers_and_percent(write_only):
    count, ws = _written(write_only, [["州教育局", 0.925, "12"], ["州财政局", "0.5", 3], ["无", None, ""]])
    assert count == 3
    assert ws.cell(1, 1).value == "标题" and ws.cell(1, 1).font.bold
    assert [c.value for c in ws[2]] == ["名称", "满意率", "件数"] and ws.cell(2, 2).font.bold
    assert ws.freeze_panes == "A3"
    assert (ws.cell(3, 2).value, ws.cell(3, 2).number_format, ws.cell(3, 2).data_type) == (0.925, "0.0%", "n")
    assert (ws.cell(4, 2).value, ws.cell(4, 2).number_format) == (0.5, "0.0%")
    assert (ws.cell(3, 3).value, ws.cell(4, 3).value, ws.cell(5, 3).value) == (12, 3, None)


def test_widths_fit_the_longest_of_the_first_rows_with_chinese_counted_double():
    assert text_width("州教育局") == 8 and text_width("abc") == 3 and text_width("ＡＢ") == 4
    _count, ws = _written(False, [["昌吉回族自治州农业农村局", 1, 1], ["x" * 500, 0.1, 2]],
                          columns=[Col("单位"), Col("率", "percent"), Col("件数", "number", width=9)])
    assert ws.column_dimensions["A"].width == 60  # capped
    _count, ws = _written(False, [["昌吉回族自治州农业农村局", 1, 1]],
                          columns=[Col("单位"), Col("率", "percent"), Col("件数", "number", width=9)])
    assert ws.column_dimensions["A"].width == 24 + 2
    assert ws.column_dimensions["C"].width == 9


def test_dates_are_dates_and_an_unknown_kind_is_a_programming_error():
    wb = Workbook()
    ws = wb.active
    ws.append([cell(ws, datetime.date(2026, 12, 5)), cell(ws, datetime.datetime(2026, 12, 5, 9, 30))])
    ws = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert ws.cell(1, 1).number_format == "yyyy-mm-dd" and ws.cell(1, 2).number_format == "yyyy-mm-dd hh:mm"
    with pytest.raises(ValueError):
        cell(ws, 1, kind="money")


def test_a_typed_value_keeps_its_own_kind_in_a_column_of_figures():
    _count, ws = _written(False, [["办复率", Typed(0.875, "percent"), None], ["件数", Typed(12, "number"), None]],
                          columns=[Col("指标"), Col("数值", "number"), Col("备注")])
    assert (ws.cell(3, 2).value, ws.cell(3, 2).number_format) == (0.875, "0.0%")
    assert (ws.cell(4, 2).value, ws.cell(4, 2).number_format) == (12, "General")


@pytest.mark.django_db
def test_the_members_export_keeps_text_as_text_and_stays_importable(committee):
    from xieshang.core import imports
    from xieshang.core.tests.factories import MemberFactory

    member = MemberFactory(committee=committee, name="=1+1", employer="@SUM(A1)\x07 州教育局局长", phone="13912345678")
    ws = load_workbook(io.BytesIO(imports.members_template(committee, [member]))).worksheets[0]
    assert ws.cell(1, 1).value == "姓名" and ws.freeze_panes == "A2"  # the header in row 1: re-importable
    name, employer = ws.cell(2, 1), ws.cell(2, 8)
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+1", "s", True)
    assert employer.value == "@SUM(A1) 州教育局局长" and employer.quotePrefix
    assert ws.column_dimensions["H"].width >= text_width("@SUM(A1) 州教育局局长") + 2
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
