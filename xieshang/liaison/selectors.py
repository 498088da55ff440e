"""Every read of the liaison app that depends on who asks: relations (the Machines' actors), visibility
(hidden → NotFound, the same as missing), the registers' querysets, the workbench to-dos, the deadline
recipients, and where a suggestion went (its target's current state) or where a draft came from.

Who sees what: office staff, administrators and leaders of the committee see every report, rule, task,
visit and suggestion; nobody else sees any (a member or unit user gets 404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xieshang.core.errors import NotFound
from xieshang.core.models import Role, RoleAssignment
from xieshang.core.screens import url_or_hash
from xieshang.core.selectors import roles_of
from xieshang.core.workflow import as_id

from .models import AssignedTask, ContactVisit, PartyReport, ReportState, Suggestion, TaskState, WorkingRule

READERS = frozenset({Role.STAFF, Role.ADMIN, Role.LEADER})
OFFICE = frozenset({Role.STAFF, Role.ADMIN})


def _cid(committee):
    return getattr(committee, "pk", committee)


def is_reader(user, committee) -> bool:
    return bool(getattr(user, "is_authenticated", False) and roles_of(user, committee) & READERS)


def is_office(user, committee) -> bool:
    return bool(getattr(user, "is_authenticated", False) and roles_of(user, committee) & OFFICE)


def is_leader(user, committee) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Role.LEADER in roles_of(user, committee))


def _base_relations(user, committee_id) -> set[str]:
    if user is None:  # the scheduler
        return {"staff"}
    roles = roles_of(user, committee_id)
    out = set()
    if roles & OFFICE:
        out.add("staff")
    if Role.LEADER in roles:
        out.add("leader")
    return out


def can_see(user, obj) -> bool:
    return user is None or is_reader(user, obj.committee_id)


def report_relations(user, report) -> set[str]:
    return _base_relations(user, report.committee_id)


def task_relations(user, task) -> set[str]:
    out = _base_relations(user, task.committee_id)
    if user is not None and task.special_committee_id and RoleAssignment.objects.filter(
            user=user, committee_id=task.committee_id, role__in=[Role.STAFF, Role.LEADER],
            special_committee_id=task.special_committee_id).exists():
        out.add("owner")
    return out


def suggestion_relations(user, suggestion) -> set[str]:
    out = _base_relations(user, suggestion.committee_id)
    if user is not None and suggestion.visit.leader_id == user.pk and "leader" in out:
        out.add("visitor")
    return out


# --- Querysets and single rows ---------------------------------------------------------------------------


def _visible(model, user, committee) -> QuerySet:
    if not is_reader(user, committee):
        return model.objects.none()
    return model.objects.filter(committee_id=_cid(committee))


def reports_visible_to(user, committee) -> QuerySet[PartyReport]:
    return _visible(PartyReport, user, committee)


def rules_visible_to(user, committee) -> QuerySet[WorkingRule]:
    return _visible(WorkingRule, user, committee)


def tasks_visible_to(user, committee) -> QuerySet[AssignedTask]:
    return _visible(AssignedTask, user, committee).select_related("special_committee")


def visits_visible_to(user, committee) -> QuerySet[ContactVisit]:
    return _visible(ContactVisit, user, committee).select_related("leader")


def suggestions_visible_to(user, committee) -> QuerySet[Suggestion]:
    return _visible(Suggestion, user, committee).select_related("visit", "visit__leader")


def _get(qs, pk):
    pk = as_id(pk)
    row = qs.filter(pk=pk).first() if pk else None
    if row is None:
        raise NotFound()
    return row


def report_get(user, committee, pk) -> PartyReport:
    return _get(reports_visible_to(user, committee).select_related("approved_by", "created_by"), pk)


def rule_get(user, committee, pk) -> WorkingRule:
    return _get(rules_visible_to(user, committee).prefetch_related("versions"), pk)


def task_get(user, committee, pk) -> AssignedTask:
    return _get(tasks_visible_to(user, committee).prefetch_related("notes__author"), pk)


def visit_get(user, committee, pk) -> ContactVisit:
    return _get(visits_visible_to(user, committee).prefetch_related("people", "companions", "suggestions"), pk)


def suggestion_get(user, committee, pk) -> Suggestion:
    return _get(suggestions_visible_to(user, committee), pk)


def report_actions(user, report):
    from .services import REPORT_MACHINE

    return REPORT_MACHINE.available(user, report)


def task_actions(user, task):
    from .services import TASK_MACHINE

    return TASK_MACHINE.available(user, task)


def suggestion_actions(user, suggestion):
    from .services import SUGGESTION_MACHINE

    return SUGGESTION_MACHINE.available(user, suggestion)


# --- Where a suggestion went, where a draft came from --------------------------------------------------------


def target_of(suggestion) -> dict | None:
    """{"kind", "kind_label", "id", "label", "state", "state_label", "url"} of what the suggestion became (its
    current state, read now), or None."""
    from .models import TargetKind

    kind = suggestion.target_kind
    if not kind:
        return None
    row, url_name = {
        TargetKind.DEMAND: (suggestion.demand, "grassroots:demand"),
        TargetKind.PROPOSAL: (suggestion.proposal, "proposals:detail"),
        TargetKind.OPINION: (suggestion.opinion, "opinions:detail"),
        TargetKind.TASK: (suggestion.task, "liaison:task"),
    }[kind]
    if row is None:
        return {"kind": kind, "kind_label": str(TargetKind(kind).label), "id": None, "label": "", "state": "",
                "state_label": "", "url": ""}
    label = getattr(row, "tracking_code", None) or getattr(row, "title", "") or str(row)
    return {"kind": kind, "kind_label": str(TargetKind(kind).label), "id": row.pk, "label": label,
            "state": str(row.state), "state_label": str(row.get_state_display()), "url": url_or_hash(url_name, row.pk)}


def with_targets(suggestions) -> list[Suggestion]:
    """Suggestions with `target` (target_of) read in a fixed number of queries."""
    from django.db.models import prefetch_related_objects

    rows = list(suggestions)
    prefetch_related_objects(rows, "demand", "proposal", "opinion", "task")
    for row in rows:
        row.target = target_of(row)
    return rows


def origin_of(obj) -> Suggestion | None:
    """The visit suggestion a demand, proposal, opinion report or assigned task was made from (or None): what
    the target's page shows as "from a contact visit"."""
    from .models import TargetKind

    field = {"grassroots.demand": "demand", "proposals.proposal": "proposal", "opinions.opinionreport": "opinion",
             "liaison.assignedtask": "task"}.get(obj._meta.label_lower)
    if field is None:
        return None
    return (Suggestion.objects.filter(**{field: obj}, target_kind=getattr(TargetKind, field.upper()))
            .select_related("visit", "visit__leader").first())


# --- Workbench, deadlines, timeline ----------------------------------------------------------------------------


def todos_for(user, committee) -> list[dict]:
    """Leaders: reports to approve; the office: approved reports to send, returned ones, overdue tasks,
    suggestions to follow up; a leader also their own visits' open suggestions. One count query per line."""
    from django.db.models import Count
    from django.utils.translation import gettext as _

    from xieshang.core import clock

    if committee is None or not getattr(user, "is_authenticated", False):
        return []
    roles = roles_of(user, committee)
    if not roles & READERS:
        return []
    items = []
    reports = PartyReport.objects.filter(committee_id=_cid(committee)).aggregate(
        submitted=Count("pk", filter=Q(state=ReportState.SUBMITTED)),
        approved=Count("pk", filter=Q(state=ReportState.APPROVED)),
        returned=Count("pk", filter=Q(state=ReportState.RETURNED)))
    if Role.LEADER in roles and reports["submitted"]:
        items.append({"label": _("Reports to the Party committee to approve"), "count": reports["submitted"],
                      "url": url_or_hash("liaison:approvals"), "urgent": False})
    if roles & OFFICE:
        for key, label in (("approved", _("Approved reports to send to the Party committee")),
                           ("returned", _("Reports returned for revision"))):
            if reports[key]:
                items.append({"label": label, "count": reports[key],
                              "url": url_or_hash("liaison:reports") + f"?state={key}", "urgent": False})
        late = AssignedTask.objects.filter(committee_id=_cid(committee), state__in=[TaskState.OPEN, TaskState.IN_PROGRESS],
                                           due_on__lt=clock.today()).count()
        if late:
            items.append({"label": _("Overdue assigned tasks"), "count": late,
                          "url": url_or_hash("liaison:tasks") + "?late=1", "urgent": True})
    mine = Suggestion.objects.filter(committee_id=_cid(committee), state="open", visit__leader=user).count() \
        if Role.LEADER in roles else 0
    if mine:
        items.append({"label": _("Suggestions from my visits to follow up"), "count": mine,
                      "url": url_or_hash("liaison:my_visits"), "urgent": False})
    return items


def deadline_recipients(deadline):
    """The office staff of the committee, and those bound to the owning special committee."""
    from xieshang.core.models import User

    task = deadline.target
    q = Q(role_assignments__committee_id=task.committee_id, role_assignments__role=Role.STAFF,
          role_assignments__special_committee__isnull=True)
    if task.special_committee_id:
        q |= Q(role_assignments__committee_id=task.committee_id,
               role_assignments__special_committee_id=task.special_committee_id)
    return list(User.objects.filter(q, is_active=True).distinct())


def deadline_url(deadline) -> str:
    return url_or_hash("liaison:task", deadline.object_id)


def _label(machine_name: str, action: str, created):
    from . import services

    machine = {"party_report": services.REPORT_MACHINE, "assigned_task": services.TASK_MACHINE,
               "visit_suggestion": services.SUGGESTION_MACHINE}.get(machine_name)
    verb = action.split(".", 1)[-1]
    if verb == "create":
        return created
    if machine is not None and verb in machine:
        return machine.transition(verb).label
    return None


def report_event_label(action: str):
    from django.utils.translation import gettext as _

    return _label("party_report", action, _("report drafted"))


def task_event_label(action: str):
    from django.utils.translation import gettext as _

    return _label("assigned_task", action, _("task recorded"))


def suggestion_event_label(action: str):
    from django.utils.translation import gettext as _

    return _label("visit_suggestion", action, _("suggestion recorded"))


def rule_event_label(action: str):
    from django.utils.translation import gettext as _

    return {"working_rule.create": _("rule made"), "working_rule.revise": _("rule revised"), "working_rule.repeal": _("rule repealed"),
            "working_rule.attach": _("text attached")}.get(action)


def visit_event_label(action: str):
    from django.utils.translation import gettext as _

    return {"contact_visit.create": _("visit recorded"), "contact_visit.update": _("visit corrected"),
            "contact_visit.suggestion_add": _("suggestion added")}.get(action)


def timeline_of(obj) -> list:
    from xieshang.core import audit

    labels = {PartyReport: report_event_label, AssignedTask: task_event_label, Suggestion: suggestion_event_label,
              WorkingRule: rule_event_label, ContactVisit: visit_event_label}[type(obj)]
    events = list(audit.timeline(obj))
    for event in events:
        event.label = labels(event.action) or event.action
    return events
