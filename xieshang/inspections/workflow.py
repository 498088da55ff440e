"""The two workflows of the app as tables of `xieshang.core.workflow.Transition`s, their state groups and each
action's input schema (the one definition of its fields: the API validates its JSON body with it, the page's form
posts the same names).

Inspections and research (视察 / 考察 / 调研):

    planned ──start──▶ under_way ──draft_report──▶ report_drafted ──send_report──▶ report_sent ──close──▶ closed
       │                  │                          (draft_report again revises it)      (every recommendation
       └──────cancel──────┴──▶ cancelled                                                     answered)
    update (the plan) while planned or under way; set_team and add_visit while planned or under way;
    record_findings while under way or drafted; add_recommendation while under way or drafted;
    answer (a recipient's answer to one recommendation) while the report is sent.

Democratic supervision (民主监督):

    planned ──start──▶ under_way ──report──▶ reported ──close (follow-up)──▶ closed
       │                  │                              (every recommendation answered)
       └──────cancel──────┴──▶ cancelled
    update, set_team while planned or under way; record_findings and add_recommendation (意见建议, the same
    Recommendation as an inspection's) while under way; answer (the body's answer to one recommendation) while
    reported.

Guards decide the button and the action alike: start needs a team; draft_report a visit on the schedule;
send_report a recommendation; close (an inspection and a supervision item alike) every recommendation answered —
a supervision item without recommendations closes; answer (supervision) a recommendation to answer.

Actor relations (selectors.relations_of): staff (office staff, administrators: every action), leader (reads),
lead (the inspection's lead leader: reads), team (a member on the team: reads).
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
    ANSWER_LIMIT, BODY_LIMIT, DOC_NUMBER_LIMIT, PLACE_LIMIT, REASON_LIMIT, RECIPIENTS_LIMIT, RECOMMENDATION_LIMIT,
    TEXT_LIMIT, TITLE_LIMIT, UNITS_LIMIT, InspectionKind, InspectionState, SupervisionState,
)

S = InspectionState
V = SupervisionState

GROUPS: dict[str, frozenset[str]] = {
    "in_plan": frozenset({S.PLANNED, S.UNDER_WAY, S.REPORT_DRAFTED, S.REPORT_SENT, S.CLOSED}),  # not cancelled
    "took_place": frozenset({S.UNDER_WAY, S.REPORT_DRAFTED, S.REPORT_SENT, S.CLOSED}),  # team facts, statistics
    "open": frozenset({S.PLANNED, S.UNDER_WAY, S.REPORT_DRAFTED, S.REPORT_SENT}),
    "sent": frozenset({S.REPORT_SENT, S.CLOSED}),
    "final": frozenset({S.CLOSED, S.CANCELLED}),
}
SUPERVISION_GROUPS: dict[str, frozenset[str]] = {
    "took_place": frozenset({V.UNDER_WAY, V.REPORTED, V.CLOSED}),
    "open": frozenset({V.PLANNED, V.UNDER_WAY, V.REPORTED}),
    "reported": frozenset({V.REPORTED, V.CLOSED}),  # the report went out: its recommendations count (statistics)
    "final": frozenset({V.CLOSED, V.CANCELLED}),
}

KindValue = Literal[tuple(InspectionKind.values)]  # type: ignore[valid-type]
DEFAULT_RECIPIENTS = "州委、州政府"


class InspectionInput(Schema):
    """An inspection's plan: create and update. `lead_leader` a user id (a leader of the committee),
    `special_committee` an id; the planned month 1–12."""

    kind: KindValue  # type: ignore[valid-type]
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    year: int = Field(ge=2000, le=2100)
    planned_month: int = Field(ge=1, le=12)
    purpose: Text(TEXT_LIMIT) = ""
    lead_leader: int | None = Field(default=None, gt=0)
    special_committee: int | None = Field(default=None, gt=0)


class SupervisionInput(Schema):
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    body: Text(BODY_LIMIT, required=True, single_line=True)
    year: int = Field(ge=2000, le=2100)
    purpose: Text(TEXT_LIMIT) = ""
    special_committee: int | None = Field(default=None, gt=0)


class TeamInput(Schema):
    """The whole team at once: `leaders` and `members` (member ids); a member named in both is a leader."""

    leaders: list[int] = Field(default_factory=list, max_length=50)
    members: list[int] = Field(default_factory=list, max_length=200)


class InspectionVisitInput(Schema):
    date: datetime.date
    place: Text(PLACE_LIMIT, required=True, single_line=True)
    units: Text(UNITS_LIMIT, single_line=True) = ""


class FindingsInput(Schema):
    findings: Text(TEXT_LIMIT, required=True)


class InspectionReportInput(Schema):
    report_title: Text(TITLE_LIMIT, required=True, single_line=True)
    report_text: Text(TEXT_LIMIT, required=True)
    author: int | None = Field(default=None, gt=0)  # the member who wrote it (执笔): on the team


class InspectionSendInput(Schema):
    recipients: Text(RECIPIENTS_LIMIT, required=True, single_line=True) = DEFAULT_RECIPIENTS
    sent_on: datetime.date | None = None


class RecommendationInput(Schema):
    text: Text(RECOMMENDATION_LIMIT, required=True)
    recipient: Text(60, required=True, single_line=True) = "州政府"


class RecommendationAnswerInput(Schema):
    recommendation: int = Field(gt=0)
    answer: Text(ANSWER_LIMIT, required=True)
    answered_on: datetime.date | None = None
    adopted: bool


class ReasonInput(Schema):
    reason: Text(REASON_LIMIT, required=True)


class SupervisionReportInput(Schema):
    report_text: Text(TEXT_LIMIT, required=True)
    reported_on: datetime.date | None = None


class FollowUpInput(Schema):
    follow_up: Text(TEXT_LIMIT, required=True)


class SupervisorInput(Schema):
    """A special supervisor's appointment: the member, the body (a handling unit), the term (end after start)."""

    member: int = Field(gt=0)
    unit: int = Field(gt=0)
    requested_on: datetime.date | None = None
    term_start: datetime.date
    term_end: datetime.date
    note: Text(REASON_LIMIT, single_line=True) = ""

    @model_validator(mode="after")
    def _check(self):
        if self.term_end <= self.term_start:
            raise ValueError(_("The term must end after it starts."))
        return self


class SupervisorReportInput(Schema):
    date: datetime.date | None = None
    title: Text(TITLE_LIMIT, required=True, single_line=True)
    text: Text(TEXT_LIMIT, required=True)


class PlanApprovalInput(Schema):
    """The year's plan's approvals (services.plan_approval_record): the chairpersons' meeting's date and document
    number (required), the Party committee's (both or neither)."""

    chair_approved_on: datetime.date
    chair_document: Text(DOC_NUMBER_LIMIT, required=True, single_line=True)
    party_approved_on: datetime.date | None = None
    party_document: Text(DOC_NUMBER_LIMIT, single_line=True) = ""


# --- Guards ---------------------------------------------------------------------------------------


def guard_has_team(step: Step) -> None:
    if not step.obj.team.exists():
        raise Invalid(_("Name the team first."), detail="no_team")


def guard_has_visit(step: Step) -> None:
    if not step.obj.visits.exists():
        raise Invalid(_("Record at least one visit on the schedule first."), detail="no_visit")


def guard_has_recommendation(step: Step) -> None:
    if not step.obj.recommendations.exists():
        raise Invalid(_("Add at least one recommendation to the report first."), detail="no_recommendation")


def guard_has_recommendation_to_answer(step: Step) -> None:
    """A supervision item may report without recommendations: then there is nothing to answer."""
    if not step.obj.recommendations.exists():
        raise Invalid(_("The report has no recommendation to answer."), detail="no_recommendation")


def guard_all_answered(step: Step) -> None:
    open_ = step.obj.recommendations.filter(answered_on__isnull=True).count()
    if open_:
        raise Invalid(_("%(n)d recommendation(s) still wait for an answer.") % {"n": open_}, detail="unanswered")


TRANSITIONS = [
    Transition("update", {S.PLANNED, S.UNDER_WAY}, None, {"staff"}, gettext_lazy("save the plan"), input=InspectionInput),
    Transition("set_team", {S.PLANNED, S.UNDER_WAY}, None, {"staff"}, gettext_lazy("save the team"), input=TeamInput),
    Transition("add_visit", {S.PLANNED, S.UNDER_WAY}, None, {"staff"}, gettext_lazy("add a visit"), input=InspectionVisitInput),
    Transition("start", {S.PLANNED}, S.UNDER_WAY, {"staff"}, gettext_lazy("start"), guard=guard_has_team),
    Transition("record_findings", {S.UNDER_WAY, S.REPORT_DRAFTED}, None, {"staff"}, gettext_lazy("record the findings"),
               input=FindingsInput),
    Transition("add_recommendation", {S.UNDER_WAY, S.REPORT_DRAFTED}, None, {"staff"}, gettext_lazy("add a recommendation"),
               input=RecommendationInput),
    Transition("draft_report", {S.UNDER_WAY, S.REPORT_DRAFTED}, S.REPORT_DRAFTED, {"staff"}, gettext_lazy("save the report"),
               guard=guard_has_visit, input=InspectionReportInput),
    Transition("send_report", {S.REPORT_DRAFTED}, S.REPORT_SENT, {"staff"}, gettext_lazy("send the report"),
               guard=guard_has_recommendation, input=InspectionSendInput),
    Transition("answer", {S.REPORT_SENT}, None, {"staff"}, gettext_lazy("record an answer"), input=RecommendationAnswerInput),
    Transition("close", {S.REPORT_SENT}, S.CLOSED, {"staff"}, gettext_lazy("close"), guard=guard_all_answered),
    Transition("cancel", {S.PLANNED, S.UNDER_WAY}, S.CANCELLED, {"staff"}, gettext_lazy("cancel"), input=ReasonInput),
]

SUPERVISION_TRANSITIONS = [
    Transition("update", {V.PLANNED, V.UNDER_WAY}, None, {"staff"}, gettext_lazy("save the plan"), input=SupervisionInput),
    Transition("set_team", {V.PLANNED, V.UNDER_WAY}, None, {"staff"}, gettext_lazy("save the team"), input=TeamInput),
    Transition("start", {V.PLANNED}, V.UNDER_WAY, {"staff"}, gettext_lazy("start"), guard=guard_has_team),
    Transition("record_findings", {V.UNDER_WAY}, None, {"staff"}, gettext_lazy("record the findings"), input=FindingsInput),
    Transition("add_recommendation", {V.UNDER_WAY}, None, {"staff"}, gettext_lazy("add a recommendation"),
               input=RecommendationInput),
    Transition("report", {V.UNDER_WAY}, V.REPORTED, {"staff"}, gettext_lazy("send the report"), input=SupervisionReportInput),
    Transition("answer", {V.REPORTED}, None, {"staff"}, gettext_lazy("record an answer"),
               guard=guard_has_recommendation_to_answer, input=RecommendationAnswerInput),
    Transition("close", {V.REPORTED}, V.CLOSED, {"staff"}, gettext_lazy("record the follow-up and close"),
               guard=guard_all_answered, input=FollowUpInput),
    Transition("cancel", {V.PLANNED, V.UNDER_WAY}, V.CANCELLED, {"staff"}, gettext_lazy("cancel"), input=ReasonInput),
]

ACTIONS = tuple(t.action for t in TRANSITIONS)
SUPERVISION_ACTIONS = tuple(t.action for t in SUPERVISION_TRANSITIONS)
