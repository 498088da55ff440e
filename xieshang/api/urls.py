from django.urls import re_path

from .main import api
from .views import unknown_path

app_name = "api"

# The NinjaAPI's own patterns, then a JSON 404 for any other path under /api/v1/.
urlpatterns = [
    *api.urls[0],
    re_path(r"^.*$", unknown_path, name="unknown"),
]
