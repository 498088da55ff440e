import functools

from django.urls import re_path

from .main import api
from .views import guarded, method_not_allowed, unknown_path

app_name = "api"


def _json_405(view):
    """Ninja answers a wrong method with a plain-text 405: give it the API's error body instead."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            return method_not_allowed(request, response)
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


patterns = api.urls[0]
for pattern in patterns:
    pattern.callback = _json_405(guarded(pattern.callback))

# The NinjaAPI's own patterns, then a JSON 404 for any other path under /api/v1/ (line breaks too: "%0A").
urlpatterns = [
    *patterns,
    re_path(r"^[\s\S]*$", unknown_path, name="unknown"),
]
