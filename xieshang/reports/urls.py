from django.urls import path

from xieshang.text import hot_views

from . import opinion_views, views

app_name = "reports"

urlpatterns = [
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/export.xlsx", views.proposals_export, name="proposals_export"),
    path("proposals/records/", views.proposals_records, name="proposals_records"),
    path("opinions/", opinion_views.opinions, name="opinions"),
    path("opinions/export.xlsx", opinion_views.opinions_export, name="opinions_export"),
    path("hot/", hot_views.page, name="hot"),  # hot topics (xieshang.text.hot)
    path("hot/card/", hot_views.card, name="hot_card"),
    path("hot/export.xlsx", hot_views.export, name="hot_export"),
    path("import/proposals/", views.import_proposals, name="import_proposals"),
    path("import/proposals/template.xlsx", views.import_proposals_template, name="import_proposals_template"),
    path("documents/proposals/<int:pk>.docx", views.proposal_docx, name="proposal_docx"),
    path("documents/replies/<int:pk>.docx", views.reply_letter_docx, name="reply_letter_docx"),
]
