"""Django's own admin at /django-admin/: for platform administrators (superusers) only.

Committee administrators use the administration screens under /admin/ (`admin_views`), whose
writes go through the services and are audited. Here a platform administrator can create
committees and fix data by hand; the audit trail is shown read-only.

The admin is no side door (ADR 0013): its sign-in page sends to the product's own sign-in (lock-out, second
factor, audit), its sign-out and password pages go through the same services, and every model registered here
uses `AuditedAdmin` (a test checks), so that every save and delete — an inline's rows included — writes the audit
event a service writes (`<noun>.created` / `.updated` / `.deleted` with {"changes": {field: [old, new]}}). Setting XIESHANG_DJANGO_ADMIN=0
removes /django-admin/ altogether.
"""

import re

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import audit, calendar, models

# Values never written into the audit trail (a change of them is recorded without the values).
SECRET_FIELDS = frozenset({"password", "key", "key_hash", "token"})


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


def _admin_login(request, extra_context=None):
    """The admin's sign-in page is the product's: one lock-out, one second factor, one audit trail."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('core:login')}?{urlencode({'next': target})}")


def _admin_logout(request, extra_context=None):
    from .services import auth_sign_out

    if request.method == "POST":
        auth_sign_out(request=request)
    return redirect("core:login")


def _admin_password_change(request, extra_context=None):
    return redirect("core:account_password")


admin.site.has_permission = _superusers_only
admin.site.login = _admin_login
admin.site.logout = _admin_logout
admin.site.password_change = _admin_password_change
admin.site.site_header = _("Xieshang platform administration")


def _noun(model) -> str:
    """"special_committee" for SpecialCommittee: the noun the services use in their event names."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model._meta.object_name).lower()


def _jsonable(value):
    from .services import _jsonable as service_jsonable

    return service_jsonable(value)


def _snapshot(obj) -> dict:
    """The row's concrete fields and many-to-many sets, as the audit trail writes them."""
    values = {}
    for field in obj._meta.concrete_fields:
        values[field.name] = _jsonable(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True))
    return values


class AuditedAdmin(admin.ModelAdmin):
    """The one base of every ModelAdmin registered here: each save and delete writes the event the services
    write, with the changed fields' old and new values, inside the admin's own transaction. Not signals: the
    admin's own hooks (save_model/save_related/delete_model/delete_queryset). `audit_actions` renames an event
    ({"created": "role.granted"}); `audit_noun` overrides the noun taken from the model's name."""

    audit_noun: str | None = None
    audit_actions: dict = {}

    def _action(self, what: str) -> str:
        return self.audit_actions.get(what) or f"{self.audit_noun or _noun(self.model)}.{what}"

    @staticmethod
    def _committee(obj):
        if isinstance(obj, models.Committee):
            return obj
        if getattr(obj, "committee_id", None):
            return obj.committee
        term = getattr(obj, "term", None)
        return getattr(term, "committee", None)

    def save_model(self, request, obj, form, change):
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        obj._audit_before = _snapshot(fresh) if fresh is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Many-to-many sets are saved here, after the row; the inlines too (`save_formset`, each recorded).
        super().save_related(request, form, formsets, change)
        obj = form.instance
        self._record_saved(request, obj, getattr(obj, "_audit_before", {}), change, self._action(
            "updated" if change else "created"))

    def save_formset(self, request, form, formset, change):
        """An inline's rows (e.g. a static device's recovery codes): each added, changed or deleted row writes
        the same event as a row saved on its own page (`<its noun>.created|updated|deleted`)."""
        model = formset.model
        existing = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        stored = {o.pk: o for o in model._default_manager.filter(pk__in=existing)}  # as before the form's edits
        before = {pk: _snapshot(o) for pk, o in stored.items()}
        for deleted in (formset.deleted_forms if formset.can_delete else []):  # recorded before the rows go
            if deleted.instance.pk in stored:
                self._record_deleted(request, stored[deleted.instance.pk], action=f"{_noun(model)}.deleted")
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._record_saved(request, obj, {}, False, f"{_noun(model)}.created")
        for obj, _fields in formset.changed_objects:
            self._record_saved(request, obj, before.get(obj.pk, {}), True, f"{_noun(model)}.updated")

    def _record_saved(self, request, obj, before: dict, change: bool, action: str) -> None:
        after = _snapshot(obj)
        changes, secrets = {}, []
        for name, new in after.items():
            old = before.get(name)
            if change and old == new:
                continue
            if not change and new in (None, "", []):
                continue
            if name in SECRET_FIELDS:
                secrets.append(name)
            else:
                changes[name] = [old, new]
        if change and not changes and not secrets:
            return
        payload = {"changes": changes, "via": "django-admin"}
        if secrets:
            payload["secrets_changed"] = secrets
        audit.record(actor=request.user, action=action, obj=obj, committee=self._committee(obj), payload=payload,
                     request=request)
        if change and changes:  # as the administration services: the apps' derived data and search documents
            from .services import organisation_row_changed

            organisation_row_changed(obj, changes)

    def _record_deleted(self, request, obj, action: str | None = None) -> None:
        values = {k: v for k, v in _snapshot(obj).items() if k not in SECRET_FIELDS}
        audit.record(actor=request.user, action=action or self._action("deleted"), obj=obj,
                     committee=self._committee(obj),
                     payload={"name": str(obj), "values": values, "via": "django-admin"}, request=request)

    def delete_model(self, request, obj):
        from django.db import transaction

        with transaction.atomic():
            self._record_deleted(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from django.db import transaction

        with transaction.atomic():
            for obj in queryset:
                self._record_deleted(request, obj)
            super().delete_queryset(request, queryset)


class ForgetsCachesAdmin(AuditedAdmin):
    """The admin site writes rows without the services: after a save or a delete, `forget` drops what
    the caches built from them (the calendar, a committee's timers, users' roles)."""

    def forget(self, objs) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.forget([obj])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.forget([obj])

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        super().delete_queryset(request, queryset)
        self.forget(objs)


def _forget_users(objs) -> None:
    from .cache import forget

    forget(users=[o.user_id for o in objs])


@admin.register(models.User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Contact"), {"fields": ("full_name", "phone")}),)

    def user_change_password(self, request, id, form_url=""):
        """The admin's password page sets the password through the service (every session of the account ends,
        its API tokens are revoked, the event is recorded)."""
        from django.contrib import messages
        from django.contrib.admin.utils import unquote
        from django.core.exceptions import PermissionDenied

        from .errors import ServiceError
        from .services import user_set_password

        user = self.get_object(request, unquote(id))
        if request.method != "POST" or user is None:
            return super().user_change_password(request, id, form_url)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = self.change_password_form(user, request.POST)
        if not form.is_valid() or not form.cleaned_data.get("password1"):
            return super().user_change_password(request, id, form_url)
        try:
            user_set_password(actor=request.user, committee=None, user=user, password=form.cleaned_data["password1"])
        except ServiceError as exc:
            for message in [m for msgs in exc.field_errors.values() for m in msgs] or [exc.message]:
                messages.error(request, message)
            return redirect(request.get_full_path())
        messages.success(request, _("The password has been set."))
        return redirect(reverse("admin:core_user_change", args=[user.pk]))
    list_display = ("username", "full_name", "phone", "email", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "phone", "email")

    # A save goes through User.save, which forgets the cached user; a delete does not.
    def delete_model(self, request, obj):
        from .cache import forget

        pk = obj.pk
        super().delete_model(request, obj)
        forget(users=[pk])

    def delete_queryset(self, request, queryset):
        from .cache import forget

        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        forget(users=pks)


@admin.register(models.Committee)
class CommitteeAdmin(ForgetsCachesAdmin):
    list_display = ("code", "name", "short_name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "short_name")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # a new committee starts with the default category list (core.categories)
            from .categories import seed

            seed(obj)

    def forget(self, objs) -> None:  # its users' cached committee lists (name, switched off)
        _forget_users(models.RoleAssignment.objects.filter(committee__in=[o.pk for o in objs]).only("user_id"))


class ScopedAdmin(ForgetsCachesAdmin):
    list_filter = ("committee",)
    search_fields = ("name",)

    def forget(self, objs) -> None:  # option lists keyed on the organisation version (ADR 0006)
        from .services import organisation_changed

        for committee_id in {o.committee_id for o in objs}:
            organisation_changed(committee_id)


for _model in (models.Sector, models.SpecialCommittee, models.Organization, models.HandlingUnit,
               models.PartyCommittee, models.LiaisonStation, models.Studio):
    admin.site.register(_model, ScopedAdmin)


@admin.register(models.Term)
class TermAdmin(AuditedAdmin):
    list_display = ("committee", "number", "start_year", "end_year", "is_current")
    list_filter = ("committee",)


@admin.register(models.Session)
class SessionAdmin(AuditedAdmin):
    list_display = ("term", "number", "year", "is_current")
    list_filter = ("term__committee",)


@admin.register(models.Member)
class MemberAdmin(ForgetsCachesAdmin):
    list_display = ("name", "committee", "sector", "organization", "is_standing_committee_member", "is_active")
    list_filter = ("committee", "is_standing_committee_member", "is_active")
    search_fields = ("name", "phone", "user__username")
    raw_id_fields = ("user",)

    def forget(self, objs) -> None:
        _forget_users(objs)


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(ForgetsCachesAdmin):
    audit_noun = "role"
    audit_actions = {"created": "role.granted", "deleted": "role.revoked"}
    list_display = ("user", "committee", "role", "handling_unit", "liaison_station", "studio", "special_committee")
    list_filter = ("committee", "role")
    search_fields = ("user__username", "user__full_name")
    raw_id_fields = ("user",)

    def forget(self, objs) -> None:
        _forget_users(objs)


@admin.register(models.Holiday)
class HolidayAdmin(ForgetsCachesAdmin):
    list_display = ("date", "name", "is_working_day", "committee")
    list_filter = ("committee", "is_working_day")
    date_hierarchy = "date"

    def forget(self, objs) -> None:
        calendar.invalidate()


@admin.register(models.TimerSetting)
class TimerSettingAdmin(ForgetsCachesAdmin):
    list_display = ("committee", "key", "amount", "unit")
    list_filter = ("committee",)

    def forget(self, objs) -> None:
        from .cache import TIMERS, forget

        forget(committees={o.committee_id for o in objs}, what=TIMERS)


@admin.register(models.Event)
class EventAdmin(AuditedAdmin):
    """The audit trail: read-only (the table is append-only)."""

    list_display = ("created_at", "actor", "committee", "action", "object_repr", "from_state", "to_state")
    list_filter = ("committee", "action")
    search_fields = ("action", "object_repr")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Export)
class ExportAdmin(AuditedAdmin):
    """Background exports, read-only: what failed and why (`error`); files are never shown here."""

    list_display = ("created_at", "requested_by", "committee", "kind", "state", "row_count", "finished_at", "expires_at")
    list_filter = ("state", "kind", "committee")
    search_fields = ("requested_by__username", "requested_by__full_name", "error")
    date_hierarchy = "created_at"
    exclude = ("file",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The admins that other apps register before this module runs: the same, audited.
def _reregister(model, base) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"Audited{base.__name__}", (AuditedAdmin, base), {}))


_reregister(Group, BaseGroupAdmin)
try:
    from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice
except ImportError:  # pragma: no cover - django-otp is a dependency
    pass
else:
    _reregister(TOTPDevice, TOTPDeviceAdmin)
    _reregister(StaticDevice, StaticDeviceAdmin)
try:
    from django_tasks_db.admin import DBTaskResultAdmin
    from django_tasks_db.models import DBTaskResult
except ImportError:  # pragma: no cover
    pass
else:
    _reregister(DBTaskResult, DBTaskResultAdmin)
