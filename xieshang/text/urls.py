from django.urls import path

from . import views

app_name = "text"

urlpatterns = [
    path("similar/", views.similar_panel, name="similar"),
    path("review/<slug:kind>/<int:pk>/", views.review_panel, name="review"),
    path("acceptance/", views.acceptance, name="acceptance"),
]
