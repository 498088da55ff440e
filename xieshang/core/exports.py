"""Background exports (导出): a file too long to write within a request is written by the worker and
downloaded later by the person who asked for it.

1. `services.export_request(actor=…, committee=…, kind=…, params=…)` records an `Export` (queued) and an
   audit event, and enqueues the task `tasks.run_export` after the commit.
2. The task (`run`) writes the file with the kind's writer *as the requesting user* — through the app's
   selectors, so with exactly the rows that user may see — in the language they asked in, stores it in
   the default storage, marks the export done and notifies the user with a link to download it. An
   error marks it failed with a message (and notifies the user too); nothing is dropped silently.
3. Only the requester downloads it (`core:export_download`, GET /api/v1/exports/{id}/file), until
   `expires_at` (XIESHANG_EXPORT_KEEP_DAYS later). The periodic job `core.prune_exports` deletes the
   expired files, gives up exports the worker never finished, and forgets old records.

A new kind of export is one `Kind` that its app declares (`Declarations.export_kinds`, read through
xieshang.core.registry): its label, the dotted path of its writer
`writer(handle, *, user, committee, params) -> rows written`, and the start of the file's name. `kinds()` is
every kind: core's own (KINDS, none yet) and the apps'.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .errors import Invalid, ServiceError
from .notices import Notice

logger = logging.getLogger("xieshang.exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclasses.dataclass(frozen=True)
class Kind:
    label: str
    writer: str  # dotted path of writer(handle, *, user, committee, params) -> rows written
    filename: str  # the downloaded file is "<filename>-<date requested>.<suffix>"
    suffix: str = "xlsx"
    content_type: str = XLSX


# Core's own kinds (none yet); the apps declare theirs.
KINDS: dict[str, Kind] = {}


def kinds() -> dict[str, Kind]:
    """Every kind of export: the apps' (xieshang.core.registry) and core's own."""
    from . import registry

    return {**registry.export_kinds(), **KINDS}

# An export still queued or running this long after it was asked for is given up (its worker died,
# or no worker runs): marked failed, and the requester told, by core.prune_exports.
STALE_AFTER = datetime.timedelta(hours=6)
# The records of exports are kept this long (their files only until expires_at).
FORGET_AFTER = datetime.timedelta(days=90)
# What an export's filters may hold: a few short values (they come from a query string or JSON).
MAX_PARAMS, MAX_KEY, MAX_VALUE = 30, 32, 200


def kind_of(name: str) -> Kind:
    try:
        return kinds()[name]
    except (KeyError, TypeError):
        raise Invalid(field_errors={"kind": [_("Select a valid choice. %(value)s is not one of the available choices.")
                                             % {"value": str(name)[:50]}]}) from None


def inline_limit() -> int:
    """The largest list exported within the request; longer ones go to the worker."""
    return int(getattr(settings, "XIESHANG_EXPORT_INLINE_MAX_ROWS", 2000))


def keep_days() -> int:
    return int(getattr(settings, "XIESHANG_EXPORT_KEEP_DAYS", 7))


def clean_params(params) -> dict:
    """The filters as stored: text keys and text values (as the selectors read a query string), sorted."""
    if params is None:
        return {}
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise Invalid(field_errors={"params": [_("Enter a valid value.")]})
    out = {}
    for key, value in params.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY:
            raise Invalid(field_errors={"params": [_("Enter a valid value.")]})
        if value is None or value == "" or value is False:
            continue
        if value is True:
            value = "1"
        if not isinstance(value, str | int) or len(str(value)) > MAX_VALUE:
            raise Invalid(field_errors={key: [_("Enter a valid value.")]})
        out[key] = str(value)
    return dict(sorted(out.items()))


def filename_of(export) -> str:
    kind = kinds().get(export.kind)
    stem, suffix = (kind.filename, kind.suffix) if kind else ("export", "bin")
    return f"{stem}-{timezone.localtime(export.created_at):%Y%m%d}-{export.pk}.{suffix}"


def content_type_of(export) -> str:
    kind = kinds().get(export.kind)
    return kind.content_type if kind else "application/octet-stream"


def is_expired(export, now: datetime.datetime | None = None) -> bool:
    return export.expires_at is not None and export.expires_at <= (now or timezone.now())


def is_downloadable(export, now: datetime.datetime | None = None) -> bool:
    from .models import Export

    return export.state == Export.State.DONE and bool(export.file) and not is_expired(export, now)


def message_of(export) -> str:
    """What went wrong, for the requester: the first line of `error` (the rest is for administrators)."""
    return (export.error or "").split("\n", 1)[0]


# --- The worker's side ---------------------------------------------------------------------------


def run(export_id: int) -> str:
    """Write the file of one queued export (the body of tasks.run_export). Runs once: the export is
    claimed by moving it from queued to running, so a second run of the task does nothing."""
    from .models import Export

    claimed = Export.objects.filter(pk=export_id, state=Export.State.QUEUED).update(
        state=Export.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "not queued"
    export = Export.objects.select_related("requested_by", "committee").get(pk=export_id)
    with translation.override(export.language or settings.LANGUAGE_CODE):
        try:
            kind = kind_of(export.kind)
            user = export.requested_by
            if not user.is_active:
                raise ServiceError(_("The account that asked for this export is disabled."))
            writer = import_string(kind.writer)
            with tempfile.TemporaryFile() as handle:
                rows = writer(handle, user=user, committee=export.committee, params=export.params or {})
                handle.seek(0)
                name = f"{kind.filename}-{uuid.uuid4().hex}.{kind.suffix}"
                export.file.save(name, File(handle, name=name), save=False)
            if not _finish_done(export, rows):
                export.file.delete(save=False)
                return "given up"
        except Exception as exc:  # noqa: BLE001 - a failed export is recorded and reported, not raised
            logger.exception("Export %s (%s) failed", export.pk, export.kind)
            if export.file:
                export.file.delete(save=False)
            _finish_failed(export, exc)
            return "failed"
    return f"done {rows}"


def _finish_done(export, rows: int) -> bool:
    from .models import Export
    from .services import notify

    now = timezone.now()
    expires = now + datetime.timedelta(days=keep_days())
    with transaction.atomic():
        won = Export.objects.filter(pk=export.pk, state=Export.State.RUNNING).update(
            state=Export.State.DONE, row_count=rows, file=export.file.name, finished_at=now, expires_at=expires, error="",
        )
        if not won:  # given up meanwhile (core.prune_exports): the requester was told it failed
            return False
        audit.record(actor=None, action="export.done", obj=export, committee=export.committee,
                     from_state=Export.State.RUNNING, to_state=Export.State.DONE, payload={"rows": rows})
        label = kind_of(export.kind).label
        notify(
            recipients=[export.requested_by], kind="export.done", committee=export.committee, channels=(),
            # in the language the export was asked in (the worker runs in it), dates as offices write them
            title=Notice(gettext_lazy("Your export is ready: %(what)s"), what=label).render(),
            body=Notice(gettext_lazy("%(rows)s rows. You can download the file until %(date)s."), rows=rows,
                        date=timezone.localtime(expires)).render(),
            url=reverse("core:export_download", args=[export.pk]),
        )
    return True


def _failure_text(exc) -> str:
    if isinstance(exc, ServiceError):
        return str(exc.message)
    return (
        _("The file could not be written. Ask for it again; if it fails again, tell the system administrator.")
        + f"\n{exc.__class__.__module__}.{exc.__class__.__name__}: {exc}"
    )


def _finish_failed(export, exc_or_text, *, from_states=None) -> bool:
    from .models import Export
    from .services import notify

    text = exc_or_text if isinstance(exc_or_text, str) else _failure_text(exc_or_text)
    from_states = from_states or [Export.State.RUNNING]
    with transaction.atomic():
        won = Export.objects.filter(pk=export.pk, state__in=from_states).update(
            state=Export.State.FAILED, error=text[:4000], finished_at=timezone.now(), file="",
        )
        if not won:
            return False
        audit.record(actor=None, action="export.failed", obj=export, committee=export.committee,
                     from_state=export.state, to_state=Export.State.FAILED, payload={"error": text[:500]})
        label = kinds()[export.kind].label if export.kind in kinds() else export.kind
        notify(
            recipients=[export.requested_by], kind="export.failed", committee=export.committee, channels=(),
            title=Notice(gettext_lazy("Your export failed: %(what)s"), what=label).render(),
            body=text.split("\n", 1)[0], url=reverse("core:exports"),
        )
    return True


# --- The periodic job -----------------------------------------------------------------------------


def prune_exports(now: datetime.datetime | None = None) -> str:
    """Delete the files of expired exports, give up exports the worker never finished (STALE_AFTER),
    and delete the records older than FORGET_AFTER. Idempotent (core.prune_exports in the scheduler)."""
    from .models import Export

    now = now or timezone.now()
    files = 0
    expired = Export.objects.filter(state=Export.State.DONE, expires_at__lte=now).exclude(file="")
    for export in list(expired.order_by("pk")):
        export.file.delete(save=False)  # a file already gone is no error
        Export.objects.filter(pk=export.pk).update(file="")
        files += 1

    given_up = 0
    stale = Export.objects.filter(state__in=[Export.State.QUEUED, Export.State.RUNNING], created_at__lte=now - STALE_AFTER)
    for export in stale.select_related("requested_by", "committee").order_by("pk"):
        with translation.override(export.language or settings.LANGUAGE_CODE):
            text = _("The export was not finished in time (the background worker stopped or is not running). "
                     "Ask for it again.")
            if _finish_failed(export, text, from_states=[Export.State.QUEUED, Export.State.RUNNING]):
                given_up += 1

    old = Export.objects.filter(created_at__lte=now - FORGET_AFTER)
    for export in list(old.exclude(file="")):
        export.file.delete(save=False)
    forgotten, _by_model = old.delete()
    return f"files deleted {files}, given up {given_up}, records deleted {forgotten}"


# --- Writing workbooks: the one way every export writes its cells -----------------------------------------
#
# Every Excel file of every app (lists, statistics, the opinions' adopted reports, members and units) writes
# its cells through `cell()` and its sheets through `write_table()`:
#
# - text never becomes a formula: a text that begins with "=", "+", "-", "@", a tab or a carriage return
#   (what spreadsheets read as a formula, OWASP "CSV/formula injection") is written as a text cell marked
#   with Excel's quote prefix (what Excel stores when one types '=1+1: shown and kept as text, even when the
#   cell is edited), its characters unchanged;
# - characters XML cannot hold (control characters; openpyxl would raise IllegalCharacterError) are
#   dropped, so no text makes an export fail;
# - numbers are numbers, rates are numbers shown as percentages (kind "percent", 0.925 → 92.5%), dates
#   are dates;
# - a sheet has a title row (row 1, bold), the column labels under it (row 2, bold, frozen with the title
#   above them) and column widths that fit the labels and the first rows (a CJK character counts double).

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_KINDS = ("text", "number", "percent", "date", "datetime")
NUMBER_FORMATS = {"percent": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
WIDTH_SAMPLE = 200  # rows measured for the column widths (later rows are streamed, not measured)
MIN_WIDTH, MAX_WIDTH = 6, 60


def clean_text(value) -> str:
    """`value` as text a cell can hold: without the control characters that XML 1.0 forbids."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def looks_like_formula(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def cell(ws, value, *, kind: str = "text", bold: bool = False, size: float | None = None):
    """What to append to `ws` (a worksheet, write-only or not) for one cell of `value`.

    Text is cleaned (`clean_text`) and, when it looks like a formula, written as a text cell with Excel's
    quote prefix; `kind` "number" makes a number of a numeric text (lists.number_cell), "percent" a number
    shown as a percentage (the value is the fraction: 0.925 → 92.5%), "date"/"datetime" a date shown as
    such. A bool is written as it is (apps write 是/否 text where people read it)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from .lists import number_cell

    if kind not in CELL_KINDS:
        raise ValueError(f"cell kind must be one of {CELL_KINDS}")
    if kind in ("number", "percent"):
        value = number_cell(value)
    if isinstance(value, str):
        value = clean_text(value)
    elif kind == "text" and isinstance(value, datetime.datetime):
        kind = "datetime"
    elif kind == "text" and isinstance(value, datetime.date):
        kind = "date"
    needs_cell = bold or size or looks_like_formula(value) or (
        kind in NUMBER_FORMATS and value is not None and not isinstance(value, str))
    if not needs_cell:
        return value
    out = WriteOnlyCell(ws, value=value)
    if looks_like_formula(value):
        out.data_type = "s"  # never a formula
        out.quotePrefix = True
    elif kind in NUMBER_FORMATS and value is not None and not isinstance(value, str):
        out.number_format = NUMBER_FORMATS[kind]
    if bold or size:
        out.font = Font(bold=bold, size=size)
    return out


def text_width(value) -> int:
    """How many character widths `value` takes in a cell: a CJK (wide) character counts two."""
    import unicodedata

    if isinstance(value, Typed):
        value = value.value
    if value is None:
        return 0
    if isinstance(value, float):
        text = f"{value:.1%}" if abs(value) <= 1 else f"{value:.2f}"
    elif isinstance(value, datetime.datetime):
        text = "2026-12-05 12:00"
    elif isinstance(value, datetime.date):
        text = "2026-12-05"
    else:
        text = str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


@dataclasses.dataclass(frozen=True)
class Typed:
    """A value with its own cell kind, where one column holds several kinds (a table of figures: counts and
    rates): `write_table` writes it as `kind` whatever its column's kind."""

    value: object
    kind: str = "text"


@dataclasses.dataclass(frozen=True)
class Col:
    """One column of `write_table`: its label (the header cell), the kind of its cells (CELL_KINDS) and,
    optionally, a fixed width (else measured)."""

    label: object
    kind: str = "text"
    width: float | None = None


def write_table(ws, *, title, columns, rows, sample: int = WIDTH_SAMPLE, header_row: bool = True) -> int:
    """Write a table into the worksheet `ws` (write-only or not, still empty): the title row (when `title`),
    the header row of the columns' labels (frozen, with the title above it), then `rows` (iterables of
    values, one per column, streamed: only the first `sample` rows are held to measure the widths).
    Returns the number of rows written (title and header not counted)."""
    import itertools

    from openpyxl.utils import get_column_letter

    columns = [c if isinstance(c, Col) else Col(c) for c in columns]
    rows = iter(rows)
    head = [list(r) for r in itertools.islice(rows, sample)]
    for index, column in enumerate(columns):
        width = column.width
        if width is None:
            measured = [text_width(column.label)] + [text_width(r[index]) for r in head if index < len(r)]
            width = min(MAX_WIDTH, max(MIN_WIDTH, max(measured) + 2))
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    first_data = 1 + bool(title) + bool(header_row)
    if first_data > 1:  # before the first row: a write-only sheet writes its views then
        ws.freeze_panes = f"A{first_data}"
    if title:
        ws.append([cell(ws, str(title), bold=True, size=14)])
    if header_row:
        ws.append([cell(ws, str(c.label), bold=True) for c in columns])
    kinds_ = [c.kind for c in columns]
    count = 0
    for values in itertools.chain(head, rows):
        ws.append([cell(ws, v.value, kind=v.kind) if isinstance(v, Typed) else cell(ws, v, kind=k)
                   for v, k in zip(values, kinds_)])
        count += 1
    return count


def workbook_bytes(wb) -> bytes:
    """The .xlsx file of an openpyxl workbook."""
    import io

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
