"""Endpoints of the core app: tokens, the caller, the committee's handling units and members."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from xieshang.core.errors import ErrorCode, Invalid
from xieshang.core.models import Role
from xieshang.core.selectors import committees_of, member_of, roles_of, units_of
from xieshang.core.sign_in import SecondFactorRequired, auth_password_change

from . import selectors, services
from .auth import committee_for
from .errors import ApiError
from .schemas import ERRORS, ErrorOut, Status

router = Router(tags=["core"])

ROLE_ORDER = [Role.ADMIN, Role.STAFF, Role.LEADER, Role.UNIT, Role.STATION, Role.MEMBER]


# --- Tokens -----------------------------------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)
    name: str = Field("", max_length=64, description="What the token is for (shown to administrators).")
    otp: str = Field("", max_length=32, description="The code of the account's authenticator app, or one of its "
                     "recovery codes, when the account has two-step sign-in (else 401 `otp_required`).")


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`. Shown only once.")
    expires_at: datetime.datetime


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Issue an API token",
    operation_id="auth_token_issue",
)
def token_issue(request, payload: TokenIn):
    """Exchange a user name and password (and, for an account with two-step sign-in, `otp`: its code) for a
    bearer token. Failed attempts count towards the lock-out, exactly as on the sign-in page: 429 `locked_out`
    for this account from this address, 429 `throttled` while the account is slowed down (wait and retry);
    401 `otp_required` when the code is missing; 403 `otp_enrolment_required` for an account that must set up
    two-step sign-in first (in the browser)."""
    try:
        token, raw = services.api_token_issue(
            username=payload.username, password=payload.password, name=payload.name, request=request,
            otp=payload.otp or None,
        )
    except SecondFactorRequired as exc:
        raise ApiError(401, ErrorCode.OTP_REQUIRED.value, str(exc.message)) from None
    except Invalid as exc:  # wrong user name, password or code
        raise ApiError(401, ErrorCode.INVALID.value, str(exc.message), fields=exc.field_errors) from None
    return {"token": raw, "expires_at": token.expires_at}


@router.delete("/auth/token", response={204: None, **ERRORS}, summary="Revoke the token of this request",
               operation_id="auth_token_revoke")
def token_revoke(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise ApiError(422, ErrorCode.INVALID.value, _("This request was not made with an API token."))
    services.api_token_revoke(actor=request.auth, token=token, request=request)
    return Status(204, None)


class PasswordIn(Schema):
    old: str = Field(..., max_length=4096, description="The current password.")
    new: str = Field(..., max_length=4096, description="The new password (the password rules apply).")


class PasswordOut(Schema):
    tokens_revoked: int = Field(..., description="How many other API tokens of the caller were revoked.")


@router.post("/me/password", response={200: PasswordOut, 429: ErrorOut, **ERRORS},
             summary="Change the caller's password", operation_id="me_password_change")
def password_change(request, payload: PasswordIn):
    """Change your own password. Every other session ends and every other API token is revoked; the token (or
    browser session) making the change keeps working. 422 with `fields.old` for a wrong current password (it
    counts towards the lock-out), with `fields.new` for a new one the password rules refuse."""
    revoked = auth_password_change(actor=request.auth, old=payload.old, new=payload.new, request=request,
                                   keep_token=getattr(request, "api_token", None))
    return {"tokens_revoked": revoked}


# --- The caller ---------------------------------------------------------------------------------


class CommitteeRef(Schema):
    id: int
    code: str
    name: str


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str


class MemberRef(Schema):
    id: int
    name: str
    sector: str | None


class CommitteeRoles(Schema):
    id: int
    code: str
    name: str
    short_name: str
    level: str
    roles: list[str]
    units: list[UnitOut]
    member: MemberRef | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str


class MeOut(Schema):
    user: UserOut
    full_name: str
    committees: list[CommitteeRoles]
    current_committee: CommitteeRef | None
    roles: list[str] = Field(..., description="The caller's roles in the current committee.")
    unit: UnitOut | None = Field(..., description="The caller's handling unit in the current committee.")
    member: MemberRef | None


def _unit(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name, "kind": unit.kind}


def _member(member) -> dict | None:
    if member is None:
        return None
    return {"id": member.pk, "name": member.name, "sector": member.sector.name if member.sector_id else None}


def _sorted_roles(roles) -> list[str]:
    return [str(r) for r in ROLE_ORDER if r in roles]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The caller", operation_id="me")
def me(request):
    user = request.auth
    current = committee_for(request)
    committees = []
    for committee in committees_of(user).order_by("level", "code"):
        committees.append(
            {
                "id": committee.pk,
                "code": committee.code,
                "name": committee.name,
                "short_name": committee.short_name,
                "level": committee.level,
                "roles": _sorted_roles(roles_of(user, committee)),
                "units": [_unit(u) for u in units_of(user, committee).order_by("name")],
                "member": _member(member_of(user, committee)),
            }
        )
    unit = units_of(user, current).order_by("name").first() if current else None
    return {
        "user": {"id": user.pk, "username": user.username, "full_name": user.full_name},
        "full_name": user.display_name,
        "committees": committees,
        "current_committee": {"id": current.pk, "code": current.code, "name": current.name} if current else None,
        "roles": _sorted_roles(roles_of(user, current)) if current else [],
        "unit": _unit(unit) if unit else None,
        "member": _member(member_of(user, current)) if current else None,
    }


class DutyFactOut(Schema):
    id: int
    kind: str = Field(..., description='The kind of credit, declared by an app ("proposal.lead", "opinion.adopted.province" …)')
    label: str = Field(..., description="The kind's label in the request's language")
    object_kind: str = Field(..., description='What the fact is about, as "app.model" ("proposals.proposal" …)')
    object_id: int
    title: str = Field(..., description="The object's name (a proposal: its number and title); empty when it is gone")
    committee: int
    quantity: float = Field(..., description="How much: 1 for one proposal or report; hours or days for hand entries")
    authors: int = Field(..., description="How many members share the credit for the object")
    lead: bool = Field(..., description="The caller is the first of them")
    occurred_on: datetime.date


class DutyFactFilters(Schema):
    year: int | None = Field(None, ge=1900, le=9999, description="Only the facts of this calendar year")


@router.get("/me/duty-facts", response={200: list[DutyFactOut], **ERRORS}, summary="The caller's duty facts",
            operation_id="me_duty_facts")
def me_duty_facts(request, filters: Query[DutyFactFilters]):
    """The caller's own duty ledger (履职记录) across every app and committee, newest first: each fact says which
    credit the caller earned for which object (first proposer of a registered proposal, co-signer, key or
    excellent proposal, opinion report submitted or adopted …). Only the caller's facts; a fixed number of
    queries (one, and one per kind of object for the titles)."""
    from xieshang.core import duty

    facts = duty.with_objects(duty.duty_facts_of_user(request.auth, year=filters.year))
    return [
        {
            "id": f.pk, "kind": f.kind, "label": duty.kind_label(f.kind), "object_kind": f.target_kind,
            "object_id": f.object_id, "title": f.target_title, "committee": f.committee_id,
            "quantity": float(f.quantity), "authors": f.authors, "lead": f.lead, "occurred_on": f.occurred_on,
        }
        for f in facts
    ]


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="The committee's handling units",
            operation_id="units_list")
def units(request):
    committee = committee_for(request)
    return [_unit(u) for u in selectors.handling_units_of(request.auth, committee)]


class CommitteeCategoryOut(Schema):
    code: str = Field(description="What the records store (proposals, opinion reports, demands)")
    name: str = Field(description="The name as the committee writes it")
    name_en: str
    label: str = Field(description="The name in the request's language")
    active: bool = Field(description="Offered for new records (a category out of use stays on old ones)")


@router.get("/categories", response={200: list[CommitteeCategoryOut], **ERRORS}, summary="The committee's categories",
            operation_id="categories_list")
def category_list(request):
    """The current committee's own category list, in its order (core.categories): the `category` codes the
    proposal, opinion report and demand endpoints accept (an unknown one is 422)."""
    from xieshang.core import categories

    committee = committee_for(request)
    if committee is None:
        return []
    return [{"code": e.code, "name": e.name, "name_en": e.name_en, "label": e.label, "active": e.active}
            for e in categories.catalogue(committee).entries]


class MemberSearch(Schema):
    q: str = Field("", max_length=40, description="Part of the member's name")
    limit: int = Field(30, ge=1, le=100)


@router.get("/members", response={200: list[MemberRef], **ERRORS}, summary="Members one may invite to co-sign",
            operation_id="members_list")
def members(request, filters: Query[MemberSearch]):
    """Active members of the current committee the caller may invite as co-signers (everyone but the
    caller), by name: their `id` is what the action `invite_cosigners` takes in `members`. Empty for
    callers who cannot draft proposals in the committee."""
    from xieshang.proposals import selectors as proposal_selectors

    committee = committee_for(request)
    rows = proposal_selectors.members_for_cosigning(request.auth, committee, filters.q)[: filters.limit]
    return [_member(m) for m in rows]
