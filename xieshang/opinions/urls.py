"""The opinion report pages (社情民意信息). URL names the app relies on: opinions:mine, opinions:list,
opinions:approvals, opinions:commissions, opinions:detail (pk), opinions:commission (pk), opinions:bulletin (pk)."""

from django.urls import path

from . import document_views, views

app_name = "opinions"

urlpatterns = [
    # Members
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    # Office staff and leaders
    path("", views.report_list, name="list"),
    path("combine/", views.combine, name="combine"),
    path("approvals/", views.approvals, name="approvals"),
    path("instructions/", views.instructions, name="instructions"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/new/", views.bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/", views.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/document.docx", document_views.bulletin_docx, name="bulletin_docx"),
    path("adopted.xlsx", document_views.adopted_xlsx, name="adopted_xlsx"),
    # Recipients (报送对象), the office's configuration
    path("recipients/", views.recipients, name="recipients"),
    path("recipients/<int:pk>/", views.recipient, name="recipient"),
    # Calls for reports (约稿)
    path("commissions/", views.commissions, name="commissions"),
    path("commissions/<int:pk>/", views.commission, name="commission"),
    # One report
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/desk/", views.desk, name="desk"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/remove/", views.attachment_remove, name="attachment_remove"),
]
