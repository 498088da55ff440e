"""Django's own admin at /django-admin/: for platform administrators (superusers) only.

Committee administrators use the administration screens under /admin/ (`admin_views`), whose
writes go through the services and are audited. Here a platform administrator can create
committees and fix data by hand; the audit trail is shown read-only.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import calendar, models


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
admin.site.site_header = _("Xieshang platform administration")


class ForgetsCachesAdmin(admin.ModelAdmin):
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
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Contact"), {"fields": ("full_name", "phone")}),)
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
class TermAdmin(admin.ModelAdmin):
    list_display = ("committee", "number", "start_year", "end_year", "is_current")
    list_filter = ("committee",)


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
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
class EventAdmin(admin.ModelAdmin):
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
class ExportAdmin(admin.ModelAdmin):
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
