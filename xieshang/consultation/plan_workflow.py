"""The workflows of the year's consultation plan (年度协商计划) and its topics (协商议题), as tables of
`xieshang.core.workflow.Transition`s, their state groups and each action's input schema.

Topic:

    submitted ──shortlist (month)──▶ shortlisted ──(the plan approved)──▶ approved ──schedule──▶ scheduled
       │  ▲                              │
       │  └────────reconsider────────────┤
       ├──decline (reason)──▶ declined ◀─┤          arrange (month, form, sponsor) while shortlisted
       ├──merge (into)──▶ merged ◀───────┘
       └──withdraw (the submitter)──▶ withdrawn

  shortlist, reconsider, decline, merge and arrange only while the year's plan is being drawn up; a topic moves
  from shortlisted to approved when the Party committee approves the plan (the plan's handler, not an action).

Plan:

    draft ──approve_chair (date, document)──▶ chair_approved ──approve_party (date, document)──▶ approved
      ▲                                              │
      └──────────────────reopen──────────────────────┘

  approve_chair: no topic still waiting for a decision, at least one shortlisted; dates not in the future and
  in order (the Party committee's not before the chairpersons' meeting's).

Actor relations (plan_selectors): staff (office staff, administrators), leader (reads), author (the user who
submitted the topic, or the member it names).
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import Field, model_validator

from xieshang.core.errors import IllegalTransition, Invalid
from xieshang.core.text import Text
from xieshang.core.workflow import Step, Transition

from .models import (
    CALL_TEXT_LIMIT, DOC_NUMBER_LIMIT, MAX_HALF_DAYS, NOTICE_LIMIT, PLACE_LIMIT, REASON_LIMIT, TITLE_LIMIT,
    TOPIC_REASON_LIMIT, TOPIC_TITLE_LIMIT, MeetingForm, PlanState, TopicSource, TopicState,
)
from .workflow import days_in_order

T = TopicState
P = PlanState

TOPIC_GROUPS: dict[str, frozenset[str]] = {
    "open": frozenset({T.SUBMITTED}),  # waiting for the office
    "planned": frozenset({T.SHORTLISTED, T.APPROVED, T.SCHEDULED}),  # on the plan board
    "approved": frozenset({T.APPROVED, T.SCHEDULED}),  # in the approved plan (statistics)
    "received": frozenset({T.SUBMITTED, T.SHORTLISTED, T.APPROVED, T.SCHEDULED, T.MERGED, T.DECLINED}),
    "final": frozenset({T.MERGED, T.DECLINED, T.WITHDRAWN}),
}
PLAN_GROUPS: dict[str, frozenset[str]] = {
    "draft": frozenset({P.DRAFT}),
    "approved": frozenset({P.APPROVED}),
}

FormValue = Literal[tuple(MeetingForm.values)]  # type: ignore[valid-type]
SourceValue = Literal[tuple(TopicSource.values)]  # type: ignore[valid-type]


class ConsultationPlanInput(Schema):
    """A new year's plan and its call for topics: `{"year", "deadline", "text"?}` (the deadline not in the past)."""

    year: int = Field(ge=2000, le=2200)
    deadline: datetime.date
    text: Text(CALL_TEXT_LIMIT) = ""


class TopicInput(Schema):
    """A topic: `{"title", "reason", "form", "sponsor"?, "source": member|organization|special_committee,
    "organization"? , "special_committee"?, "year"?}` (the year: the one whose call is open)."""

    title: Text(TOPIC_TITLE_LIMIT, required=True, single_line=True)
    reason: Text(TOPIC_REASON_LIMIT, required=True)
    form: FormValue  # type: ignore[valid-type]
    sponsor: int | None = Field(default=None, gt=0)
    source: SourceValue = "member"  # type: ignore[valid-type]
    organization: int | None = Field(default=None, gt=0)
    special_committee: int | None = Field(default=None, gt=0)
    year: int | None = Field(default=None, ge=2000, le=2200)


class ShortlistInput(Schema):
    month: int = Field(ge=1, le=12)


class ArrangeInput(Schema):
    month: int = Field(ge=1, le=12)
    form: FormValue  # type: ignore[valid-type]
    sponsor: int | None = Field(default=None, gt=0)


class DeclineInput(Schema):
    reason: Text(REASON_LIMIT, required=True)


class MergeInput(Schema):
    into: int = Field(gt=0)


class ScheduleInput(Schema):
    """The meeting for an approved topic (of the topic's form): dates, half-days, place, invited members."""

    title: Text(TITLE_LIMIT, single_line=True) = ""
    start_on: datetime.date
    end_on: datetime.date | None = None
    half_days: int = Field(default=1, ge=0, le=MAX_HALF_DAYS)
    place: Text(PLACE_LIMIT, single_line=True) = ""
    notice: Text(NOTICE_LIMIT) = ""
    members: list[int] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _check(self):
        days_in_order(self)
        return self


class ApprovalInput(Schema):
    """An approval of the plan: the day and the document number (纪要 / 批复文号)."""

    date: datetime.date
    document: Text(DOC_NUMBER_LIMIT, required=True, single_line=True)


# --- Guards ----------------------------------------------------------------------------------------------


def guard_plan_draft(step: Step) -> None:
    """Topics are decided while the year's plan is being drawn up."""
    if step.obj.plan.state != P.DRAFT:
        raise IllegalTransition(_("The %(year)s plan has been passed; its topics can no longer change.")
                                % {"year": step.obj.year}, detail="plan_passed")


def guard_may_merge(step: Step) -> None:
    guard_plan_draft(step)
    if step.checking:
        from .plan_selectors import merge_targets

        if not merge_targets(step.obj).exists():
            raise IllegalTransition(_("There is no other topic of the year to merge it into."), detail="no_target")


def guard_ready_for_chair(step: Step) -> None:
    from .models import ConsultationTopic

    waiting = ConsultationTopic.objects.filter(plan=step.obj, state=T.SUBMITTED).count()
    if waiting:
        raise IllegalTransition(_("%(n)d topics still wait for a decision: shortlist, merge or decline them first.")
                                % {"n": waiting}, detail="topics_waiting")
    if not ConsultationTopic.objects.filter(plan=step.obj, state=T.SHORTLISTED).exists():
        raise IllegalTransition(_("Shortlist at least one topic first."), detail="no_topics")


def check_approval_date(step: Step, earliest: datetime.date | None, earliest_label) -> None:
    day = step.input.date
    if day > step.today:
        raise Invalid(field_errors={"date": [_("The date cannot be in the future (today is %(date)s).")
                                             % {"date": step.today.isoformat()}]}, detail="date_in_future")
    if earliest is not None and day < earliest:
        raise Invalid(field_errors={"date": [_("The date cannot be before %(what)s (%(date)s).")
                                             % {"what": earliest_label, "date": earliest.isoformat()}]},
                      detail="dates_out_of_order")


TOPIC_TRANSITIONS = [
    Transition("shortlist", {T.SUBMITTED}, T.SHORTLISTED, {"staff"}, gettext_lazy("shortlist"),
               guard=guard_plan_draft, input=ShortlistInput),
    Transition("arrange", {T.SHORTLISTED}, None, {"staff"}, gettext_lazy("save the month and form"),
               guard=guard_plan_draft, input=ArrangeInput),
    Transition("reconsider", {T.SHORTLISTED}, T.SUBMITTED, {"staff"}, gettext_lazy("take off the shortlist"),
               guard=guard_plan_draft),
    Transition("decline", {T.SUBMITTED, T.SHORTLISTED}, T.DECLINED, {"staff"}, gettext_lazy("decline"),
               guard=guard_plan_draft, input=DeclineInput),
    Transition("merge", {T.SUBMITTED, T.SHORTLISTED}, T.MERGED, {"staff"}, gettext_lazy("merge into another topic"),
               guard=guard_may_merge, input=MergeInput),
    Transition("schedule", {T.APPROVED}, T.SCHEDULED, {"staff"}, gettext_lazy("schedule the meeting"),
               input=ScheduleInput),
    Transition("withdraw", {T.SUBMITTED}, T.WITHDRAWN, {"author"}, gettext_lazy("withdraw"), guard=guard_plan_draft),
]

PLAN_TRANSITIONS = [
    Transition("approve_chair", {P.DRAFT}, P.CHAIR_APPROVED, {"staff"},
               gettext_lazy("record the chairpersons' meeting's approval"), guard=guard_ready_for_chair,
               input=ApprovalInput),
    Transition("approve_party", {P.CHAIR_APPROVED}, P.APPROVED, {"staff"},
               gettext_lazy("record the Party committee's approval"), input=ApprovalInput),
    Transition("reopen", {P.CHAIR_APPROVED}, P.DRAFT, {"staff"}, gettext_lazy("reopen the draft")),
]

TOPIC_ACTIONS = tuple(t.action for t in TOPIC_TRANSITIONS)
PLAN_ACTIONS = tuple(t.action for t in PLAN_TRANSITIONS)
