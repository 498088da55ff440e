from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("plan/", views.board, name="board"),
    path("plan/<int:year>.docx", views.plan_docx, name="plan_docx"),
    path("plan/<int:year>/approval/", views.plan_approval, name="plan_approval"),
    path("", views.inspections, name="inspections"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("<int:pk>/", views.inspection, name="inspection"),
    path("<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("<int:pk>/act/<str:action>/", views.inspection_act, name="inspection_act"),
    path("<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("<int:pk>/files/", views.inspection_file_add, name="inspection_file_add"),
    path("<int:pk>/files/<int:attachment_id>/", views.inspection_file, name="inspection_file"),
    path("<int:pk>/files/<int:attachment_id>/remove/", views.inspection_file_remove, name="inspection_file_remove"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/new/", views.supervision_new, name="supervision_new"),
    path("supervision/<int:pk>/", views.supervision_item, name="supervision_item"),
    path("supervision/<int:pk>/edit/", views.supervision_edit, name="supervision_edit"),
    path("supervision/<int:pk>/act/<str:action>/", views.supervision_act, name="supervision_act"),
    path("supervision/<int:pk>/files/", views.supervision_file_add, name="supervision_file_add"),
    path("supervision/<int:pk>/files/<int:attachment_id>/", views.supervision_file, name="supervision_file"),
    path("supervision/<int:pk>/files/<int:attachment_id>/remove/", views.supervision_file_remove,
         name="supervision_file_remove"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/new/", views.supervisor_new, name="supervisor_new"),
    path("supervisors/<int:pk>/", views.supervisor, name="supervisor"),
    path("supervisors/<int:pk>/edit/", views.supervisor_edit, name="supervisor_edit"),
    path("supervisors/<int:pk>/reports/", views.supervisor_report, name="supervisor_report"),
    path("mine/", views.mine, name="mine"),
]
