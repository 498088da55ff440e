"""Every write of the year's consultation plan (年度协商计划) and its topics (协商议题). Topics and plans move
through the kernel's Machine (`TOPIC_MACHINE`, `PLAN_MACHINE`); the writes beside the tables (issuing the call
with a new plan, submitting a topic) follow the same rules by hand: permission, one transaction, one audit event,
notices after the commit.

Every submitter hears what became of their topic (件件有回音): declined with the reason, merged into another,
in the approved plan, scheduled for a day, held with the meeting's outcome report (services.outcome_report_add
calls `tell_outcome`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit, clock
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid
from xieshang.core.models import Member, Organization, SpecialCommittee
from xieshang.core.notices import Notice
from xieshang.core.selectors import member_of, roles_of
from xieshang.core.services import notify
from xieshang.core.workflow import Machine, Step, as_id, parse_input

from . import plan_selectors as psel
from . import plan_workflow as pwf
from .models import (
    ConsultationPlan, ConsultationTopic, MeetingForm, MeetingKind, PlanState, TopicCall, TopicSource, TopicState,
)
from .search import index_topics
from .selectors import OFFICE_ROLES, url_or_hash

T = TopicState
P = PlanState


# --- Telling the submitters ------------------------------------------------------------------------------------


def _submitters(topics) -> list:
    users = []
    for topic in topics:
        for user in (topic.submitted_by, topic.member.user if topic.member_id and topic.member.user_id else None):
            if user is not None and user.is_active and user not in users:
                users.append(user)
    return users


def _tell(topics, kind: str, title, body="") -> None:
    topics = list(topics)
    if not topics:
        return
    notify(recipients=_submitters(topics), kind=kind, title=title, body=body, url=url_or_hash("consultation:my_topics"),
           committee=topics[0].committee)


def _family(topic) -> list[ConsultationTopic]:
    """The topic and the topics merged into it (their submitters hear of it too)."""
    return [topic, *ConsultationTopic.objects.filter(merged_into=topic).select_related("submitted_by", "member__user")]


def tell_outcome(meeting, report) -> None:
    """The outcome report of a topic's meeting reaches the topic's submitters (and those of topics merged into it)."""
    topic = ConsultationTopic.objects.filter(meeting=meeting).select_related("submitted_by", "member__user").first()
    if topic is not None:
        _tell(_family(topic), "topic.outcome", Notice(gettext_lazy("Consultation held on your topic: %(subject)s"),
                                                       subject=topic.title), report.title)


# --- The plan and its call ---------------------------------------------------------------------------------------


def _require_office(actor, committee) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not roles_of(actor, committee) & OFFICE_ROLES:
        raise Forbidden()


def plan_create(*, actor, committee, data: dict) -> ConsultationPlan:
    """Open a year's plan and issue its call for topics (office staff): `{"year", "deadline", "text"?}`. The call
    goes to every active member (parties and groups through their members, and the office enters topics sent on
    paper). 422 for a deadline in the past, a year already planned or a year before this one."""
    _require_office(actor, committee)
    values = parse_input(pwf.ConsultationPlanInput, data)
    today = clock.today()
    if values.year < today.year:
        raise Invalid(field_errors={"year": [_("The plan is for this year or a later one.")]}, detail="year_in_past")
    if values.deadline < today:
        raise Invalid(field_errors={"deadline": [_("The date cannot be in the past (today is %(date)s).")
                                                 % {"date": today.isoformat()}]}, detail="date_in_past")
    if ConsultationPlan.objects.filter(committee=committee, year=values.year).exists():
        raise Invalid(field_errors={"year": [_("The %(year)s plan exists already.") % {"year": values.year}]},
                      detail="exists")
    with transaction.atomic():
        plan = ConsultationPlan.objects.create(committee=committee, year=values.year, created_by=actor)
        TopicCall.objects.create(plan=plan, committee=committee, year=values.year, deadline=values.deadline,
                                 text=values.text, issued_on=today)
        audit.record(actor=actor, action="plan.create", obj=plan, to_state=plan.state,
                     payload={"deadline": values.deadline.isoformat()})
        users = [m.user for m in Member.objects.filter(committee=committee, is_active=True, user__is_active=True)
                 .select_related("user")]
        notify(recipients=users, kind="topic.call",
               title=Notice(gettext_lazy("Call for consultation topics for %(year)s"), year=values.year),
               body=Notice(gettext_lazy("Send your topics by %(date)s."), date=values.deadline),
               url=url_or_hash("consultation:topic_new"), committee=committee)
    return plan


def _approval(step: Step, earliest, label) -> None:
    pwf.check_approval_date(step, earliest, label)


def _do_approve_chair(step: Step) -> None:
    plan = step.obj
    call = TopicCall.objects.filter(plan=plan).first()
    _approval(step, call.issued_on if call else None, _("the call for topics"))
    plan.chair_approved_on, plan.chair_document = step.input.date, step.input.document
    step.payload.update(date=step.input.date.isoformat(), document=step.input.document)


def _do_approve_party(step: Step) -> None:
    plan = step.obj
    _approval(step, plan.chair_approved_on, _("the chairpersons' meeting"))
    plan.party_approved_on, plan.party_document = step.input.date, step.input.document
    topics = list(ConsultationTopic.objects.select_for_update(of=("self",)).filter(plan=plan, state=T.SHORTLISTED)
                  .select_related("submitted_by", "member__user").order_by("id"))
    for topic in topics:
        topic.state, topic.version, topic.decided_at = T.APPROVED, topic.version + 1, step.now
        topic.save(update_fields=["state", "version", "decided_at"])
        audit.record(actor=step.actor, action="topic.approve", obj=topic, from_state=T.SHORTLISTED, to_state=T.APPROVED,
                     payload={"plan": plan.pk})
        _tell(_family(topic), "topic.approved", Notice(gettext_lazy("Your topic is in the %(year)s consultation plan: "
                                                                    "%(subject)s"), year=plan.year, subject=topic.title))
    step.payload.update(date=step.input.date.isoformat(), document=step.input.document, topics=len(topics))


def _do_reopen(step: Step) -> None:
    plan = step.obj
    plan.chair_approved_on, plan.chair_document = None, ""


PLAN_MACHINE = Machine(
    name="plan",
    model=ConsultationPlan,
    transitions=pwf.PLAN_TRANSITIONS,
    handlers={"approve_chair": _do_approve_chair, "approve_party": _do_approve_party, "reopen": _do_reopen},
    relations=psel.plan_relations,
    can_see=psel.plan_can_see,
    groups=pwf.PLAN_GROUPS,
    state_label=lambda s: str(PlanState(s).label) if s in PlanState.values else s,
)


def plan_act(*, actor, plan, action: str, data: dict | None = None, expected_version=None) -> ConsultationPlan:
    return PLAN_MACHINE.act(actor=actor, obj=plan, action=action, data=data, expected_version=expected_version)


def plan_approve_chair(*, actor, plan, date, document: str, expected_version=None) -> ConsultationPlan:
    return plan_act(actor=actor, plan=plan, action="approve_chair", data={"date": date, "document": document},
                    expected_version=expected_version)


def plan_approve_party(*, actor, plan, date, document: str, expected_version=None) -> ConsultationPlan:
    return plan_act(actor=actor, plan=plan, action="approve_party", data={"date": date, "document": document},
                    expected_version=expected_version)


# --- Topics -------------------------------------------------------------------------------------------------------


def _row(model, committee, pk, field: str, message):
    row = model.objects.filter(committee=committee, pk=as_id(pk) or 0).first() if pk else None
    if row is None:
        raise Invalid(field_errors={field: [message]})
    return row


def _source(actor, committee, values: pwf.TopicInput):
    """(member, organization, special committee) of a new topic, or Forbidden / Invalid: a member in their own
    name; for a party or group its members or the office; for a special committee its members or the office."""
    office = bool(roles_of(actor, committee) & OFFICE_ROLES)
    member = member_of(actor, committee)
    if values.source == TopicSource.MEMBER:
        if member is None:
            raise Forbidden(_("Only members can submit topics in their own name."))
        return member, None, None
    if values.source == TopicSource.ORGANIZATION:
        org = _row(Organization, committee, values.organization, "organization",
                   _("Choose a party or group of this committee."))
        if not (office or (member is not None and member.organization_id == org.pk)):
            raise Forbidden()
        return None, org, None
    sc = _row(SpecialCommittee, committee, values.special_committee, "special_committee",
              _("Choose a special committee of this committee."))
    if not (office or (member is not None and member.special_committees.filter(pk=sc.pk).exists())):
        raise Forbidden()
    return None, None, sc


def _open_plan(committee, year, office: bool) -> ConsultationPlan:
    """The plan a new topic goes to: the year's (or the latest with an open call), still being drawn up; a member
    only until the call's deadline (the office enters topics received on paper until the plan is passed)."""
    today = clock.today()
    plans = ConsultationPlan.objects.filter(committee=committee, state=P.DRAFT).select_related("call")
    plan = plans.filter(year=year).first() if year else plans.filter(call__deadline__gte=today).order_by("-year").first()
    if plan is None and not year:
        plan = plans.order_by("-year").first()
    if plan is None:
        raise Invalid(field_errors={"year": [_("No call for topics is open.")]}, detail="no_call")
    call = getattr(plan, "call", None)
    if not office and (call is None or call.deadline < today):
        raise Invalid(_("The call for topics closed on %(date)s.") % {"date": call.deadline.isoformat() if call else "—"},
                      detail="call_closed")
    return plan


def topic_submit(*, actor, committee, data: dict) -> ConsultationTopic:
    """A topic for the year's plan (see TopicInput). 403 for a user who may not speak for the source; 422 with
    fields for bad input or a closed call."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not roles_of(actor, committee):
        raise Forbidden()
    values = parse_input(pwf.TopicInput, data)
    member, org, sc = _source(actor, committee, values)
    sponsor = (_row(SpecialCommittee, committee, values.sponsor, "sponsor",
                    _("Choose a special committee of this committee.")) if values.sponsor else None)
    office = bool(roles_of(actor, committee) & OFFICE_ROLES)
    with transaction.atomic():
        plan = _open_plan(committee, values.year, office)
        topic = ConsultationTopic.objects.create(
            committee=committee, plan=plan, year=plan.year, title=values.title, reason=values.reason, form=values.form,
            sponsor=sponsor, source=values.source, member=member, organization=org, special_committee=sc,
            submitted_by=actor, submitted_at=clock.now())
        index_topics(topic)
        audit.record(actor=actor, action="topic.create", obj=topic, to_state=topic.state,
                     payload={"source": values.source, "plan": plan.pk})
    return topic


def _do_shortlist(step: Step) -> None:
    step.obj.month, step.obj.decided_at = step.input.month, step.now
    step.payload["month"] = step.input.month


def _do_arrange(step: Step) -> None:
    topic, values = step.obj, step.input
    sponsor = (_row(SpecialCommittee, topic.committee_id, values.sponsor, "sponsor",
                    _("Choose a special committee of this committee.")) if values.sponsor else None)
    before = {"month": topic.month, "form": topic.form, "sponsor": topic.sponsor_id}
    topic.month, topic.form, topic.sponsor = values.month, values.form, sponsor
    step.payload["changes"] = audit.changes(before, {"month": topic.month, "form": topic.form,
                                                     "sponsor": topic.sponsor_id}, ("month", "form", "sponsor"))


def _do_reconsider(step: Step) -> None:
    step.obj.month = None


def _do_decline(step: Step) -> None:
    topic = step.obj
    topic.decline_reason, topic.decided_at = step.input.reason, step.now
    step.payload["reason"] = step.input.reason
    _tell([topic], "topic.declined", Notice(gettext_lazy("Your topic was not taken up: %(subject)s"),
                                             subject=topic.title), step.input.reason)


def _do_merge(step: Step) -> None:
    topic = step.obj
    target = psel.merge_targets(topic).select_for_update().filter(pk=step.input.into).first()
    if target is None:
        raise Invalid(field_errors={"into": [_("Choose another topic of the same year, received or shortlisted.")]},
                      detail="bad_target")
    ConsultationTopic.objects.filter(merged_into=topic).update(merged_into=target)  # a chain points to the last
    topic.merged_into, topic.decided_at = target, step.now
    step.payload.update(into=target.pk, title=target.title)
    _tell([topic], "topic.merged", Notice(gettext_lazy("Your topic was merged into: %(subject)s"), subject=target.title))


def _invitees(topic: ConsultationTopic, chosen: list[int]) -> list[int]:
    members = Member.objects.filter(committee_id=topic.committee_id, is_active=True)
    if chosen:
        return chosen
    if topic.form == MeetingForm.PLENARY_THEMATIC:
        return list(members.values_list("pk", flat=True))
    if topic.form == MeetingForm.STANDING_THEMATIC:
        return list(members.filter(is_standing_committee_member=True).values_list("pk", flat=True))
    if topic.sponsor_id:
        return list(members.filter(special_committees=topic.sponsor_id).values_list("pk", flat=True))
    return []


def _do_schedule(step: Step) -> None:
    from .services import meeting_create

    topic, values = step.obj, step.input
    if values.start_on.year != topic.year:
        raise Invalid(field_errors={"start_on": [_("The meeting takes place in the plan's year (%(year)s).")
                                                 % {"year": topic.year}]}, detail="wrong_year")
    meeting = meeting_create(actor=step.actor, committee=topic.committee, data={
        "kind": MeetingKind.CONSULTATION, "form": topic.form, "title": values.title or topic.title,
        "start_on": values.start_on, "end_on": values.end_on, "half_days": values.half_days, "place": values.place,
        "notice": values.notice, "members": _invitees(topic, values.members)})
    topic.meeting = meeting
    step.payload.update(meeting=meeting.pk, start_on=values.start_on.isoformat())
    _tell(_family(topic), "topic.scheduled", Notice(gettext_lazy("Your topic is scheduled for %(date)s: %(subject)s"),
                                                    date=values.start_on, subject=topic.title))


def _do_withdraw(step: Step) -> None:
    step.obj.decided_at = step.now


TOPIC_MACHINE = Machine(
    name="topic",
    model=ConsultationTopic,
    transitions=pwf.TOPIC_TRANSITIONS,
    handlers={"shortlist": _do_shortlist, "arrange": _do_arrange, "reconsider": _do_reconsider,
              "decline": _do_decline, "merge": _do_merge, "schedule": _do_schedule, "withdraw": _do_withdraw},
    relations=psel.topic_relations,
    can_see=psel.topic_can_see,
    groups=pwf.TOPIC_GROUPS,
    after_save=index_topics,
    state_label=lambda s: str(TopicState(s).label) if s in TopicState.values else s,
)


def topic_act(*, actor, topic, action: str, data: dict | None = None, expected_version=None) -> ConsultationTopic:
    """Any topic action (the API's `/consultation/topics/{id}/actions/{action}` and the topic desk)."""
    return TOPIC_MACHINE.act(actor=actor, obj=topic, action=action, data=data, expected_version=expected_version)


def topic_shortlist(*, actor, topic, month: int, expected_version=None) -> ConsultationTopic:
    return topic_act(actor=actor, topic=topic, action="shortlist", data={"month": month},
                     expected_version=expected_version)


def topic_decline(*, actor, topic, reason: str, expected_version=None) -> ConsultationTopic:
    return topic_act(actor=actor, topic=topic, action="decline", data={"reason": reason},
                     expected_version=expected_version)


def topics_merge(*, actor, into, topics) -> ConsultationTopic:
    """Merge several topics into one (each in id order, in one transaction); the merged ones point to it."""
    with transaction.atomic():
        for topic in sorted(topics, key=lambda t: as_id(t) or 0):
            if as_id(topic) == as_id(into):
                raise IllegalTransition(_("A topic cannot be merged into itself."), detail="self")
            topic_act(actor=actor, topic=topic, action="merge", data={"into": as_id(into)})
    return ConsultationTopic.objects.get(pk=as_id(into))


def topic_schedule(*, actor, topic, data: dict, expected_version=None) -> ConsultationTopic:
    return topic_act(actor=actor, topic=topic, action="schedule", data=data, expected_version=expected_version)


def topic_withdraw(*, actor, topic, expected_version=None) -> ConsultationTopic:
    return topic_act(actor=actor, topic=topic, action="withdraw", expected_version=expected_version)

