"""The public portal's grassroots pages (no account): /public/… (phone-first)."""

from django.urls import path

from . import public_views

app_name = "grassroots_public"

urlpatterns = [
    path("places/", public_views.places, name="places"),
    path("places/<int:pk>/", public_views.place, name="place"),
    path("activities/", public_views.activities, name="activities"),
    path("answers/", public_views.answers, name="answers"),
    path("demands/new/", public_views.submit, name="submit"),
    path("demands/new/form/", public_views.submit_form, name="submit_form"),
    path("demands/thanks/", public_views.thanks, name="thanks"),
    path("track/", public_views.track, name="track"),
    path("track/<str:code>/", public_views.track_detail, name="track_detail"),
    path("track/<str:code>/confirm/", public_views.track_confirm, name="track_confirm"),
    path("follow/", public_views.follow, name="follow"),
    path("follow/code/", public_views.follow_code, name="follow_code"),
    path("follow/demands/", public_views.follow_list, name="follow_list"),
    path("follow/end/", public_views.follow_end, name="follow_end"),
]
