"""Excel (.xlsx) import of members and handling units, and the templates to fill in.

The flow, used by `services.members_import` and `services.handling_units_import`:

1. `read_upload(file, columns)` checks the upload (only .xlsx, at most XIESHANG_MAX_UPLOAD_MB)
   and reads the first sheet: the first non-empty row holds the column headers (Chinese, in any
   order; see MEMBER_COLUMNS / UNIT_COLUMNS), every later non-empty row is one record. Problems
   with the file itself raise `Invalid` on the field "file".
2. `plan_members` / `plan_units` check every row without writing anything and return an
   `ImportResult` whose `errors` list every problem as (Excel row number, message), plus the
   plan of what to create or update. The service writes the plan only when there is no error,
   in one transaction: a sheet is imported completely or not at all.

Matching existing records (so that importing the same sheet twice updates instead of duplicating):

- Members are matched inside the committee by mobile number (手机) first, then by exact name
  (姓名). A row whose number belongs to a member with another name, or whose name belongs to a
  member with another number, or whose name is shared by several members, is reported as an
  error rather than guessed at.
- Handling units are matched by exact name (单位名称).
- On an update, empty cells keep the stored value: an import adds and corrects, it never erases.
- A new member joins the committee's current term and gets an account: the user name is the
  mobile number (or `<committee code>-<number>` if that is taken, or `<committee code>-m<n>`
  without a number), with no usable password until an administrator sets one, and the
  `member` role.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .errors import Invalid

MAX_ROWS = 5000
# What a workbook may unpack to (zip bombs): its parts together (XIESHANG_IMPORT_MAX_UNPACKED_MB, 100 by
# default), and a part above PART_RATIO_FROM bytes at most PART_RATIO times its compressed size (a sheet of
# real text packs 5–20 times; one 600 MB cell of one letter packs a thousand times). Read while streaming:
# at most MAX_COLUMNS columns, MAX_SHEET_ROWS rows (empty ones too), and MAX_CELL characters in a cell —
# Excel's own limit, at which openpyxl cuts a cell; a CSV file is held to it by `check_cells`.
MAX_PARTS = 2000
PART_RATIO = 200
PART_RATIO_FROM = 1024 * 1024
MAX_COLUMNS = 200
MAX_CELL = 32_767
MAX_SHEET_ROWS = 4 * MAX_ROWS
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Values typed by people -------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(?:(0\d{2,3})-?)?(\d{7,8})(?:-(\d{1,6}))?")


def normalise_phone(value, *, mobile_only: bool) -> str:
    """A phone number as stored: 11-digit mobile ("13912345678"), or a landline "0994-2345678"
    (with an optional extension "-123"; the area code may be missing). '' for blank.

    Spaces and a +86 / 0086 prefix are dropped. Raises ValueError with a message for people.
    """
    raw = str(value or "").replace("\u3000", " ").strip()
    if not raw:
        return ""
    compact = re.sub(r"\s", "", raw).replace("（", "(").replace("）", ")").replace("—", "-").replace("－", "-")
    digits = re.sub(r"[-()]", "", compact)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return digits
    if mobile_only:
        raise ValueError(_("Enter a mobile number of 11 digits, e.g. 13912345678."))
    landline = re.sub(r"^\((0\d{2,3})\)", r"\1-", compact)
    match = _LANDLINE.fullmatch(landline)
    if match:
        area, number, extension = match.groups()
        return (f"{area}-" if area else "") + number + (f"-{extension}" if extension else "")
    raise ValueError(_("Enter a mobile number of 11 digits or a landline number such as 0994-2345678."))


_YES = {"是", "y", "yes", "true", "1", "√", "✓", "常委"}
_NO = {"否", "不是", "n", "no", "false", "0", "×"}


def parse_yes_no(value: str) -> bool | None:
    """是/否 (and Y/N, yes/no, 1/0, √) → True/False; None when blank. Raises ValueError otherwise."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(text)


_GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}

# The Chinese names of handling-unit kinds in the sheet (with a few usual variants).
UNIT_KINDS = {
    "government": "政府部门",
    "party": "党委部门",
    "judicial": "法院检察院",
    "enterprise": "企事业单位",
    "other": "其他",
}
_UNIT_KIND_ALIASES = {
    **{label: code for code, label in UNIT_KINDS.items()},
    **{code: code for code in UNIT_KINDS},
    "政府": "government", "政府工作部门": "government", "党委": "party", "党群部门": "party",
    "法院": "judicial", "检察院": "judicial", "法检": "judicial", "法院、检察院": "judicial",
    "企业": "enterprise", "事业单位": "enterprise", "国有企业": "enterprise", "其它": "other",
}

_LIST_SEPARATORS = re.compile(r"[、,，;；/\n]+")


# --- Columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header in the template
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 14
    text: bool = False  # keep as text in Excel (phone numbers)


MEMBER_COLUMNS = [
    Column("name", "姓名", required=True, width=12),
    Column("gender", "性别", width=8),
    Column("ethnicity", "民族", width=10),
    Column("sector", "界别", aliases=("所属界别",)),
    Column("organization", "党派团体", aliases=("党派", "参加单位", "党派团体/参加单位")),
    Column("special_committees", "专委会", aliases=("专门委员会", "所属专委会"), width=20),
    Column("is_standing_committee_member", "常委", aliases=("是否常委",), width=8),
    Column("employer", "工作单位及职务", aliases=("工作单位", "单位及职务"), width=30),
    Column("phone", "手机", aliases=("手机号", "手机号码", "移动电话"), width=16, text=True),
    Column("email", "电子邮箱", aliases=("邮箱", "email", "e-mail"), width=24),
    Column("address", "通讯地址", aliases=("地址",), width=30),
]

UNIT_COLUMNS = [
    Column("name", "单位名称", required=True, aliases=("名称", "承办单位"), width=30),
    Column("short_name", "简称", width=14),
    Column("kind", "类别", aliases=("单位类别",), width=14),
    Column("contact_person", "联系人", width=12),
    Column("contact_phone", "联系电话", aliases=("电话", "手机"), width=18, text=True),
]


def _header_key(text) -> str:
    text = re.sub(r"[\s*＊]", "", str(text or "")).lower()
    return re.sub(r"[（(]必填[)）]$", "", text)


# --- Results and plans --------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: (row, message) for every problem (row None: the whole file), and counts."""

    errors: list[tuple[int | None, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)  # what else the import did (categories it added …)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int | None, message: str) -> None:
        self.errors.append((row, message))


@dataclass
class MemberPlan:
    row: int
    member: object | None  # the existing Member to update, or None to create
    data: dict
    special_committees: list | None  # None: keep as they are


@dataclass
class UnitPlan:
    row: int
    unit: object | None
    data: dict


# --- Reading the upload -----------------------------------------------------------------


def _file_error(message: str) -> Invalid:
    return Invalid(message, field_errors={"file": [message]})


def check_upload(file) -> None:
    """Only .xlsx files up to XIESHANG_MAX_UPLOAD_MB; raises Invalid on the field "file" otherwise."""
    if file is None:
        raise _file_error(_("Choose a file to import."))
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise _file_error(_("Only Excel files (.xlsx) can be imported. Save the sheet as “Excel workbook (*.xlsx)” and try again."))
    limit = settings.XIESHANG_MAX_UPLOAD_MB
    if (getattr(file, "size", 0) or 0) > limit * 1024 * 1024:
        raise _file_error(_("The file is larger than %(mb)d MB.") % {"mb": limit})
    head = file.read(4)
    file.seek(0)
    if head != b"PK\x03\x04":
        raise _file_error(_("The file could not be read as an Excel workbook (.xlsx)."))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _unreadable() -> Invalid:
    return _file_error(_("The file could not be read as an Excel workbook (.xlsx)."))


def check_unpacked_size(file) -> None:
    """Refuse a workbook that would unpack to more than the import can hold (a zip bomb), before anything
    opens it: the sizes its parts declare (Python's zipfile never unpacks a part beyond its declared
    size), their sum, and each large part's packing ratio."""
    import zipfile

    limit_mb = settings.XIESHANG_IMPORT_MAX_UNPACKED_MB
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _unreadable() from None
    finally:
        file.seek(0)
    too_big = _("The workbook unpacks to more than %(mb)d MB; an import can read at most that. Remove "
                "pictures and unused sheets, or split it into several files.") % {"mb": limit_mb}
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > limit_mb * 1024 * 1024:
        raise _file_error(too_big)
    for part in parts:
        if part.file_size > PART_RATIO_FROM and part.file_size > PART_RATIO * max(part.compress_size, 1):
            raise _file_error(_("The workbook is packed in a way no spreadsheet program writes (%(name)s "
                                "unpacks to %(ratio)d times its size). Save it again from Excel or WPS and "
                                "try again.") % {"name": part.filename[:60],
                                                 "ratio": part.file_size // max(part.compress_size, 1)})


def open_workbook(file):
    """The uploaded .xlsx as an openpyxl workbook in read-only (streaming) mode, after
    `check_unpacked_size`; Invalid on the field "file" for a file that is not a workbook. Close it."""
    import openpyxl

    check_unpacked_size(file)
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged or disguised file can fail in many ways inside openpyxl
        raise _unreadable() from None


def sheet_rows(workbook):
    """(row number, values) of the first sheet, streamed, at most MAX_COLUMNS values a row; Invalid on
    the field "file" for more than MAX_SHEET_ROWS rows (or a cell of more than MAX_CELL characters)."""
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise _file_error(_("The sheet has more than %(n)d rows; split it into several files.")
                                  % {"n": MAX_ROWS})
            values = values[:MAX_COLUMNS]
            check_cells(number, values)
            yield number, values
    except (ValueError, KeyError, TypeError, OSError, IndexError, EOFError):
        raise _unreadable() from None


def check_cells(number: int, values) -> None:
    """Invalid on the field "file" when a cell of row `number` holds more than MAX_CELL characters."""
    for value in values:
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise _file_error(_("Row %(row)d has a cell of more than %(n)d characters; an import takes at "
                                "most that much text in a cell.") % {"row": number, "n": MAX_CELL})


def read_upload(file, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    """The data rows of the first sheet as (Excel row number, {column key: text})."""
    check_upload(file)
    workbook = open_workbook(file)
    try:
        lookup = {}
        for column in columns:
            for label in (column.header, *column.aliases):
                lookup.setdefault(_header_key(label), column.key)
        positions: dict[str, int] | None = None
        rows: list[tuple[int, dict[str, str]]] = []
        for row_number, values in sheet_rows(workbook):
            texts = [_text(v) for v in values]
            if not any(texts):
                continue
            if positions is None:
                positions = {}
                for index, header in enumerate(texts):
                    key = lookup.get(_header_key(header))
                    if key and key not in positions:
                        positions[key] = index
                missing = [c.header for c in columns if c.required and c.key not in positions]
                if missing:
                    raise _file_error(
                        _("The column “%(column)s” is missing from the first row. Please use the template.")
                        % {"column": "、".join(missing)}
                    )
                continue
            record = {key: (texts[i] if i < len(texts) else "") for key, i in positions.items()}
            if not any(record.values()):
                continue
            rows.append((row_number, record))
            if len(rows) > MAX_ROWS:
                raise _file_error(_("The sheet has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS})
    finally:
        workbook.close()
    if positions is None or not rows:
        raise _file_error(_("The sheet has no rows to import."))
    return rows


def _too_long(result, row, header, value, limit) -> bool:
    if len(value) > limit:
        result.add(row, _("%(column)s is too long (at most %(n)d characters).") % {"column": header, "n": limit})
        return True
    return False


# --- Members ------------------------------------------------------------------------------


def plan_members(committee, rows) -> tuple[ImportResult, list[MemberPlan]]:
    """Check every row; return the problems and, if there are none, what to create and update."""
    from .models import Member, Organization, Sector, SpecialCommittee, Term

    result = ImportResult()
    plans: list[MemberPlan] = []
    sectors = {s.name: s for s in Sector.objects.filter(committee=committee)}
    organizations = {o.name: o for o in Organization.objects.filter(committee=committee)}
    specials = {s.name: s for s in SpecialCommittee.objects.filter(committee=committee)}
    current_term = Term.objects.filter(committee=committee, is_current=True).first()
    existing = list(Member.objects.filter(committee=committee))
    by_phone = {m.phone: m for m in existing if m.phone}
    by_name: dict[str, list] = defaultdict(list)
    for m in existing:
        by_name[m.name].append(m)
    seen_names: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    seen_members: dict[int, int] = {}
    creates_without_term = False

    for row, values in rows:
        errors_before = len(result.errors)
        data: dict = {}
        name = values.get("name", "")
        if not name:
            result.add(row, _("%(column)s is required.") % {"column": "姓名"})
        elif not _too_long(result, row, "姓名", name, 40):
            if name in seen_names:
                result.add(row, _("The name %(name)s is already on row %(row)d.") % {"name": name, "row": seen_names[name]})
            else:
                seen_names[name] = row
            data["name"] = name

        gender = values.get("gender", "")
        if gender:
            if gender.lower() in _GENDERS:
                data["gender"] = _GENDERS[gender.lower()]
            else:
                result.add(row, _("%(column)s must be 男 or 女, not “%(value)s”.") % {"column": "性别", "value": gender})

        for key, header, limit in (("ethnicity", "民族", 20), ("employer", "工作单位及职务", 120), ("address", "通讯地址", 120)):
            value = values.get(key, "")
            if value and not _too_long(result, row, header, value, limit):
                data[key] = value

        for key, header, table, message in (
            ("sector", "界别", sectors, _("Unknown sector “%(value)s”: add it under Sectors first, or correct the spelling.")),
            ("organization", "党派团体", organizations,
             _("Unknown organization “%(value)s”: add it under Organizations first, or correct the spelling.")),
        ):
            value = values.get(key, "")
            if value:
                if value in table:
                    data[key] = table[value]
                else:
                    result.add(row, message % {"value": value})

        special_committees = None
        value = values.get("special_committees", "")
        if value:
            special_committees = []
            for part in _LIST_SEPARATORS.split(value):
                part = part.strip()
                if not part:
                    continue
                if part in specials:
                    special_committees.append(specials[part])
                else:
                    result.add(row, _("Unknown special committee “%(value)s”: add it under Special committees first, "
                                      "or correct the spelling.") % {"value": part})

        try:
            standing = parse_yes_no(values.get("is_standing_committee_member", ""))
        except ValueError:
            standing = None
            result.add(row, _("%(column)s must be 是 or 否, not “%(value)s”.")
                       % {"column": "常委", "value": values.get("is_standing_committee_member", "")})
        if standing is not None:
            data["is_standing_committee_member"] = standing

        phone = ""
        try:
            phone = normalise_phone(values.get("phone", ""), mobile_only=True)
        except ValueError as exc:
            result.add(row, _("%(column)s “%(value)s”: %(reason)s") % {"column": "手机", "value": values.get("phone", ""), "reason": exc})
        if phone:
            if phone in seen_phones:
                result.add(row, _("The mobile number %(phone)s is already on row %(row)d.") % {"phone": phone, "row": seen_phones[phone]})
            else:
                seen_phones[phone] = row
            data["phone"] = phone

        email = values.get("email", "")
        if email:
            try:
                validate_email(email)
                data["email"] = email
            except ValidationError:
                result.add(row, _("%(column)s “%(value)s” is not a valid e-mail address.") % {"column": "电子邮箱", "value": email})

        # Which existing member (if any) this row is.
        target = None
        if name:
            if phone and phone in by_phone:
                target = by_phone[phone]
                if target.name != name:
                    result.add(row, _("The mobile number %(phone)s belongs to the member %(other)s already.")
                               % {"phone": phone, "other": target.name})
            elif name in by_name:
                namesakes = by_name[name]
                if len(namesakes) > 1:
                    result.add(row, _("Several members are named %(name)s; add the mobile number to tell which one is meant.")
                               % {"name": name})
                elif phone and namesakes[0].phone and namesakes[0].phone != phone:
                    result.add(row, _("A member named %(name)s already exists with another mobile number (%(phone)s). "
                                      "Correct the number in the file, or change the member's number first.")
                               % {"name": name, "phone": namesakes[0].phone})
                else:
                    target = namesakes[0]
            if target is not None:
                if target.pk in seen_members:
                    result.add(row, _("This row is the same member as row %(row)d.") % {"row": seen_members[target.pk]})
                seen_members[target.pk] = row

        if len(result.errors) > errors_before:
            continue
        if target is None:
            if current_term is None:
                creates_without_term = True
                continue
            data = {
                "gender": "", "ethnicity": "", "sector": None, "organization": None, "employer": "", "phone": "",
                "email": "", "address": "", "is_standing_committee_member": False, "term": current_term, **data,
            }
        plans.append(MemberPlan(row=row, member=target, data=data, special_committees=special_committees))

    if creates_without_term:
        result.add(None, _("This committee has no current term, so no new member can be added. "
                           "Add the term under “Terms and sessions” first."))
    return result, plans


# --- Handling units ---------------------------------------------------------------------------


def plan_units(committee, rows) -> tuple[ImportResult, list[UnitPlan]]:
    from .models import HandlingUnit

    result = ImportResult()
    plans: list[UnitPlan] = []
    existing = {u.name: u for u in HandlingUnit.objects.filter(committee=committee)}
    seen: dict[str, int] = {}
    for row, values in rows:
        errors_before = len(result.errors)
        data: dict = {}
        name = values.get("name", "")
        if not name:
            result.add(row, _("%(column)s is required.") % {"column": "单位名称"})
        elif not _too_long(result, row, "单位名称", name, 80):
            if name in seen:
                result.add(row, _("The unit %(name)s is already on row %(row)d.") % {"name": name, "row": seen[name]})
            else:
                seen[name] = row
            data["name"] = name
        for key, header, limit in (("short_name", "简称", 40), ("contact_person", "联系人", 40)):
            value = values.get(key, "")
            if value and not _too_long(result, row, header, value, limit):
                data[key] = value
        kind = values.get("kind", "")
        if kind:
            code = _UNIT_KIND_ALIASES.get(kind, _UNIT_KIND_ALIASES.get(kind.lower()))
            if code:
                data["kind"] = code
            else:
                result.add(row, _("%(column)s must be one of %(choices)s, not “%(value)s”.")
                           % {"column": "类别", "choices": "、".join(UNIT_KINDS.values()), "value": kind})
        try:
            phone = normalise_phone(values.get("contact_phone", ""), mobile_only=False)
            if phone:
                data["contact_phone"] = phone
        except ValueError as exc:
            result.add(row, _("%(column)s “%(value)s”: %(reason)s")
                       % {"column": "联系电话", "value": values.get("contact_phone", ""), "reason": exc})
        if len(result.errors) > errors_before:
            continue
        unit = existing.get(name)
        if unit is None:
            data = {"short_name": "", "kind": "government", "contact_person": "", "contact_phone": "", **data}
        plans.append(UnitPlan(row=row, unit=unit, data=data))
    return result, plans


# --- Templates and exports ------------------------------------------------------------------


def _workbook(title: str, columns: list[Column], rows=(), notes=(), choices: dict[str, list[str]] | None = None) -> bytes:
    from openpyxl import Workbook

    from . import exports
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="B3202A" if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor="F3EDE4")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
        if choices and column.key in choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices[column.key]) + '"', allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    rows = [list(row) for row in rows]
    for row in rows:  # every cell through core.exports.cell: text never a formula, no illegal characters
        sheet.append([exports.cell(sheet, value) for value in row])
        for index, column in enumerate(columns, start=1):
            if column.text:
                sheet.cell(row=sheet.max_row, column=index).number_format = "@"
    for index, column in enumerate(columns, start=1):  # wide enough for the longest value (CJK counted double)
        longest = max((exports.text_width(row[index - 1]) for row in rows if index <= len(row)), default=0)
        width = max(column.width, min(exports.MAX_WIDTH, longest + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"  # the header stays row 1: an export can be imported again as it is
    if notes:
        help_sheet = workbook.create_sheet(_("Instructions"))
        help_sheet.column_dimensions["A"].width = 100
        for line in notes:
            help_sheet.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _common_notes() -> list[str]:
    return [
        _("Fill in one record per row on the first sheet, below the headers. Do not change the headers; "
          "columns in red are required."),
        _("If any row has a problem, nothing is imported and every problem is listed with its row number."),
        _("Empty cells do not erase what is already stored."),
    ]


def members_template(committee, members=()) -> bytes:
    """The member import template (with the committee's names to choose from); with `members`, an export."""
    from .models import Organization, Sector, SpecialCommittee

    sectors = list(Sector.objects.filter(committee=committee).values_list("name", flat=True))
    organizations = list(Organization.objects.filter(committee=committee).values_list("name", flat=True))
    specials = list(SpecialCommittee.objects.filter(committee=committee).values_list("name", flat=True))
    notes = _common_notes() + [
        _("Members are matched by mobile number, then by name: an existing member is updated, not added twice."),
        _("New members get an account (user name: the mobile number) and can sign in once an administrator "
          "sets a password."),
        _("性别: 男 or 女. 常委: 是 or 否. 专委会: several names separated by 、"),
        "",
        _("Sectors (界别):") + " " + ("、".join(sectors) or "—"),
        _("Organizations (党派团体):") + " " + ("、".join(organizations) or "—"),
        _("Special committees (专委会):") + " " + ("、".join(specials) or "—"),
    ]
    gender_label = {"male": "男", "female": "女"}
    rows = [
        [
            m.name, gender_label.get(m.gender, ""), m.ethnicity, m.sector.name if m.sector else "",
            m.organization.name if m.organization else "", "、".join(sc.name for sc in m.special_committees.all()),
            "是" if m.is_standing_committee_member else "否", m.employer, m.phone, m.email, m.address,
        ]
        for m in members
    ]
    choices = {"gender": ["男", "女"], "is_standing_committee_member": ["是", "否"]}
    return _workbook("委员", MEMBER_COLUMNS, rows, notes, choices)


def units_template(committee, units=()) -> bytes:
    notes = _common_notes() + [
        _("Units are matched by their full name: an existing unit is updated, not added twice."),
        _("类别: one of %(choices)s") % {"choices": "、".join(UNIT_KINDS.values())},
    ]
    rows = [[u.name, u.short_name, UNIT_KINDS.get(u.kind, ""), u.contact_person, u.contact_phone] for u in units]
    return _workbook("承办单位", UNIT_COLUMNS, rows, notes, {"kind": list(UNIT_KINDS.values())})
