"""The rules as a table people edit in Excel, and as a JSON file: both carry the one JSON form of rules.py.

The sheet (header in row 1, so that an exported table imports again as it is; one row a line of the rules):

    类型      名称      事项              说明            分值  计分单位  上限  下限  最低分  只计超过  第一提案人份额
    基础分                                               70
    等次      优秀                                                                     90
    等次      不称职                                                                   (empty: the lowest)
    类别      会议出勤                                    0               0     -20
    事项                plenary_absent    …(label)        -4    half_day
    事项                proposal_registered …             5     item            …            1         1

- 类型: 基础分 (the base, in 分值), 等次 (a band: 名称, 最低分), 类别 (a category: 名称, 分值 = start, 上限, 下限),
  事项 (an item of the nearest category above: 事项 = the fact kind's code or its label, 分值 = points,
  计分单位 = half_day/meeting/item/year or 半天/次/件/年, 上限 = its cap, 只计超过, 第一提案人份额). English words
  (base, band, category, item) are read too; 说明 is written for people and not read.
- Every row is checked, then the whole document (rules.parse); each problem is reported with its Excel row
  (`第 7 行 上限：…`), and nothing is stored when there is any.
"""

from __future__ import annotations

import json

from django.utils import translation
from django.utils.translation import gettext as _

from xieshang.core.errors import Invalid
from xieshang.core.imports import Column, read_upload

from . import rules

COLUMNS = [
    Column("row", "类型", required=True, aliases=("type",), width=8),
    Column("name", "名称", aliases=("name",), width=20),
    Column("kind", "事项", aliases=("kind",), width=24),
    Column("label", "说明", aliases=("label",), width=30),
    Column("points", "分值", aliases=("points", "起始分"), width=8),
    Column("per", "计分单位", aliases=("per", "单位"), width=10),
    Column("cap", "上限", aliases=("cap",), width=8),
    Column("floor", "下限", aliases=("floor",), width=8),
    Column("min", "最低分", aliases=("min",), width=8),
    Column("after", "只计超过", aliases=("after",), width=10),
    Column("lead_share", "第一提案人份额", aliases=("lead_share",), width=14),
]
NUMERIC = {"points", "cap", "floor", "min", "after", "lead_share"}
ROW_KINDS = {"基础分": "base", "base": "base", "等次": "band", "band": "band", "类别": "category",
             "category": "category", "事项": "item", "item": "item"}
ROW_WORDS = {"base": "基础分", "band": "等次", "category": "类别", "item": "事项"}
PER_WORDS = {"半天": "half_day", "半日": "half_day", "次": "meeting", "每次": "meeting", "件": "item", "项": "item",
             "篇": "item", "年": "year", "每年": "year"}
JSON_MAX_BYTES = 1024 * 1024


def _labels(vocabulary: dict) -> dict[str, str]:
    """code, and its label in Chinese and in English, → code."""
    found = {code: code for code in vocabulary}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            found.update({str(label): code for code, label in vocabulary.items()})
    return found


# --- Writing -------------------------------------------------------------------------------------------


def table_rows(document: dict) -> list[dict]:
    """The rows of the table (each {column key: value}, missing keys empty) for a document of the JSON form."""
    rows = [{"row": "base", "points": document.get("base", 0)}]
    for band in document.get("bands", []):
        rows.append({"row": "band", "name": band["name"], "min": band.get("min")})
    for category in document.get("categories", []):
        rows.append({"row": "category", "name": category["name"], "points": category.get("start", 0),
                     "cap": category.get("cap"), "floor": category.get("floor")})
        for item in category.get("items", []):
            rows.append({"row": "item", "kind": item["kind"], "label": rules.kind_label(item["kind"]),
                         "points": item["points"], "per": item.get("per", "item"), "cap": item.get("cap"),
                         "after": item.get("after") or None, "lead_share": item.get("lead_share")})
    return rows


def _sheet_rows(document: dict):
    for row in table_rows(document):
        values = dict(row, row=ROW_WORDS[row["row"]])
        yield [values.get(c.key) if values.get(c.key) is not None else "" for c in COLUMNS]


def write_xlsx(document: dict) -> bytes:
    """The rules as an Excel table (core.exports.write_table: text never a formula, numbers as numbers)."""
    import openpyxl

    from xieshang.core.exports import Col, workbook_bytes, write_table

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("rules")
    columns = [Col(c.header, "number" if c.key in NUMERIC else "text", c.width) for c in COLUMNS]
    write_table(ws, title=None, columns=columns, rows=_sheet_rows(document))
    return workbook_bytes(wb)


def write_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def download(document: dict, year: int, kind: str):
    """The rules as a file to download (the page and the API): "xlsx" or "json"."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from xieshang.core.exports import XLSX

    content, content_type = ((write_xlsx(document), XLSX) if kind == "xlsx"
                             else (write_json(document), "application/json"))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"duty-rules-{year}.{kind}")
    return response


# --- Reading -------------------------------------------------------------------------------------------


def _row_error(row: int, column: str, message: str) -> str:
    where = _("Row %(row)d") % {"row": row}
    return f"{where} {column}：{message}" if column else f"{where}：{message}"


def read_xlsx(file) -> dict:
    """The JSON form of an Excel rules table; Invalid on "file" listing every bad row (row and column)."""
    return document_from_rows(read_upload(file, COLUMNS))


def document_from_rows(data, field: str = "file") -> dict:
    """The JSON form of the table's rows [(row number, {column key: text})] (the sheet's, or the rules screen's);
    Invalid on `field` listing every bad row (row and column), nothing changed."""
    headers = {c.key: c.header for c in COLUMNS}
    kinds, pers = _labels(rules.KINDS), {**_labels(rules.PER), **PER_WORDS}
    errors: list[str] = []
    places: dict[str, tuple[int, dict[str, str]]] = {}  # a document's place → (Excel row, field → column)
    document: dict = {"bands": [], "categories": []}
    for number, values in data:
        kind_of_row = ROW_KINDS.get(values.get("row", "").strip().lower())
        if kind_of_row == "base":
            if "base" in document:
                errors.append(_row_error(number, headers["row"], _("the base is given twice")))
            document["base"] = values.get("points") or 0
            places["base"] = (number, {"": headers["points"]})
        elif kind_of_row == "band":
            place = f"bands[{len(document['bands'])}]"
            document["bands"].append({"name": values.get("name", ""), "min": values.get("min") or None})
            places[place] = (number, {"name": headers["name"], "min": headers["min"]})
        elif kind_of_row == "category":
            place = f"categories[{len(document['categories'])}]"
            document["categories"].append({"name": values.get("name", ""), "start": values.get("points") or 0,
                                           "cap": values.get("cap") or None, "floor": values.get("floor") or None,
                                           "items": []})
            places[place] = (number, {"name": headers["name"], "start": headers["points"], "cap": headers["cap"],
                                      "floor": headers["floor"]})
        elif kind_of_row == "item":
            if not document["categories"]:
                errors.append(_row_error(number, headers["row"], _("an item needs a category row above it")))
                continue
            category = document["categories"][-1]
            place = f"categories[{len(document['categories']) - 1}].items[{len(category['items'])}]"
            kind_text, per_text = values.get("kind", ""), values.get("per", "") or "item"
            category["items"].append({
                "kind": kinds.get(kind_text, kind_text), "points": values.get("points") or None,
                "per": pers.get(per_text, per_text), "cap": values.get("cap") or None,
                "after": values.get("after") or 0, "lead_share": values.get("lead_share") or None,
            })
            places[place] = (number, {key: headers[key] for key in ("kind", "points", "per", "cap", "after",
                                                                    "lead_share")})
        else:
            errors.append(_row_error(number, headers["row"], _("“%(value)s” is not a row type (基础分, 等次, 类别 or "
                                                               "事项)") % {"value": values.get("row", "")[:20]}))
    try:
        rules.parse(document)
    except rules.RulesInvalid as exc:
        for problem in exc.problems:
            errors.append(_located(problem, places))
    if errors:
        raise Invalid(_("The table has %(n)d problems; nothing was changed.") % {"n": len(errors)},
                      field_errors={field: errors})
    return document


def _located(problem: rules.Problem, places: dict) -> str:
    """A problem of the document said with its Excel row and column."""
    place = problem.place
    for known in sorted(places, key=len, reverse=True):
        if place == known or place.startswith(known + "."):
            number, fields = places[known]
            field = place[len(known) + 1:] if place != known else ""
            return _row_error(number, fields.get(field, ""), problem.message)
    return str(problem)


def read_json(file) -> dict:
    """The document of an uploaded JSON file; Invalid on "file" when it is not one JSON object."""
    size = getattr(file, "size", None) or 0
    if size > JSON_MAX_BYTES:
        raise Invalid(field_errors={"file": [_("The file is larger than %(mb)d MB.") % {"mb": 1}]})
    try:
        document = json.loads(file.read(JSON_MAX_BYTES + 1).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):
        message = _("The file is not a JSON rule set.")
        raise Invalid(message, field_errors={"file": [message]})
    return document
