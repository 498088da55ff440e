"""The public grassroots API (no token): the citizen's door, mounted at /api/v1/public. Thin: parse, call one
public service or public selector of xieshang.grassroots, serialise — as the public pages do.

    POST /public/phone-codes                       {"phone", "purpose"?} → 202 {"sent": true, "expires_in": 600}
    POST /public/demands                           {"phone", "code", "text", "category"?, "name"?, "place"}
                                                   → 201 {"tracking_code"} (a retry with the same code and text:
                                                   the same tracking code)
    GET  /public/demands/{tracking_code}           state, holder, due date, answer … (never the name or phone)
    POST /public/demands/{tracking_code}/confirm   {"satisfied", "comment"?} → the demand as above
    GET  /public/places                            the directory with this year's figures (?committee=, ?year=)

A wrong tracking code is 404 `not_found`, the same as a missing one. A rate limit (SMS codes, submissions) is
429 `rate_limited` with a message saying what to do and a `Retry-After` header. Every operation has auth=None.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from xieshang.core.addresses import client_address
from xieshang.core.errors import Invalid, NotFound
from xieshang.grassroots import public_selectors as pub
from xieshang.grassroots import services
from xieshang.grassroots import workflow as wf
from xieshang.grassroots.models import Place
from xieshang.portal.selectors import portal_committee

from .errors import ApiError
from .schemas import ErrorOut, Status

router = Router(tags=["public"])

RATE_LIMITED = "rate_limited"
PUBLIC_ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


# --- Schemas ---------------------------------------------------------------------------------------------------


class CodeSentOut(Schema):
    sent: bool
    expires_in: int = Field(description="Seconds the code stays valid")


class TrackingCodeOut(Schema):
    tracking_code: str


class TrackingOut(Schema):
    tracking_code: str
    state: str
    state_label: str
    place: str
    holder: str = Field(description="Who holds it now: a place, a unit, or the citizen (never a person)")
    received_on: datetime.date
    due_on: datetime.date | None
    answer: str
    answered_on: datetime.date | None
    decline_reason: str
    satisfaction: str


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    county: str
    township: str
    address: str
    reception_days: list[int]
    rota: str
    on_duty: int
    opening_hours: str
    phone: str = Field(description="The place's public telephone")
    received: int
    answered: int
    on_time_rate: int | None = Field(description="Per cent of the year's answers given in time")


class DirectoryOut(Schema):
    year: int
    items: list[PlaceOut]


class DirectoryFilters(Schema):
    committee: str | None = Field(None, max_length=32, description="The committee's code (default: the portal's)")
    year: int | None = Field(None, ge=2000, le=2200)


# --- Helpers -----------------------------------------------------------------------------------------------------


def _rate_limited(exc: Invalid) -> ApiError:
    return ApiError(429, RATE_LIMITED, str(exc.message), headers={"Retry-After": "60"})


def _call(service, **kwargs):
    """The service, its rate limits as 429 `rate_limited` (any other refusal: the API's usual mapping)."""
    try:
        return service(**kwargs)
    except Invalid as exc:
        if exc.detail == RATE_LIMITED:
            raise _rate_limited(exc) from None
        raise


def _committee(request, code: str | None = None):
    code = code or (request.headers.get("X-Committee") or "").strip()[:32] or None
    try:
        return portal_committee(code)
    except NotFound:
        raise ApiError(404, "not_found", _("Not found.")) from None


def _committee_of_place(request, place_id):
    """The committee of the public place a demand is sent to (else the portal's: the service names the field)."""
    from xieshang.core.models import Committee

    committee = (Committee.objects.filter(is_active=True, pk__in=Place.objects.filter(pk=place_id, public=True)
                                          .values("committee_id")).first() if place_id else None)
    return committee or _committee(request)


def _tracking(demand) -> dict:
    view = pub.tracking_view(demand)
    return {key: view[key] for key in TrackingOut.model_fields}


# --- Endpoints ---------------------------------------------------------------------------------------------------


@router.post("/phone-codes", auth=None, response={202: CodeSentOut, 422: ErrorOut, 429: ErrorOut},
             summary="Send an SMS code to a phone", operation_id="public_phone_code")
def phone_code(request, payload: wf.PhoneInput):
    """A 6-digit code by SMS, valid 10 minutes, used once; at most one a minute per phone and a few an hour per
    phone and per address (429 `rate_limited`). `purpose`: `submit` (a demand) or `follow` (all my demands)."""
    _call(services.phone_code_request, phone=payload.phone, purpose=payload.purpose,
          address=client_address(request) or "")
    return Status(202, {"sent": True, "expires_in": int(services.CODE_TTL.total_seconds())})


@router.post("/demands", auth=None, response={201: TrackingCodeOut, **PUBLIC_ERRORS},
             summary="Submit a demand", operation_id="public_demand_submit")
def demand_submit(request, payload: wf.PublicDemandInput):
    """A citizen's demand, confirmed by the SMS code sent to `phone` (purpose `submit`). The code is used once;
    the same request sent again (same code and text) answers the same tracking code instead of a second demand.
    Wrong or expired code: 422 with `fields.code` (detail `bad_code`)."""
    committee = _committee_of_place(request, payload.place)
    demand = _call(services.demand_submit_public, committee=committee, data=payload.dict(),
                   address=client_address(request) or "", request=request)
    return Status(201, {"tracking_code": demand.tracking_code})


@router.get("/demands/{tracking_code}", auth=None,
            response={200: TrackingOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
            summary="Follow a demand by its tracking code", operation_id="public_demand_track")
def demand_track(request, tracking_code: str):
    """State, who holds it, when it is due, the answer and the reason of a decline; never the citizen's name or
    phone. Spaces, dashes and lower case in the code are fine; a wrong code is 404, as a missing one."""
    try:
        return _tracking(_call(pub.demand_by_code, code=tracking_code, address=client_address(request) or ""))
    except NotFound:
        raise ApiError(404, "not_found", _("Not found.")) from None


@router.post("/demands/{tracking_code}/confirm", auth=None, response={200: TrackingOut, **PUBLIC_ERRORS},
             summary="Confirm the answer: satisfied or not", operation_id="public_demand_confirm")
def demand_confirm(request, tracking_code: str, payload: wf.ConfirmInput):
    """The citizen's verdict on an answered demand. Not satisfied reopens it once; the second time it closes.
    Not answered (yet, or any more): 409 `illegal_transition`."""
    try:
        _call(pub.demand_by_code, code=tracking_code, address=client_address(request) or "")
        services.demand_confirm_public(tracking_code=tracking_code, satisfied=payload.satisfied,
                                       comment=payload.comment)
        return _tracking(pub.demand_by_code(tracking_code))
    except NotFound:
        raise ApiError(404, "not_found", _("Not found.")) from None


@router.get("/places", auth=None, response={200: DirectoryOut, 404: ErrorOut, 422: ErrorOut},
            summary="The directory of liaison stations and studios", operation_id="public_places")
def places(request, filters: Query[DirectoryFilters]):
    """Every public place of the committee (`?committee=<code>`, else the portal's) by county, with its rota,
    hours, telephone and its answer record of `year` (this year): received, answered, on-time rate."""
    from xieshang.core import clock

    committee = _committee(request, filters.committee)
    year = filters.year or clock.today().year
    items = []
    for _county, rows in pub.directory(committee, year):
        for p in rows:
            items.append({
                "id": p.pk, "name": p.name, "kind": p.kind, "kind_label": str(p.get_kind_display()),
                "county": p.county, "township": p.township, "address": p.address, "reception_days": p.rota_days(),
                "rota": p.rota, "on_duty": p.on_duty, "opening_hours": p.opening_hours, "phone": p.phone,
                "received": p.figures.received, "answered": p.figures.answered, "on_time_rate": p.figures.on_time_rate,
            })
    return {"year": year, "items": items}
