"""Plain Django views of the API app (outside the NinjaAPI): its answers for paths and methods it lacks,
and the checks every endpoint's request passes before ninja reads it (`guarded`: no NUL in the query, the
body's size and shape)."""

import functools
import json

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja.parser import Parser

from xieshang.core.errors import ErrorCode

from .errors import TOO_LARGE, VALIDATION_ERROR, error_body

_NOT_READ = object()


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


def guarded(view):
    """`view` (one of the NinjaAPI's) behind the checks of its request body: above
    DATA_UPLOAD_MAX_MEMORY_SIZE it is 413 (nothing parsed); a JSON body must be a JSON object (a string, a
    number, a list or null is 422: ninja would read a string's attributes as fields — "just a string"
    became the title "Just A String"). The parsed object is kept for `JsonObjectParser` (parsed once);
    a body that is not JSON is left to ninja (400)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        nul = sorted({name for name, values in request.GET.lists() if any("\x00" in v for v in values)})
        if nul:  # no text holds NUL (PostgreSQL cannot even compare with it): a clear 422, as a form says
            body = error_body(VALIDATION_ERROR, _("Some of the data is not valid."),
                              {name: [_("Null characters are not allowed.")] for name in nul})
            return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
        if (request.content_type or "").lower() == "application/json":
            try:
                raw = request.body
            except RequestDataTooBig:
                return JsonResponse(error_body(TOO_LARGE, _("The request is too large.")), status=413,
                                    json_dumps_params={"ensure_ascii": False})
            if raw.strip():
                try:
                    data = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    data = _NOT_READ  # ninja answers its 400
                else:
                    if not isinstance(data, dict):
                        body = error_body(VALIDATION_ERROR, _("Some of the data is not valid."),
                                          {"__all__": [_("The request body must be a JSON object.")]})
                        return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
                request._xieshang_json = data
        return view(request, *args, **kwargs)

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


class JsonObjectParser(Parser):
    """ninja's JSON parser, reusing the object `guarded` has parsed already."""

    def parse_body(self, request):
        data = getattr(request, "_xieshang_json", _NOT_READ)
        return super().parse_body(request) if data is _NOT_READ else data
