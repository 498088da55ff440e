from django.urls import path

from . import views

app_name = "liaison"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/approve/", views.approvals, name="approvals"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/register.docx", views.register_docx, name="register_docx"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/document.docx", views.report_docx, name="report_docx"),
    path("reports/<int:pk>/<str:action>/", views.report_act, name="report_act"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule, name="rule"),
    path("rules/<int:pk>/revise/", views.rule_revise, name="rule_revise"),
    path("rules/<int:pk>/files/<int:attachment_id>/", views.rule_file, name="rule_file"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/<str:action>/", views.task_act, name="task_act"),
    path("visits/", views.visits, name="visits"),
    path("visits/mine/", views.my_visits, name="my_visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/suggestions/", views.suggestions, name="suggestions"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/suggestions/", views.suggestion_add, name="suggestion_add"),
    path("suggestions/<int:pk>/<str:action>/", views.suggestion_act, name="suggestion_act"),
]
