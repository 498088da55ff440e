"""Every write of the core app. One function per action: check, write in one transaction,
record the audit event, queue notifications after commit."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import audit, calendar
from .cache import PRINCIPAL, TIMERS, UNREAD, forget
from .errors import ErrorCode, Forbidden, Invalid, NotFound, ServiceError
from .models import Delivery, Holiday, Notification, Role, TimerSetting
from .notices import render_for
from .selectors import has_role


# --- Sign-in ----------------------------------------------------------------
# Signing in, the lock-out and password changes live in core.sign_in (the page, the API and the Django admin
# all use them); they are services like the others and are named here too.
from .sign_in import (  # noqa: E402, F401
    LockedOut,
    SecondFactorRequired,
    Throttled,
    auth_check_credentials,
    auth_password_change,
    auth_sign_in,
    auth_sign_in_code,
    auth_sign_out,
    is_locked_out,
    lockout_ends_at,
)


# --- Notifications -----------------------------------------------------------


_SILENCED = contextvars.ContextVar("xieshang_notices_silenced", default=False)


@contextlib.contextmanager
def notices_silenced(on: bool = True):
    """While the block runs (and `on`), `notify` tells nobody: it creates no notification and queues no delivery.
    For the demo loaders' history (core.demo_kit.history), which goes through the services as it happened years
    ago; never used by the platform itself."""
    token = _SILENCED.set(bool(on) or _SILENCED.get())
    try:
        yield
    finally:
        _SILENCED.reset(token)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    committee=None,
    dedupe_key: str | None = None,
    channels: Iterable[str] = ("email",),
) -> list[Notification]:
    """Create in-app notifications now (inside the caller's transaction) and queue their
    delivery on e-mail/SMS for after the commit. With `dedupe_key`, a recipient who already
    has a notification with that key gets no second one (reminders are sent once).

    `title` and `body` may be `core.notices.Notice`s (or lazy translations): each recipient's copy is then
    written in that recipient's language (`notices.language_of`), dates as core.formats writes them."""
    channels = tuple(channels)
    unknown = set(channels) - set(Delivery.Channel.values)
    if unknown:
        raise ValueError(f"unknown notification channel(s): {sorted(unknown)}")
    if _SILENCED.get():
        return []
    dedupe_key = dedupe_key or None  # "" would collide on the unique constraint like a real key
    created = []
    to_deliver = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user, kind=kind, title=render_for(user, title)[:200], body=render_for(user, body), url=url,
                    committee=committee, dedupe_key=dedupe_key,
                )
        except IntegrityError:  # a concurrent copy of the same reminder won
            continue
        for channel in channels:
            address = user.email if channel == Delivery.Channel.EMAIL else getattr(user, "phone", "")
            if address:
                Delivery.objects.create(notification=notification, channel=channel, address=address)
                if not to_deliver or to_deliver[-1] != notification.pk:
                    to_deliver.append(notification.pk)
        created.append(notification)
    if created:
        forget(users=[n.recipient_id for n in created], what=UNREAD)
    if to_deliver:
        ids = to_deliver

        def enqueue():
            from .tasks import deliver_notification

            for pk in ids:
                deliver_notification.enqueue(pk)

        transaction.on_commit(enqueue)
    return created


def notification_mark_read(*, actor, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, all) of the actor's notifications read. Returns how many changed.

    Another user's notification is NotFound, the same as one that does not exist."""
    qs = Notification.objects.filter(recipient=actor)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
        if not qs.exists():
            raise NotFound()
    changed = qs.filter(read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        forget(users=[actor.pk], what=UNREAD)
    return changed


# --- Calendar and timers --------------------------------------------------------


def holiday_set(*, actor, date: datetime.date, is_working_day: bool, name: str = "", committee=None) -> Holiday:
    """Add or change one day of the calendar (national when committee is None: platform administrators only)."""
    if committee is None:
        if not actor.is_superuser:
            raise Forbidden()
    elif not has_role(actor, committee, Role.ADMIN):
        raise Forbidden()
    with transaction.atomic():
        row, created = Holiday.objects.update_or_create(
            date=date, committee=committee, defaults={"is_working_day": is_working_day, "name": name}
        )
        audit.record(
            actor=actor, action="calendar.day_set", obj=row, committee=committee,
            payload={"date": date.isoformat(), "is_working_day": is_working_day, "name": name, "created": created},
        )
        transaction.on_commit(calendar.invalidate)
    calendar.invalidate()
    return row


def timer_set(*, actor, committee, key: str, amount: int, unit: str) -> TimerSetting:
    from .timers import defaults as timer_defaults

    if not has_role(actor, committee, Role.ADMIN):
        raise Forbidden()
    if key not in timer_defaults():
        raise Invalid(field_errors={"key": [_("Unknown timer.")]})
    if unit not in TimerSetting.Unit.values or amount < 0:
        raise Invalid(field_errors={"unit": [_("Unknown unit.")]})
    with transaction.atomic():
        row, _created = TimerSetting.objects.update_or_create(
            committee=committee, key=key, defaults={"amount": amount, "unit": unit}
        )
        audit.record(actor=actor, action="timer.set", obj=row, committee=committee,
                     payload={"key": key, "amount": amount, "unit": unit})
        forget(committees=[committee], what=TIMERS)
    return row


# --- Administration of the organisation model ----------------------------------
#
# Used by the administration screens (`admin_views`) and the Excel import (`imports`).
# Every function checks that the actor administers the committee, refuses rows of another
# committee with NotFound (as if they did not exist), writes in one transaction and records
# one audit event per changed row (`<noun>.created` / `<noun>.updated` / `<noun>.deleted`)
# with the changed fields as {"changes": {field: [old, new]}}.

from django.core.exceptions import ObjectDoesNotExist  # noqa: E402

from .errors import Conflict, NotFound  # noqa: E402


def _require_admin(actor, committee) -> None:
    if committee is None or not has_role(actor, committee, Role.ADMIN):
        raise Forbidden()


def _require_own(committee, obj) -> None:
    """The row must belong to this committee; a row of another committee is 'not found'."""
    if obj is None:
        return
    owner_id = obj.term.committee_id if hasattr(obj, "term_id") and not hasattr(obj, "committee_id") else obj.committee_id
    if owner_id != committee.pk:
        raise NotFound()


_jsonable = audit.value_of  # (core.admin reads it under this name)


def _apply_changes(obj, data: dict) -> dict:
    """Set the fields of `data` on `obj`; return what changed (`audit.changes`: {field: [old, new]}, a diff
    for a long text)."""
    before = {}
    for field in data:
        try:
            before[field] = getattr(obj, field)
        except ObjectDoesNotExist:  # a relation not set yet on a new row
            before[field] = None
    found = audit.changes(before, data)
    for field in found:
        setattr(obj, field, data[field])
    return found


def organisation_changed(committee) -> None:
    """After the commit, tell every process's caches that this committee's organisation rows
    (sessions, units, sectors, members …) changed: cached option lists key on
    `selectors.organisation_version`."""
    from .selectors import bump_organisation_version

    committee_id = getattr(committee, "pk", committee)
    transaction.on_commit(lambda: bump_organisation_version(committee_id))


def _record_saved(actor, committee, obj, noun: str, created: bool, changes: dict, **extra) -> None:
    if not created and not changes:
        return
    organisation_changed(committee)
    audit.record(
        actor=actor, action=f"{noun}.{'created' if created else 'updated'}", obj=obj, committee=committee,
        payload={"changes": changes, **extra},
    )
    if not created:
        organisation_row_changed(obj, changes)


def organisation_row_changed(obj, changes: dict) -> None:
    """An organisation row (member, unit, station …) changed through an administration service or the Django
    admin, in its transaction: the apps keep their derived data in step (Declarations.organisation_changed), then
    the search documents that carry its name are written again (core.search.reindex_naming)."""
    from . import registry, search

    for path in registry.organisation_changed_handlers():
        import_string(path)(obj, changes)
    search.reindex_naming(obj, changes)


def _require_unique(model, committee, field: str, value, exclude_pk=None, *, message=None) -> None:
    qs = model.objects.filter(committee=committee, **{field: value})
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Invalid(field_errors={field: [message or _("This name is already used in this committee.")]})


def _require_text(field: str, value: str, max_length: int, *, required: bool = True) -> str:
    from .text import clean

    value = clean(value, single_line=True).strip()  # a name: one line, no control characters or lone surrogates
    if required and not value:
        raise Invalid(field_errors={field: [_("This field is required.")]})
    if len(value) > max_length:
        raise Invalid(field_errors={field: [_("At most %(n)d characters.") % {"n": max_length}]})
    return value


def _save_row(*, actor, committee, model, obj, noun: str, data: dict, unique: str | None = "name"):
    """Create (obj None) or update one committee-scoped row with `data`, audited."""
    _require_admin(actor, committee)
    _require_own(committee, obj)
    if unique:
        _require_unique(model, committee, unique, data[unique], exclude_pk=obj.pk if obj else None)
    created = obj is None
    try:
        with transaction.atomic():
            if created:
                obj = model(committee=committee)
            changes = _apply_changes(obj, data)
            obj.save()
            _record_saved(actor, committee, obj, noun, created, changes)
    except IntegrityError:
        raise Invalid(field_errors={unique or "__all__": [_("This name is already used in this committee.")]})
    return obj


def _delete_row(*, actor, committee, obj, noun: str, in_use_message: str) -> None:
    from django.db.models import ProtectedError, RestrictedError

    _require_admin(actor, committee)
    _require_own(committee, obj)
    try:
        with transaction.atomic():
            audit.record(actor=actor, action=f"{noun}.deleted", obj=obj, committee=committee,
                         payload={"name": str(obj)})
            obj.delete()
            organisation_changed(committee)
    except (ProtectedError, RestrictedError):
        raise Conflict(in_use_message)


def committee_save(*, actor, committee, name: str, short_name: str = "", portal_name: str = "",
                   require_second_factor: bool | None = None):
    """Change the committee's settings (name, short name, public portal name, whether its staff and leaders
    must sign in with a second factor; None leaves that as it is)."""
    _require_admin(actor, committee)
    data = {
        "name": _require_text("name", name, 100),
        "short_name": _require_text("short_name", short_name, 40, required=False),
        "portal_name": _require_text("portal_name", portal_name, 100, required=False),
    }
    if require_second_factor is not None:
        data["require_second_factor"] = bool(require_second_factor)
    with transaction.atomic():
        changes = _apply_changes(committee, data)
        committee.save()
        _record_saved(actor, committee, committee, "committee", False, changes)
        if changes:  # the header's committee switch of everyone working here shows the name
            from .models import RoleAssignment
            forget(users=RoleAssignment.objects.filter(committee=committee).values_list("user_id", flat=True))
    return committee


def term_save(*, actor, committee, term=None, number: int, start_year: int, end_year: int, is_current: bool = False):
    """Create or change a term (届). Making it current makes every other term not current."""
    from .models import Term

    _require_admin(actor, committee)
    _require_own(committee, term)
    if end_year < start_year:
        raise Invalid(field_errors={"end_year": [_("The end year cannot be before the start year.")]})
    others = Term.objects.filter(committee=committee).exclude(pk=term.pk if term else None)
    if others.filter(number=number).exists():
        raise Invalid(field_errors={"number": [_("This committee already has a term with this number.")]})
    created = term is None
    try:
        with transaction.atomic():
            if is_current:
                others.filter(is_current=True).update(is_current=False)
            if created:
                term = Term(committee=committee)
            changes = _apply_changes(
                term, {"number": number, "start_year": start_year, "end_year": end_year, "is_current": is_current}
            )
            term.save()
            _record_saved(actor, committee, term, "term", created, changes)
    except IntegrityError:
        raise Conflict()
    return term


def session_save(*, actor, committee, session=None, term, number: int, year: int, opens_on=None, closes_on=None,
                 is_current: bool = False):
    """Create or change a plenary session (次会议) of a term of this committee."""
    from .models import Session

    _require_admin(actor, committee)
    _require_own(committee, term)
    _require_own(committee, session)
    if not term.start_year <= year <= term.end_year:
        raise Invalid(field_errors={"year": [
            _("The year must lie within the term (%(start)d–%(end)d).") % {"start": term.start_year, "end": term.end_year}
        ]})
    if opens_on and closes_on and closes_on < opens_on:
        raise Invalid(field_errors={"closes_on": [_("The session cannot close before it opens.")]})
    siblings = Session.objects.filter(term=term).exclude(pk=session.pk if session else None)
    if siblings.filter(number=number).exists():
        raise Invalid(field_errors={"number": [_("This term already has a session with this number.")]})
    if siblings.filter(year=year).exists():
        raise Invalid(field_errors={"year": [_("This term already has a session in this year.")]})
    created = session is None
    try:
        with transaction.atomic():
            if is_current:
                Session.objects.filter(term__committee=committee, is_current=True).exclude(
                    pk=session.pk if session else None
                ).update(is_current=False)
            if created:
                session = Session()
            changes = _apply_changes(session, {
                "term": term, "number": number, "year": year, "opens_on": opens_on, "closes_on": closes_on,
                "is_current": is_current,
            })
            session.save()
            _record_saved(actor, committee, session, "session", created, changes)
    except IntegrityError:
        raise Conflict()
    return session


def sector_save(*, actor, committee, sector=None, name: str, sort_order: int = 0):
    from .models import Sector

    _require_admin(actor, committee)
    data = {"name": _require_text("name", name, 60), "sort_order": sort_order or 0}
    return _save_row(actor=actor, committee=committee, model=Sector, obj=sector, noun="sector", data=data)


def sector_delete(*, actor, committee, sector) -> None:
    _delete_row(actor=actor, committee=committee, obj=sector, noun="sector",
                in_use_message=_("This sector is still in use (members or other records name it) and cannot be deleted."))


def special_committee_save(*, actor, committee, special_committee=None, name: str, sort_order: int = 0):
    from .models import SpecialCommittee

    _require_admin(actor, committee)
    data = {"name": _require_text("name", name, 60), "sort_order": sort_order or 0}
    return _save_row(actor=actor, committee=committee, model=SpecialCommittee, obj=special_committee,
                     noun="special_committee", data=data)


def special_committee_delete(*, actor, committee, special_committee) -> None:
    from .models import Member

    _require_admin(actor, committee)
    _require_own(committee, special_committee)
    message = _("This special committee still has members and cannot be deleted.")
    if Member.objects.filter(special_committees=special_committee).exists():
        raise Conflict(message)
    _delete_row(actor=actor, committee=committee, obj=special_committee, noun="special_committee",
                in_use_message=message)


def organization_save(*, actor, committee, organization=None, name: str, kind: str):
    from .models import Organization

    _require_admin(actor, committee)
    if kind not in Organization.Kind.values:
        raise Invalid(field_errors={"kind": [_("Unknown kind.")]})
    data = {"name": _require_text("name", name, 60), "kind": kind}
    return _save_row(actor=actor, committee=committee, model=Organization, obj=organization,
                     noun="organization", data=data)


def organization_delete(*, actor, committee, organization) -> None:
    _delete_row(actor=actor, committee=committee, obj=organization, noun="organization",
                in_use_message=_("This organization is still in use (members or other records name it) and cannot be deleted."))


def handling_unit_save(*, actor, committee, unit=None, name: str, short_name: str = "", kind: str = "government",
                       contact_person: str = "", contact_phone: str = "", is_active: bool = True,
                       aliases: str = "", sort_order: int = 0):
    from .imports import normalise_phone
    from .models import HandlingUnit

    _require_admin(actor, committee)
    if kind not in HandlingUnit.Kind.values:
        raise Invalid(field_errors={"kind": [_("Unknown kind.")]})
    try:
        contact_phone = normalise_phone(contact_phone, mobile_only=False)
    except ValueError as exc:
        raise Invalid(field_errors={"contact_phone": [str(exc)]})
    data = {
        "name": _require_text("name", name, 80),
        "short_name": _require_text("short_name", short_name, 40, required=False),
        "aliases": _require_text("aliases", aliases, 200, required=False),
        "sort_order": sort_order or 0,
        "kind": kind,
        "contact_person": _require_text("contact_person", contact_person, 40, required=False),
        "contact_phone": contact_phone,
        "is_active": bool(is_active),
    }
    return _save_row(actor=actor, committee=committee, model=HandlingUnit, obj=unit, noun="handling_unit", data=data)


def party_committee_save(*, actor, committee, name: str):
    """Set the name of the Party committee (党委) this committee reports to."""
    from .models import PartyCommittee

    _require_admin(actor, committee)
    name = _require_text("name", name, 80)
    with transaction.atomic():
        row = PartyCommittee.objects.select_for_update().filter(committee=committee).first()
        created = row is None
        if created:
            row = PartyCommittee(committee=committee)
        changes = _apply_changes(row, {"name": name})
        row.save()
        _record_saved(actor, committee, row, "party_committee", created, changes)
    return row


# Liaison stations and studios (scope task) -------------------------------------------


def _place_data(name: str, short_name: str, address: str, sort_order, is_active: bool) -> dict:
    return {
        "name": _require_text("name", name, 80),
        "short_name": _require_text("short_name", short_name, 40, required=False),
        "address": _require_text("address", address, 120, required=False),
        "sort_order": sort_order or 0,
        "is_active": bool(is_active),
    }


def liaison_station_save(*, actor, committee, station=None, name: str, short_name: str = "", address: str = "",
                         sort_order: int = 0, is_active: bool = True):
    """Create or change one of the committee's liaison stations (委员联络站)."""
    from .models import LiaisonStation

    _require_admin(actor, committee)
    data = _place_data(name, short_name, address, sort_order, is_active)
    return _save_row(actor=actor, committee=committee, model=LiaisonStation, obj=station, noun="liaison_station",
                     data=data)


def liaison_station_delete(*, actor, committee, station) -> None:
    """Delete a liaison station no role names (a station with keepers is made inactive instead)."""
    _delete_row(actor=actor, committee=committee, obj=station, noun="liaison_station",
                in_use_message=_("This liaison station still has keepers and cannot be deleted; revoke their roles "
                                 "or mark it inactive."))


def studio_save(*, actor, committee, studio=None, name: str, kind: str = "member", short_name: str = "",
                address: str = "", sort_order: int = 0, is_active: bool = True):
    """Create or change one of the committee's studios (委员工作室 / 界别委员工作室)."""
    from .models import Studio

    _require_admin(actor, committee)
    if kind not in Studio.Kind.values:
        raise Invalid(field_errors={"kind": [_("Unknown kind.")]})
    data = {**_place_data(name, short_name, address, sort_order, is_active), "kind": kind}
    return _save_row(actor=actor, committee=committee, model=Studio, obj=studio, noun="studio", data=data)


def studio_delete(*, actor, committee, studio) -> None:
    """Delete a studio no role names (a studio with keepers is made inactive instead)."""
    _delete_row(actor=actor, committee=committee, obj=studio, noun="studio",
                in_use_message=_("This studio still has keepers and cannot be deleted; revoke their roles or mark it "
                                 "inactive."))


# Users and roles -------------------------------------------------------------------


def _role_scope(committee, role: str, *, handling_unit=None, liaison_station=None, studio=None,
                special_committee=None) -> dict:
    """The scope fields of a new role: a unit role names its handling unit, a station keeper's role one
    liaison station or studio, office staff and leaders may name a special committee; what the role does
    not take is dropped (the forms send every field). Rows of another committee are NotFound."""
    scope = {"handling_unit": None, "liaison_station": None, "studio": None, "special_committee": None}
    if role == Role.UNIT:
        if handling_unit is None:
            raise Invalid(field_errors={"handling_unit": [_("A handling-unit role must name the handling unit.")]})
        scope["handling_unit"] = handling_unit
    elif role == Role.STATION:
        if liaison_station is None and studio is None:
            raise Invalid(field_errors={"liaison_station": [
                _("A station keeper's role must name the liaison station or the studio.")]})
        if liaison_station is not None and studio is not None:
            raise Invalid(field_errors={"studio": [_("Choose a liaison station or a studio, not both.")]})
        scope["liaison_station"], scope["studio"] = liaison_station, studio
    elif role in (Role.STAFF, Role.LEADER):
        scope["special_committee"] = special_committee
    for obj in scope.values():
        _require_own(committee, obj)
    return scope


def _grant(actor, committee, user, role: str, handling_unit=None, *, liaison_station=None, studio=None,
           special_committee=None, **extra):
    """Add one role (caller checked permission and runs the transaction). Returns the row, or None if held."""
    from .models import RoleAssignment
    if role not in Role.values:
        raise Invalid(field_errors={"role": [_("Unknown role.")]})
    scope = _role_scope(committee, role, handling_unit=handling_unit, liaison_station=liaison_station, studio=studio,
                        special_committee=special_committee)
    if RoleAssignment.objects.filter(user=user, committee=committee, role=role, **scope).exists():
        return None
    row = RoleAssignment.objects.create(user=user, committee=committee, role=role, **scope)
    audit.record(actor=actor, action="role.granted", obj=user, committee=committee, payload={
        "role": role, **{name: str(obj) if obj else "" for name, obj in scope.items()}, **extra,
    })
    forget(users=[user], what=PRINCIPAL)
    return row


def role_grant(*, actor, committee, user, role: str, handling_unit=None, liaison_station=None, studio=None,
               special_committee=None):
    """Give a user a role in this committee, bound to its scope: a unit role to one of this committee's handling
    units, a station keeper's role to one of its liaison stations or studios; office staff and leaders may be
    bound to one of its special committees."""
    _require_admin(actor, committee)
    with transaction.atomic():
        row = _grant(actor, committee, user, role, handling_unit, liaison_station=liaison_station, studio=studio,
                     special_committee=special_committee)
    if row is None:
        raise Invalid(field_errors={"role": [_("This user already holds this role.")]})
    return row


def role_revoke(*, actor, committee, assignment) -> None:
    """Take a role away. The last administrator of a committee cannot be removed."""
    from .models import RoleAssignment
    _require_admin(actor, committee)
    _require_own(committee, assignment)
    with transaction.atomic():
        if assignment.role == Role.ADMIN:
            admins = RoleAssignment.objects.select_for_update().filter(committee=committee, role=Role.ADMIN)
            if len(list(admins.values_list("pk", flat=True))) <= 1:
                raise Conflict(_("A committee must keep at least one administrator."))
        audit.record(actor=actor, action="role.revoked", obj=assignment.user, committee=committee, payload={
            "role": assignment.role,
            "handling_unit": str(assignment.handling_unit) if assignment.handling_unit_id else "",
            "scope": str(assignment.scope or ""),
        })
        assignment.delete()
    forget(users=[assignment.user], what=PRINCIPAL)


def _require_manageable(actor, user) -> None:
    from .selectors import account_manageable_by

    if not account_manageable_by(actor, user):
        raise Forbidden(_("This account also belongs to another committee; only an administrator of every "
                          "committee it belongs to, or a platform administrator, may change it."))


def _clean_account(username: str, full_name: str, phone: str, email: str) -> dict:
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from .imports import normalise_phone

    username = _require_text("username", username, 150)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise Invalid(field_errors={"username": [_("Use letters, digits and @ . + - _ only.")]})
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(field_errors={"email": [_("Enter a valid e-mail address.")]})
    try:
        phone = normalise_phone(phone, mobile_only=False)
    except ValueError as exc:
        raise Invalid(field_errors={"phone": [str(exc)]})
    return {
        "username": username, "full_name": _require_text("full_name", full_name, 64, required=False),
        "phone": phone, "email": email,
    }


def user_save(*, actor, committee, user=None, username: str, full_name: str = "", phone: str = "", email: str = "",
              is_active: bool = True, role: str | None = None, handling_unit=None, liaison_station=None, studio=None,
              special_committee=None):
    """Create an account (with a first role in this committee and no usable password until one is set),
    or change an account the actor may manage (see `selectors.account_manageable_by`)."""
    from .models import User

    _require_admin(actor, committee)
    created = user is None
    if created:
        if not role:
            raise Invalid(field_errors={"role": [_("Choose the new user's role in this committee.")]})
    else:
        from .selectors import users_of_committee

        if not users_of_committee(committee).filter(pk=user.pk).exists():
            raise NotFound()
        _require_manageable(actor, user)
        if user.pk == actor.pk and not is_active:
            raise Invalid(field_errors={"is_active": [_("You cannot deactivate your own account.")]})
    data = _clean_account(username, full_name, phone, email)
    data["is_active"] = bool(is_active)
    if User.objects.filter(username__iexact=data["username"]).exclude(pk=user.pk if user else None).exists():
        raise Invalid(field_errors={"username": [_("This user name is already taken.")]})
    try:
        with transaction.atomic():
            if created:
                user = User()
                user.set_unusable_password()
            changes = _apply_changes(user, data)
            user.save()
            _record_saved(actor, committee, user, "user", created, changes)
            if created:
                _grant(actor, committee, user, role, handling_unit, liaison_station=liaison_station, studio=studio,
                       special_committee=special_committee)
    except IntegrityError:
        raise Invalid(field_errors={"username": [_("This user name is already taken.")]})
    return user


def user_language_set(*, actor, language: str) -> bool:
    """Keep the interface language a signed-in person chose (the header's switch) on their account, so that what
    the platform writes to them later — notifications, e-mails — is in that language (core.notices.language_of).
    An unknown language is ignored. True when it changed."""
    from django.conf import settings

    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if language not in {code for code, _name in settings.LANGUAGES} or actor.language == language:
        return False
    with transaction.atomic():
        before = actor.language
        actor.language = language
        actor.save(update_fields=["language"])
        audit.record(actor=actor, action="user.language_set", obj=actor, payload={"language": [before, language]})
    return True


def user_set_password(*, actor, committee, user, password: str) -> None:
    """Set an account's password (checked by the password rules): every session of the account ends and every
    API token of it is revoked. The password is not recorded. A platform administrator (superuser) may set
    any account's password without a committee (the Django admin's password page)."""
    from .selectors import users_of_committee
    from .sign_in import password_replace, validate_new_password

    if committee is None and getattr(actor, "is_superuser", False):
        pass
    else:
        _require_admin(actor, committee)
        if not users_of_committee(committee).filter(pk=user.pk).exists():
            raise NotFound()
        _require_manageable(actor, user)
    validate_new_password(user, password)
    with transaction.atomic():
        revoked = password_replace(user, password)  # every session ends, every API token is revoked
        audit.record(actor=actor, action="user.password_set", obj=user, committee=committee,
                     payload={"tokens_revoked": revoked})


def user_second_factor_reset(*, actor, committee, user) -> None:
    """Remove an account's two-step sign-in (its authenticator and recovery codes), for someone who lost both:
    the same administrators who may set its password may. The account signs in with its password alone again
    and, where its role requires two-step sign-in, is asked to set it up anew."""
    from .second_factor import remove_devices
    from .selectors import users_of_committee

    _require_admin(actor, committee)
    if not users_of_committee(committee).filter(pk=user.pk).exists():
        raise NotFound()
    _require_manageable(actor, user)
    with transaction.atomic():
        removed = remove_devices(user)
        if removed:
            audit.record(actor=actor, action="user.second_factor_reset", obj=user, committee=committee)


# Members -------------------------------------------------------------------------------


def _new_username(committee, phone: str, taken: set[str] | None = None) -> str:
    """A free user name for a new member's account: the phone number, else `<code>-<phone>`, else `<code>-m<n>`."""
    from .models import User

    taken = taken if taken is not None else set()

    def free(name: str) -> bool:
        return name.lower() not in taken and not User.objects.filter(username__iexact=name).exists()

    candidates = [phone, f"{committee.code}-{phone}"] if phone else []
    for candidate in candidates:
        if free(candidate):
            taken.add(candidate.lower())
            return candidate
    n = User.objects.filter(username__istartswith=f"{committee.code}-m").count() + 1
    while not free(f"{committee.code}-m{n}"):
        n += 1
    name = f"{committee.code}-m{n}"
    taken.add(name.lower())
    return name


def _member_write(*, actor, committee, member, data: dict, special_committees=None, user=None,
                  taken_usernames: set[str] | None = None, via: str = "form"):
    """Create (member None) or update a member; caller checked permission and holds the transaction.

    A new member gets an account (or the given existing one) and the `member` role. Name, phone and
    e-mail are copied to the account when the actor may manage it, so notifications reach the member.
    """
    from .models import Member, User
    from .selectors import account_manageable_by

    created = member is None
    if created:
        if user is None:
            user = User(
                username=_new_username(committee, data.get("phone", ""), taken_usernames),
                full_name=data["name"], phone=data.get("phone", ""), email=data.get("email", ""),
            )
            user.set_unusable_password()
            user.save()
            audit.record(actor=actor, action="user.created", obj=user, committee=committee,
                         payload={"changes": {"username": [None, user.username]}, "via": via})
        member = Member(committee=committee, user=user)
    changes = _apply_changes(member, data)
    member.save()
    if special_committees is not None:
        before = set(member.special_committees.all()) if not created else set()
        after = set(special_committees)
        if before != after:
            member.special_committees.set(after)
            changes["special_committees"] = [_jsonable(before), _jsonable(after)]
    _record_saved(actor, committee, member, "member", created, changes, via=via)
    account = member.user
    if created:
        forget(users=[account], what=PRINCIPAL)  # a new member id for the visibility rules
    if not created and account_manageable_by(actor, account):
        sync = {"full_name": member.name}
        if member.phone:
            sync["phone"] = member.phone
        if member.email:
            sync["email"] = member.email
        if _apply_changes(account, sync):
            account.save()
    _grant(actor, committee, account, Role.MEMBER, via=via)
    return member, created


def _clean_member(committee, *, name, gender, ethnicity, term, sector, organization, employer, phone, email, address):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from .imports import normalise_phone
    from .models import Member

    if gender not in ("", *Member.Gender.values):
        raise Invalid(field_errors={"gender": [_("Unknown gender.")]})
    for field, row in (("term", term), ("sector", sector), ("organization", organization)):
        if row is not None:
            try:
                _require_own(committee, row)
            except NotFound:
                raise Invalid(field_errors={field: [_("Choose one of this committee's entries.")]})
    if term is None:
        raise Invalid(field_errors={"term": [_("This field is required.")]})
    try:
        phone = normalise_phone(phone, mobile_only=True)
    except ValueError as exc:
        raise Invalid(field_errors={"phone": [str(exc)]})
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(field_errors={"email": [_("Enter a valid e-mail address.")]})
    return {
        "name": _require_text("name", name, 40),
        "gender": gender,
        "ethnicity": _require_text("ethnicity", ethnicity, 20, required=False),
        "term": term, "sector": sector, "organization": organization,
        "employer": _require_text("employer", employer, 120, required=False),
        "phone": phone, "email": email,
        "address": _require_text("address", address, 120, required=False),
    }


def member_save(*, actor, committee, member=None, name: str, term, gender: str = "", ethnicity: str = "",
                sector=None, organization=None, special_committees=(), is_standing_committee_member: bool = False,
                employer: str = "", phone: str = "", email: str = "", address: str = "", is_active: bool = True,
                username: str = ""):
    """Create or change a member (委员). A new member gets an account with no usable password (or, with
    `username`, is linked to that existing account) and the `member` role in this committee."""
    from .models import Member, User

    _require_admin(actor, committee)
    _require_own(committee, member)
    data = _clean_member(committee, name=name, gender=gender, ethnicity=ethnicity, term=term, sector=sector,
                         organization=organization, employer=employer, phone=phone, email=email, address=address)
    data["is_standing_committee_member"] = bool(is_standing_committee_member)
    data["is_active"] = bool(is_active)
    special_committees = list(special_committees or [])
    for sc in special_committees:
        if sc.committee_id != committee.pk:
            raise Invalid(field_errors={"special_committees": [_("Choose one of this committee's entries.")]})
    user = None
    if member is None and (username or "").strip():
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise Invalid(field_errors={"username": [_("There is no account with this user name.")]})
        if Member.objects.filter(committee=committee, user=user).exists():
            raise Invalid(field_errors={"username": [_("This account is already a member of this committee.")]})
    try:
        with transaction.atomic():
            member, _created = _member_write(actor=actor, committee=committee, member=member, data=data,
                                             special_committees=special_committees, user=user)
    except IntegrityError:
        raise Conflict()
    return member


# Calendar and timers ---------------------------------------------------------------------


def timer_reset(*, actor, committee, key: str) -> None:
    """Drop the committee's own value of a timer: the default applies again."""
    _require_admin(actor, committee)
    with transaction.atomic():
        row = TimerSetting.objects.filter(committee=committee, key=key).first()
        if row is None:
            return
        audit.record(actor=actor, action="timer.reset", obj=row, committee=committee,
                     payload={"key": key, "amount": row.amount, "unit": row.unit})
        row.delete()
        forget(committees=[committee], what=TIMERS)


def holiday_delete(*, actor, committee, holiday) -> None:
    """Remove one day of the calendar: a committee's own day by its administrator, a national day by a
    platform administrator only."""
    if holiday.committee_id is None:
        if not actor.is_superuser:
            raise Forbidden()
    else:
        _require_admin(actor, committee)
        _require_own(committee, holiday)
    with transaction.atomic():
        audit.record(actor=actor, action="calendar.day_deleted", obj=holiday, committee=holiday.committee, payload={
            "date": holiday.date.isoformat(), "is_working_day": holiday.is_working_day, "name": holiday.name,
        })
        holiday.delete()
        transaction.on_commit(calendar.invalidate)
    calendar.invalidate()


# Excel import ----------------------------------------------------------------------------


def members_import(*, actor, committee, file):
    """Import members from an .xlsx sheet (format: `imports.MEMBER_COLUMNS`).

    Every row is checked first; if any row is bad, nothing is imported and the result lists every
    bad row. Otherwise all rows are written in one transaction. Returns an `imports.ImportResult`.
    A bad upload (not .xlsx, too large, unreadable) raises Invalid on the field "file".
    """
    from . import imports

    _require_admin(actor, committee)
    rows = imports.read_upload(file, imports.MEMBER_COLUMNS)
    result, plans = imports.plan_members(committee, rows)
    if result.errors:
        return result
    taken: set[str] = set()
    try:
        with transaction.atomic():
            for plan in plans:
                _member, created = _member_write(
                    actor=actor, committee=committee, member=plan.member, data=plan.data,
                    special_committees=plan.special_committees, taken_usernames=taken, via="import",
                )
                if created:
                    result.created += 1
                else:
                    result.updated += 1
            audit.record(actor=actor, action="member.imported", obj=committee, committee=committee, payload={
                "file": getattr(file, "name", ""), "created": result.created, "updated": result.updated,
            })
    except IntegrityError:
        return imports.ImportResult(errors=[(None, _("The data changed while importing. Nothing was imported; please try again."))])
    return result


def handling_units_import(*, actor, committee, file):
    """Import handling units from an .xlsx sheet (format: `imports.UNIT_COLUMNS`); all or nothing,
    like `members_import`. A unit whose name already exists is updated."""
    from . import imports

    _require_admin(actor, committee)
    rows = imports.read_upload(file, imports.UNIT_COLUMNS)
    result, plans = imports.plan_units(committee, rows)
    if result.errors:
        return result
    from .models import HandlingUnit

    try:
        with transaction.atomic():
            for plan in plans:
                created = plan.unit is None
                unit = plan.unit or HandlingUnit(committee=committee)
                changes = _apply_changes(unit, plan.data)
                unit.save()
                _record_saved(actor, committee, unit, "handling_unit", created, changes, via="import")
                if created:
                    result.created += 1
                else:
                    result.updated += 1
            audit.record(actor=actor, action="handling_unit.imported", obj=committee, committee=committee, payload={
                "file": getattr(file, "name", ""), "created": result.created, "updated": result.updated,
            })
    except IntegrityError:
        return imports.ImportResult(errors=[(None, _("The data changed while importing. Nothing was imported; please try again."))])
    return result


# --- Background exports (xieshang.core.exports) ----------------------------------------------------


def export_request(*, actor, committee, kind: str, params: dict | None = None, language: str | None = None):
    """Ask for a background export of `kind` with the list filters `params`; returns the `Export`.

    The actor must work in `committee` (hold a role there): the file is written later by the worker
    as the actor, through the app's selectors, so it holds only what the actor may see then. The
    export is queued after the commit, in the actor's current language unless `language` is given.
    Asking again for the same export while it is still queued or running returns that one."""
    from django.utils import translation

    from . import exports
    from .models import Export
    from .selectors import roles_of

    exports.kind_of(kind)  # Invalid for an unknown kind
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Forbidden()
    if committee is None or not roles_of(actor, committee):
        raise Forbidden()
    params = exports.clean_params(params)
    try:
        language = translation.get_supported_language_variant(language or translation.get_language() or "")
    except LookupError:
        language = settings.LANGUAGE_CODE
    with transaction.atomic():
        pending = Export.objects.select_for_update().filter(
            requested_by=actor, committee=committee, kind=kind, state__in=[Export.State.QUEUED, Export.State.RUNNING]
        )
        for export in pending:
            if export.params == params and export.language == language:
                return export
        export = Export.objects.create(committee=committee, requested_by=actor, kind=kind, params=params, language=language)
        audit.record(actor=actor, action="export.requested", obj=export, committee=committee,
                     to_state=Export.State.QUEUED, payload={"kind": kind, "params": params, "language": language})

        def enqueue():
            from .tasks import run_export

            run_export.enqueue(export.pk)

        transaction.on_commit(enqueue)
    return export
