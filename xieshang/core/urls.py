from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.sign_in_code, name="login_code"),
    path("logout/", views.sign_out, name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.account_password, name="account_password"),
    path("account/two-step/", views.account_second_factor, name="account_second_factor"),
    path("committee/", views.switch_committee, name="switch_committee"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]

# Administration screens of a committee (not Django's admin, which lives at /django-admin/).
from . import admin_views as av  # noqa: E402

urlpatterns += [
    path("admin/", av.home, name="admin_home"),
    path("admin/committee/", av.committee_settings, name="admin_committee"),
    path("admin/party-committee/", av.party_committee, name="admin_party_committee"),
    path("admin/terms/", av.terms, name="admin_terms"),
    path("admin/terms/new/", av.term_edit, name="admin_term_new"),
    path("admin/terms/<int:pk>/", av.term_edit, name="admin_term_edit"),
    path("admin/sessions/new/", av.session_edit, name="admin_session_new"),
    path("admin/sessions/<int:pk>/", av.session_edit, name="admin_session_edit"),
    path("admin/sectors/", av.sectors, name="admin_sectors"),
    path("admin/sectors/new/", av.sector_edit, name="admin_sector_new"),
    path("admin/sectors/<int:pk>/", av.sector_edit, name="admin_sector_edit"),
    path("admin/sectors/<int:pk>/delete/", av.sector_delete, name="admin_sector_delete"),
    path("admin/special-committees/", av.special_committees, name="admin_special_committees"),
    path("admin/special-committees/new/", av.special_committee_edit, name="admin_special_committee_new"),
    path("admin/special-committees/<int:pk>/", av.special_committee_edit, name="admin_special_committee_edit"),
    path("admin/special-committees/<int:pk>/delete/", av.special_committee_delete, name="admin_special_committee_delete"),
    path("admin/organizations/", av.organizations, name="admin_organizations"),
    path("admin/organizations/new/", av.organization_edit, name="admin_organization_new"),
    path("admin/organizations/<int:pk>/", av.organization_edit, name="admin_organization_edit"),
    path("admin/organizations/<int:pk>/delete/", av.organization_delete, name="admin_organization_delete"),
    path("admin/units/", av.units, name="admin_units"),
    path("admin/units/new/", av.unit_edit, name="admin_unit_new"),
    path("admin/units/<int:pk>/", av.unit_edit, name="admin_unit_edit"),
    path("admin/units/import/", av.units_import, name="admin_units_import"),
    path("admin/units/template.xlsx", av.units_template, name="admin_units_template"),
    path("admin/units/export.xlsx", av.units_export, name="admin_units_export"),
    path("admin/stations/", av.stations, name="admin_stations"),
    path("admin/stations/new/", av.station_edit, name="admin_station_new"),
    path("admin/stations/<int:pk>/", av.station_edit, name="admin_station_edit"),
    path("admin/stations/<int:pk>/delete/", av.station_delete, name="admin_station_delete"),
    path("admin/studios/", av.studios, name="admin_studios"),
    path("admin/studios/new/", av.studio_edit, name="admin_studio_new"),
    path("admin/studios/<int:pk>/", av.studio_edit, name="admin_studio_edit"),
    path("admin/studios/<int:pk>/delete/", av.studio_delete, name="admin_studio_delete"),
    path("admin/members/", av.members, name="admin_members"),
    path("admin/members/new/", av.member_edit, name="admin_member_new"),
    path("admin/members/<int:pk>/", av.member_edit, name="admin_member_edit"),
    path("admin/members/import/", av.members_import, name="admin_members_import"),
    path("admin/members/template.xlsx", av.members_template, name="admin_members_template"),
    path("admin/members/export.xlsx", av.members_export, name="admin_members_export"),
    path("admin/users/", av.users, name="admin_users"),
    path("admin/users/new/", av.user_new, name="admin_user_new"),
    path("admin/users/grant/", av.role_grant_by_name, name="admin_role_grant"),
    path("admin/users/<int:pk>/", av.user_detail, name="admin_user"),
    path("admin/users/<int:pk>/password/", av.user_password, name="admin_user_password"),
    path("admin/users/<int:pk>/two-step/reset/", av.user_second_factor_reset, name="admin_user_second_factor_reset"),
    path("admin/users/<int:pk>/roles/", av.user_role_grant, name="admin_user_role_grant"),
    path("admin/roles/<int:pk>/revoke/", av.role_revoke, name="admin_role_revoke"),
    path("admin/timers/", av.timers, name="admin_timers"),
    path("admin/timers/<str:key>/", av.timer_set, name="admin_timer_set"),
    path("admin/timers/<str:key>/reset/", av.timer_reset, name="admin_timer_reset"),
    path("admin/calendar/", av.holidays, name="admin_calendar"),
    path("admin/calendar/<int:pk>/delete/", av.holiday_delete, name="admin_holiday_delete"),
]

# The committee's category list (office staff and administrators; core.categories).
from . import category_views as cv  # noqa: E402

urlpatterns += [
    path("categories/", cv.category_list, name="categories"),
    path("categories/own/", cv.category_list_store, name="categories_store"),
    path("categories/<int:pk>/", cv.category_edit, name="category_edit"),
    path("categories/<int:pk>/<slug:action>/", cv.category_action, name="category_action"),
]
