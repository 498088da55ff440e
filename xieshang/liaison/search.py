"""The search documents of the line to the Party committee (core.search kinds):

- "party_report": the title, the text, the register number, the document number and the instruction as the
  report's own words; who gave the instruction as a name;
- "working_rule": the title, the meeting that adopted it and every version's meeting and note;
- "assigned_task": the title, the content, the number, the source document, the result and the progress notes;
  the owning special committee as a name;
- "contact_visit": the subject, what was heard and the place; the people and bodies met (name, organisation and
  post) as names;
- "visit_suggestion": a suggestion brought back from a visit — its text and the office's note; the visit's subject
  and place as further words (the suggestions register searches these).

Who finds what is the registers' business: the pages and the API search inside the user's own visible queryset
(selectors.*_visible_to: the office, administrators and leaders of the committee; nobody else), so a hit the
user may not see never shows. Upkeep: `index_reports`, `index_rules`, `index_tasks`, `index_visits`, `index_suggestions` (= core
`index`) in the services' transaction, after creating or changing an object and after every Machine action (the
Machines' `after_save`); a visit's correction writes its suggestions' documents again (they carry its subject).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Prefetch

from xieshang.core import search
from xieshang.core.search import Document

from .models import (
    AssignedTask, ContactVisit, PartyReport, RuleVersion, Suggestion, TaskNote, VisitedPerson, WorkingRule,
)


def report_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = PartyReport.objects.filter(pk__in=list(ids)).only(
        "id", "committee_id", "year", "number", "title", "body", "document_number", "instruction", "instruction_by",
        "version")
    for report in rows:
        yield Document(
            kind="party_report", object_id=report.pk, committee_id=report.committee_id, title=report.title,
            body=report.body, year=report.year, version=report.version,
            words=(report.register_number, report.document_number, report.instruction),
            names=(report.instruction_by,),
        )


def rule_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        WorkingRule.objects.filter(pk__in=list(ids))
        .prefetch_related(Prefetch("versions", queryset=RuleVersion.objects.order_by("number").only(
            "id", "rule_id", "number", "meeting", "note")))
        .only("id", "committee_id", "title", "adopted_by", "adopted_on", "version")
    )
    for rule in rows:
        versions = [text for v in rule.versions.all() for text in (v.meeting, v.note)]
        yield Document(
            kind="working_rule", object_id=rule.pk, committee_id=rule.committee_id, title=rule.title,
            year=rule.adopted_on.year, version=rule.version, words=(rule.adopted_by, *versions),
        )


def task_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        AssignedTask.objects.filter(pk__in=list(ids)).select_related("special_committee")
        .prefetch_related(Prefetch("notes", queryset=TaskNote.objects.order_by("date", "id").only(
            "id", "task_id", "text")))
        .only("id", "committee_id", "year", "number", "title", "content", "source_document", "result", "version",
              "special_committee__name")
    )
    for task in rows:
        yield Document(
            kind="assigned_task", object_id=task.pk, committee_id=task.committee_id, title=task.title,
            body=task.content, year=task.year, version=task.version,
            words=(f"{task.year}-{task.number:03d}", task.source_document, task.result,
                   *(note.text for note in task.notes.all())),
            names=(task.special_committee.name if task.special_committee_id else "",),
        )


def visit_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        ContactVisit.objects.filter(pk__in=list(ids))
        .prefetch_related(Prefetch("people", queryset=VisitedPerson.objects.order_by("id").only(
            "id", "visit_id", "name", "affiliation")))
        .only("id", "committee_id", "date", "place", "subject", "heard", "version")
    )
    for visit in rows:
        yield Document(
            kind="contact_visit", object_id=visit.pk, committee_id=visit.committee_id, title=visit.subject,
            body=visit.heard, year=visit.date.year, version=visit.version, words=(visit.place,),
            names=tuple(text for p in visit.people.all() for text in (p.name, p.affiliation)),
        )


def suggestion_documents(ids: Sequence[int]) -> Iterable[Document]:
    rows = (
        Suggestion.objects.filter(pk__in=list(ids)).select_related("visit")
        .only("id", "committee_id", "text", "note", "version", "visit__date", "visit__subject", "visit__place")
    )
    for row in rows:
        yield Document(
            kind="visit_suggestion", object_id=row.pk, committee_id=row.committee_id, body=row.text,
            year=row.visit.date.year, version=row.version, words=(row.note, row.visit.subject, row.visit.place),
        )


def _ids(rows, model) -> list:
    return [rows] if isinstance(rows, model) else list(rows)


def index_reports(ids) -> None:
    """Write the search documents of these reports (ids or rows; in the caller's transaction)."""
    search.index("party_report", _ids(ids, PartyReport))


def index_rules(ids) -> None:
    search.index("working_rule", _ids(ids, WorkingRule))


def index_tasks(ids) -> None:
    search.index("assigned_task", _ids(ids, AssignedTask))


def index_visits(ids) -> None:
    search.index("contact_visit", _ids(ids, ContactVisit))


def index_suggestions(ids) -> None:
    search.index("visit_suggestion", _ids(ids, Suggestion))
