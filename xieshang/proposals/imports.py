"""Import of past proposals (历史提案导入) from Excel (.xlsx) or CSV (UTF-8 or GBK; comma, tab or
semicolon separated), and its template.

Used by `services.proposals_import`. The flow is the one of `core.imports`:

1. `read_rows(file)` checks the upload and reads the first sheet (or the CSV): the first non-empty
   row holds the headers (Chinese, any order, see COLUMNS), every later non-empty row is one
   proposal. Problems with the file itself raise `Invalid` on the field "file".
2. `plan_proposals(committee, rows, session=None)` checks every row without writing and returns an
   `ImportResult` listing every problem as (row number, message) and the plans. The service writes
   only when no row has a problem, in one transaction: all or nothing.

Columns (headers as in the template; * required):
  标题*        the subject (案由)
  正文         the text
  提案人*      the lead proposer: a member of the committee by exact name; or the exact name of a
               party or group (党派团体) or of a special committee (专委会)
  类别         a category of the committee's own list, by name (or English name or code; the default list's
               short names 经济, 政治 … too); a name the list does not hold yet is added to it (imported
               with its history; the import's report names it); empty: the committee's default (其他)
  届次/年份    the session by year (2024) or by name (十三届三次会议, 13-3); empty: the session chosen on
               the import page
  承办单位     units by exact full or short name, separated by 、 or ；(or ; , ，): one unit handles it
               alone (单办); with several, the first leads (主办) and the others co-handle (协办)
  答复类别     A / B / C (A类, 甲 …): the outcome of the reply of the answering unit
  评价         满意 / 基本满意 / 不满意: the proposer's verdict on that reply
  提案号       optional; unique in the committee. "13-3-0042" also fixes the sequence in its
               session; without one the next free number of the session is given
  答复日期     optional (2024-05-20, 2024/5/20, 2024年5月20日); default: the reply deadline
  答复内容     optional; default: a note that the text was not entered

The imported proposal's state follows from what the row says: no unit → registered; units but no
outcome → handling; an outcome → replied; a verdict of 满意 or 基本满意 → closed; 不满意 → replied
(the office decides on re-handling). Imported replies count as on time unless 答复日期 is later
than the reply deadline (3 months from the session's opening, by the committee's timers).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from xieshang.core.errors import Invalid
from xieshang.core.imports import (
    MAX_ROWS,
    Column,
    ImportResult,
    _header_key,
    _text,
    _workbook,
    check_cells,
    open_workbook,
    sheet_rows,
)

from xieshang.core import categories

from .models import Category, EvaluationVerdict, ProposerKind, ReplyOutcome

__all__ = ["COLUMNS", "ImportResult", "ProposalPlan", "plan_proposals", "read_rows", "template"]

COLUMNS = [
    Column("title", "标题", required=True, aliases=("案由", "提案标题", "题目"), width=40),
    Column("body", "正文", aliases=("内容", "提案内容", "提案正文"), width=60),
    Column("proposer", "提案人", required=True, aliases=("第一提案人", "提案者", "领衔提案人"), width=16),
    Column("category", "类别", aliases=("提案类别", "分类"), width=14),
    Column("session", "届次/年份", aliases=("届次", "年份", "年度", "会议", "届次年份"), width=16),
    Column("units", "承办单位", aliases=("办理单位", "承办单位（主办在前）"), width=36),
    Column("outcome", "答复类别", aliases=("答复类型", "办理结果", "答复结果"), width=10),
    Column("evaluation", "评价", aliases=("评价意见", "满意度", "提案人评价"), width=12),
    Column("number", "提案号", aliases=("案号", "编号", "提案编号"), width=14, text=True),
    Column("reply_date", "答复日期", aliases=("办复日期", "答复时间"), width=14),
    Column("reply_text", "答复内容", aliases=("答复", "答复意见"), width=40),
]

# Short names of the default list's categories (a committee that kept them finds them by these too).
_CATEGORY_ALIASES = {
    "经济": Category.ECONOMY, "经济发展": Category.ECONOMY, "经济类": Category.ECONOMY,
    "政治": Category.POLITICS, "政法": Category.POLITICS, "政治法律": Category.POLITICS, "法制": Category.POLITICS,
    "文化": Category.CULTURE, "教育": Category.CULTURE, "文化教育": Category.CULTURE, "教科文卫": Category.CULTURE,
    "科教文卫": Category.CULTURE,
    "社会": Category.SOCIETY, "社会事业": Category.SOCIETY, "民生": Category.SOCIETY, "社会民生": Category.SOCIETY,
    "生态": Category.ECOLOGY, "生态环境": Category.ECOLOGY, "资源环境": Category.ECOLOGY, "环境": Category.ECOLOGY,
    "农业": Category.AGRICULTURE, "三农": Category.AGRICULTURE, "农业和农村": Category.AGRICULTURE,
    "其它": Category.OTHER, "综合": Category.OTHER,
}

OUTCOME_LETTERS = {ReplyOutcome.ADOPTED: "A", ReplyOutcome.PLANNED: "B", ReplyOutcome.EXPLAINED: "C"}
_OUTCOME_ALIASES = {
    "a": ReplyOutcome.ADOPTED, "a类": ReplyOutcome.ADOPTED, "甲": ReplyOutcome.ADOPTED, "甲类": ReplyOutcome.ADOPTED,
    "b": ReplyOutcome.PLANNED, "b类": ReplyOutcome.PLANNED, "乙": ReplyOutcome.PLANNED, "乙类": ReplyOutcome.PLANNED,
    "c": ReplyOutcome.EXPLAINED, "c类": ReplyOutcome.EXPLAINED, "丙": ReplyOutcome.EXPLAINED, "丙类": ReplyOutcome.EXPLAINED,
    **{str(code): code for code in OUTCOME_LETTERS},
}

VERDICT_NAMES = {
    EvaluationVerdict.SATISFIED: "满意",
    EvaluationVerdict.BASICALLY_SATISFIED: "基本满意",
    EvaluationVerdict.DISSATISFIED: "不满意",
}
_VERDICT_ALIASES = {
    **{name: code for code, name in VERDICT_NAMES.items()},
    **{str(code): code for code in VERDICT_NAMES},
}

_UNIT_SEPARATORS = re.compile(r"[、；;，,\n]+")
_NUMBER_PATTERN = re.compile(r"(\d{1,3})-(\d{1,2})-(\d{1,6})")
_CN_SESSION = re.compile(r"第?([零一二三四五六七八九十百\d]+)届(?:全国委员会|委员会)?第?([零一二三四五六七八九十\d]+)次(?:会议)?")
_YEAR = re.compile(r"((?:19|20)\d\d)(?:年|年度)?")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _cn_int(text: str) -> int | None:
    """一 → 1, 十三 → 13, 二十 → 20, '13' → 13."""
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    total, current = 0, 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# --- Reading the upload ----------------------------------------------------------------------


def _file_error(message: str) -> Invalid:
    return Invalid(message, field_errors={"file": [message]})


def _decode_csv(raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(_("The CSV file is neither UTF-8 nor GBK text."))


def _table_rows(file) -> list[list]:
    """The rows of the first sheet (xlsx) or of the CSV file, as lists of raw values."""
    name = (getattr(file, "name", "") or "").lower()
    limit = settings.XIESHANG_MAX_UPLOAD_MB
    if (getattr(file, "size", 0) or 0) > limit * 1024 * 1024:
        raise _file_error(_("The file is larger than %(mb)d MB.") % {"mb": limit})
    if name.endswith(".csv"):
        text = _decode_csv(file.read())
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", "\t", ";", "，"), key=first_line.count)
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error:
            raise _file_error(_("The CSV file could not be read."))
        for number, values in enumerate(rows, start=1):
            check_cells(number, values)
        return rows
    if not name.endswith(".xlsx"):
        raise _file_error(_("Only Excel (.xlsx) and CSV (.csv) files can be imported."))
    head = file.read(4)
    file.seek(0)
    if head != b"PK\x03\x04":
        raise _file_error(_("The file could not be read as an Excel workbook (.xlsx)."))
    workbook = open_workbook(file)  # core: the unpacked size checked first (zip bombs), then streamed
    try:
        rows = []
        for _number, values in sheet_rows(workbook):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 50:
                break
        return rows
    finally:
        workbook.close()


def read_rows(file) -> list[tuple[int, dict]]:
    """The data rows as (row number in the sheet or file, {column key: value}). Dates stay dates."""
    if file is None:
        raise _file_error(_("Choose a file to import."))
    lookup = {}
    for column in COLUMNS:
        for label in (column.header, *column.aliases):
            lookup.setdefault(_header_key(label), column.key)
    positions: dict[str, int] | None = None
    out: list[tuple[int, dict]] = []
    for row_number, values in enumerate(_table_rows(file), start=1):
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        if positions is None:
            positions = {}
            for index, header in enumerate(texts):
                key = lookup.get(_header_key(header).lstrip("\ufeff"))
                if key and key not in positions:
                    positions[key] = index
            missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
            if missing:
                raise _file_error(
                    _("The column “%(column)s” is missing from the first row. Please use the template.")
                    % {"column": "、".join(missing)}
                )
            continue
        record = {}
        for key, i in positions.items():
            raw = values[i] if i < len(values) else None
            record[key] = raw if key == "reply_date" and isinstance(raw, datetime.date) else (texts[i] if i < len(texts) else "")
        if not any(record.values()):
            continue
        out.append((row_number, record))
        if len(out) > MAX_ROWS:
            raise _file_error(_("The sheet has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS})
    if positions is None or not out:
        raise _file_error(_("The sheet has no rows to import."))
    return out


# --- Checking the rows ----------------------------------------------------------------------------


@dataclass
class ProposalPlan:
    row: int
    session: object
    title: str
    body: str
    category: str  # a code of the committee's list; "" while `new_category` is still to be added
    proposer_kind: str
    member: object | None = None
    organization: object | None = None
    special_committee: object | None = None
    units: list = field(default_factory=list)  # HandlingUnit, the first leads
    outcome: str = ""
    verdict: str = ""
    number: str = ""
    sequence: int | None = None
    reply_date: datetime.date | None = None
    reply_text: str = ""
    new_category: str = ""  # a category name the committee's list does not hold yet (the import adds it)


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip().split(" ")[0].split("T")[0]
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(text)
    return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


class _Lookups:
    """Everything a row is checked against, read once (a fixed number of queries per import)."""

    def __init__(self, committee):
        from xieshang.core.models import HandlingUnit, Member, Organization, Session, SpecialCommittee

        from .models import Proposal

        self.members: dict[str, list] = {}
        for m in Member.objects.filter(committee=committee).select_related("sector").order_by("-is_active", "id"):
            self.members.setdefault(m.name, []).append(m)
        self.organizations = {o.name: o for o in Organization.objects.filter(committee=committee)}
        self.specials = {s.name: s for s in SpecialCommittee.objects.filter(committee=committee)}
        self.units: dict[str, object] = {}
        for u in HandlingUnit.objects.filter(committee=committee).order_by("-is_active", "name"):
            self.units.setdefault(u.name, u)
        for u in HandlingUnit.objects.filter(committee=committee).exclude(short_name="").order_by("-is_active", "name"):
            self.units.setdefault(u.short_name, u)
        self.sessions = list(Session.objects.filter(term__committee=committee).select_related("term"))
        self.categories = categories.catalogue(committee)
        self.numbers = set(Proposal.objects.filter(committee=committee, number__isnull=False).values_list("number", flat=True))
        self.sequences: dict[int, set[int]] = {}
        for sid, seq in Proposal.objects.filter(committee=committee, sequence__isnull=False).values_list("session_id", "sequence"):
            self.sequences.setdefault(sid, set()).add(seq)

    def category(self, text: str) -> tuple[str, str]:
        """(code, "") for a category of the committee's list named by `text` (empty: the default), else
        ("", text): a new name, added to the list when the import is written."""
        if not text:
            return self.categories.default(), ""
        code = self.categories.code_for(text)
        if code is None:
            alias = _CATEGORY_ALIASES.get(text) or _CATEGORY_ALIASES.get(text.lower())
            code = alias if alias in self.categories else None
        return (code, "") if code else ("", text)

    def session(self, text: str):
        """The session named by a year or a 届次 label; (session, None) or (None, message)."""
        text = text.replace(" ", "").replace("\u3000", "")
        match = _CN_SESSION.fullmatch(text) or _CN_SESSION.search(text)
        if match:
            term_no, session_no = _cn_int(match.group(1)), _cn_int(match.group(2))
            found = [s for s in self.sessions if s.term.number == term_no and s.number == session_no]
        elif re.fullmatch(r"\d{1,2}-\d{1,2}", text):
            term_no, session_no = (int(x) for x in text.split("-"))
            found = [s for s in self.sessions if s.term.number == term_no and s.number == session_no]
        else:
            year = _YEAR.fullmatch(text)
            if not year:
                return None, _("%(column)s “%(value)s” is neither a year such as 2024 nor a session such as 十三届三次会议.") % {
                    "column": "届次/年份", "value": text}
            found = [s for s in self.sessions if s.year == int(year.group(1))]
            if len(found) > 1:
                current = [s for s in found if s.term.is_current]
                found = current if len(current) == 1 else found
        if not found:
            return None, _("No session of this committee matches “%(value)s”. Add the session under “Terms and sessions” first.") % {
                "value": text}
        if len(found) > 1:
            return None, _("Several sessions match “%(value)s”; write the session as 十三届三次会议.") % {"value": text}
        return found[0], None


def plan_proposals(committee, rows, session=None) -> tuple[ImportResult, list[ProposalPlan]]:
    """Check every row; return the problems and, if there are none, what to create."""
    result = ImportResult()
    plans: list[ProposalPlan] = []
    look = _Lookups(committee)
    seen_numbers: dict[str, int] = {}
    seen_sequences: dict[tuple[int, int], int] = {}

    for row, values in rows:
        before = len(result.errors)
        title = values.get("title", "")
        if not title:
            result.add(row, _("%(column)s is required.") % {"column": "标题"})
        elif len(title) > 200:
            result.add(row, _("%(column)s is too long (at most %(n)d characters).") % {"column": "标题", "n": 200})

        # Proposer: a member, else a party or group, else a special committee.
        proposer = values.get("proposer", "")
        plan_kw: dict = {}
        if not proposer:
            result.add(row, _("%(column)s is required.") % {"column": "提案人"})
        elif proposer in look.members:
            namesakes = look.members[proposer]
            if len(namesakes) > 1:
                result.add(row, _("Several members are named %(name)s; the proposer cannot be told apart.") % {"name": proposer})
            else:
                plan_kw.update(proposer_kind=ProposerKind.MEMBER, member=namesakes[0])
        elif proposer in look.organizations:
            plan_kw.update(proposer_kind=ProposerKind.ORGANIZATION, organization=look.organizations[proposer])
        elif proposer in look.specials:
            plan_kw.update(proposer_kind=ProposerKind.SPECIAL_COMMITTEE, special_committee=look.specials[proposer])
        else:
            result.add(row, _("The proposer “%(name)s” is not a member of this committee (nor a party, group or special "
                              "committee of it).") % {"name": proposer})

        category_text = values.get("category", "").replace(" ", "").replace("\u3000", "")
        category, new_category = look.category(category_text)
        if len(new_category) > categories.NAME_MAX:
            result.add(row, _("%(column)s is too long (at most %(n)d characters).") % {
                "column": "类别", "n": categories.NAME_MAX})

        session_text = values.get("session", "")
        row_session = session
        if session_text:
            row_session, problem = look.session(session_text)
            if problem:
                result.add(row, problem)
        elif session is None:
            result.add(row, _("%(column)s is required (or choose the session on the import page).") % {"column": "届次/年份"})

        units = []
        units_text = values.get("units", "")
        for name in [n.strip() for n in _UNIT_SEPARATORS.split(units_text) if n.strip()]:
            unit = look.units.get(name)
            if unit is None:
                result.add(row, _("The handling unit “%(name)s” is not in this committee's list of handling units.") % {"name": name})
            elif unit in units:
                result.add(row, _("The handling unit “%(name)s” is named twice.") % {"name": name})
            else:
                units.append(unit)

        outcome_text = values.get("outcome", "").replace(" ", "")
        outcome = ""
        if outcome_text:
            outcome = _OUTCOME_ALIASES.get(outcome_text.lower(), "")
            if not outcome:
                result.add(row, _("%(column)s must be A, B or C, not “%(value)s”.") % {"column": "答复类别", "value": outcome_text})
            elif not units_text:
                result.add(row, _("%(column)s is given but no handling unit: a reply needs a unit.") % {"column": "答复类别"})

        verdict_text = values.get("evaluation", "").replace(" ", "")
        verdict = ""
        if verdict_text:
            verdict = _VERDICT_ALIASES.get(verdict_text, _VERDICT_ALIASES.get(verdict_text.lower(), ""))
            if not verdict:
                result.add(row, _("%(column)s must be one of %(choices)s, not “%(value)s”.") % {
                    "column": "评价", "choices": "、".join(VERDICT_NAMES.values()), "value": verdict_text})
            elif not outcome_text:
                result.add(row, _("%(column)s is given but no %(other)s: only a reply can be evaluated.") % {
                    "column": "评价", "other": "答复类别"})

        reply_date = None
        raw_date = values.get("reply_date")
        if raw_date not in (None, ""):
            try:
                reply_date = _parse_date(raw_date)
            except ValueError:
                result.add(row, _("%(column)s “%(value)s” is not a date such as 2024-05-20.") % {"column": "答复日期", "value": raw_date})
            else:
                if not outcome_text:
                    result.add(row, _("%(column)s is given but no %(other)s.") % {"column": "答复日期", "other": "答复类别"})

        number = values.get("number", "").replace(" ", "")
        sequence = None
        if number:
            if len(number) > 24:
                result.add(row, _("%(column)s is too long (at most %(n)d characters).") % {"column": "提案号", "n": 24})
            elif number in seen_numbers:
                result.add(row, _("The proposal number %(number)s is already on row %(row)d.") % {"number": number, "row": seen_numbers[number]})
            elif number in look.numbers:
                result.add(row, _("The proposal number %(number)s is already used by a proposal of this committee.") % {"number": number})
            else:
                seen_numbers[number] = row
                match = _NUMBER_PATTERN.fullmatch(number)
                if match and row_session is not None:
                    term_no, session_no, seq = (int(g) for g in match.groups())
                    if (term_no, session_no) != (row_session.term.number, row_session.number):
                        result.add(row, _("The proposal number %(number)s does not belong to the session %(session)s.") % {
                            "number": number, "session": str(row_session)})
                    elif seq in look.sequences.get(row_session.pk, set()):
                        result.add(row, _("The proposal number %(number)s is already used by a proposal of this committee.") % {"number": number})
                    elif (row_session.pk, seq) in seen_sequences:
                        result.add(row, _("The proposal number %(number)s is already on row %(row)d.") % {
                            "number": number, "row": seen_sequences[(row_session.pk, seq)]})
                    else:
                        seen_sequences[(row_session.pk, seq)] = row
                        sequence = seq

        body = values.get("body", "")
        reply_text = values.get("reply_text", "")
        if len(result.errors) > before:
            continue
        plans.append(ProposalPlan(
            row=row, session=row_session, title=title, body=body, category=category, new_category=new_category,
            units=units,
            outcome=outcome, verdict=verdict, number=number, sequence=sequence, reply_date=reply_date,
            reply_text=reply_text, **plan_kw,
        ))

    if not result.errors:
        # Numbers for the rows without one: the next free sequence of their session.
        # Rows numbered in the file keep their numbers; the others follow the session's last
        # stored number, skipping those.
        used = {sid: set(seqs) for sid, seqs in look.sequences.items()}
        following = {sid: max(seqs, default=0) + 1 for sid, seqs in look.sequences.items()}
        for (sid, seq) in seen_sequences:
            used.setdefault(sid, set()).add(seq)
        taken = look.numbers | set(seen_numbers)
        for plan in plans:
            if plan.number:
                continue
            seqs = used.setdefault(plan.session.pk, set())
            seq = following.get(plan.session.pk, 1)
            number = f"{plan.session.term.number}-{plan.session.number}-{seq:04d}"
            while seq in seqs or number in taken:
                seq += 1
                number = f"{plan.session.term.number}-{plan.session.number}-{seq:04d}"
            seqs.add(seq)
            taken.add(number)
            following[plan.session.pk] = seq + 1
            plan.sequence, plan.number = seq, number
    return result, plans


# --- The template -------------------------------------------------------------------------------------


def template(committee) -> bytes:
    """The import template (.xlsx) with an example row and the committee's names to choose from."""
    from xieshang.core.models import HandlingUnit

    units = list(HandlingUnit.objects.filter(committee=committee, is_active=True).values_list("name", flat=True)[:200])
    names = [e.name for e in categories.catalogue(committee).active]
    notes = [
        _("Fill in one proposal per row on the first sheet, below the headers. Do not change the headers; "
          "columns in red are required."),
        _("If any row has a problem, nothing is imported and every problem is listed with its row number."),
        _("提案人: a member's name exactly as in the member list (or the name of a party, group or special committee)."),
        _("届次/年份: the year of the session (2024) or its name (十三届三次会议)."),
        _("承办单位: several units separated by 、 — the first one leads, the others co-handle."),
        _("答复类别: A, B or C. 评价: 满意, 基本满意 or 不满意. 提案号 may be left empty: numbers are then given in order."),
        _("The state of each imported proposal follows from the row: no unit → registered; units → handling; "
          "an outcome → replied; 满意 or 基本满意 → closed."),
        "",
        _("Example:") + " 关于加快推进普惠托育服务体系建设的建议 | … | 张三 | 社会建设 | 2024 | 州卫生健康委员会、州教育局 | A | 满意",
        "",
        _("Categories (类别):") + " " + "、".join(names) + " " + _("(a name not in this list is added to it)"),
        _("Handling units (承办单位):") + " " + ("、".join(units) or "—"),
    ]
    choices = {
        "category": names,
        "outcome": ["A", "B", "C"],
        "evaluation": list(VERDICT_NAMES.values()),
    }
    return _workbook("提案", COLUMNS, (), notes, choices)
