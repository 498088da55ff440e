"""Reads that depend on who asks. The one permission chokepoint of the core app."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from .cache import PRINCIPAL, PRINCIPAL_ATTRS, UNREAD, hot_cache_seconds, hot_key, primed_get, unprime
from .models import Committee, HandlingUnit, Notification, Role, RoleAssignment


# --- Who the user is: roles, committees, member ids ----------------------------------------------
#
# Every page needs the user's roles and committees (the header's switch, the permission checks) and
# most lists their Member ids. They are read once per request (attributes on the user object) and,
# with the hot cache on (Redis, or the machine's file cache), kept across requests for
# XIESHANG_HOT_CACHE_SECONDS under one key per user, together with the user row itself
# (`core.auth.CachedModelBackend`): a page then reads one cache key instead of three queries. The
# cached row keeps no password hash: only the session auth hash Django's session check compares
# (derived from it, as kept in the session itself). `core.cache.forget` drops the key when any of it
# changes (`User.save`, role grants and revocations, member accounts, the admin site, restore); the
# expiry bounds what a write outside them (SQL by hand) can leave stale. ADR 0009.


def principal_key(user_id) -> str:
    return hot_key(PRINCIPAL, user_id)


def _attach_principal(user, entry: dict) -> None:
    user._xieshang_roles = entry["roles"]
    user._xieshang_committees = entry["committees"]
    user._xieshang_member_ids = entry["member_ids"]


def _secret_tag() -> str:
    """Which SECRET_KEY (and fallbacks) the cached session hashes were made with: an entry made under
    another secret (a rotation) is not used."""
    global _SECRET_TAG
    if _SECRET_TAG is None:
        from django.utils.crypto import salted_hmac

        _SECRET_TAG = salted_hmac("xieshang.hot-cache.secret", "|".join(settings.SECRET_KEY_FALLBACKS)).hexdigest()[:16]
    return _SECRET_TAG


_SECRET_TAG = None


def principal_entry(user) -> dict:
    """The user's cached roles, committees and member ids (and a copy of the user row without its
    password hash), read from the database when they are not cached and then cached. Only with the hot
    cache on."""
    import copy

    from django.core.cache import cache

    from .models import Member

    entry = primed_get(principal_key(user.pk))
    if entry is None or entry.get("secret") != _secret_tag():
        roles, committees = _query_roles(user)
        clean = copy.copy(user)
        for attr in PRINCIPAL_ATTRS:
            clean.__dict__.pop(attr, None)
        # Not the hash: the copy's password is a deferred field (read from the database if anything asks,
        # and left alone by save()); the session check uses the session hashes below.
        clean.__dict__.pop("password", None)
        clean.__dict__.pop("_xieshang_session_hashes", None)
        entry = {
            "user": clean, "roles": roles, "committees": committees,
            "member_ids": list(Member.objects.filter(user=user).order_by().values_list("pk", flat=True)),
            "session_hashes": (user.get_session_auth_hash(), tuple(user.get_session_auth_fallback_hash())),
            "secret": _secret_tag(),
        }
        cache.set(principal_key(user.pk), entry, hot_cache_seconds())
    return entry


def _query_roles(user) -> tuple[list, list]:
    assignments = list(
        RoleAssignment.objects.filter(user=user, committee__is_active=True).select_related("committee").order_by("pk")
    )
    rows = [(a.committee_id, a.role, a.handling_unit_id) for a in assignments]
    committees = sorted({a.committee_id: a.committee for a in assignments}.values(), key=lambda c: c.code)
    return rows, committees


def _role_rows(user) -> list[tuple[int, str, int | None]]:
    """(committee_id, role, handling_unit_id) rows of a user, cached on the user object for the request.
    The same query brings the committees (select_related), which `committee_list` hands out: every page
    needs both (the header's committee switch and the roles), so they cost one query together."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_xieshang_roles", None)
    if cached is None:
        if hot_cache_seconds():
            _attach_principal(user, principal_entry(user))
        else:
            user._xieshang_roles, user._xieshang_committees = _query_roles(user)
        cached = user._xieshang_roles
    return cached


def member_ids_of(user) -> list[int]:
    """The ids of the user's Member rows (one per committee they sit on), cached on the user object for
    the request: visibility predicates use them as constants rather than as a subquery."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_xieshang_member_ids", None)
    if cached is None and hot_cache_seconds() and getattr(user, "_xieshang_roles", None) is None:
        _role_rows(user)  # the cached principal brings the member ids
        cached = getattr(user, "_xieshang_member_ids", None)
    if cached is None:
        from .models import Member

        cached = list(Member.objects.filter(user=user).order_by().values_list("pk", flat=True))
        user._xieshang_member_ids = cached
    return cached


def _cid(committee) -> int | None:
    if committee is None:
        return None
    return committee if isinstance(committee, int) else committee.pk


def roles_of(user, committee) -> set[str]:
    cid = _cid(committee)
    roles = {role for c, role, _unit in _role_rows(user) if c == cid}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def has_role(user, committee, *roles: str) -> bool:
    return bool(roles_of(user, committee) & set(roles))


def unit_ids_of(user, committee) -> set[int]:
    """The handling units this user acts for in this committee."""
    cid = _cid(committee)
    return {unit for c, role, unit in _role_rows(user) if c == cid and role == Role.UNIT and unit}


def units_of(user, committee) -> QuerySet[HandlingUnit]:
    return HandlingUnit.objects.filter(pk__in=unit_ids_of(user, committee))


def committees_of(user) -> QuerySet[Committee]:
    if getattr(user, "is_superuser", False):
        return Committee.objects.filter(is_active=True)
    ids = {c for c, _role, _unit in _role_rows(user)}
    return Committee.objects.filter(pk__in=ids, is_active=True)


LEVEL_ORDER = ["national", "provincial", "prefecture", "county"]


def committee_list(user) -> list[Committee]:
    """The committees the user works in (the header's switch), as a list: for everyone but superusers it
    comes with the role rows (no query of its own)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if getattr(user, "is_superuser", False):
        cached = getattr(user, "_xieshang_all_committees", None)
        if cached is None:
            cached = user._xieshang_all_committees = list(committees_of(user).order_by("code"))
        return cached
    _role_rows(user)
    return user._xieshang_committees


def _level_rank(committee) -> tuple:
    level = committee.level
    return (LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER), committee.code)


def default_committee(user) -> Committee | None:
    """The highest-level committee where the user has a role (a prefecture before its counties)."""
    return min(committee_list(user), key=_level_rank, default=None)


def member_of(user, committee):
    """The user's Member row in this committee, or None."""
    from .models import Member

    if user is None or not getattr(user, "is_authenticated", False) or committee is None:
        return None
    return Member.objects.filter(user=user, committee=committee).select_related("sector").first()


def primary_role(user, committee) -> str | None:
    """The role whose home page the user sees first."""
    roles = roles_of(user, committee)
    for role in (Role.ADMIN, Role.STAFF, Role.LEADER, Role.UNIT, Role.STATION, Role.MEMBER):
        if role in roles:
            return role
    return None


def todos_for(user, committee) -> list[dict]:
    """The user's to-dos on the home page (工作台), gathered from every app that declares providers
    (`Declarations.todos`, read through xieshang.core.registry).

    Each provider returns a list of dicts: {"label", "count", "url", "urgent": bool}.
    """
    from . import registry

    if committee is None:
        return []
    items: list[dict] = []
    for path in registry.todo_providers():
        items.extend(import_string(path)(user, committee))
    return items


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


UNREAD_SECONDS = 300


def unread_key(user_id) -> str:
    return hot_key(UNREAD, user_id)


def unread_count(user) -> int:
    """The badge in the header (every page): cached per user, forgotten by `services.notify` and
    `services.notification_mark_read` (through `core.cache.forget`) when it changes (5 minutes at most for a write outside them)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    from django.core.cache import cache

    count = primed_get(unread_key(user.pk))
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(unread_key(user.pk), count, UNREAD_SECONDS)
    return count


# --- Administration ------------------------------------------------------------------


def administered_committee(user, committee) -> Committee:
    """The committee if the user administers it; otherwise NotFound (the screens do not exist for them)."""
    from .errors import NotFound

    if committee is None or not has_role(user, committee, Role.ADMIN):
        raise NotFound()
    return committee


def users_of_committee(committee) -> QuerySet:
    """The accounts that hold a role in this committee or are one of its members."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .models import Member

    return get_user_model().objects.filter(
        Q(pk__in=RoleAssignment.objects.filter(committee=committee).values("user_id"))
        | Q(pk__in=Member.objects.filter(committee=committee).values("user_id"))
    )


def account_manageable_by(actor, user) -> bool:
    """May `actor` change this account's name, contact, activity or password?

    A platform administrator may change any account. A committee administrator may change an
    account only when every committee the account belongs to (roles or memberships) is one the
    actor administers, and never a platform administrator's: so no administrator can take over
    an account that also works in a committee they do not administer.
    """
    from .models import Member

    if getattr(actor, "is_superuser", False):
        return True
    if getattr(user, "is_superuser", False):
        return False
    belongs = set(RoleAssignment.objects.filter(user=user).values_list("committee_id", flat=True))
    belongs |= set(Member.objects.filter(user=user).values_list("committee_id", flat=True))
    administered = {c for c, role, _unit in _role_rows(actor) if role == Role.ADMIN}
    return bool(belongs) and belongs <= administered


def organisation_version_key(committee_id) -> str:
    return f"xieshang:org-version:{committee_id}"


def organisation_version(committee_id) -> int:
    """A number that changes whenever the committee's organisation rows change (see
    services.organisation_changed); caches of option lists put it in their keys."""
    from django.core.cache import cache

    key = organisation_version_key(committee_id)
    version = primed_get(key)
    if version is None:
        version = 1
        cache.add(key, version, None)
    return version


def bump_organisation_version(committee_id) -> None:
    from django.core.cache import cache

    key = organisation_version_key(committee_id)
    unprime([key])
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)


def exports_of(user):
    """The user's own background exports, newest first (nobody sees another person's)."""
    from .models import Export

    if user is None or not getattr(user, "is_authenticated", False):
        return Export.objects.none()
    return Export.objects.filter(requested_by=user).select_related("committee").order_by("-created_at", "-id")


def export_get(user, pk):
    """One of the user's exports; anyone else's is NotFound, the same as a missing one."""
    from .errors import NotFound

    export = exports_of(user).filter(pk=pk).first() if isinstance(pk, int) and 0 < pk < 2**63 else None
    if export is None:
        raise NotFound()
    return export


# --- Who holds a role (scope task) ---------------------------------------------------------------


def _scope_field(scope) -> str:
    """The RoleAssignment field that names this kind of scope."""
    from .models import LiaisonStation, SpecialCommittee, Studio

    for model, field in ((HandlingUnit, "handling_unit"), (LiaisonStation, "liaison_station"), (Studio, "studio"),
                         (SpecialCommittee, "special_committee")):
        if isinstance(scope, model):
            return field
    raise TypeError(f"Not a role scope: {scope!r} (a HandlingUnit, LiaisonStation, Studio or SpecialCommittee)")


def scope_names_of(user, committee) -> dict[str, list[str]]:
    """The names of what the user acts for in this committee, by role: {"unit": [handling units], "station":
    [liaison stations and studios], "staff"/"leader": [special committees]} (roles bound to nothing are left
    out). One query; the workbench names the unit or station it is the workbench of."""
    if committee is None or user is None or not getattr(user, "is_authenticated", False):
        return {}
    rows = RoleAssignment.objects.filter(user=user, committee_id=_cid(committee)).select_related(
        "handling_unit", "liaison_station", "studio", "special_committee").order_by("role", "pk")
    names: dict[str, list[str]] = {}
    for row in rows:
        scope = row.handling_unit or row.liaison_station or row.studio or row.special_committee
        if scope is not None:
            names.setdefault(row.role, []).append(scope.name)
    return names


def users_with_role(committee, role: str, scope=None) -> QuerySet:
    """The active users who hold `role` in this committee (an instance or an id); with `scope` (a HandlingUnit,
    LiaisonStation, Studio or SpecialCommittee instance; an unsaved `HandlingUnit(pk=…)` will do) only those
    bound to it. Without a scope, every holder of the role, whatever it is bound to. One query when read.

    No fallback: who to tell when nobody holds a role is the caller's rule (see `office_users`)."""
    from django.contrib.auth import get_user_model

    assignments = RoleAssignment.objects.filter(committee_id=_cid(committee), role=role)
    if scope is not None:
        assignments = assignments.filter(**{f"{_scope_field(scope)}_id": scope.pk})
    return get_user_model().objects.filter(is_active=True, pk__in=assignments.values("user_id"))


def office_users(committee) -> QuerySet:
    """Who the office is, for notifications the office must act on: the committee's office staff, or its
    administrators when it has no (active) staff yet. Two queries at most."""
    staff = users_with_role(committee, Role.STAFF)
    if staff.exists():
        return staff
    return users_with_role(committee, Role.ADMIN)
