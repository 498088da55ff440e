"""Every read of the plan and its topics that depends on who asks (the permission chokepoint; hidden → 404).

  office staff, administrators and leaders: every plan and topic of the committee;
  the submitter of a topic (the user who sent it, or the member it names): that topic, and what became of it;
  anybody else: none.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xieshang.core.errors import NotFound
from xieshang.core.models import Role
from xieshang.core.selectors import member_of, roles_of
from xieshang.core.workflow import as_id

from . import plan_workflow as pwf
from .models import ConsultationPlan, ConsultationTopic, MeetingForm, OutcomeReport, TopicState
from .selectors import OFFICE_ROLES, READER_ROLES, url_or_hash

T = TopicState


def _cid(committee):
    return getattr(committee, "pk", committee)


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_author(user, topic: ConsultationTopic) -> bool:
    if not _authed(user):
        return False
    if topic.submitted_by_id == user.pk:
        return True
    member = member_of(user, topic.committee_id) if topic.member_id else None
    return member is not None and member.pk == topic.member_id


def topic_relations(user, topic: ConsultationTopic) -> set[str]:
    if user is None:
        return {"system"}
    if not _authed(user):
        return set()
    roles = roles_of(user, topic.committee_id)
    relations = set()
    if roles & OFFICE_ROLES:
        relations.add("staff")
    if Role.LEADER in roles:
        relations.add("leader")
    if is_author(user, topic):
        relations.add("author")
    return relations


def topic_can_see(user, topic: ConsultationTopic) -> bool:
    return user is None or bool(topic_relations(user, topic) & {"staff", "leader", "author"})


def plan_relations(user, plan: ConsultationPlan) -> set[str]:
    if user is None:
        return {"system"}
    if not _authed(user):
        return set()
    roles = roles_of(user, plan.committee_id)
    return ({"staff"} if roles & OFFICE_ROLES else set()) | ({"leader"} if Role.LEADER in roles else set())


def plan_can_see(user, plan: ConsultationPlan) -> bool:
    return user is None or bool(plan_relations(user, plan))


def topics_visible_to(user, committee) -> QuerySet[ConsultationTopic]:
    qs = ConsultationTopic.objects.filter(committee_id=_cid(committee))
    if not _authed(user) or committee is None:
        return qs.none()
    if roles_of(user, committee) & READER_ROLES:
        return qs
    member = member_of(user, committee)
    own = Q(submitted_by=user) | (Q(member=member) if member is not None else Q(pk__in=[]))
    return qs.filter(own)


def topic_get(user, committee, pk) -> ConsultationTopic:
    pk = as_id(pk)
    topic = (topics_visible_to(user, committee).select_related("plan", "member", "organization", "special_committee",
                                                               "sponsor", "merged_into", "meeting").filter(pk=pk).first()
             if pk else None)
    if topic is None:
        raise NotFound()
    return topic


def plans_visible_to(user, committee) -> QuerySet[ConsultationPlan]:
    qs = ConsultationPlan.objects.filter(committee_id=_cid(committee))
    if not _authed(user) or committee is None or not roles_of(user, committee) & READER_ROLES:
        return qs.none()
    return qs


def plan_get(user, committee, pk) -> ConsultationPlan:
    pk = as_id(pk)
    plan = plans_visible_to(user, committee).filter(pk=pk).first() if pk else None
    if plan is None:
        raise NotFound()
    return plan


def plan_of_year(user, committee, year: int) -> ConsultationPlan | None:
    return plans_visible_to(user, committee).filter(year=year).select_related("call").first()


def merge_targets(topic: ConsultationTopic) -> QuerySet[ConsultationTopic]:
    """The topics of the same plan `topic` may be merged into (received or shortlisted, not itself)."""
    return ConsultationTopic.objects.filter(plan_id=topic.plan_id, state__in=[T.SUBMITTED, T.SHORTLISTED]).exclude(
        pk=topic.pk).order_by("id")


def topic_actions(user, topic):
    from .plan_services import TOPIC_MACHINE

    return TOPIC_MACHINE.available(user, topic)


def plan_actions(user, plan):
    from .plan_services import PLAN_MACHINE

    return PLAN_MACHINE.available(user, plan)


def with_list_data(qs: QuerySet[ConsultationTopic]) -> QuerySet[ConsultationTopic]:
    return qs.select_related("member", "organization", "special_committee", "sponsor", "merged_into", "meeting")


def outcome_of(topic: ConsultationTopic, reports=None) -> dict:
    """What became of the topic, as its submitter reads it: {"key", "text", "meeting", "reports"}.
    `reports`: the meeting's outcome reports when the caller fetched them already."""
    out = {"key": topic.state, "text": "", "meeting": None, "reports": []}
    if topic.state == T.DECLINED:
        out["text"] = _("Not taken up: %(reason)s") % {"reason": topic.decline_reason}
    elif topic.state == T.MERGED:
        out["text"] = _("Merged into “%(title)s”") % {"title": topic.merged_into.title if topic.merged_into_id else "—"}
    elif topic.state == T.WITHDRAWN:
        out["text"] = _("You withdrew it.")
    elif topic.state == T.SUBMITTED:
        out["text"] = _("Received; the office will decide.")
    elif topic.state == T.SHORTLISTED:
        out["text"] = _("Shortlisted for the %(year)s plan.") % {"year": topic.year}
    elif topic.state == T.APPROVED:
        out["text"] = _("In the %(year)s plan (month %(month)s).") % {"year": topic.year, "month": topic.month}
    elif topic.state == T.SCHEDULED and topic.meeting_id:
        meeting = topic.meeting
        out["meeting"] = meeting
        from .workflow import GROUPS

        if meeting.state in GROUPS["held"]:
            out["key"] = "held"
            out["reports"] = list(reports if reports is not None else
                                  OutcomeReport.objects.filter(meeting=meeting).order_by("id"))
            out["text"] = _("Held on %(date)s.") % {"date": meeting.start_on.isoformat()}
        elif meeting.state == "cancelled":
            out["key"] = "cancelled"
            out["text"] = _("The meeting was cancelled: %(reason)s") % {"reason": meeting.cancel_reason}
        else:
            out["text"] = _("Scheduled for %(date)s.") % {"date": meeting.start_on.isoformat()}
    return out


def my_topics(user, committee) -> list[dict]:
    """The topics the user submitted (or that name them), newest first, each with what became of it — three
    queries."""
    if not _authed(user) or committee is None:
        return []
    member = member_of(user, committee)
    own = Q(submitted_by=user) | (Q(member=member) if member is not None else Q(pk__in=[]))
    topics = list(with_list_data(ConsultationTopic.objects.filter(committee_id=_cid(committee)).filter(own))
                  .order_by("-year", "-id"))
    meeting_ids = [t.meeting_id for t in topics if t.meeting_id]
    reports: dict[int, list] = {}
    for r in OutcomeReport.objects.filter(meeting_id__in=meeting_ids).order_by("id"):
        reports.setdefault(r.meeting_id, []).append(r)
    return [{"topic": t, "outcome": outcome_of(t, reports.get(t.meeting_id, []))} for t in topics]


def board(plan: ConsultationPlan) -> dict:
    """The plan board: months 1–12 × forms, each cell the planned topics (with their meetings) — one query."""
    topics = list(with_list_data(ConsultationTopic.objects.filter(plan=plan, state__in=pwf.TOPIC_GROUPS["planned"]))
                  .order_by("month", "form", "id"))
    forms = [f for f in MeetingForm if any(t.form == f for t in topics)] or list(MeetingForm)
    rows = []
    for month in range(1, 13):
        cells = [{"label": f.label, "topics": [t for t in topics if t.month == month and t.form == f]} for f in forms]
        rows.append({"month": month, "cells": cells, "count": sum(len(c["topics"]) for c in cells)})
    return {"forms": [(f.value, f.label) for f in forms], "rows": rows, "topics": topics}


def counts(plan: ConsultationPlan) -> dict:
    from django.db.models import Count

    out = dict.fromkeys(TopicState.values, 0)
    out.update(dict(ConsultationTopic.objects.filter(plan=plan).values_list("state").annotate(n=Count("id")).order_by()))
    return out


def topic_event_label(action: str):
    from .plan_services import TOPIC_MACHINE

    verb = action.split(".", 1)[-1]
    labels = {"create": _("topic submitted"), "approve": _("in the approved plan")}
    if verb in labels:
        return labels[verb]
    return TOPIC_MACHINE.transition(verb).label if verb in TOPIC_MACHINE else None


def plan_event_label(action: str):
    from .plan_services import PLAN_MACHINE

    verb = action.split(".", 1)[-1]
    if verb == "create":
        return _("call for topics issued")
    return PLAN_MACHINE.transition(verb).label if verb in PLAN_MACHINE else None


def todos_for(user, committee) -> list[dict]:
    """The office's line: topics waiting for a decision (one count query)."""
    if committee is None or not _authed(user) or not roles_of(user, committee) & OFFICE_ROLES:
        return []
    n = ConsultationTopic.objects.filter(committee_id=_cid(committee), state=T.SUBMITTED).count()
    return [{"label": _("Consultation topics to decide"), "count": n,
             "url": url_or_hash("consultation:topics") + "?state=submitted", "urgent": False}] if n else []


def is_office(user, committee) -> bool:
    from .selectors import is_office as office

    return office(user, committee)
