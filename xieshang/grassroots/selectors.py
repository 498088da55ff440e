"""Every read of grassroots data that depends on who asks: the app's one permission chokepoint.
A demand or activity the user may not see is "not found" (404), the same as one that does not exist.

Demands (`demands_visible_to`):
  staff, administrators and leaders of the committee: every demand;
  a keeper: the demands of the places their station role is bound to;
  a unit's user: the demands referred to their unit (now, or answered by it before);
  a member: the demands they recorded;
  the public (`Citizen`, holding the tracking code): that one demand, through `public_*` below only.
Activities (`activities_visible_to`): staff, leaders: all; keepers: their places'; members: those they are
invited to, and every activity whose notice is out (published, held, closed).
"""

from __future__ import annotations

import dataclasses

from django.db.models import Q, QuerySet

from xieshang.core.models import Member, RoleAssignment, Role
from xieshang.core.screens import url_or_hash
from xieshang.core.selectors import member_of, roles_of, unit_ids_of

from . import workflow
from .models import Activity, ActivityMember, ActivityState, Demand, DemandState, Place

OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
READER_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER}


@dataclasses.dataclass(frozen=True)
class Citizen:
    """The public acting on one demand by its tracking code (confirming an answer): no account."""

    tracking_code: str
    is_authenticated = False
    pk = None


def _cid(committee):
    return getattr(committee, "pk", committee)


# --- Who the user is here --------------------------------------------------------------------------


def place_ids_of(user, committee) -> set[int]:
    """The places whose station or studio the user's station role is bound to (kept on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cid = _cid(committee)
    cache = user.__dict__.setdefault("_xieshang_place_ids", {})
    if cid not in cache:
        bound = RoleAssignment.objects.filter(user=user, committee_id=cid, role=Role.STATION)
        cache[cid] = set(Place.objects.filter(
            Q(station_id__in=bound.filter(liaison_station__isnull=False).values("liaison_station_id"))
            | Q(studio_id__in=bound.filter(studio__isnull=False).values("studio_id"))
        ).values_list("pk", flat=True))
    return cache[cid]


def member_ids_of(user, committee) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(Member.objects.filter(user=user, committee_id=_cid(committee)).values_list("pk", flat=True))


def may_record_demand(user, committee) -> bool:
    """Whether the user may record a citizen's demand here: a station keeper, the office, or a member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(roles_of(user, committee) & {Role.STATION, Role.STAFF, Role.ADMIN}) \
        or member_of(user, committee) is not None


def is_office(user, committee) -> bool:
    return bool(roles_of(user, committee) & OFFICE_ROLES)


def is_reader(user, committee) -> bool:
    return bool(roles_of(user, committee) & READER_ROLES)


# --- Demands: relations and visibility ------------------------------------------------------------------


def demand_relations(user, demand: Demand) -> set[str]:
    if user is None:
        return {"system"}
    if isinstance(user, Citizen):
        return {"citizen"} if user.tracking_code == demand.tracking_code else set()
    if not getattr(user, "is_authenticated", False):
        return set()
    relations: set[str] = set()
    roles = roles_of(user, demand.committee_id)
    if roles & OFFICE_ROLES:
        relations.add("staff")
    if Role.LEADER in roles:
        relations.add("leader")
    if Role.STATION in roles and demand.place_id in place_ids_of(user, demand.committee_id):
        relations.add("keeper")
    if Role.UNIT in roles and demand.unit_id and demand.unit_id in unit_ids_of(user, demand.committee_id):
        relations.add("unit")
    if demand.recorded_by_id == user.pk and demand.source == "member":
        relations.add("recorder")
    return relations


def can_see_demand(user, demand: Demand) -> bool:
    if user is None:
        return True
    if isinstance(user, Citizen):
        return user.tracking_code == demand.tracking_code
    if not getattr(user, "is_authenticated", False):
        return False
    if demand_relations(user, demand):
        return True
    # a unit that answered it before it was reopened and referred elsewhere still sees it
    return bool(demand.answered_by_unit_id and demand.answered_by_unit_id in unit_ids_of(user, demand.committee_id))


def _demand_q(user, committee) -> Q | None:
    """The visibility filter (None: nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user, committee)
    if roles & READER_ROLES:
        return Q()
    q = Q(pk__in=[])
    if Role.STATION in roles:
        q |= Q(place_id__in=place_ids_of(user, committee))
    if Role.UNIT in roles:
        units = unit_ids_of(user, committee)
        q |= Q(unit_id__in=units) | Q(answered_by_unit_id__in=units)
    q |= Q(source="member", recorded_by=user)
    return q


def demands_visible_to(user, committee) -> QuerySet[Demand]:
    q = _demand_q(user, committee)
    qs = Demand.objects.filter(committee_id=_cid(committee))
    return qs.filter(q) if q is not None else qs.none()


def demand_get(user, committee, pk) -> Demand:
    from xieshang.core.errors import NotFound
    from xieshang.core.workflow import as_id

    pk = as_id(pk)
    demand = demands_visible_to(user, committee).filter(pk=pk).select_related(
        "place", "unit", "activity", "member", "answered_by_unit").first() if pk else None
    if demand is None:
        raise NotFound()
    return demand


def demand_actions(user, demand: Demand) -> list:
    from .services import DEMAND_MACHINE

    return DEMAND_MACHINE.available(user, demand)


def holder_of(demand: Demand) -> str:
    """Who holds the demand now, as the public may see it (a place, a unit, the citizen) — never a person."""
    from django.utils.translation import gettext as _

    if demand.state == DemandState.REFERRED and demand.unit_id:
        return demand.unit.name
    if demand.state in workflow.DEMAND_GROUPS["at_place"]:
        return demand.place.name
    if demand.state == DemandState.ANSWERED:
        return _("waiting for your confirmation")
    return ""


# --- Activities ----------------------------------------------------------------------------------------------


def activity_relations(user, activity: Activity) -> set[str]:
    if user is None:
        return {"system"}
    if not getattr(user, "is_authenticated", False):
        return set()
    relations: set[str] = set()
    roles = roles_of(user, activity.committee_id)
    if roles & OFFICE_ROLES:
        relations.add("staff")
        if activity.special_committee_id and RoleAssignment.objects.filter(
                user=user, committee_id=activity.committee_id, special_committee_id=activity.special_committee_id).exists():
            relations.add("organiser")
    if Role.LEADER in roles:
        relations.add("leader")
    if Role.STATION in roles and activity.place_id and activity.place_id in place_ids_of(user, activity.committee_id):
        relations.add("organiser")
    if ActivityMember.objects.filter(activity=activity, member__user=user).exists():
        relations.add("invited")
    return relations


def can_see_activity(user, activity: Activity) -> bool:
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if activity.state in workflow.ACTIVITY_GROUPS["public"] and roles_of(user, activity.committee_id):
        return True
    return bool(activity_relations(user, activity) - {"system"})


def activities_visible_to(user, committee) -> QuerySet[Activity]:
    qs = Activity.objects.filter(committee_id=_cid(committee))
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    roles = roles_of(user, committee)
    if roles & READER_ROLES:
        return qs
    if not roles and not member_ids_of(user, committee):
        return qs.none()
    q = Q(state__in=workflow.ACTIVITY_GROUPS["public"]) | Q(participants__member__user=user)
    if Role.STATION in roles:
        q |= Q(place_id__in=place_ids_of(user, committee))
    return qs.filter(q).distinct()


def activity_get(user, committee, pk) -> Activity:
    from xieshang.core.errors import NotFound
    from xieshang.core.workflow import as_id

    pk = as_id(pk)
    activity = activities_visible_to(user, committee).filter(pk=pk).select_related(
        "place", "special_committee").first() if pk else None
    if activity is None:
        raise NotFound()
    return activity


def activity_actions(user, activity: Activity) -> list:
    from .services import ACTIVITY_MACHINE

    return ACTIVITY_MACHINE.available(user, activity)


# --- Places ----------------------------------------------------------------------------------------------------


def places_of(committee) -> QuerySet[Place]:
    """Every place of the committee (places are public facts: the directory lists the public ones)."""
    return Place.objects.filter(committee_id=_cid(committee)).select_related("station", "studio", "special_committee")


def public_places(committee) -> QuerySet[Place]:
    return places_of(committee).filter(public=True)


def keeper_places(user, committee) -> QuerySet[Place]:
    return places_of(committee).filter(pk__in=place_ids_of(user, committee))


def place_get(committee, pk) -> Place:
    from xieshang.core.errors import NotFound
    from xieshang.core.workflow import as_id

    pk = as_id(pk)
    place = places_of(committee).filter(pk=pk).first() if pk else None
    if place is None:
        raise NotFound()
    return place


# --- Notifications: who is told -------------------------------------------------------------------------------


def keepers_of(place: Place):
    from xieshang.core.selectors import users_with_role

    scope = place.station if place.station_id else place.studio
    return users_with_role(place.committee_id, Role.STATION, scope)


def unit_users(committee, unit):
    from xieshang.core.selectors import users_with_role

    return users_with_role(committee, Role.UNIT, unit)


def deadline_recipients(deadline):
    demand = deadline.target
    if deadline.kind == "demand.answer" and deadline.party.startswith("unit:") and demand.unit_id:
        return list(unit_users(demand.committee_id, demand.unit))
    if deadline.kind == "activity.outcome":
        outcome = deadline.target
        return list(keepers_of(outcome.activity.place)) if outcome.activity.place_id else []
    return list(keepers_of(demand.place))


def deadline_url(deadline) -> str:
    if deadline.kind == "activity.outcome":
        return url_or_hash("grassroots:activity", deadline.target.activity_id)
    return url_or_hash("grassroots:demand", deadline.object_id)


def demand_event_label(action: str):
    from django.utils.translation import gettext as _

    from .services import DEMAND_MACHINE

    verb = action.split(".", 1)[-1]
    if verb == "create":
        return _("demand received")
    if verb in DEMAND_MACHINE:
        return DEMAND_MACHINE.transition(verb).label
    return None


def activity_event_label(action: str):
    from django.utils.translation import gettext as _

    from .services import ACTIVITY_MACHINE

    verb = action.split(".", 1)[-1]
    if verb == "create":
        return _("activity planned")
    if verb == "outcome_add":
        return _("outcome added")
    if verb == "outcome_done":
        return _("outcome done")
    if verb in ACTIVITY_MACHINE:
        return ACTIVITY_MACHINE.transition(verb).label
    return None


# --- Workbench to-dos ---------------------------------------------------------------------------------------------


def todos_for(user, committee) -> list[dict]:
    """The workbench lines (Declarations.todos): a keeper's demands to handle and late ones; a unit's demands
    to answer; staff's late demands across the committee. One count query per role line."""
    from django.db.models import Count
    from django.utils.translation import gettext as _

    from xieshang.core import clock

    if committee is None or not getattr(user, "is_authenticated", False):
        return []
    roles = roles_of(user, committee)
    today = clock.today()
    items: list[dict] = []
    base = Demand.objects.filter(committee_id=_cid(committee))
    if Role.STATION in roles:
        c = base.filter(place_id__in=place_ids_of(user, committee)).aggregate(
            new=Count("pk", filter=Q(state=DemandState.RECEIVED)),
            held=Count("pk", filter=Q(state__in=workflow.DEMAND_GROUPS["at_place"])),
            late=Count("pk", filter=Q(state__in=workflow.DEMAND_GROUPS["open"], due_on__lt=today)),
        )
        if c["new"]:
            items.append({"label": _("New demands to accept"), "count": c["new"],
                          "url": url_or_hash("grassroots:board") + "?state=received", "urgent": False})
        if c["late"]:
            items.append({"label": _("Late demands of your place"), "count": c["late"],
                          "url": url_or_hash("grassroots:board") + "?late=1", "urgent": True})
    if Role.UNIT in roles:
        units = unit_ids_of(user, committee)
        c = base.filter(unit_id__in=units, state=DemandState.REFERRED).aggregate(
            open=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        if c["open"]:
            items.append({"label": _("Citizens' demands to answer"), "count": c["open"],
                          "url": url_or_hash("grassroots:inbox"), "urgent": bool(c["late"])})
    if roles & OFFICE_ROLES:
        n = base.filter(state__in=workflow.DEMAND_GROUPS["open"], due_on__lt=today).count()
        if n:
            items.append({"label": _("Late citizens' demands"), "count": n,
                          "url": url_or_hash("grassroots:demands") + "?late=1", "urgent": False})
    return items
