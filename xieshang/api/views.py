"""Plain Django views of the API app (outside the NinjaAPI)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xieshang.core.errors import ErrorCode


@csrf_exempt
def unknown_path(request):
    """A path under /api/v1/ that names no endpoint: the API's 404, not the HTML page."""
    return JsonResponse(
        {"code": ErrorCode.NOT_FOUND.value, "message": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False}
    )
