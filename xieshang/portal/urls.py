from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("clues/", views.clue, name="clue"),
]
