from django.urls import path

from . import attachment_views, clue_views, views

app_name = "proposals"

urlpatterns = [
    # Members
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("autosave/", views.autosave, name="autosave"),
    path("cosign/", views.cosign_invitations, name="cosign_invitations"),
    # Office staff and leaders
    path("", views.proposal_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("bulk/", views.bulk, name="bulk"),
    path("review/", views.review, name="review"),
    path("assign/", views.assign_batch, name="assign_batch"),
    path("extensions/", views.extensions, name="extensions"),
    path("overdue/", views.overdue, name="overdue"),
    path("supervised/", views.supervised, name="supervised"),
    path("dissatisfied/", views.dissatisfied, name="dissatisfied"),
    path("evaluation-questions/", views.evaluation_questions, name="evaluation_questions"),
    # Handling units
    path("unit/", views.unit_inbox, name="unit_inbox"),
    # Proposal clues (提案线索) and calls for them (线索征集)
    path("clues/", clue_views.clues, name="clues"),
    path("clues/new/", clue_views.clue_new, name="clue_new"),
    path("clues/<int:pk>/", clue_views.clue_detail, name="clue"),
    path("clues/<int:pk>/act/<slug:action>/", clue_views.clue_act, name="clue_act"),
    path("clues/<int:pk>/draft/", clue_views.clue_draft, name="clue_draft"),
    path("clue-calls/", clue_views.calls, name="clue_calls"),
    path("clue-calls/<int:pk>/", clue_views.call_detail, name="clue_call"),
    path("clue-calls/<int:pk>/act/<slug:action>/", clue_views.call_act, name="clue_call_act"),
    # One proposal
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cosigners/", views.invite, name="invite"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/act/<slug:action>/form/", views.act_form, name="act_form"),
    path("<int:pk>/replies/<int:reply_id>/letter/", views.reply_letter, name="reply_letter"),
    path("<int:pk>/attachments/", attachment_views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_id>/", attachment_views.attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/remove/", attachment_views.attachment_remove,
         name="attachment_remove"),
]
