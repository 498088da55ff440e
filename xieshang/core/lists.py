"""One list definition (`ListDef`) that a list's page, its API list and its Excel export all read.

A list is declared once, in its app (e.g. `xieshang.proposals.lists.PROPOSALS`):

    PROPOSALS = ListDef(
        name="proposals",
        columns=(Column("number", _("Number"), sort="number", value=lambda row, labels: row.number or ""), …),
        sorts=(Sort("-created_at", _("Newest first"), ("-created_at", "-id")), …),
        default_sort="-created_at",
        filters=(Filter("state", _("State"), "choice"), Filter("key", _("Key proposals only"), "flag"), …),
        layouts={"page": Layout(("number", "title", …)), "export": Layout(("number", …), title=_("Proposals"))},
    )

- **The page** shows the columns of its layout (`header(layout, current_sort, …)` gives each column's label
  and the `sort` value its header link asks for: a column whose sort also exists descending ("-number")
  toggles between the two) and reads the `sort` and `page_size` parameters through `sort()` /
  `page_size()`; its rows are rendered by the template (`{% for row in rows %}`), never as HTML built in
  Python.
- **The API list** takes `sort` from `sort_keys` (its OpenAPI enum) and its filters with `params()`.
- **The Excel export** (`write_xlsx`) writes the columns of a layout through core.exports.write_table:
  a title row, the header row of the column labels (both frozen), then one row per object with each
  column's `value(row, labels)`; widths fit the labels and the first rows. Text is always text (never a
  formula, without the control characters Excel refuses); a `numeric` column is written as a number
  cell (`kind="percent"`: a rate shown as a percentage); dates stay dates.
- **The selector** orders with `order(qs, sort)` (the sort's `order_by`, after the annotations it
  needs): unknown sort values fall back to the default, never an error.

Filters stay applied by the app's selector (they depend on its models); the definition names them,
their kind and label, so that the page's form, the API and the stored export parameters agree on
one set of names (`params()`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

FILTER_KINDS = ("text", "int", "choice", "flag")


@dataclasses.dataclass(frozen=True)
class Column:
    """One column. `sort`: the sort key its header asks for (None: not sortable). `value(row, labels)`:
    the cell of the export (`labels` as the export's `labels()` made them, once per file). `numeric`:
    written as a number cell."""

    key: str
    label: Any
    sort: str | None = None
    value: Callable[[Any, dict], Any] | None = None
    numeric: bool = False
    kind: str = ""  # the export's cell kind (core.exports.CELL_KINDS); "" is "number" when numeric, else "text"

    @property
    def sortable(self) -> bool:
        return self.sort is not None


@dataclasses.dataclass(frozen=True)
class Sort:
    """One way to order the list: `order_by` as QuerySet.order_by takes it; `annotate()` returns the
    annotations the order needs ({name: expression}), added only when this sort is used."""

    key: str
    label: Any
    order_by: tuple
    annotate: Callable[[], dict] | None = None

    def apply(self, qs):
        if self.annotate:
            needed = {k: v for k, v in self.annotate().items() if k not in qs.query.annotations}
            if needed:
                qs = qs.annotate(**needed)
        return qs.order_by(*self.order_by)


@dataclasses.dataclass(frozen=True)
class Filter:
    """One filter's name, label and kind: "text", "int" (an id or a year), "choice" or "flag" (on/off)."""

    key: str
    label: Any
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in FILTER_KINDS:
            raise ValueError(f"Filter {self.key}: kind must be one of {FILTER_KINDS}")


@dataclasses.dataclass(frozen=True)
class Layout:
    """The columns one view of the list shows, in order: keys of the ListDef's columns, or Columns of
    this layout's own. `title`: the export's sheet title."""

    columns: tuple
    title: Any = ""


@dataclasses.dataclass(frozen=True)
class ListDef:
    name: str
    columns: tuple[Column, ...]
    sorts: tuple[Sort, ...]
    default_sort: str
    filters: tuple[Filter, ...] = ()
    layouts: Mapping[str, Layout] = dataclasses.field(default_factory=dict)
    page_sizes: tuple[int, ...] = (10, 20, 50, 100)
    default_page_size: int = 50

    def __post_init__(self):
        keys = [c.key for c in self.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.name}: column keys must be unique")
        sorts = self.sort_keys
        if self.default_sort not in sorts:
            raise ValueError(f"{self.name}: the default sort {self.default_sort!r} is not one of the sorts")
        for column in self.columns:
            if column.sort is not None and column.sort not in sorts:
                raise ValueError(f"{self.name}: column {column.key} sorts by an unknown sort {column.sort!r}")
        for name in self.layouts:
            self.layout(name)  # every key names a column
        if self.default_page_size not in self.page_sizes:
            raise ValueError(f"{self.name}: the default page size is not one of the page sizes")

    # --- Columns -------------------------------------------------------------------------------------

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.name}: no column {key!r}")

    def layout(self, name: str) -> list[Column]:
        """The columns of a layout, in order."""
        return [c if isinstance(c, Column) else self.column(c) for c in self.layouts[name].columns]

    def header(self, layout: str, current_sort: str | None = None) -> list[dict]:
        """The page's table head: for each column its `label` and the `sort` value its link asks for
        (None: not sortable). A column whose sort exists descending too toggles: its link asks for the
        descending one when the list is sorted by the ascending one."""
        keys = set(self.sort_keys)
        out = []
        for column in self.layout(layout):
            sort = column.sort
            if sort is not None and current_sort == sort and f"-{sort}" in keys:
                sort = f"-{sort}"
            out.append({"key": column.key, "label": column.label, "sort": sort})
        return out

    # --- Sorts ---------------------------------------------------------------------------------------

    @property
    def sort_keys(self) -> tuple[str, ...]:
        """The values the `sort` parameter accepts (the API's enum, the form's choices)."""
        return tuple(s.key for s in self.sorts)

    def sort_choices(self) -> list[tuple[str, Any]]:
        return [(s.key, s.label) for s in self.sorts]

    def sort(self, key: str | None) -> Sort:
        """The sort named `key`; the default for an empty or unknown one."""
        by_key = {s.key: s for s in self.sorts}
        return by_key.get(key) or by_key[self.default_sort]

    def order(self, qs, key: str | None):
        """`qs` ordered by the sort named `key` (the default when unknown), with what that sort needs."""
        return self.sort(key).apply(qs)

    # --- Filters and pages --------------------------------------------------------------------------

    @property
    def filter_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.filters)

    def params(self, values: Mapping, *, skip: Iterable[str] = ()) -> dict:
        """The selector's parameters from parsed values (a form's cleaned data, an API schema's fields):
        text values for the filters and `sort`, "1" for a flag that is on; empty values and the names in
        `skip` (e.g. those with errors) left out."""
        skip = set(skip)
        out = {}
        for f in (*self.filters, Filter("sort", "")):
            if f.key in skip:
                continue
            value = values.get(f.key)
            if f.kind == "flag":
                if value:
                    out[f.key] = "1"
            elif value not in (None, ""):
                out[f.key] = str(value)
        return out

    def page_size(self, value) -> int:
        """`value` when it is one of the page sizes (as text or a number), else the default."""
        try:
            size = int(str(value).strip())
        except (TypeError, ValueError):
            return self.default_page_size
        return size if size in self.page_sizes else self.default_page_size

    # --- Excel ---------------------------------------------------------------------------------------

    def write_xlsx(self, handle, rows: Iterable, *, layout: str = "export", labels: dict | None = None,
                   title=None, heading=None) -> int:
        """Write `rows` (any objects the layout's `value`s read) as an .xlsx workbook into `handle` (a
        binary file opened for writing) with openpyxl's write-only workbook (memory stays flat: pass an
        iterator), through core.exports.write_table: row 1 the title (`heading`, else the sheet's title),
        row 2 the column labels (both stay in view), then one row per object; widths fit the first rows.
        Returns the number of rows written (title and header not counted)."""
        from openpyxl import Workbook

        from .exports import Col, write_table

        columns = self.layout(layout)
        sheet_title = title or self.layouts[layout].title or self.name
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=_sheet_title(sheet_title))
        labels = labels if labels is not None else {}
        getters = [c.value or _attribute(c.key) for c in columns]
        count = write_table(
            ws, title=heading or sheet_title, columns=[Col(c.label, c.kind or ("number" if c.numeric else "text"))
                                                     for c in columns],
            rows=([value(row, labels) for value in getters] for row in rows),
        )
        wb.save(handle)
        return count


def _attribute(key: str):
    return lambda row, labels: getattr(row, key, None) if not isinstance(row, Mapping) else row.get(key)


def _sheet_title(title) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    text = "".join(ch for ch in str(title) if ch not in "[]:*?/\\").strip()
    return text[:31] or "Sheet"


def number_cell(value):
    """A numeric column's value as a number (None for none; a number typed as text becomes a number;
    anything else stays as it is, so text_cell still keeps it from being a formula)."""
    import decimal
    import math

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        return float(value) if math.isfinite(value) else str(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


# --- What every list page does with its definition -----------------------------------------------------------

# The most rows a list's Excel file holds when it is written within the request (a committee's lists hold
# hundreds to a few thousands of rows a year; larger exports go through the worker, core.exports).
EXPORT_MAX_ROWS = 20000


def sorts_both_ways(*specs) -> tuple[Sort, ...]:
    """Each (key, label, order_by) as two sorts, ascending ("key") and descending ("-key"), the id last for a
    stable order."""
    from django.utils.text import format_lazy

    out = []
    for key, label, fields in specs:
        out.append(Sort(key, format_lazy("{} ↑", label), (*fields, "id")))
        out.append(Sort(f"-{key}", format_lazy("{} ↓", label), (*(f"-{f}" for f in fields), "-id")))
    return tuple(out)


def heads(listdef: ListDef, current_sort: str | None) -> list[dict]:
    """The table head: ListDef.header (each column's label and the sort its link asks for) and the direction
    the list is sorted by that column now ("asc" / "desc" / "")."""
    current = listdef.sort(current_sort).key
    out = []
    for h in listdef.header("page", current):
        sort = listdef.column(h["key"]).sort
        direction = "asc" if sort and current == sort else ("desc" if sort and current == f"-{sort}" else "")
        out.append({**h, "direction": direction})
    return out


def page_of(listdef: ListDef, qs, request):
    """One page of `qs`: `?page_size=` (one of the list's sizes) and `?page=` (anything else: the defaults)."""
    from django.core.paginator import Paginator

    return Paginator(qs, listdef.page_size(request.GET.get("page_size"))).get_page(request.GET.get("page"))
