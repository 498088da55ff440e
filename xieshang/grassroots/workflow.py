"""The demand and activity workflows as tables of `xieshang.core.workflow.Transition`s, their state groups
and each action's input schema (the one definition of its fields: the API validates its JSON body with it,
the page's form posts the same names).

Demand (诉求):

    received ──accept──▶ accepted ──refer──▶ referred ──answer (unit)──▶ answered ──confirm (satisfied)──▶ closed
       │  │                │   ▲               │                         │   │
       │  │                │   └─return (unit)─┘                         │   └─confirm (not satisfied, once)─▶
       │  │                │                                              │      back to referred / accepted
       │  │                ├──convert──▶ converted ──answer──▶ answered   └─close (keeper, after the quiet
       │  │                └──answer (on the spot)──▶ answered              period without confirmation)
       │  └──refer / convert / answer (straight from received)
       └──decline (with a reason the citizen sees) ──▶ declined

Actor relations (selectors.demand_relations):
  keeper   a station role bound to the demand's place
  unit     a unit role bound to the unit the demand is referred to
  staff    office staff or administrator of the committee
  leader   a leader of the committee (reads)
  recorder the member who recorded it (reads)
  citizen  the public, holding the tracking code (`selectors.Citizen`)
  system   the scheduler

Activity (协商议事活动, 接待日): planned ──publish──▶ published ──hold──▶ held ──close──▶ closed;
cancel from planned or published; update (the plan) before it is held; record (attendance, minutes) once held.
  organiser  a keeper of the activity's place, or staff bound to its special committee
  staff      office staff or administrator;  leader  reads;  invited  an invited member (reads)
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import Field, field_validator, model_validator

from xieshang.core import categories
from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.text import COMMENT_MAX, Text
from xieshang.core.workflow import Step, Transition

from .models import (
    ANSWER_LIMIT, MINUTES_LIMIT, TEXT_LIMIT, TOPIC_LIMIT, ActivityKind, ActivityState, DemandState,
)

D = DemandState
A = ActivityState

# --- State groups (declared once; lists, boards, statistics and the API read these) -----------------

DEMAND_GROUPS: dict[str, frozenset[str]] = {
    # the place holds it (the station board's "to handle")
    "at_place": frozenset({D.RECEIVED, D.ACCEPTED, D.CONVERTED}),
    # a unit holds it (the unit's inbox)
    "at_unit": frozenset({D.REFERRED}),
    # not yet answered
    "open": frozenset({D.RECEIVED, D.ACCEPTED, D.REFERRED, D.CONVERTED}),
    # an answer was given (statistics: "answered")
    "answered": frozenset({D.ANSWERED, D.CLOSED}),
    # no move leaves these
    "final": frozenset({D.DECLINED, D.CLOSED}),
}

ACTIVITY_GROUPS: dict[str, frozenset[str]] = {
    "upcoming": frozenset({A.PLANNED, A.PUBLISHED}),
    "public": frozenset({A.PUBLISHED, A.HELD, A.CLOSED}),
    "held": frozenset({A.HELD, A.CLOSED}),
    "final": frozenset({A.CLOSED, A.CANCELLED}),
}

ActivityKindValue = Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]


# --- Input schemas ---------------------------------------------------------------------------------------


class NoInput(Schema):
    pass


class ReasonInput(Schema):
    reason: Text(1000, required=True)


class ReferInput(Schema):
    """refer: the handling unit (its id) and, optionally, a due date other than the timer's."""

    unit: int = Field(gt=0)
    due_on: datetime.date | None = None
    note: Text(COMMENT_MAX) = ""


class ConvertInput(Schema):
    """convert: a proposal draft or an opinion report draft for a member (the member's id)."""

    to: Literal["proposal", "opinion"]
    member: int = Field(gt=0)


class AnswerInput(Schema):
    text: Text(ANSWER_LIMIT, required=True)


class ConfirmInput(Schema):
    satisfied: bool
    comment: Text(1000) = ""


class ClassifyInput(Schema):
    category: categories.Code()  # the committee's own list


class PublishInput(Schema):
    """publish: the summary shown on the portal beside the answer (no names, no phone numbers)."""

    summary: Text(500, required=True)


class DemandInput(Schema):
    """A demand recorded by a keeper or member (`POST /api/v1/demands`, the record form)."""

    text: Text(TEXT_LIMIT, required=True)
    category: categories.Code(required=False) = None  # the committee's own list; none: its default
    phone: Text(20, single_line=True) = ""
    name: Text(40, single_line=True) = ""
    place: int | None = Field(default=None, gt=0)
    activity: int | None = Field(default=None, gt=0)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return check_phone(value, required=False)


class PublicDemandInput(Schema):
    """A demand from the public portal: confirmed phone (the SMS code) and the text; name optional."""

    phone: Text(20, required=True, single_line=True)
    code: Text(8, required=True, single_line=True)
    text: Text(TEXT_LIMIT, required=True)
    category: categories.Code(required=False) = None  # the committee's own list; none: its default
    name: Text(40, single_line=True) = ""
    place: int | None = Field(default=None, gt=0)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return check_phone(value, required=True)


class PhoneInput(Schema):
    phone: Text(20, required=True, single_line=True)
    purpose: Literal["submit", "follow"] = "submit"

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return check_phone(value, required=True)


def check_phone(value: str, *, required: bool) -> str:
    """A mainland mobile number: 11 digits starting with 1 (spaces, dashes and +86 are dropped), kept in ASCII
    digits (full-width ones, as a Chinese keyboard may type them, are the same number: one key for the limits)."""
    import unicodedata

    digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ("x" if ch.isdigit() else "")
                     for ch in (value or ""))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        if required:
            raise ValueError(_("Enter a mobile phone number."))
        return ""
    if len(digits) != 11 or not digits.startswith("1") or not digits.isdigit():
        raise ValueError(_("Enter an 11-digit mobile phone number."))
    return digits


class PlanInput(Schema):
    """An activity's plan: create and update (before it is held)."""

    kind: ActivityKindValue = ActivityKind.CONSULTATION  # type: ignore[valid-type]
    topic: Text(TOPIC_LIMIT, required=True, single_line=True)
    notice: Text(4000) = ""
    date: datetime.date
    start_time: datetime.time | None = None
    location: Text(120, single_line=True) = ""
    citizens_invited: Text(200, single_line=True) = ""
    members: list[int] = Field(default_factory=list, max_length=500)
    units: list[int] = Field(default_factory=list, max_length=200)
    place: int | None = Field(default=None, gt=0)
    special_committee: int | None = Field(default=None, gt=0)


class RecordInput(Schema):
    """hold / record: who came (member ids present; the other invited members absent, or on leave when
    listed in `leave`), how many citizens, which departments, the minutes."""

    present: list[int] = Field(default_factory=list, max_length=500)
    leave: list[int] = Field(default_factory=list, max_length=500)
    citizens_count: int = Field(default=0, ge=0, le=100000)
    units_present: list[int] = Field(default_factory=list, max_length=200)
    minutes: Text(MINUTES_LIMIT) = ""

    @model_validator(mode="after")
    def _disjoint(self):
        if set(self.present) & set(self.leave):
            raise ValueError(_("A member cannot be both present and on leave."))
        return self


class OutcomeInput(Schema):
    text: Text(500, required=True)
    owner_kind: Literal["unit", "committee", "member"]
    owner_unit: int | None = Field(default=None, gt=0)
    owner_member: int | None = Field(default=None, gt=0)
    due_on: datetime.date | None = None

    @model_validator(mode="after")
    def _owner(self):
        if self.owner_kind == "unit" and not self.owner_unit:
            raise ValueError(_("Choose the handling unit that owns this outcome."))
        if self.owner_kind == "member" and not self.owner_member:
            raise ValueError(_("Choose the member who owns this outcome."))
        return self


class PlaceInput(Schema):
    """A place (staff): create and update."""

    kind: Literal["station", "member_studio", "sector_studio"] = "station"
    name: Text(80, required=True, single_line=True)
    county: Text(40, required=True, single_line=True)
    township: Text(60, single_line=True) = ""
    address: Text(120, single_line=True) = ""
    special_committee: int | None = Field(default=None, gt=0)
    reception_days: Text(40, single_line=True) = ""
    on_duty: int = Field(default=2, ge=0, le=20)
    opening_hours: Text(60, single_line=True) = ""
    phone: Text(30, single_line=True) = ""
    public: bool = True
    members: list[int] = Field(default_factory=list, max_length=200)

    @field_validator("reception_days")
    @classmethod
    def _days(cls, value: str) -> str:
        parts = [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
        days = []
        for part in parts:
            if not part.isdigit() or not 1 <= int(part) <= 31:
                raise ValueError(_("Write the days of the month as numbers from 1 to 31, separated by commas."))
            days.append(int(part))
        return ",".join(str(d) for d in sorted(set(days)))


# --- Guards ----------------------------------------------------------------------------------------------


def guard_answerer(step: Step) -> None:
    """A referred demand is answered by its unit (or staff); any other by the place (or staff)."""
    if "staff" in step.relations:
        return
    if step.obj.state == D.REFERRED:
        if "unit" not in step.relations:
            raise Forbidden(_("The unit the demand is referred to answers it."))
    elif "keeper" not in step.relations:
        raise Forbidden()


def guard_quiet_period(step: Step) -> None:
    """An answer the citizen has not confirmed may be closed once the quiet period has passed."""
    from xieshang.core import timers

    demand = step.obj
    if demand.answered_on is None:
        raise Invalid(_("The demand has no answer yet."))
    until = timers.deadline(demand.committee_id, "demand.quiet", demand.answered_on)
    if step.today < until and "citizen" not in step.relations:
        raise Invalid(
            _("The citizen may still confirm the answer; it can be closed from %(date)s.")
            % {"date": until.isoformat()},
            detail="quiet_period",
        )


def guard_not_published(step: Step) -> None:
    if step.obj.public:
        raise Invalid(_("The answer is already published."), detail="published")


def guard_published(step: Step) -> None:
    if not step.obj.public:
        raise Invalid(_("The answer is not published."), detail="not_published")


def guard_in_the_past_or_today(step: Step) -> None:
    if step.obj.date > step.today:
        raise Invalid(_("An activity can be recorded as held on or after its date."), detail="not_yet")



DEMAND_TRANSITIONS = [
    Transition("accept", {D.RECEIVED}, D.ACCEPTED, {"keeper", "staff"}, gettext_lazy("accept")),
    Transition("decline", {D.RECEIVED, D.ACCEPTED}, D.DECLINED, {"keeper", "staff"}, gettext_lazy("decline"), input=ReasonInput),
    Transition("refer", {D.RECEIVED, D.ACCEPTED}, D.REFERRED, {"keeper", "staff"}, gettext_lazy("refer to a unit"), input=ReferInput),
    Transition("return", {D.REFERRED}, D.ACCEPTED, {"unit", "staff"}, gettext_lazy("return to the place"), input=ReasonInput),
    Transition("convert", {D.RECEIVED, D.ACCEPTED}, D.CONVERTED, {"keeper", "staff"},
               gettext_lazy("turn into a member's draft"), input=ConvertInput),
    Transition("answer", {D.RECEIVED, D.ACCEPTED, D.REFERRED, D.CONVERTED}, D.ANSWERED, {"keeper", "unit", "staff"},
               gettext_lazy("answer"), guard=guard_answerer, input=AnswerInput),
    Transition("confirm", {D.ANSWERED}, None, {"citizen", "keeper", "staff"}, gettext_lazy("record the citizen's verdict"),
               input=ConfirmInput),
    Transition("close", {D.ANSWERED}, D.CLOSED, {"keeper", "staff"}, gettext_lazy("close without confirmation"),
               guard=guard_quiet_period),
    Transition("classify", {D.RECEIVED, D.ACCEPTED, D.REFERRED, D.CONVERTED}, None, {"keeper", "staff"},
               gettext_lazy("change the category"), input=ClassifyInput),
    Transition("publish", {D.ANSWERED, D.CLOSED}, None, {"keeper", "staff"}, gettext_lazy("publish on the portal"),
               guard=guard_not_published, input=PublishInput),
    Transition("unpublish", {D.ANSWERED, D.CLOSED}, None, {"keeper", "staff"}, gettext_lazy("withdraw from the portal"),
               guard=guard_published),
]

ACTIVITY_TRANSITIONS = [
    Transition("update", {A.PLANNED, A.PUBLISHED}, None, {"organiser", "staff"}, gettext_lazy("save the plan"), input=PlanInput),
    Transition("publish", {A.PLANNED}, A.PUBLISHED, {"organiser", "staff"}, gettext_lazy("publish the notice")),
    Transition("hold", {A.PLANNED, A.PUBLISHED}, A.HELD, {"organiser", "staff"}, gettext_lazy("record as held"),
               guard=guard_in_the_past_or_today, input=RecordInput),
    Transition("record", {A.HELD}, None, {"organiser", "staff"}, gettext_lazy("correct the record"), input=RecordInput),
    Transition("close", {A.HELD}, A.CLOSED, {"organiser", "staff"}, gettext_lazy("close the record")),
    Transition("cancel", {A.PLANNED, A.PUBLISHED}, A.CANCELLED, {"organiser", "staff"}, gettext_lazy("cancel"), input=ReasonInput),
]
