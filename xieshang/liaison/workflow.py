"""The Party report, assigned task and suggestion workflows as tables of `xieshang.core.workflow.Transition`s,
their state groups and each action's input schema (the API validates its JSON body with it; the page's form
posts the same names).

Party report (请示报告):

    draft ──submit──▶ submitted ──approve (leader)──▶ approved ──send (number, date)──▶ sent ──record_instruction──▶ answered
      ▲  │              │
      │  │              └──return (leader, reason)──▶ returned ──submit──▶ submitted
      │  └──withdraw──▶ withdrawn        (update: the office edits a draft or a returned report)

Assigned task (交办任务): open ──note──▶ in_progress ──complete──▶ done (──reopen──▶ in_progress);
extend (a new due date) and cancel while open or in progress. The due date is the core Deadline "task.due".

Suggestion from a visit (走访建议): open ──convert (demand / proposal / opinion / task)──▶ converted;
open ──note──▶ noted ──reopen──▶ open.

Actor relations (selectors.*_relations):
  staff    office staff or administrator of the committee
  leader   a leader of the committee (approves reports; reads the rest)
  owner    staff or leader bound to the special committee that owns a task
  visitor  the leader who made the visit (follows up its suggestions)
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import Field, model_validator

from xieshang.core.text import Text
from xieshang.core.workflow import Transition

from .models import (
    HEARD_LIMIT, INSTRUCTION_LIMIT, NAME_LIMIT, NOTE_LIMIT, REPORT_LIMIT, SUGGESTION_LIMIT, TASK_LIMIT, TITLE_LIMIT,
    PersonKind, ReportKind, ReportState, TargetKind, TaskState,
)

R = ReportState
T = TaskState

REPORT_GROUPS: dict[str, frozenset[str]] = {
    "with_office": frozenset({R.DRAFT, R.RETURNED, R.APPROVED}),  # the office has something to do
    "to_approve": frozenset({R.SUBMITTED}),  # the leaders' queue
    "awaiting_instruction": frozenset({R.SENT}),
    "sent": frozenset({R.SENT, R.ANSWERED}),  # counted in the year's statistics
    "final": frozenset({R.ANSWERED, R.WITHDRAWN}),
}
TASK_GROUPS: dict[str, frozenset[str]] = {
    "open": frozenset({T.OPEN, T.IN_PROGRESS}),
    "final": frozenset({T.DONE, T.CANCELLED}),
}

ReportKindValue = Literal[tuple(ReportKind.values)]  # type: ignore[valid-type]
PersonKindValue = Literal[tuple(PersonKind.values)]  # type: ignore[valid-type]
TargetValue = Literal[tuple(TargetKind.values)]  # type: ignore[valid-type]


# --- Input schemas -------------------------------------------------------------------------------------------


class ReasonInput(Schema):
    reason: Text(NOTE_LIMIT, required=True)


class ReportInput(Schema):
    """A report's draft: create and update."""

    kind: ReportKindValue  # type: ignore[valid-type]
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    body: Text(REPORT_LIMIT, required=True)


class SendInput(Schema):
    document_number: Text(40, required=True, single_line=True)
    sent_on: datetime.date


class PartyInstructionInput(Schema):
    instruction_by: Text(NAME_LIMIT, required=True, single_line=True)
    instruction_on: datetime.date
    text: Text(INSTRUCTION_LIMIT, required=True)


class TaskInput(Schema):
    """An assigned task (create)."""

    title: Text(TITLE_LIMIT, required=True, single_line=True)
    source_document: Text(NAME_LIMIT * 2, required=True, single_line=True)
    content: Text(TASK_LIMIT, required=True)
    owner_kind: Literal["office", "special_committee"] = "office"
    special_committee: int | None = Field(default=None, gt=0)
    assigned_on: datetime.date | None = None
    due_on: datetime.date | None = None

    @model_validator(mode="after")
    def _owner(self):
        if self.owner_kind == "special_committee" and not self.special_committee:
            raise ValueError(_("Choose the special committee that owns the task."))
        return self


class NoteInput(Schema):
    text: Text(NOTE_LIMIT, required=True)


class CompleteInput(Schema):
    result: Text(NOTE_LIMIT, required=True)


class ExtendInput(Schema):
    due_on: datetime.date


class PersonInput(Schema):
    kind: PersonKindValue  # type: ignore[valid-type]
    name: Text(NAME_LIMIT, required=True, single_line=True)
    affiliation: Text(NAME_LIMIT * 2, single_line=True) = ""


class VisitInput(Schema):
    """A contact visit (create and update): who went, when, where, whom they met, what they heard, and the
    suggestions brought back (one per line of `suggestions`, on create)."""

    leader: int | None = Field(default=None, gt=0)
    date: datetime.date
    place: Text(NAME_LIMIT * 2, required=True, single_line=True)
    subject: Text(TITLE_LIMIT, required=True, single_line=True)
    heard: Text(HEARD_LIMIT) = ""
    people: list[PersonInput] = Field(default_factory=list, min_length=1, max_length=200)
    companions: list[int] = Field(default_factory=list, max_length=50)
    suggestions: list[Text(SUGGESTION_LIMIT, required=True)] = Field(default_factory=list, max_length=50)


class SuggestionInput(Schema):
    text: Text(SUGGESTION_LIMIT, required=True)


class SuggestionConvertInput(Schema):
    """convert: into a citizen's demand (`place`), a proposal or opinion report draft (`member`: the member
    who owns the draft; default: the visiting leader's own member record), or an assigned task (`owner_kind`,
    `special_committee`, `due_on`)."""

    to: TargetValue  # type: ignore[valid-type]
    member: int | None = Field(default=None, gt=0)
    place: int | None = Field(default=None, gt=0)
    title: Text(TITLE_LIMIT, single_line=True) = ""
    owner_kind: Literal["office", "special_committee"] = "office"
    special_committee: int | None = Field(default=None, gt=0)
    due_on: datetime.date | None = None


class NotedInput(Schema):
    note: Text(NOTE_LIMIT, required=True)


# --- Tables ------------------------------------------------------------------------------------------------

REPORT_TRANSITIONS = [
    Transition("update", {R.DRAFT, R.RETURNED}, None, {"staff"}, gettext_lazy("save the draft"), input=ReportInput),
    Transition("submit", {R.DRAFT, R.RETURNED}, R.SUBMITTED, {"staff"}, gettext_lazy("submit for approval")),
    Transition("approve", {R.SUBMITTED}, R.APPROVED, {"leader"}, gettext_lazy("approve")),
    Transition("return", {R.SUBMITTED}, R.RETURNED, {"leader"}, gettext_lazy("return for revision"),
               input=ReasonInput),
    Transition("send", {R.APPROVED}, R.SENT, {"staff"}, gettext_lazy("record as sent"), input=SendInput),
    Transition("record_instruction", {R.SENT}, R.ANSWERED, {"staff"}, gettext_lazy("record the instruction"),
               input=PartyInstructionInput),
    Transition("withdraw", {R.DRAFT, R.RETURNED}, R.WITHDRAWN, {"staff"}, gettext_lazy("withdraw"),
               input=ReasonInput),
]

TASK_TRANSITIONS = [
    Transition("note", {T.OPEN, T.IN_PROGRESS}, T.IN_PROGRESS, {"staff", "owner"}, gettext_lazy("record progress"),
               input=NoteInput),
    Transition("complete", {T.OPEN, T.IN_PROGRESS}, T.DONE, {"staff", "owner"}, gettext_lazy("mark as done"),
               input=CompleteInput),
    Transition("extend", {T.OPEN, T.IN_PROGRESS}, None, {"staff"}, gettext_lazy("change the due date"),
               input=ExtendInput),
    Transition("cancel", {T.OPEN, T.IN_PROGRESS}, T.CANCELLED, {"staff"}, gettext_lazy("cancel"), input=ReasonInput),
    Transition("reopen", {T.DONE}, T.IN_PROGRESS, {"staff"}, gettext_lazy("reopen")),
]

SUGGESTION_TRANSITIONS = [
    Transition("convert", {"open"}, "converted", {"staff", "visitor"}, gettext_lazy("follow up"), input=SuggestionConvertInput),
    Transition("note", {"open"}, "noted", {"staff", "visitor"}, gettext_lazy("keep for reference"), input=NotedInput),
    Transition("reopen", {"noted"}, "open", {"staff", "visitor"}, gettext_lazy("reopen")),
]


class RuleInput(Schema):
    """A rule made: its title, the meeting that adopted it and the date, a note."""

    title: Text(TITLE_LIMIT, required=True, single_line=True)
    meeting: Text(NAME_LIMIT, required=True, single_line=True)
    adopted_on: datetime.date
    note: Text(NOTE_LIMIT) = ""


class RevisionInput(Schema):
    date: datetime.date
    meeting: Text(NAME_LIMIT, required=True, single_line=True)
    note: Text(NOTE_LIMIT) = ""
