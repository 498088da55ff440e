"""The liaison registers, each defined once (xieshang.core.lists.ListDef): the page's table head, sort links,
filters, the API list's sort enum and the Excel export (`?format=xlsx`) read the same definition.

- REPORTS      reports to the Party committee (请示报告登记簿): the office; APPROVALS: a leader's queue
- RULES        the working rules (制度)
- TASKS        the tasks assigned by the Party committee (交办任务)
- VISITS       the leaders' contact visits (联系走访); MY_VISITS: a leader's own
- SUGGESTIONS  the suggestions brought back, with what they became

Rows come from `page_selectors.*_rows` (relations joined, counts annotated: a fixed number of queries).
`filtered(kind, qs, params)` applies a register's filters; `q` searches the core index (search.py) of reports, rules,
tasks and visits inside the visible queryset, the suggestions' text by itself.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xieshang.core import clock, search
from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort, sorts_both_ways

from .models import PersonKind, ReportKind, ReportState, SuggestionState, TargetKind, TaskState


def _defs(name, title, columns, sorts, default_sort, filters, page, export) -> ListDef:
    return ListDef(name=name, columns=columns, sorts=sorts, default_sort=default_sort, filters=filters,
                   layouts={"page": Layout(page), "export": Layout(export, title=title)}, default_page_size=20)


Q_FILTER = Filter("q", _("Search"), "text")
YEAR = Filter("year", _("Year"), "int")

# --- Reports ---------------------------------------------------------------------------------------------------

REPORT_COLUMNS = (
    Column("number", _("Register no."), sort="number", value=lambda r, labels: r.register_number),
    Column("kind", _("Kind"), sort="kind", value=lambda r, labels: r.get_kind_display()),
    Column("title", _("Title"), sort="title", value=lambda r, labels: r.title),
    Column("state", _("State"), sort="state", value=lambda r, labels: r.get_state_display()),
    Column("approved_by", _("Approved by"), value=lambda r, labels: r.approved_by.display_name if r.approved_by_id else ""),
    Column("approved_on", _("Approved on"), value=lambda r, labels: r.approved_on, kind="date"),
    Column("document_number", _("Document number"), value=lambda r, labels: r.document_number),
    Column("sent_on", _("Sent on"), sort="sent", value=lambda r, labels: r.sent_on, kind="date"),
    Column("instruction_by", _("Instruction given by"), value=lambda r, labels: r.instruction_by),
    Column("instruction_on", _("Instruction date"), sort="instruction", value=lambda r, labels: r.instruction_on,
           kind="date"),
    Column("instruction", _("Instruction"), value=lambda r, labels: r.instruction),
)
REPORT_SORTS = sorts_both_ways(("number", _("Register no."), ("year", "number")), ("kind", _("Kind"), ("kind",)),
                      ("title", _("Title"), ("title",)), ("state", _("State"), ("state",)),
                      ("sent", _("Sent on"), ("sent_on",)), ("instruction", _("Instruction date"), ("instruction_on",)))
REPORT_FILTERS = (Q_FILTER, Filter("state", _("State"), "choice"), Filter("kind", _("Kind"), "choice"), YEAR)
REPORTS = _defs("party-reports", _("Register of reports to the Party committee"), REPORT_COLUMNS, REPORT_SORTS,
                "-number", REPORT_FILTERS,
                ("number", "kind", "title", "state", "approved_on", "document_number", "sent_on", "instruction_on"),
                ("number", "kind", "title", "state", "approved_by", "approved_on", "document_number", "sent_on",
                 "instruction_by", "instruction_on", "instruction"))
APPROVALS = _defs("reports-to-approve", _("Party reports to approve"), REPORT_COLUMNS, REPORT_SORTS, "number",
                  REPORT_FILTERS, ("number", "kind", "title", "state"), ("number", "kind", "title", "state"))

# --- Rules -------------------------------------------------------------------------------------------------------

RULE_COLUMNS = (
    Column("title", _("Title"), sort="title", value=lambda r, labels: r.title),
    Column("adopted_by", _("Adopted by"), value=lambda r, labels: r.adopted_by),
    Column("adopted_on", _("Adopted on"), sort="adopted", value=lambda r, labels: r.adopted_on, kind="date"),
    Column("revised_on", _("Last revised on"), sort="revised", value=lambda r, labels: r.revised_on, kind="date"),
    Column("versions", _("Versions"), sort="versions", numeric=True, value=lambda r, labels: r.n_versions),
)
RULES = _defs("working-rules", _("Working rules"), RULE_COLUMNS,
              (*sorts_both_ways(("title", _("Title"), ("title",)), ("adopted", _("Adopted on"), ("adopted_on",)),
                       ("revised", _("Last revised on"), ("revised_on",))),
               Sort("versions", format_lazy("{} ↑", _("Versions")), ("n_versions", "id")),
               Sort("-versions", format_lazy("{} ↓", _("Versions")), ("-n_versions", "-id"))),
              "-adopted",
              (Q_FILTER, Filter("year", _("Made or revised in"), "int"),
               Filter("change", _("Change in that year"), "choice")),
              ("title", "adopted_by", "adopted_on", "revised_on", "versions"),
              ("title", "adopted_by", "adopted_on", "revised_on", "versions"))

# --- Tasks -------------------------------------------------------------------------------------------------------

TASK_COLUMNS = (
    Column("number", _("No."), sort="number", value=lambda r, labels: f"{r.year}-{r.number:03d}"),
    Column("title", _("Title"), sort="title", value=lambda r, labels: r.title),
    Column("source_document", _("Source document"), value=lambda r, labels: r.source_document),
    Column("owner", _("Owner"), value=lambda r, labels: r.owner_name),
    Column("assigned_on", _("Assigned on"), sort="assigned", value=lambda r, labels: r.assigned_on, kind="date"),
    Column("due_on", _("Due date"), sort="due", value=lambda r, labels: r.due_on, kind="date"),
    Column("state", _("State"), sort="state", value=lambda r, labels: r.get_state_display()),
    Column("done_on", _("Done on"), value=lambda r, labels: r.done_on, kind="date"),
    Column("late", _("Late"), value=lambda r, labels: str(labels.get("late", _("late"))) if is_late(r) else ""),
    Column("result", _("Result"), value=lambda r, labels: r.result),
)
TASKS = _defs("assigned-tasks", _("Tasks assigned by the Party committee"), TASK_COLUMNS,
              sorts_both_ways(("number", _("No."), ("year", "number")), ("title", _("Title"), ("title",)),
                     ("assigned", _("Assigned on"), ("assigned_on",)), ("due", _("Due date"), ("due_on",)),
                     ("state", _("State"), ("state",))),
              "-number",
              (Q_FILTER, Filter("state", _("State"), "choice"), Filter("owner", _("Owner"), "choice"), YEAR,
               Filter("late", _("Late only"), "flag")),
              ("number", "title", "owner", "due_on", "state", "late"),
              ("number", "title", "source_document", "owner", "assigned_on", "due_on", "state", "done_on", "late",
               "result"))

# --- Visits ------------------------------------------------------------------------------------------------------

VISIT_COLUMNS = (
    Column("date", _("Date"), sort="date", value=lambda r, labels: r.date, kind="date"),
    Column("leader", _("Leader"), sort="leader", value=lambda r, labels: r.leader.display_name),
    Column("subject", _("Subject"), value=lambda r, labels: r.subject),
    Column("place", _("Place"), value=lambda r, labels: r.place),
    Column("people", _("People met"), sort="people", numeric=True, value=lambda r, labels: r.n_people),
    Column("suggestions", _("Suggestions"), sort="suggestions", numeric=True, value=lambda r, labels: r.n_suggestions),
    Column("open", _("To follow up"), numeric=True, value=lambda r, labels: r.n_open),
    Column("heard", _("What was heard"), value=lambda r, labels: r.heard),
)
VISIT_SORTS = (*sorts_both_ways(("date", _("Date"), ("date",)), ("leader", _("Leader"), ("leader__full_name",))),
               Sort("people", format_lazy("{} ↑", _("People met")), ("n_people", "id")),
               Sort("-people", format_lazy("{} ↓", _("People met")), ("-n_people", "-id")),
               Sort("suggestions", format_lazy("{} ↑", _("Suggestions")), ("n_suggestions", "id")),
               Sort("-suggestions", format_lazy("{} ↓", _("Suggestions")), ("-n_suggestions", "-id")))
VISIT_FILTERS = (Q_FILTER, Filter("leader", _("Leader"), "int"), Filter("kind", _("Met"), "choice"), YEAR)
VISITS = _defs("contact-visits", _("Contact visits"), VISIT_COLUMNS, VISIT_SORTS, "-date", VISIT_FILTERS,
               ("date", "leader", "subject", "place", "people", "suggestions", "open"),
               ("date", "leader", "subject", "place", "people", "suggestions", "open", "heard"))
MY_VISITS = _defs("my-contact-visits", _("My contact visits"), VISIT_COLUMNS, VISIT_SORTS, "-date", VISIT_FILTERS,
                  ("date", "subject", "place", "people", "suggestions", "open"),
                  ("date", "subject", "place", "people", "suggestions", "open", "heard"))

# --- Suggestions --------------------------------------------------------------------------------------------------

SUGGESTION_COLUMNS = (
    Column("date", _("Visit date"), sort="date", value=lambda r, labels: r.visit.date, kind="date"),
    Column("leader", _("Leader"), value=lambda r, labels: r.visit.leader.display_name),
    Column("text", _("Suggestion"), value=lambda r, labels: r.text),
    Column("state", _("State"), sort="state", value=lambda r, labels: r.get_state_display()),
    Column("target", _("Turned into"), value=lambda r, labels: r.get_target_kind_display()),
    Column("target_state", _("Its state now"),
           value=lambda r, labels: (getattr(r, "target", None) or {}).get("state_label", "")),
)
SUGGESTIONS = _defs("visit-suggestions", _("Suggestions from contact visits"), SUGGESTION_COLUMNS,
                    sorts_both_ways(("date", _("Visit date"), ("visit__date",)), ("state", _("State"), ("state",))), "-date",
                    (Q_FILTER, Filter("state", _("State"), "choice"), Filter("target", _("Turned into"), "choice"),
                     YEAR),
                    ("date", "leader", "text", "state", "target", "target_state"),
                    ("date", "leader", "text", "state", "target", "target_state"))

CHOICES = {
    "state": {"reports": ReportState.choices, "tasks": TaskState.choices, "suggestions": SuggestionState.choices},
    "kind": {"reports": ReportKind.choices, "visits": PersonKind.choices},
    "target": {"suggestions": TargetKind.choices},
    "change": {"rules": [("made", _("made")), ("revised", _("revised"))]},
}


def is_late(task) -> bool:
    return task.state in (TaskState.OPEN, TaskState.IN_PROGRESS) and task.due_on < clock.today()


def filtered(kind: str, qs, params: dict):
    """A register's filters (the keys of its ListDef) applied to `qs`."""
    p = params
    if kind == "reports":
        if p.get("state"):
            qs = qs.filter(state=p["state"])
        if p.get("kind"):
            qs = qs.filter(kind=p["kind"])
        if p.get("year"):
            qs = qs.filter(year=p["year"])
        if p.get("q"):
            qs = search.filter_by_text(qs, "party_report", p["q"])
    elif kind == "rules":
        if p.get("year"):
            versions = Q(versions__date__year=p["year"])
            if p.get("change") == "made":
                versions &= Q(versions__number=1)
            elif p.get("change") == "revised":
                versions &= Q(versions__number__gt=1)
            qs = qs.filter(pk__in=qs.model.objects.filter(versions).values("pk"))
        if p.get("q"):
            qs = search.filter_by_text(qs, "working_rule", p["q"])
    elif kind == "tasks":
        if p.get("state"):
            qs = qs.filter(state=p["state"])
        if p.get("owner") == "office":
            qs = qs.filter(owner_kind="office")
        elif p.get("owner", "").isdigit():
            qs = qs.filter(special_committee_id=int(p["owner"]))
        if p.get("year"):
            qs = qs.filter(year=p["year"])
        if p.get("late"):
            qs = qs.filter(state__in=[TaskState.OPEN, TaskState.IN_PROGRESS], due_on__lt=clock.today())
        if p.get("q"):
            qs = search.filter_by_text(qs, "assigned_task", p["q"])
    elif kind == "visits":
        if p.get("leader"):
            qs = qs.filter(leader_id=p["leader"])
        if p.get("kind"):
            qs = qs.filter(pk__in=qs.model.objects.filter(people__kind=p["kind"]).values("pk"))
        if p.get("year"):
            qs = qs.filter(date__year=p["year"])
        if p.get("q"):
            qs = search.filter_by_text(qs, "contact_visit", p["q"])
    elif kind == "suggestions":
        if p.get("state"):
            qs = qs.filter(state=p["state"])
        if p.get("target"):
            qs = qs.filter(target_kind=p["target"])
        if p.get("year"):
            qs = qs.filter(visit__date__year=p["year"])
        if p.get("q"):
            qs = search.filter_by_text(qs, "visit_suggestion", p["q"])
    return qs


def rows(kind: str, qs):
    """A register's rows with what their columns read (a fixed number of queries)."""
    if kind == "reports":
        return qs.select_related("approved_by")
    if kind == "rules":
        return qs.annotate(n_versions=Count("versions"))
    if kind == "tasks":
        return qs.select_related("special_committee")
    if kind == "visits":
        return qs.select_related("leader").annotate(
            n_people=Count("people", distinct=True), n_suggestions=Count("suggestions", distinct=True),
            n_open=Count("suggestions", filter=Q(suggestions__state="open"), distinct=True))
    return qs.select_related("visit", "visit__leader")


def annotated(kind: str, qs):
    """Annotations a sort may need, applied before ordering."""
    if kind in ("rules", "visits"):
        return rows(kind, qs)
    return qs
