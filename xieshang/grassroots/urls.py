"""The grassroots screens (signed in): /grassroots/…"""

from django.urls import path

from . import activity_views, place_views, views

app_name = "grassroots"

urlpatterns = [
    # Demands (诉求)
    path("board/", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("demands/", views.demands, name="demands"),
    path("demands/mine/", views.mine, name="mine"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand, name="demand"),
    path("demands/<int:pk>/act/<slug:action>/", views.act, name="demand_act"),
    path("demands/<int:pk>/photos/<int:photo_id>/", views.photo, name="demand_photo"),
    # Consultation activities (协商议事活动) and reception days (接待日)
    path("activities/", activity_views.activities, name="activities"),
    path("activities/new/", activity_views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", activity_views.activity, name="activity"),
    path("activities/<int:pk>/edit/", activity_views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/record/", activity_views.activity_record, name="activity_record"),
    path("activities/<int:pk>/act/<slug:action>/", activity_views.activity_act, name="activity_act"),
    path("activities/<int:pk>/outcomes/", activity_views.outcome_add, name="outcome_add"),
    path("activities/<int:pk>/outcomes/<int:outcome_id>/done/", activity_views.outcome_done, name="outcome_done"),
    path("activities/<int:pk>/photos/", activity_views.photo_add, name="activity_photo_add"),
    path("activities/<int:pk>/photos/<int:photo_id>/", activity_views.photo, name="activity_photo"),
    path("activities/<int:pk>/photos/<int:photo_id>/remove/", activity_views.photo_remove, name="activity_photo_remove"),
    path("activities/<int:pk>/minutes.docx", activity_views.activity_docx, name="activity_docx"),
    # Places (站点), a member's stations, the overview
    path("places/", place_views.places, name="places"),
    path("places/new/", place_views.place_new, name="place_new"),
    path("places/<int:pk>/", place_views.place, name="place"),
    path("places/<int:pk>/edit/", place_views.place_edit, name="place_edit"),
    path("places/<int:pk>/record.docx", place_views.place_docx, name="place_docx"),
    path("stations/mine/", place_views.my_stations, name="my_stations"),
    path("overview/", place_views.overview, name="overview"),
]
