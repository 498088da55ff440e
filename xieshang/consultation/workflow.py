"""The meeting workflow as a table of `xieshang.core.workflow.Transition`s, its state groups and each action's
input schema (the one definition of its fields: the API validates its JSON body with it, the page's form posts
the same names).

    planned ──notify──▶ notified ──hold──▶ held ──send_minutes──▶ minutes_sent ──close──▶ closed
       │                  │
       └──────cancel──────┴──▶ cancelled
    update (the plan) and send_materials while planned or notified.

Writes beside the table (services.py, the same rules by hand): a member signs up or asks for leave (before the
first day), the office decides leave requests, records attendance (one row per member and meeting), speeches
and the outcome report; an invited member signs in with the meeting's code during its days.

Actor relations (selectors.relations_of): staff (office staff, administrators), leader (reads),
invited (a member invited to the meeting).
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import Field, model_validator

from xieshang.core.errors import Invalid
from xieshang.core.text import Text
from xieshang.core.workflow import Step, Transition

from .models import (
    MAX_HALF_DAYS, MINUTES_LIMIT, NOTICE_LIMIT, PLACE_LIMIT, REASON_LIMIT, SPEECH_LIMIT, TITLE_LIMIT, MeetingForm,
    MeetingKind, MeetingState, Presence, SpeechKind,
)

S = MeetingState

GROUPS: dict[str, frozenset[str]] = {
    "upcoming": frozenset({S.PLANNED, S.NOTIFIED}),  # not yet held
    "held": frozenset({S.HELD, S.MINUTES_SENT, S.CLOSED}),  # took place (statistics count these)
    "recording": frozenset({S.NOTIFIED, S.HELD, S.MINUTES_SENT}),  # attendance and speeches may be recorded
    "final": frozenset({S.CLOSED, S.CANCELLED}),
}

KindValue = Literal[tuple(MeetingKind.values)]  # type: ignore[valid-type]
FormValue = Literal[tuple(MeetingForm.values) + ("",)]  # type: ignore[valid-type]
PresenceValue = Literal[tuple(Presence.values)]  # type: ignore[valid-type]
SpeechKindValue = Literal[tuple(SpeechKind.values)]  # type: ignore[valid-type]


def days_in_order(values) -> None:
    """A meeting's days: the last defaults to the first, and is not before it."""
    if values.end_on is None:
        values.end_on = values.start_on
    if values.end_on < values.start_on:
        raise ValueError(_("The last day cannot be before the first day."))


class MeetingInput(Schema):
    """A meeting's plan: create and update (before it is held). Dates as YYYY-MM-DD; the last day not before
    the first; `members` (ids) are the invited for chairpersons' and consultation meetings (a plenary invites
    every member, a standing committee meeting the standing committee's members)."""

    kind: KindValue  # type: ignore[valid-type]
    form: FormValue = ""  # type: ignore[valid-type]
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    start_on: datetime.date
    end_on: datetime.date | None = None
    half_days: int = Field(default=0, ge=0, le=MAX_HALF_DAYS)
    place: Text(PLACE_LIMIT, single_line=True) = ""
    notice: Text(NOTICE_LIMIT) = ""
    members: list[int] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _check(self):
        days_in_order(self)
        if self.kind == MeetingKind.CONSULTATION and not self.form:
            raise ValueError(_("Choose the form of the consultation."))
        if self.kind != MeetingKind.CONSULTATION:
            self.form = ""
        return self


class ReasonInput(Schema):
    reason: Text(REASON_LIMIT, required=True)


class MinutesInput(Schema):
    minutes: Text(MINUTES_LIMIT, required=True)
    recipients: Text(200, single_line=True) = "州委、州政府"


class AttendanceInput(Schema):
    """One member's row of the sign-in list: `POST /meetings/{id}/attendance` and the desk's form."""

    member: int = Field(gt=0)
    status: PresenceValue  # type: ignore[valid-type]
    half_days: int | None = Field(default=None, ge=0, le=MAX_HALF_DAYS)


class LeaveInput(Schema):
    reason: Text(REASON_LIMIT, required=True)


class LeaveDecisionInput(Schema):
    approve: bool
    answer: Text(REASON_LIMIT) = ""


class SpeechInput(Schema):
    member: int = Field(gt=0)
    kind: SpeechKindValue  # type: ignore[valid-type]
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    text: Text(SPEECH_LIMIT) = ""


class CodeInput(Schema):
    code: Text(12, required=True, single_line=True)


class OutcomeReportInput(Schema):
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    text: Text(SPEECH_LIMIT, required=True)
    sent_on: datetime.date | None = None
    recipients: list[Text(60, required=True, single_line=True)] = Field(min_length=1, max_length=20)  # type: ignore[valid-type]


class FeedbackInput(Schema):
    recipient: int = Field(gt=0)
    feedback: Text(SPEECH_LIMIT, required=True)
    feedback_on: datetime.date | None = None


# --- Guards ---------------------------------------------------------------------------------------


def guard_not_started(step: Step) -> None:
    """A notice goes out before the first day."""
    if step.obj.start_on <= step.today:
        raise Invalid(_("The meeting has already started; a notice can no longer be sent."), detail="started")


def guard_started(step: Step) -> None:
    if step.obj.start_on > step.today:
        raise Invalid(_("A meeting can be recorded as held from its first day (%(date)s).")
                      % {"date": step.obj.start_on.isoformat()}, detail="not_yet")


TRANSITIONS = [
    Transition("update", {S.PLANNED, S.NOTIFIED}, None, {"staff"}, gettext_lazy("save the plan"), input=MeetingInput),
    Transition("notify", {S.PLANNED}, S.NOTIFIED, {"staff"}, gettext_lazy("send the notice"), guard=guard_not_started),
    Transition("send_materials", {S.PLANNED, S.NOTIFIED}, None, {"staff"}, gettext_lazy("record the materials as sent")),
    Transition("hold", {S.NOTIFIED}, S.HELD, {"staff"}, gettext_lazy("record as held"), guard=guard_started),
    Transition("send_minutes", {S.HELD}, S.MINUTES_SENT, {"staff"}, gettext_lazy("send the minutes"), input=MinutesInput),
    Transition("close", {S.MINUTES_SENT}, S.CLOSED, {"staff"}, gettext_lazy("close the record")),
    Transition("cancel", {S.PLANNED, S.NOTIFIED}, S.CANCELLED, {"staff"}, gettext_lazy("cancel"), input=ReasonInput),
]

ACTIONS = tuple(t.action for t in TRANSITIONS)
