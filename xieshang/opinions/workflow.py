"""The opinion report workflow as one table of `xieshang.core.workflow.Transition`s, its state groups and
each action's input schema (the one definition of its fields: the API validates its JSON body with it,
the page's form posts the same field names).

    draft ──submit──▶ submitted ──start_editing / edit──▶ editing ──send_for_approval──▶ awaiting_approval
      │                 │   ▲                               │  ▲                              │
      │              return resubmit                        │  └──────────── send_back ───────┤
      │                 ▼   │                               │                                  │
      │               returned                          approve (leader) ◀────────────────────┘
      │                                                     ▼
    withdraw (draft, submitted, returned)               approved ──forward──▶ forwarded ──close──▶ closed
    decline (submitted, editing, awaiting_approval)       record_adoption / record_instruction (forwarded, closed)
    combine (submitted, editing: several → one new combined report in editing; the others → combined)

Actor relations (computed by selectors.relations_of):
  author  a submitter of the report (an OpinionAuthor, or the user who created it)
  staff   office staff or administrator of the report's committee (not on other people's drafts)
  leader  a leader of the committee (not on other people's drafts)
  system  the scheduler (actor None)

The editing claim: `start_editing` and `edit` make the acting staff member the report's editor
(`editing_by`); while another staff member holds it, edit, combine, return, decline and send_for_approval
are refused (409 `being_edited`) — `start_editing` takes it over. Sending for approval, approving,
returning, declining and combining release it.

The Machine itself (handlers, relations, visibility, after_save) is built in services.py: `services.MACHINE`.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext_lazy
from ninja import Schema
from pydantic import Field, model_validator

from xieshang.core import categories
from xieshang.core.errors import Conflict, IllegalTransition, Invalid
from xieshang.core.text import BODY_MAX, COMMENT_MAX, Text
from xieshang.core.workflow import Step, Transition

from .models import TEXT_LIMIT, TITLE_LIMIT, Adoption, Bulletin, Level, text_length
from .models import OpinionState as S

STATES = S

# --- State groups (declared once; lists, to-dos, statistics and the API use these) -----------------

GROUPS: dict[str, frozenset[str]] = {
    # the submitter holds it
    "with_author": frozenset({S.DRAFT, S.RETURNED}),
    # the office holds it (inbox, editing desk, approval, forwarding)
    "in_office": frozenset({S.SUBMITTED, S.EDITING, S.AWAITING_APPROVAL, S.APPROVED}),
    # on its way: submitted and not yet at an end
    "live": frozenset({S.SUBMITTED, S.RETURNED, S.EDITING, S.AWAITING_APPROVAL, S.APPROVED, S.FORWARDED}),
    # sent to recipients (adoptions and instructions may be recorded)
    "sent": frozenset({S.FORWARDED, S.CLOSED}),
    # reports the office may combine
    "combinable": frozenset({S.SUBMITTED, S.EDITING}),
    # no state-changing move leaves these (closed still takes adoptions and instructions)
    "final": frozenset({S.COMBINED, S.DECLINED, S.WITHDRAWN, S.CLOSED}),
    # received by the office (statistics: "received")
    "received": frozenset(set(S.values) - {S.DRAFT, S.WITHDRAWN}),
}

LevelValue = Literal[tuple(Level.values)]  # type: ignore[valid-type]
AdoptionKindValue = Literal[tuple(Adoption.Kind.values)]  # type: ignore[valid-type]
MannerValue = Literal[tuple(Adoption.Manner.values)]  # type: ignore[valid-type]
BulletinKindValue = Literal[tuple(Bulletin.Kind.values)]  # type: ignore[valid-type]


def limit_message(length: int) -> str:
    return _("The text has %(length)s characters; at most %(limit)s are allowed.") % {
        "length": f"{length:,}", "limit": f"{TEXT_LIMIT:,}",
    }


# --- Input schemas -------------------------------------------------------------------------------------


class TextInput(Schema):
    """The text of a report: the three parts, or `body` alone (stored as the situation).

    Checked: a title, some text, and at most TEXT_LIMIT characters of text in all (the error names the limit)."""

    title: Text(TITLE_LIMIT, required=True, single_line=True)
    situation: Text(BODY_MAX) = ""
    analysis: Text(BODY_MAX) = ""
    suggestion: Text(BODY_MAX) = ""
    body: Text(BODY_MAX) = ""
    category: categories.Code(required=False) = None  # the committee's own list; none: its default

    @model_validator(mode="after")
    def _text(self):
        if not (self.situation or self.analysis or self.suggestion):
            if self.body:
                self.situation = self.body
        self.body = ""
        length = text_length(self.situation, self.analysis, self.suggestion)
        if length == 0:
            raise ValueError(_("Write the report's text."))
        if length > TEXT_LIMIT:
            raise ValueError(limit_message(length))
        return self

    def parts(self) -> dict:
        return {"title": self.title, "situation": self.situation, "analysis": self.analysis, "suggestion": self.suggestion}


class CreateInput(TextInput):
    """opinion_create: the draft's text, and optionally the call it answers."""

    commission: int | None = None


class UpdateInput(TextInput):
    """update (the submitter, in draft or returned)."""


class NoInput(Schema):
    pass


class ReasonInput(Schema):
    reason: Text(1000, required=True)


class EditInput(Schema):
    """edit (staff): the new text — the three parts or `body` — kept as a new version; the title and the
    category stay unless given, and the text stays when no text field is sent (a new title alone)."""

    title: Text(TITLE_LIMIT, required=True, single_line=True) | None = None
    situation: Text(BODY_MAX) = ""
    analysis: Text(BODY_MAX) = ""
    suggestion: Text(BODY_MAX) = ""
    body: Text(BODY_MAX) = ""
    category: categories.Code(required=False) = None
    note: Text(200) = ""

    @property
    def keeps_text(self) -> bool:
        """No text field was sent at all (e.g. only a new title): the text stays as it is."""
        return not ({"situation", "analysis", "suggestion", "body"} & self.model_fields_set)

    @model_validator(mode="after")
    def _text(self):
        if not self.title:
            self.title = None
        if self.keeps_text:
            return self
        if not (self.situation or self.analysis or self.suggestion):
            if self.body:
                self.situation = self.body
        self.body = ""
        length = text_length(self.situation, self.analysis, self.suggestion)
        if length == 0:
            raise ValueError(_("Write the report's text."))
        if length > TEXT_LIMIT:
            raise ValueError(limit_message(length))
        return self


class CombineInput(TextInput):
    """combine (staff): the other reports to combine with this one, and the combined report's text.
    `versions` ({report id: version}) makes the combination refuse reports changed since they were read."""

    reports: list[int] = Field(min_length=1, max_length=50)
    versions: dict[int, int] = {}


class ForwardInput(Schema):
    """forward (staff): the recipients; a new bulletin issue (next number of the year) unless `bulletin`
    names an issue of this year to add the report to."""

    recipients: list[int] = Field(min_length=1, max_length=20)
    bulletin: int | None = None
    kind: BulletinKindValue | None = None  # type: ignore[valid-type]  # default: combined for a combined report
    issued_on: datetime.date | None = None


class AdoptionInput(Schema):
    """record_adoption (staff): once per recipient and level; recording it again updates the one record."""

    recipient: int
    level: LevelValue  # type: ignore[valid-type]
    kind: AdoptionKindValue = Adoption.Kind.SINGLE  # type: ignore[valid-type]
    manner: MannerValue = Adoption.Manner.ADOPTED  # type: ignore[valid-type]
    adopted_on: datetime.date | None = None
    note: Text(200) = ""


class InstructionInput(Schema):
    """record_instruction (staff or leader): 领导批示 — who, at what level, when, what."""

    level: LevelValue  # type: ignore[valid-type]
    leader: Text(40, required=True, single_line=True)
    leader_title: Text(60, single_line=True) = ""
    date: datetime.date
    text: Text(COMMENT_MAX, required=True)


# --- Guards (asked by available() and act(): a button is shown exactly when the action is accepted) -----


def guard_text_within_limit(step: Step) -> None:
    obj = step.obj
    length = text_length(obj.situation, obj.analysis, obj.suggestion)
    if not obj.title.strip() or length == 0:
        raise Invalid(_("Write the report's title and text first."), detail="no_text")
    if length > TEXT_LIMIT:
        raise Invalid(limit_message(length), detail="too_long")


def guard_not_combined_report(step: Step) -> None:
    if step.obj.is_combined:
        raise IllegalTransition(_("A combined report cannot be returned to its submitters."), detail="combined_report")


def _claimed_by_other(step: Step) -> bool:
    obj = step.obj
    return obj.editing_by_id is not None and (step.actor is None or obj.editing_by_id != step.actor.pk)


def guard_not_claimed(step: Step) -> None:
    """Refused while another staff member is editing the report (they release it, or it is taken over)."""
    if _claimed_by_other(step):
        raise Conflict(
            _("“%(title)s” is being edited by %(name)s. Take it over first.")
            % {"title": step.obj.title, "name": _editor_name(step.obj)},
            detail="being_edited",
        )


def guard_returnable(step: Step) -> None:
    guard_not_combined_report(step)
    guard_not_claimed(step)


def _editor_name(obj) -> str:
    user = obj.editing_by
    return user.display_name if user is not None else ""


# --- The table -----------------------------------------------------------------------------------------

AUTHOR = {"author"}
STAFF = {"staff"}

TRANSITIONS: list[Transition] = [
    # The submitter
    Transition("update", {S.DRAFT, S.RETURNED}, None, AUTHOR, gettext_lazy("edit"), input=UpdateInput),
    Transition("submit", {S.DRAFT}, S.SUBMITTED, AUTHOR, gettext_lazy("submit"), guard=guard_text_within_limit),
    Transition("resubmit", {S.RETURNED}, S.SUBMITTED, AUTHOR, gettext_lazy("resubmit"), guard=guard_text_within_limit),
    Transition("withdraw", {S.DRAFT, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, AUTHOR, pgettext_lazy("opinion", "withdraw")),
    # The office (编辑)
    Transition("start_editing", {S.SUBMITTED, S.EDITING}, S.EDITING, STAFF, gettext_lazy("start editing")),
    Transition("edit", {S.SUBMITTED, S.EDITING}, S.EDITING, STAFF, gettext_lazy("save the edited text"), guard=guard_not_claimed,
               input=EditInput),
    Transition("return", {S.SUBMITTED, S.EDITING}, S.RETURNED, STAFF, gettext_lazy("return for more information"),
               guard=guard_returnable, input=ReasonInput),
    Transition("combine", {S.SUBMITTED, S.EDITING}, S.COMBINED, STAFF, gettext_lazy("combine"), guard=guard_not_claimed,
               input=CombineInput),
    Transition("decline", {S.SUBMITTED, S.EDITING, S.AWAITING_APPROVAL}, S.DECLINED, STAFF, gettext_lazy("do not use"),
               guard=guard_not_claimed, input=ReasonInput),
    Transition("send_for_approval", {S.EDITING}, S.AWAITING_APPROVAL, STAFF, gettext_lazy("send for approval"),
               guard=guard_not_claimed),
    # The leader (签发)
    Transition("send_back", {S.AWAITING_APPROVAL}, S.EDITING, {"leader"}, gettext_lazy("send back for editing"), input=ReasonInput),
    Transition("approve", {S.EDITING, S.AWAITING_APPROVAL}, S.APPROVED, {"leader"}, gettext_lazy("approve")),
    # Forwarding (报送) and its outcomes
    Transition("forward", {S.APPROVED}, S.FORWARDED, STAFF, gettext_lazy("forward"), input=ForwardInput),
    Transition("record_adoption", {S.FORWARDED, S.CLOSED}, None, STAFF, gettext_lazy("record an adoption"), input=AdoptionInput),
    Transition("record_instruction", {S.FORWARDED, S.CLOSED}, None, {"staff", "leader"}, gettext_lazy("record an instruction"),
               input=InstructionInput),
    Transition("close", {S.FORWARDED}, S.CLOSED, STAFF, gettext_lazy("close")),
]

ACTIONS: tuple[str, ...] = tuple(t.action for t in TRANSITIONS)
BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}

# The outcomes every submitter is told of (件件有回音), action -> notification kind.
OUTCOME_ACTIONS = (
    "return", "edit", "combine", "decline", "approve", "forward", "record_adoption", "record_instruction", "close",
)
