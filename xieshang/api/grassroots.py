"""The grassroots API (signed in): /api/v1/places, /api/v1/activities, /api/v1/demands. Thin: parse, call one
service or selector of xieshang.grassroots, serialise — the API answers exactly as the pages do.

    GET  /places                          the committee's stations and studios (filters county, kind, public, mine, q)
    GET  /places/{id}                     one place: rota, resident members
    GET  /activities                      list (filters state, group, kind, place, year, q; sort; pages)
    POST /activities                      plan one (PlanInput): a keeper at their place, staff anywhere
    GET  /activities/{id}                 detail: plan, invited members and attendance, outcomes, actions
    GET  /activities/{id}/events          the timeline
    POST /activities/{id}/actions/{action}  update, publish, hold, record, close, cancel: 200/403/404/409/422
    POST /activities/{id}/outcomes        a line of the outcome list (成果清单): 201
    POST /activities/{id}/outcomes/{outcome_id}/done   the outcome is done
    GET  /demands                         list (filters state, group, place, unit, category, source, late, year, q, mine)
    POST /demands                         a keeper (or member, staff) records one: 201 {"id", "tracking_code", "state"…}
    GET  /demands/{id}                    detail (the citizen's name and phone only to the place's keepers, the
                                          unit it is referred to, staff and leaders), actions
    GET  /demands/{id}/events             the timeline
    POST /demands/{id}/actions/{action}   accept, decline, refer, return, convert, answer, confirm, close,
                                          classify, publish, unpublish: 200/403/404/409/422

An action's body is checked by the action's one input schema (xieshang.grassroots.workflow), the same the
page's form posts; `expected_version` (or `If-Match`) makes a stale write a 409 `conflict`.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import Q
from ninja import Field, Path, Query, Router, Schema

from xieshang.core import categories, clock
from xieshang.core.errors import NotFound
from xieshang.core.workflow import MAX_ID
from xieshang.grassroots import selectors, workflow
from xieshang.grassroots.models import (
    ActivityKind, ActivityMember, ActivityState, DemandSource, DemandState, Outcome, PlaceKind,
    PlaceMember,
)

from .auth import committee_for
from .common import action_body, add_read_routes, committee_or_forbidden, labelled_timeline
from .errors import not_found_error
from .opinions import ActionOut, EventOut  # the same shapes (one component each in the OpenAPI document)
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["grassroots"])

DemandStateValue = Literal[tuple(DemandState.values)]  # type: ignore[valid-type]
DemandGroupValue = Literal[tuple(workflow.DEMAND_GROUPS)]  # type: ignore[valid-type]
ActivityStateValue = Literal[tuple(ActivityState.values)]  # type: ignore[valid-type]
ActivityGroupValue = Literal[tuple(workflow.ACTIVITY_GROUPS)]  # type: ignore[valid-type]
ActivityKindValue = Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]
PlaceKindValue = Literal[tuple(PlaceKind.values)]  # type: ignore[valid-type]
CategoryValue = categories.ApiCode  # a code of the committee's own list (checked by the services: 422)
SourceValue = Literal[tuple(DemandSource.values)]  # type: ignore[valid-type]

DEMAND_SORTS = {"received_on": ("received_on", "id"), "due_on": ("due_on", "id"), "state": ("state", "id"),
                "place": ("place__name", "id")}
ACTIVITY_SORTS = {"date": ("date", "id"), "topic": ("topic", "id"), "state": ("state", "id")}
DemandSortValue = Literal[tuple(DEMAND_SORTS) + tuple(f"-{k}" for k in DEMAND_SORTS)]  # type: ignore[valid-type]
ActivitySortValue = Literal[tuple(ACTIVITY_SORTS) + tuple(f"-{k}" for k in ACTIVITY_SORTS)]  # type: ignore[valid-type]

# The relations that may read a demand's personal data (the citizen's name and phone).
PERSONAL_DATA_READERS = frozenset({"keeper", "unit", "staff", "leader"})


def _machines():
    from xieshang.grassroots.services import ACTIVITY_MACHINE, DEMAND_MACHINE

    return DEMAND_MACHINE, ACTIVITY_MACHINE


# --- Schemas --------------------------------------------------------------------------------------


class GrassrootsRef(Schema):
    id: int
    name: str


class PlaceFilters(Schema):
    county: str | None = Field(None, max_length=40)
    kind: PlaceKindValue | None = None  # type: ignore[valid-type]
    public: bool | None = Field(None, description="Only the places shown (or not shown) on the public portal")
    mine: bool = Field(False, description="Only the places the caller keeps")
    q: str | None = Field(None, max_length=100, description="Text in the name, county, township or address")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(100, ge=1, le=500)


class PlaceListItem(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    county: str
    township: str
    address: str
    special_committee: GrassrootsRef | None
    reception_days: list[int]
    public: bool


class PlacePage(Schema):
    items: list[PlaceListItem]
    count: int
    page: int
    page_size: int


class PlaceResidentOut(Schema):
    member: int
    name: str


class PlaceDetailOut(PlaceListItem):
    on_duty: int
    opening_hours: str
    phone: str = Field(description="The place's public telephone (not a citizen's)")
    residents: list[PlaceResidentOut]
    is_keeper: bool


class ActivityFilters(Schema):
    state: ActivityStateValue | None = None  # type: ignore[valid-type]
    group: ActivityGroupValue | None = Field(None, description="upcoming, public, held, final")  # type: ignore[valid-type]
    kind: ActivityKindValue | None = None  # type: ignore[valid-type]
    place: int | None = Field(None, ge=1, le=MAX_ID)
    year: int | None = Field(None, ge=1949, le=2200)
    q: str | None = Field(None, max_length=100, description="Text in the topic or location")
    sort: ActivitySortValue | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class ActivityListItem(Schema):
    id: int
    kind: str
    kind_label: str
    topic: str
    date: datetime.date
    start_time: datetime.time | None
    location: str
    place: GrassrootsRef | None
    special_committee: GrassrootsRef | None
    state: str
    state_label: str
    version: int


class ActivityPage(Schema):
    items: list[ActivityListItem]
    count: int
    page: int
    page_size: int


class ActivityParticipantOut(Schema):
    member: int
    name: str
    status: str
    status_label: str


class ActivityOutcomeOut(Schema):
    id: int
    text: str
    owner_kind: str
    owner: str
    owner_unit: int | None
    owner_member: int | None
    due_on: datetime.date | None
    state: str
    state_label: str
    done_on: datetime.date | None
    note: str


class ActivityOut(ActivityListItem):
    committee: int
    notice: str
    citizens_invited: str
    citizens_count: int
    minutes: str
    members: list[ActivityParticipantOut]
    units_invited: list[GrassrootsRef]
    units_present: list[GrassrootsRef]
    outcomes: list[ActivityOutcomeOut]
    published_at: datetime.datetime | None
    held_at: datetime.datetime | None
    created_at: datetime.datetime
    actions: list[ActionOut]


class DemandFilters(Schema):
    state: DemandStateValue | None = None  # type: ignore[valid-type]
    group: DemandGroupValue | None = Field(None, description="at_place, at_unit, open, answered, final")  # type: ignore[valid-type]
    place: int | None = Field(None, ge=1, le=MAX_ID)
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Handling unit id")
    category: CategoryValue | None = None  # type: ignore[valid-type]
    source: SourceValue | None = None  # type: ignore[valid-type]
    late: bool | None = Field(None, description="Open demands past their due date")
    year: int | None = Field(None, ge=1949, le=2200, description="The year it was received")
    q: str | None = Field(None, max_length=100, description="Text of the demand, or its tracking code")
    mine: bool = Field(False, description="Only the demands the caller recorded")
    sort: DemandSortValue | None = None  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class DemandListItem(Schema):
    id: int
    tracking_code: str
    state: str
    state_label: str
    category: str
    category_label: str
    source: str
    place: GrassrootsRef
    unit: GrassrootsRef | None
    excerpt: str
    received_on: datetime.date
    due_on: datetime.date | None
    late: bool
    answered_on: datetime.date | None
    public: bool
    version: int


class DemandPage(Schema):
    items: list[DemandListItem]
    count: int
    page: int
    page_size: int


class DemandOut(Schema):
    id: int
    committee: int
    tracking_code: str
    state: str
    state_label: str
    holder: str
    source: str
    source_label: str
    text: str
    category: str
    category_label: str
    place: GrassrootsRef
    activity: GrassrootsRef | None
    unit: GrassrootsRef | None
    name: str | None = Field(description="The citizen's name: only for the place's keepers, the unit, staff, leaders")
    phone: str | None = Field(description="The citizen's phone: only for the place's keepers, the unit, staff, leaders")
    received_on: datetime.date
    due_on: datetime.date | None
    late: bool
    decline_reason: str
    answer: str
    answered_on: datetime.date | None
    answered_by_unit: GrassrootsRef | None
    answered_late: bool
    satisfaction: str
    citizen_comment: str
    reopened: int
    closed_on: datetime.date | None
    member: GrassrootsRef | None
    proposal: int | None
    opinion: int | None
    public: bool
    public_summary: str
    photos: int
    created_at: datetime.datetime
    version: int
    actions: list[ActionOut]


class DemandIn(Schema):
    """A demand a keeper recorded (at a reception day or activity), a member met on a visit, or staff took
    down. `place` defaults to the caller's own place. The text at most 2,000 characters."""

    text: str = Field(..., max_length=100000)  # the service's schema names the real limit (TEXT_LIMIT)
    category: CategoryValue | None = Field(None, description="A code of the committee's list; its default when omitted")
    phone: str = Field("", max_length=100)
    name: str = Field("", max_length=1000)
    place: int | None = Field(None, ge=1, le=MAX_ID)
    activity: int | None = Field(None, ge=1, le=MAX_ID)


# --- Serialisation --------------------------------------------------------------------------------


def _ref(row) -> dict | None:
    return None if row is None else {"id": row.pk, "name": str(getattr(row, "name", row))}


def _member_name(member) -> str:
    return member.name if member is not None else ""


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value))


def place_item(place) -> dict:
    return {
        "id": place.pk, "kind": place.kind, "kind_label": _label(PlaceKind, place.kind), "name": place.name,
        "county": place.county, "township": place.township, "address": place.address,
        "special_committee": _ref(place.special_committee) if place.special_committee_id else None,
        "reception_days": place.rota_days(), "public": place.public,
    }


def place_out(user, committee, place) -> dict:
    residents = PlaceMember.objects.filter(place=place).select_related("member").order_by("id")
    return {
        **place_item(place), "on_duty": place.on_duty, "opening_hours": place.opening_hours, "phone": place.phone,
        "residents": [{"member": r.member_id, "name": r.member.name} for r in residents],
        "is_keeper": place.pk in selectors.place_ids_of(user, committee),
    }


def activity_item(activity) -> dict:
    return {
        "id": activity.pk, "kind": activity.kind, "kind_label": activity.get_kind_display(), "topic": activity.topic,
        "date": activity.date, "start_time": activity.start_time, "location": activity.location,
        "place": _ref(activity.place) if activity.place_id else None,
        "special_committee": _ref(activity.special_committee) if activity.special_committee_id else None,
        "state": activity.state, "state_label": activity.get_state_display(), "version": activity.version,
    }


def outcome_out(o) -> dict:
    if o.owner_kind == "unit":
        owner = o.owner_unit.name if o.owner_unit_id else ""
    elif o.owner_kind == "member":
        owner = _member_name(o.owner_member)
    else:
        owner = str(o.get_owner_kind_display())
    return {
        "id": o.pk, "text": o.text, "owner_kind": o.owner_kind, "owner": owner, "owner_unit": o.owner_unit_id,
        "owner_member": o.owner_member_id, "due_on": o.due_on, "state": o.state, "state_label": o.get_state_display(),
        "done_on": o.done_on, "note": o.note,
    }


def activity_out(user, activity) -> dict:
    """The detail of an activity read by selectors.activity_get (a fixed number of queries)."""
    participants = (ActivityMember.objects.filter(activity=activity).select_related("member")
                    .order_by("member__name", "id"))
    outcomes = Outcome.objects.filter(activity=activity).select_related("owner_unit", "owner_member").order_by("id")
    return {
        **activity_item(activity), "committee": activity.committee_id, "notice": activity.notice,
        "citizens_invited": activity.citizens_invited, "citizens_count": activity.citizens_count,
        "minutes": activity.minutes,
        "members": [{"member": p.member_id, "name": p.member.name, "status": p.status,
                     "status_label": p.get_status_display()} for p in participants],
        "units_invited": [_ref(u) for u in activity.units_invited.order_by("name", "id")],
        "units_present": [_ref(u) for u in activity.units_present.order_by("name", "id")],
        "outcomes": [outcome_out(o) for o in outcomes],
        "published_at": activity.published_at, "held_at": activity.held_at, "created_at": activity.created_at,
        "actions": [{"action": t.action, "label": str(t.label)} for t in selectors.activity_actions(user, activity)],
    }


def _late(demand, today) -> bool:
    return bool(demand.due_on and demand.due_on < today and demand.state in workflow.DEMAND_GROUPS["open"])


def demand_item(demand, today) -> dict:
    text = demand.text
    return {
        "id": demand.pk, "tracking_code": demand.tracking_code, "state": demand.state,
        "state_label": demand.get_state_display(), "category": demand.category,
        "category_label": demand.get_category_display(), "source": demand.source, "place": _ref(demand.place),
        "unit": _ref(demand.unit) if demand.unit_id else None,
        "excerpt": text if len(text) <= 80 else text[:79] + "…",
        "received_on": demand.received_on, "due_on": demand.due_on, "late": _late(demand, today),
        "answered_on": demand.answered_on, "public": demand.public, "version": demand.version,
    }


def demand_out(user, demand) -> dict:
    """The detail of a demand read by selectors.demand_get; personal data only to those entitled to it."""
    demand_machine, _activity_machine = _machines()
    relations = demand_machine.relations(user, demand)
    personal = bool(relations & PERSONAL_DATA_READERS)
    return {
        "id": demand.pk, "committee": demand.committee_id, "tracking_code": demand.tracking_code,
        "state": demand.state, "state_label": demand.get_state_display(), "holder": selectors.holder_of(demand),
        "source": demand.source, "source_label": demand.get_source_display(), "text": demand.text,
        "category": demand.category, "category_label": demand.get_category_display(),
        "place": _ref(demand.place), "activity": {"id": demand.activity.pk, "name": demand.activity.topic}
        if demand.activity_id else None,
        "unit": _ref(demand.unit) if demand.unit_id else None,
        "name": demand.citizen_name if personal else None, "phone": demand.phone if personal else None,
        "received_on": demand.received_on, "due_on": demand.due_on, "late": _late(demand, clock.today()),
        "decline_reason": demand.decline_reason, "answer": demand.answer, "answered_on": demand.answered_on,
        "answered_by_unit": _ref(demand.answered_by_unit) if demand.answered_by_unit_id else None,
        "answered_late": demand.answered_late, "satisfaction": demand.satisfaction,
        "citizen_comment": demand.citizen_comment, "reopened": demand.reopened, "closed_on": demand.closed_on,
        "member": {"id": demand.member.pk, "name": demand.member.name} if demand.member_id else None,
        "proposal": demand.proposal_id, "opinion": demand.opinion_id, "public": demand.public,
        "public_summary": demand.public_summary, "photos": demand.photos.count(), "created_at": demand.created_at,
        "version": demand.version,
        "actions": [{"action": t.action, "label": str(t.label)}
                    for t in demand_machine.available(user, demand, relations=relations)],
    }


def _activity_events(activity) -> list[dict]:
    _demand_machine, machine = _machines()
    return labelled_timeline(activity, label=selectors.activity_event_label, state_label=machine.state_label)


def _demand_events(demand) -> list[dict]:
    machine, _activity_machine = _machines()
    return labelled_timeline(demand, label=selectors.demand_event_label, state_label=machine.state_label)


def _page(qs, page: int, page_size: int, serialise) -> dict:
    count = qs.count()
    start = (page - 1) * page_size
    rows = list(qs[start:start + page_size]) if start < count else []
    return {"items": [serialise(r) for r in rows], "count": count, "page": page, "page_size": page_size}


def _empty(filters) -> dict:
    return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}


def _list_value(key: str, values: list[str]):
    return values if key in LIST_FIELDS else values[-1]


LIST_FIELDS = {"members", "units", "present", "leave", "units_present"}
ID_KEYS = ("unit", "member", "place", "special_committee") + tuple(LIST_FIELDS)


def _action_body(request) -> tuple[dict, object]:
    return action_body(request, form_value=_list_value, id_keys=ID_KEYS)


def _action_doc(example: dict, where: str) -> dict:
    return {
        "required": False,
        "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": True,
            "description": f"The action's fields (its input schema in {where}), plus an optional "
                           "`expected_version` (or an `If-Match` header): a stale version gives 409 `conflict`.",
            "example": example,
        }}},
    }


# --- Places -----------------------------------------------------------------------------------------


@router.get("/places", response={200: PlacePage, **ERRORS}, summary="Liaison stations and studios",
            operation_id="places_list")
def place_list(request, filters: Query[PlaceFilters]):
    """The committee's places (委员联络站, 委员工作室), by county; `mine` for the places the caller keeps."""
    committee = committee_for(request)
    if committee is None:
        return _empty(filters)
    qs = selectors.places_of(committee)
    if filters.county:
        qs = qs.filter(county=filters.county)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.public is not None:
        qs = qs.filter(public=filters.public)
    if filters.mine:
        qs = qs.filter(pk__in=selectors.place_ids_of(request.auth, committee))
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(county__icontains=q) | Q(township__icontains=q)
                       | Q(address__icontains=q))
    return _page(qs.order_by("county", "sort_order", "name", "id"), filters.page, filters.page_size, place_item)


@router.get("/places/{int:id}", response={200: PlaceDetailOut, **ERRORS}, summary="One place", operation_id="places_get",
            url_name="place_detail")
def place_detail(request, id: int):
    committee = committee_for(request)
    if committee is None:
        raise NotFound()
    place = selectors.place_get(committee, id)
    return place_out(request.auth, committee, place)


# --- Activities -------------------------------------------------------------------------------------


@router.get("/activities", response={200: ActivityPage, **ERRORS}, summary="Consultation activities",
            operation_id="activities_list")
def activity_list(request, filters: Query[ActivityFilters]):
    """The activities (协商议事活动, 接待日) the caller may see, filtered, sorted and paginated."""
    committee = committee_for(request)
    if committee is None:
        return _empty(filters)
    qs = selectors.activities_visible_to(request.auth, committee)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.group:
        qs = qs.filter(state__in=workflow.ACTIVITY_GROUPS[filters.group])
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.place:
        qs = qs.filter(place_id=filters.place)
    if filters.year:
        qs = qs.filter(date__year=filters.year)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(topic__icontains=q) | Q(location__icontains=q))
    if filters.sort:
        key = filters.sort.lstrip("-")
        fields = ACTIVITY_SORTS[key]
        qs = qs.order_by(*(f"-{f}" if filters.sort.startswith("-") else f for f in fields))
    else:
        qs = qs.order_by("-date", "-id")
    qs = qs.select_related("place", "special_committee")
    return _page(qs, filters.page, filters.page_size, activity_item)


@router.post("/activities", response={201: ActivityOut, **ERRORS}, summary="Plan an activity",
             operation_id="activities_create", openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object", "additionalProperties": True,
                                                 "description": "PlanInput (xieshang/grassroots/workflow.py): "
                                                                "topic, date, kind, place, members, units …",
                                                 "example": {"topic": "老旧小区加装电梯协商议事会",
                                                             "date": "2026-03-20", "members": [1]}}}}}})
def activity_create(request):
    """A keeper plans one at their own place (the default), staff at any place or for a special committee.
    422 with `fields` for bad data."""
    from xieshang.grassroots import services

    committee = committee_or_forbidden(request)
    data, _version = _action_body(request)
    activity = services.activity_create(actor=request.auth, committee=committee, data=data)
    return Status(201, activity_out(request.auth, selectors.activity_get(request.auth, committee, activity.pk)))


add_read_routes(router, path="/activities", operation_id="activities", name="activity",
                get=selectors.activity_get, out=activity_out, schema=ActivityOut, summary="One activity",
                timeline=_activity_events, event_schema=EventOut, events_summary="An activity's timeline")


@router.post(
    "/activities/{int:id}/actions/{action}",
    response={200: ActivityOut, **ERRORS, 400: ErrorOut},
    summary="Carry out an activity action",
    operation_id="activities_act",
    openapi_extra={"requestBody": _action_doc({"present": [1], "citizens_count": 12, "minutes": "……",
                                               "expected_version": 2}, "xieshang/grassroots/workflow.py")},
)
def activity_action(request, id: int, action: str = Path(..., description="One of: update, publish, hold, record, "
                                                                           "close, cancel", example="publish")):
    """update (the plan, PlanInput), publish, hold / record (`{"present": [member id …], "leave": […],
    "citizens_count", "units_present": [unit id …], "minutes"}`), close, cancel (`{"reason"}`).

    409 `illegal_transition` when the action is not possible in the activity's state (`conflict` for a stale
    `expected_version`), 422 with `fields` for bad data, 403 when the caller may see the activity but not do
    this, 404 for an unknown action or an activity the caller may not see."""
    from xieshang.grassroots import services

    _demand_machine, machine = _machines()
    if action not in machine:
        raise not_found_error()
    committee = committee_for(request)
    activity = selectors.activity_get(request.auth, committee, id)
    data, version = _action_body(request)
    services.activity_act(actor=request.auth, activity=activity, action=action, data=data, expected_version=version)
    return activity_out(request.auth, selectors.activity_get(request.auth, committee, activity.pk))


@router.post(
    "/activities/{int:id}/outcomes",
    response={201: ActivityOutcomeOut, **ERRORS, 400: ErrorOut},
    summary="Add a line to the outcome list (成果清单)",
    operation_id="activities_outcome_add",
    openapi_extra={"requestBody": _action_doc({"text": "三个月内完成加装电梯方案", "owner_kind": "unit",
                                               "owner_unit": 1, "due_on": "2026-06-30"},
                                              "OutcomeInput, xieshang/grassroots/workflow.py")},
)
def activity_outcome_add(request, id: int):
    """Once the activity is held: `{"text", "owner_kind": "unit"|"committee"|"member", "owner_unit"?,
    "owner_member"?, "due_on"?}`. The organisers and staff; 422 `not_held` before it is held."""
    from xieshang.grassroots import services

    activity = selectors.activity_get(request.auth, committee_for(request), id)
    data, _version = action_body(request, form_value=lambda k, v: v[-1], id_keys=("owner_unit", "owner_member"))
    outcome = services.outcome_add(actor=request.auth, activity=activity, data=data)
    outcome = Outcome.objects.select_related("owner_unit", "owner_member").get(pk=outcome.pk)
    return Status(201, outcome_out(outcome))


@router.post(
    "/activities/{int:id}/outcomes/{int:outcome_id}/done",
    response={200: ActivityOutcomeOut, **ERRORS},
    summary="Mark an outcome done",
    operation_id="activities_outcome_done",
    openapi_extra={"requestBody": _action_doc({"note": "已完成"}, "a progress note")},
)
def activity_outcome_done(request, id: int, outcome_id: int):
    """`{"note"?}`: what was done. The organisers and staff (403 for other readers); done twice: no change."""
    from xieshang.grassroots import services

    activity = selectors.activity_get(request.auth, committee_for(request), id)
    outcome = Outcome.objects.filter(activity=activity, pk=outcome_id).first()
    if outcome is None:
        raise NotFound()
    data, _version = action_body(request, form_value=lambda k, v: v[-1])
    note = data.get("note") or ""
    services.outcome_done(actor=request.auth, outcome=outcome, note=note if isinstance(note, str) else str(note))
    return outcome_out(Outcome.objects.select_related("owner_unit", "owner_member").get(pk=outcome.pk))


# --- Demands -----------------------------------------------------------------------------------------


@router.get("/demands", response={200: DemandPage, **ERRORS}, summary="Citizens' demands",
            operation_id="demands_list")
def demand_list(request, filters: Query[DemandFilters]):
    """The demands (诉求) the caller may see — a keeper their places', a unit's user those referred to the unit,
    a member those they recorded, staff and leaders all — filtered, sorted and paginated. Without personal
    data (the detail has it, for those entitled to it)."""
    committee = committee_for(request)
    if committee is None:
        return _empty(filters)
    today = clock.today()
    qs = selectors.demands_visible_to(request.auth, committee)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.group:
        qs = qs.filter(state__in=workflow.DEMAND_GROUPS[filters.group])
    if filters.place:
        qs = qs.filter(place_id=filters.place)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.category:
        qs = qs.filter(category=categories.known(committee, filters.category))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.late is not None:
        late = Q(state__in=workflow.DEMAND_GROUPS["open"], due_on__lt=today)
        qs = qs.filter(late) if filters.late else qs.exclude(late)
    if filters.year:
        qs = qs.filter(received_on__year=filters.year)
    if filters.mine:
        qs = qs.filter(recorded_by=request.auth)
    if filters.q:
        q = filters.q.strip()
        code = "".join(ch for ch in q if ch.isalnum()).upper()[:16]
        qs = qs.filter(Q(text__icontains=q) | (Q(tracking_code=code) if code else Q(pk__in=[])))
    if filters.sort:
        fields = DEMAND_SORTS[filters.sort.lstrip("-")]
        qs = qs.order_by(*(f"-{f}" if filters.sort.startswith("-") else f for f in fields))
    else:
        qs = qs.order_by("-received_on", "-id")
    qs = qs.select_related("place", "unit")
    return _page(qs, filters.page, filters.page_size, lambda d: demand_item(d, today))


@router.post("/demands", response={201: DemandOut, **ERRORS}, summary="Record a demand",
             operation_id="demands_create")
def demand_create(request, payload: DemandIn):
    """A keeper records a citizen's demand (default: the keeper's place) → 201 with `id`, `tracking_code`
    and `state` "received" (the whole detail). Members and staff may record one too; 422 with `fields`."""
    from xieshang.grassroots import services

    committee = committee_or_forbidden(request)
    demand = services.demand_create(actor=request.auth, committee=committee, data=payload.dict())
    return Status(201, demand_out(request.auth, selectors.demand_get(request.auth, committee, demand.pk)))


add_read_routes(router, path="/demands", operation_id="demands", name="demand", get=selectors.demand_get,
                out=demand_out, schema=DemandOut, summary="One demand", timeline=_demand_events,
                event_schema=EventOut, events_summary="A demand's timeline")


@router.post(
    "/demands/{int:id}/actions/{action}",
    response={200: DemandOut, **ERRORS, 400: ErrorOut},
    summary="Carry out a demand action",
    operation_id="demands_act",
    openapi_extra={"requestBody": _action_doc({"unit": 1, "expected_version": 2}, "xieshang/grassroots/workflow.py")},
)
def demand_action(request, id: int, action: str = Path(..., description="One of: accept, decline, refer, return, "
                                                                         "convert, answer, confirm, close, classify, "
                                                                         "publish, unpublish", example="accept")):
    """accept; decline / return (`{"reason"}`); refer (`{"unit", "due_on"?, "note"?}`); convert (`{"to":
    "proposal"|"opinion", "member"}`); answer (`{"text"}`: the unit's user, or the keeper on the spot); confirm
    (`{"satisfied", "comment"?}`: the citizen's verdict, as told to the keeper); close (after the quiet period);
    classify (`{"category"}`); publish (`{"summary"}`); unpublish.

    409 `illegal_transition` when the action is not possible in the demand's state (`conflict` for a stale
    `expected_version`), 422 with `fields` for bad data (or a `detail` such as `quiet_period`), 403 when the
    caller may see the demand but not do this, 404 for an unknown action or a demand the caller may not see."""
    from xieshang.grassroots import services

    machine, _activity_machine = _machines()
    if action not in machine:
        raise not_found_error()
    committee = committee_for(request)
    demand = selectors.demand_get(request.auth, committee, id)
    data, version = _action_body(request)
    services.demand_act(actor=request.auth, demand=demand, action=action, data=data, expected_version=version)
    return demand_out(request.auth, _after_act(request.auth, committee, demand.pk))


def _after_act(user, committee, pk):
    """The demand as it is now. A unit that returned it no longer sees it: it gets the demand once more,
    as anyone without a relation to it (no personal data, no actions)."""
    from xieshang.grassroots.models import Demand

    try:
        return selectors.demand_get(user, committee, pk)
    except NotFound:
        return Demand.objects.select_related("place", "unit", "activity", "member", "answered_by_unit").get(pk=pk)
