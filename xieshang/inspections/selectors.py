"""Every read of inspection and supervision data that depends on who asks: the app's one permission chokepoint.
What the user may not see is "not found" (404), the same as what does not exist.

  office staff, administrators and leaders of the committee: everything;
  a member: the inspections and supervision items whose team they are on, and their own appointments as a
            special supervisor;
  anybody else (units, station keepers without membership): nothing.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xieshang.core.errors import NotFound
from xieshang.core.models import Role
from xieshang.core.selectors import member_of, roles_of
from xieshang.core.workflow import as_id
from xieshang.core.screens import url_or_hash

from . import workflow
from .models import (
    FilePurpose, Inspection, PlanApproval, Recommendation, SpecialSupervisor, SupervisionItem, TeamMember,
)

OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
READER_ROLES = OFFICE_ROLES | {Role.LEADER}


def _cid(committee):
    return getattr(committee, "pk", committee)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_office(user, committee) -> bool:
    return bool(_signed_in(user) and roles_of(user, committee) & OFFICE_ROLES)


def is_reader(user, committee) -> bool:
    return bool(_signed_in(user) and roles_of(user, committee) & READER_ROLES)


def _on_team(user, obj) -> bool:
    member = member_of(user, obj.committee_id)
    if member is None:
        return False
    key = "inspection" if isinstance(obj, Inspection) else "supervision"
    cache = user.__dict__.setdefault("_xieshang_teams", {})
    if (key, obj.pk) not in cache:
        cache[(key, obj.pk)] = TeamMember.objects.filter(**{key: obj.pk}, member=member).exists()
    return cache[(key, obj.pk)]


def forget_teams(user) -> None:
    if user is not None:
        user.__dict__.pop("_xieshang_teams", None)


def relations_of(user, obj) -> set[str]:
    """staff, leader, lead (the inspection's lead leader), team (on the team); {"system"} for the scheduler."""
    if user is None:
        return {"system"}
    if not _signed_in(user):
        return set()
    relations: set[str] = set()
    roles = roles_of(user, obj.committee_id)
    if roles & OFFICE_ROLES:
        relations.add("staff")
    if Role.LEADER in roles:
        relations.add("leader")
    if getattr(obj, "lead_leader_id", None) == user.pk:
        relations.add("lead")
    if _on_team(user, obj):
        relations.add("team")
    return relations


def can_see(user, obj) -> bool:
    if user is None:
        return True
    return bool(relations_of(user, obj) & {"staff", "leader", "lead", "team"})


def _visible(model, user, committee) -> QuerySet:
    qs = model.objects.filter(committee_id=_cid(committee))
    if not _signed_in(user) or committee is None:
        return qs.none()
    if roles_of(user, committee) & READER_ROLES:
        return qs
    member = member_of(user, committee)
    if member is None:
        return qs.none()
    key = "inspection" if model is Inspection else "supervision"
    return qs.filter(Exists(TeamMember.objects.filter(**{key: OuterRef("pk")}, member=member)))


def inspections_visible_to(user, committee) -> QuerySet[Inspection]:
    return _visible(Inspection, user, committee)


def supervision_visible_to(user, committee) -> QuerySet[SupervisionItem]:
    return _visible(SupervisionItem, user, committee)


def _get(qs, pk):
    pk = as_id(pk)
    row = qs.filter(pk=pk).first() if pk else None
    if row is None:
        raise NotFound()
    return row


def inspection_get(user, committee, pk) -> Inspection:
    return _get(inspections_visible_to(user, committee).select_related("special_committee", "lead_leader",
                                                                          "report_author"), pk)


def supervision_get(user, committee, pk) -> SupervisionItem:
    return _get(supervision_visible_to(user, committee).select_related("special_committee"), pk)


def supervisors_visible_to(user, committee) -> QuerySet[SpecialSupervisor]:
    """The office and leaders: every appointment; a member: their own."""
    qs = SpecialSupervisor.objects.filter(committee_id=_cid(committee)).select_related("member", "unit")
    if not _signed_in(user) or committee is None:
        return qs.none()
    if roles_of(user, committee) & READER_ROLES:
        return qs
    member = member_of(user, committee)
    return qs.filter(member=member) if member is not None else qs.none()


def supervisor_get(user, committee, pk) -> SpecialSupervisor:
    return _get(supervisors_visible_to(user, committee), pk)


def inspection_actions(user, inspection: Inspection) -> list:
    from .services import MACHINE

    return MACHINE.available(user, inspection)


def supervision_actions(user, item: SupervisionItem) -> list:
    from .services import SUPERVISION_MACHINE

    return SUPERVISION_MACHINE.available(user, item)


def with_counts(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    """The list's numbers in the page's own query: team, visits, recommendations, answered."""
    return qs.annotate(
        n_team=Count("team", distinct=True), n_visits=Count("visits", distinct=True),
        n_recommendations=Count("recommendations", distinct=True),
        n_answered=Count("recommendations", filter=Q(recommendations__answered_on__isnull=False), distinct=True),
    ).select_related("special_committee", "lead_leader")


def supervision_with_counts(qs: QuerySet[SupervisionItem]) -> QuerySet[SupervisionItem]:
    """The list's numbers in the page's own query: team, recommendations, answered."""
    return qs.annotate(
        n_team=Count("team", distinct=True), n_recommendations=Count("recommendations", distinct=True),
        n_answered=Count("recommendations", filter=Q(recommendations__answered_on__isnull=False), distinct=True),
    ).select_related("special_committee")


def supervisors_with_counts(qs: QuerySet[SpecialSupervisor]) -> QuerySet[SpecialSupervisor]:
    return qs.annotate(n_reports=Count("reports", distinct=True))


def team_of(obj) -> list[TeamMember]:
    return list(obj.team.select_related("member").order_by("role", "member__name", "id"))


def team_names(obj) -> str:
    return "、".join(t.member.name for t in team_of(obj))


def recommendations_of(obj) -> list[Recommendation]:
    """The numbered recommendations of an inspection or a supervision item (the caller has the item from
    inspection_get / supervision_get)."""
    return list(obj.recommendations.order_by("number"))


def mine(user, committee) -> dict:
    """The user's own: inspections they lead (a leader), inspections and supervision items whose team they are
    on, their appointments as a special supervisor. A fixed number of queries."""
    if not _signed_in(user) or committee is None:
        return {"leading": [], "inspections": [], "supervision": [], "appointments": []}
    cid = _cid(committee)
    member = member_of(user, committee)
    leading = list(Inspection.objects.filter(committee_id=cid, lead_leader=user).order_by("-year", "planned_month"))
    if member is None:
        return {"leading": leading, "inspections": [], "supervision": [], "appointments": []}
    roles = {t.inspection_id: t.role for t in TeamMember.objects.filter(member=member, inspection__isnull=False)}
    sroles = {t.supervision_id: t.role for t in TeamMember.objects.filter(member=member, supervision__isnull=False)}
    inspections = list(Inspection.objects.filter(committee_id=cid, pk__in=roles).order_by("-year", "planned_month"))
    items = list(SupervisionItem.objects.filter(committee_id=cid, pk__in=sroles).order_by("-year", "-id"))
    for i in inspections:
        i.my_role = roles[i.pk]
    for s in items:
        s.my_role = sroles[s.pk]
    return {"leading": leading, "inspections": inspections, "supervision": items,
            "appointments": list(SpecialSupervisor.objects.filter(member=member).select_related("unit"))}


def board(user, committee, year: int) -> list[dict]:
    """The plan board: the year's inspections by planned month (1–12), each month's list in the plan's order."""
    rows = list(with_counts(inspections_visible_to(user, committee).filter(year=year)).order_by("planned_month", "id"))
    return [{"month": m, "items": [r for r in rows if r.planned_month == m]} for m in range(1, 13)]


def plan_approval(user, committee, year: int) -> PlanApproval | None:
    """The year's plan's approval record (None when none is recorded), for those who see the plan: the office and
    leaders."""
    if committee is None or not is_reader(user, committee):
        return None
    return PlanApproval.objects.filter(committee_id=_cid(committee), year=year).first()


def files_of(obj) -> list:
    """The files attached to an inspection or a supervision item, oldest first, each with `purpose_label`. The
    caller has the item from inspection_get / supervision_get (whoever may see the item sees its files)."""
    from xieshang.core.attachments import attachments_of

    rows = list(attachments_of(obj).select_related("uploaded_by"))
    labels = dict(FilePurpose.choices)
    for row in rows:
        row.purpose_label = labels.get(row.purpose, "")
    return rows


# --- Deadlines, timeline, to-dos ---------------------------------------------------------------------------


def deadline_recipients(deadline):
    from xieshang.core.selectors import office_users

    return list(office_users(deadline.committee_id))


def deadline_url(deadline) -> str:
    """The desk of the recommendation's item: the inspection's or the supervision item's."""
    row = Recommendation.objects.filter(pk=deadline.object_id).values_list("inspection_id", "supervision_id").first()
    if row is None:
        return "#"
    inspection_id, supervision_id = row
    if inspection_id:
        return url_or_hash("inspections:inspection", inspection_id)
    return url_or_hash("inspections:supervision_item", supervision_id) if supervision_id else "#"


def event_label(action: str):
    from django.utils.translation import gettext as _

    from .services import MACHINE, SUPERVISION_MACHINE

    name, _dot, verb = action.partition(".")
    if verb == "create":
        return {"inspection": _("inspection planned"), "supervision": _("supervision item planned"),
                "supervisor": _("special supervisor appointed")}.get(name)
    if name == "supervisor":
        return {"update": _("appointment changed"), "report_add": _("supervisor's report recorded")}.get(verb)
    if action == "inspection.plan_approval":
        return _("approval of the plan recorded")
    machine = MACHINE if name == "inspection" else SUPERVISION_MACHINE
    if verb in machine:
        return machine.transition(verb).label
    return None


def todos_for(user, committee) -> list[dict]:
    """Workbench lines for the office: recommendations of inspections, and of supervision items, waiting for an
    answer past their due date; inspections of this month's plan not yet started. One count query per line."""
    from django.utils.translation import gettext as _

    from xieshang.core import clock
    from xieshang.core.models import Deadline

    if committee is None or not is_office(user, committee):
        return []
    today = clock.today()
    items = []
    overdue = Deadline.objects.filter(committee_id=_cid(committee), kind="inspections.answer",
                                      state=Deadline.State.OPEN, due_on__lt=today)
    n = overdue.filter(object_id__in=Recommendation.objects.filter(
        committee_id=_cid(committee), inspection__isnull=False).values("pk")).count()
    if n:
        items.append({"label": _("Recommendations overdue for an answer"), "count": n,
                      "url": url_or_hash("inspections:inspections") + "?state=report_sent", "urgent": True})
    n = overdue.filter(object_id__in=Recommendation.objects.filter(
        committee_id=_cid(committee), supervision__isnull=False).values("pk")).count()
    if n:
        items.append({"label": _("Supervision recommendations overdue for an answer"), "count": n,
                      "url": url_or_hash("inspections:supervision") + "?state=reported", "urgent": True})
    n = Inspection.objects.filter(committee_id=_cid(committee), state="planned", year=today.year,
                                  planned_month__lte=today.month).count()
    if n:
        items.append({"label": _("Planned inspections due to start"), "count": n,
                      "url": url_or_hash("inspections:board"), "urgent": False})
    return items


GROUPS = workflow.GROUPS
