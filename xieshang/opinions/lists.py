"""The opinion report lists, each defined once (xieshang.core.lists.ListDef): the page's table head, sort
links and sort and page-size choices, and its Excel export (`?format=xlsx`, the same filtered rows) read
the same definition.

- MINE          the member's own reports with their outcomes (件件有回音)
- INBOX         the office's inbox by state (tabs), also read by leaders
- APPROVALS     the leaders' approval queue (签发)
- ANSWERS       the reports answering one call for reports (约稿)
- COMMISSIONS   the calls for reports
- BULLETINS     the bulletin issues (《社情民意》第 N 期)
- INSTRUCTIONS  the leaders' instructions (批示)

Every `value(row, labels)` reads a row as the page shows it (the report rows come with their outcomes
and authors: `page_selectors.with_outcomes`).
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from xieshang.core.formats import cn_date
from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort



def _sorts(*specs) -> tuple[Sort, ...]:
    """Each (key, label, order_by) ascending and descending ("-key"), the id last for a stable order."""
    out = []
    for key, label, fields in specs:
        out.append(Sort(key, format_lazy("{} ↑", label), (*fields, "id")))
        out.append(Sort(f"-{key}", format_lazy("{} ↓", label),
                        (*(f[1:] if f.startswith("-") else f"-{f}" for f in fields), "-id")))
    return tuple(out)


# --- Report rows ---------------------------------------------------------------------------------------


def report_number(r) -> str:
    return f"{r.year}-{r.number:04d}" if r.number else ""


def submitters(r) -> str:
    return "、".join(a.member.name if a.member_id else a.user.display_name for a in r.authors.all())


def outcome_text(r) -> str:
    """The outcomes of a row (`page_selectors.outcome_lines`) as plain lines, for the export."""
    from .page_selectors import outcome_lines

    lines = []
    for o in outcome_lines(r):
        text = o.label[:1].upper() + o.label[1:]
        if o.link is not None:
            text += f" {o.link.title}"
        if o.date:
            text += f" {cn_date(o.date)}"
        if o.text:
            text += f"：{o.text}"
        lines.append(text)
    return "\n".join(lines)


_NUMBER = Column("number", gettext_lazy("Report number"), sort="number", value=lambda r, labels: report_number(r))
_TITLE = Column("title", gettext_lazy("Title"), sort="title", value=lambda r, labels: r.title)
_SUBMITTER = Column("submitter", gettext_lazy("Submitted by"), value=lambda r, labels: submitters(r))
_CATEGORY = Column("category", gettext_lazy("Category"), value=lambda r, labels: r.get_category_display())
_STATE = Column("state", gettext_lazy("State"), sort="state", value=lambda r, labels: r.get_state_display())
_SUBMITTED = Column("submitted_at", gettext_lazy("Submitted on"), sort="submitted",
                    value=lambda r, labels: cn_date(r.submitted_at))
_UPDATED = Column("updated_at", gettext_lazy("Last change"), sort="updated", value=lambda r, labels: cn_date(r.updated_at))
_OUTCOMES = Column("outcomes", gettext_lazy("Outcomes"), value=lambda r, labels: outcome_text(r))

REPORT_SORTS = _sorts(
    ("number", gettext_lazy("Report number"), ("year", "number")),
    ("title", gettext_lazy("Title"), ("title",)),
    ("state", gettext_lazy("State"), ("state",)),
    ("submitted", gettext_lazy("Submitted on"), ("submitted_at",)),
    ("updated", gettext_lazy("Last change"), ("updated_at",)),
    ("created", gettext_lazy("Created on"), ("created_at",)),
)
REPORT_FILTERS = (
    Filter("q", gettext_lazy("Search"), "text"),
    Filter("state", gettext_lazy("State"), "choice"),
    Filter("year", gettext_lazy("Year"), "int"),
    Filter("category", gettext_lazy("Category"), "choice"),
)


def _reports(name, title, columns, default_sort) -> ListDef:
    keys = tuple(c.key for c in columns)
    return ListDef(
        name=name, columns=tuple(columns), sorts=REPORT_SORTS, default_sort=default_sort, filters=REPORT_FILTERS,
        layouts={"page": Layout(keys), "export": Layout(keys, title=title)}, default_page_size=20,
    )


MINE = _reports("my-opinion-reports", gettext_lazy("My opinion reports"),
                (_NUMBER, _TITLE, _STATE, _OUTCOMES, _UPDATED), "-updated")
INBOX = _reports("opinion-reports", gettext_lazy("Opinion reports"),
                 (_NUMBER, _TITLE, _SUBMITTER, _CATEGORY, _STATE, _SUBMITTED, _OUTCOMES), "-submitted")
APPROVALS = _reports("opinion-approvals", gettext_lazy("Reports to approve"),
                     (_NUMBER, _TITLE, _SUBMITTER, _CATEGORY, _STATE, _SUBMITTED), "submitted")
ANSWERS = _reports("commission-answers", gettext_lazy("Answers"),
                   (_NUMBER, _TITLE, _SUBMITTER, _STATE, _SUBMITTED), "-submitted")

# --- Other rows ----------------------------------------------------------------------------------------

_COMMISSION_COLUMNS = (
    Column("topic", gettext_lazy("Topic"), sort="topic", value=lambda c, labels: c.topic),
    Column("due_on", gettext_lazy("Due on"), sort="due", value=lambda c, labels: cn_date(c.due_on)),
    Column("state", gettext_lazy("State"), sort="state", value=lambda c, labels: c.get_state_display()),
    Column("answers", gettext_lazy("Answers"), numeric=True, value=lambda c, labels: getattr(c, "answer_count", None)),
)
COMMISSIONS = ListDef(
    name="commissions", columns=_COMMISSION_COLUMNS,
    sorts=_sorts(("topic", gettext_lazy("Topic"), ("topic",)), ("due", gettext_lazy("Due on"), ("due_on",)),
                 ("state", gettext_lazy("State"), ("state",))),
    default_sort="-due", filters=(Filter("q", gettext_lazy("Search"), "text"), Filter("state", gettext_lazy("State"), "choice")),
    layouts={"page": Layout(tuple(c.key for c in _COMMISSION_COLUMNS)),
             "export": Layout(tuple(c.key for c in _COMMISSION_COLUMNS), title=gettext_lazy("Commissioned topics"))},
    default_page_size=20,
)

_BULLETIN_COLUMNS = (
    Column("number", gettext_lazy("Issue"), sort="number", value=lambda b, labels: f"{b.year}-{b.number}"),
    Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda b, labels: b.get_kind_display()),
    Column("issued_on", gettext_lazy("Issued on"), sort="issued", value=lambda b, labels: cn_date(b.issued_on)),
    Column("recipients", gettext_lazy("Recipients"), value=lambda b, labels: "、".join(r.name for r in b.recipients.all())),
    Column("reports", gettext_lazy("Reports"), value=lambda b, labels: "\n".join(r.title for r in b.reports.all())),
)
BULLETINS = ListDef(
    name="bulletins", columns=_BULLETIN_COLUMNS,
    sorts=_sorts(("number", gettext_lazy("Issue"), ("year", "number")), ("kind", gettext_lazy("Kind"), ("kind",)),
                 ("issued", gettext_lazy("Issued on"), ("issued_on",))),
    default_sort="-number", filters=(Filter("q", gettext_lazy("Search"), "text"), Filter("year", gettext_lazy("Year"), "int")),
    layouts={"page": Layout(tuple(c.key for c in _BULLETIN_COLUMNS)),
             "export": Layout(tuple(c.key for c in _BULLETIN_COLUMNS), title=gettext_lazy("Bulletin issues"))},
    default_page_size=20,
)

_INSTRUCTION_COLUMNS = (
    Column("date", gettext_lazy("Date"), sort="date", value=lambda i, labels: cn_date(i.date)),
    Column("leader", gettext_lazy("Leader"), sort="leader",
           value=lambda i, labels: f"{i.leader_name} {i.leader_title}".strip()),
    Column("level", gettext_lazy("Level"), sort="level", value=lambda i, labels: i.get_level_display()),
    Column("report", gettext_lazy("Report"), sort="report", value=lambda i, labels: i.report.title),
    Column("text", gettext_lazy("Instruction"), value=lambda i, labels: i.text),
)
INSTRUCTIONS = ListDef(
    name="opinion-instructions", columns=_INSTRUCTION_COLUMNS,
    sorts=_sorts(("date", gettext_lazy("Date"), ("date",)), ("leader", gettext_lazy("Leader"), ("leader_name",)),
                 ("level", gettext_lazy("Level"), ("level",)), ("report", gettext_lazy("Report"), ("report__title",))),
    default_sort="-date",
    filters=(Filter("q", gettext_lazy("Search"), "text"), Filter("year", gettext_lazy("Year"), "int"),
             Filter("level", gettext_lazy("Level"), "choice")),
    layouts={"page": Layout(tuple(c.key for c in _INSTRUCTION_COLUMNS)),
             "export": Layout(tuple(c.key for c in _INSTRUCTION_COLUMNS), title=gettext_lazy("Instructions on reports"))},
    default_page_size=20,
)
