"""Proposal clues (提案线索) and the calls for them (线索征集): states, groups, transitions and inputs.

A call (`ClueCall`) is written by the office (draft), published (open: members and the public suggest clues
until it is closed) and closed. A clue (`ProposalClue`) is suggested by a member or by the public, then the
office accepts it (listed to members, who may start a draft proposal from it), declines it, or marks it a
duplicate of another clue. Both run through core.workflow.Machine (clue_services.CALL_MACHINE, CLUE_MACHINE).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, model_validator

from xieshang.core import categories
from xieshang.core.workflow import Transition

from .models import CLUE_TEXT_LIMIT, CLUE_TITLE_LIMIT, ClueCallState, ClueState
from .schemas import ActionInput, Date, Id, Text

CS = ClueCallState
C = ClueState

# The groups of clue states, declared once (lists, to-dos, the API and the tests read these).
CLUE_GROUPS = {
    "to_review": frozenset({C.SUBMITTED}),  # the office's review queue
    "listed": frozenset({C.ACCEPTED}),  # shown to members; a draft proposal may start from it
    "final": frozenset({C.ACCEPTED, C.DECLINED, C.DUPLICATE}),  # reviewed
}
CALL_GROUPS = {
    "published": frozenset({CS.OPEN, CS.CLOSED}),  # seen by members (and, while open, by the public)
}

CALL_TITLE_LIMIT = 100
CALL_TEXT_LIMIT = 4000
NOTE_LIMIT = 500


# --- Inputs -------------------------------------------------------------------------------------------


class CallInput(ActionInput):
    """A call's fields (create, and update while not closed)."""

    session: Id(missing=lambda: _("This field is required.")) = Field(None, validate_default=True)
    title: Text(CALL_TITLE_LIMIT, required=True)
    text: Text(CALL_TEXT_LIMIT) = ""
    opens_on: Date()
    closes_on: Date()

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.closes_on < self.opens_on:
            raise ValueError(_("The closing date cannot be before the opening date."))
        return self


class ClueInput(ActionInput):
    """A clue's fields, from a member or the public (name and contact only from the public)."""

    call: Id() = None
    title: Text(CLUE_TITLE_LIMIT, required=True)
    text: Text(CLUE_TEXT_LIMIT, required=True)
    category: categories.Code(required=False) = None  # the committee's own list (its default when none)
    name: Text(40) = ""
    contact: Text(60) = ""


class ReviewInput(ActionInput):
    """accept: an optional note."""

    note: Text(NOTE_LIMIT) = ""


class DeclineInput(ActionInput):
    """decline: the reason, which the member who suggested it is told."""

    note: Text(NOTE_LIMIT, required=True)


class DuplicateInput(ActionInput):
    """mark_duplicate: the clue it repeats (of the same committee; checked by the handler)."""

    duplicate_of: Id(missing=lambda: _("Choose the clue it repeats.")) = Field(None, validate_default=True)
    note: Text(NOTE_LIMIT) = ""


# --- The tables ---------------------------------------------------------------------------------------

CALL_TRANSITIONS = {
    t.action: t
    for t in [
        Transition("publish", {CS.DRAFT}, CS.OPEN, {"staff"}, gettext_lazy("publish the call")),
        Transition("close", {CS.OPEN}, CS.CLOSED, {"staff"}, gettext_lazy("close the call")),
    ]
}

CLUE_TRANSITIONS = {
    t.action: t
    for t in [
        Transition("accept", {C.SUBMITTED}, C.ACCEPTED, {"staff"}, gettext_lazy("accept as clue"), input=ReviewInput),
        Transition("decline", {C.SUBMITTED}, C.DECLINED, {"staff"}, gettext_lazy("decline"), input=DeclineInput),
        Transition("mark_duplicate", {C.SUBMITTED}, C.DUPLICATE, {"staff"}, gettext_lazy("mark as duplicate"),
                   input=DuplicateInput),
    ]
}

CLUE_ACTIONS = tuple(CLUE_TRANSITIONS)
CALL_ACTIONS = tuple(CALL_TRANSITIONS)


def call_is_open(call, today: datetime.date) -> bool:
    """Does the call take suggestions today? Published, not closed, and within its dates."""
    return call.state == CS.OPEN and call.opens_on <= today <= call.closes_on
