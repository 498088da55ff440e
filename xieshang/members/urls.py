"""The duty pages (履职). URL names: members:my_duty, members:member_duty (pk), members:rules, members:rules_xlsx
(year), members:rules_json (year)."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("duty/", views.my_duty, name="my_duty"),
    path("<int:pk>/duty/", views.member_duty, name="member_duty"),
    path("duty/rules/", views.rules_edit, name="rules"),
    path("duty/rules/<int:year>/table.xlsx", views.rules_xlsx, name="rules_xlsx"),
    path("duty/rules/<int:year>/rules.json", views.rules_json, name="rules_json"),
    path("", views.member_list, name="list"),
    path("<int:pk>/duty/facts/", views.fact_add, name="fact_add"),
    path("<int:pk>/duty/adjust/", views.score_adjust, name="adjust"),
    path("duty/facts/<int:fact_id>/query/", views.fact_query, name="fact_query"),
    path("duty/queries/", views.queries, name="queries"),
    path("duty/manual/<int:pk>/files/<int:attachment_id>/", views.fact_attachment, name="fact_attachment"),
    path("duty/manual/<int:pk>/remove/", views.fact_remove, name="fact_remove"),
    path("duty/alerts/", views.alerts_page, name="alerts"),
    path("<int:pk>/duty/procedure/", views.procedure, name="procedure"),
    path("training/", views.courses, name="courses"),
    path("training/<int:pk>/", views.course, name="course"),
    path("<int:pk>/duty/report.docx", views.duty_docx, name="duty_docx"),
    path("duty/reports/", views.duty_reports_export, name="duty_reports"),
]
