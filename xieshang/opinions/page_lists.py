"""The opinion report screens' lists: one definition per list (its columns, sorts and filters) used by
the page (table head, sort links, rows) and by its Excel export, so the two never disagree.

A column's `value(row)` gives the plain text of a cell (the export writes it; the page's templates show
the same row with links and labels). Sorting is by a key of `sorts` (a `-` before a key sorts the other
way); an unknown key falls back to the list's default. Nothing here writes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import Paginator

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20
EXPORT_MAX_ROWS = 20000


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    value: Callable[[Any], Any]
    sort: str | None = None  # the key of `ListSpec.sorts` this column's head sorts by


@dataclasses.dataclass(frozen=True)
class ListSpec:
    name: str  # also the export's file name
    title: Any
    columns: tuple[Column, ...]
    sorts: dict[str, tuple[str, ...]]  # key -> order_by fields (ascending)
    default_sort: str

    def order(self, qs, sort: str | None):
        key = (sort or "").strip()
        descending = key.startswith("-")
        base = key[1:] if descending else key
        if base not in self.sorts:
            key = self.default_sort
            descending = key.startswith("-")
            base = key[1:] if descending else key
        fields = self.sorts[base]
        if descending:
            fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
        return qs.order_by(*fields, "-pk" if descending else "pk")

    def heads(self, current_sort: str | None) -> list[dict]:
        """The table head: each column's label and, when sortable, the sort key its link sets (the
        other direction when it is the current one) and the current direction ("asc" / "desc" / "")."""
        current = (current_sort or self.default_sort).strip()
        out = []
        for c in self.columns:
            entry = {"key": c.key, "label": c.label, "sort": None, "direction": ""}
            if c.sort:
                if current == c.sort:
                    entry.update(sort=f"-{c.sort}", direction="asc")
                elif current == f"-{c.sort}":
                    entry.update(sort=c.sort, direction="desc")
                else:
                    entry["sort"] = c.sort
            out.append(entry)
        return out


def page_of(qs, request, per_page: int | None = None):
    """One page of `qs`: `?page_size=` (10, 20, 50 or 100) and `?page=` (anything else: the defaults)."""
    size = _int(request.GET.get("page_size"))
    if size not in PAGE_SIZES:
        size = per_page or DEFAULT_PAGE_SIZE
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _int(value):
    value = (value or "").strip() if isinstance(value, str) else value
    if isinstance(value, int):
        return value
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 12 else None


def write_xlsx(handle, *, title: str, columns: Iterable[Column], rows: Iterable) -> int:
    """The rows as an .xlsx workbook in `handle`: a head row of the columns' labels, then one row per
    row. Text stays text (a value that begins with "=" is never a formula) without the control
    characters Excel refuses. Returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    columns = list(columns)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31] or "Sheet")

    def cell(value):
        if value is None:
            return ""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            c = WriteOnlyCell(ws, value=value)
            c.data_type = "s"
            return c
        return value

    ws.append([cell(str(c.label)) for c in columns])
    count = 0
    for row in rows:
        ws.append([cell(c.value(row)) for c in columns])
        count += 1
    wb.save(handle)
    return count
