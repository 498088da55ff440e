"""Plain Django views of the API app (outside the NinjaAPI): its answers for paths and methods it lacks."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xieshang.core.errors import ErrorCode


def _error(status: int, code: str, message) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message)}, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def unknown_path(request):
    """A path under /api/v1/ that names no endpoint: the API's 404, not the HTML page."""
    return _error(404, ErrorCode.NOT_FOUND.value, _("Not found."))


def method_not_allowed(request, original):
    """An endpoint called with a method it does not have (the Allow header names those it has)."""
    response = _error(405, ErrorCode.INVALID.value, _("This method is not allowed here."))
    response["Allow"] = original["Allow"]
    return response
