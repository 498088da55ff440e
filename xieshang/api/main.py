"""The one NinjaAPI of Xieshang, mounted at /api/v1/ (see urls.py). One router per domain app."""

from __future__ import annotations

import json

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from . import errors
from .auth import BearerTokenAuth, SessionCsrfAuth
from .views import JsonObjectParser

DESCRIPTION = """\
The REST API of Xieshang (协商). It calls the same services and permission checks as the pages.

Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`; a browser that is
signed in may call the API with its session (and the `X-CSRFToken` header on writes).
`X-Committee: <code or id>` chooses the committee for callers who work in several.

Errors always look like `{"code": "...", "message": "...", "fields": {...}}`; `code` is stable
(`not_found`, `forbidden`, `illegal_transition`, `conflict`, `invalid`, `locked_out`, `validation_error`,
`unauthenticated`), `message` is in the language of `Accept-Language` (`zh-hans` by default, or `en`).

Long exports run in the background: `POST /api/v1/proposals/exports` answers 202 with the export; poll
`GET /api/v1/exports/{id}` until `state` is `done`, then `GET /api/v1/exports/{id}/file` (before:
409 `export_not_ready`; failed: 409 `export_failed`; expired: 410 `export_expired`). The direct
`GET /api/v1/proposals/export.xlsx` answers 409 `export_too_large` for a list above the inline limit.
"""


class LocalSwagger(Swagger):
    """Swagger UI from the static files shipped with django-ninja: no CDN (our CSP forbids one)."""

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        from django.shortcuts import render

        from ninja.openapi.docs import _csrf_needed

        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings), "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese as it is (not \\u escapes): shorter and readable."""

    json_dumps_params = {"ensure_ascii": False}


class XieshangAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """As ninja's, and every operation that reads a JSON body documents 400 (a body that is not JSON,
        errors.py): found by the probe (schemathesis, api/tests/test_probe_fuzz.py)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    responses = operation.setdefault("responses", {})
                    if 400 not in responses and "400" not in responses:  # one key: JSON may not repeat it
                        responses["400"] = {"description": "Bad Request",
                                            "content": {"application/json": {"schema": error}}}
        return schema

    def validation_error_from_error_contexts(self, error_contexts):
        """As ninja's, but keeps what errors.py needs of the rejected input for its messages:
        the length of a text, and a short value (a wrong choice), never the whole input."""
        exc = super().validation_error_from_error_contexts(error_contexts)
        originals = [i for context in error_contexts for i in context.pydantic_validation_error.errors(include_url=False)]
        for error, original in zip(exc.errors, originals, strict=False):
            value = original.get("input")
            if isinstance(value, str):
                error["input_length"] = len(value)
                error["input"] = value[:50]
            elif isinstance(value, int | float | bool):
                error["input"] = value
        return exc


api = XieshangAPI(
    title="Xieshang API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
    parser=JsonObjectParser(),  # the body `views.guarded` has parsed (and found to be an object)
)
errors.install(api)

from .consultation import router as consultation_router  # noqa: E402
from .core import router as core_router  # noqa: E402
from .duty import router as duty_router  # noqa: E402
from .exports import router as exports_router  # noqa: E402
from .grassroots import router as grassroots_router  # noqa: E402
from .grassroots_public import router as grassroots_public_router  # noqa: E402
from .inspections import router as inspections_router  # noqa: E402
from .liaison import router as liaison_router  # noqa: E402
from .opinions import router as opinions_router  # noqa: E402
from .proposal_clues import router as proposal_clues_router  # noqa: E402
from .proposals import router as proposals_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/proposals/clues", proposal_clues_router)  # before /proposals: "clues" is no proposal id
api.add_router("/proposals", proposals_router)
api.add_router("/opinions", opinions_router)
api.add_router("/exports", exports_router)
api.add_router("/public", grassroots_public_router)  # no token: the citizen's door (xieshang.grassroots)
api.add_router("/", grassroots_router)  # /places, /activities, /demands (xieshang.grassroots)
api.add_router("/", duty_router)  # /duty/… and /members/{id}/duty (xieshang.members)
api.add_router("/", consultation_router)  # /meetings (xieshang.consultation)
api.add_router("/liaison", liaison_router)  # /liaison/… (xieshang.liaison)
api.add_router("/consultation", inspections_router)  # /consultation/inspections, /supervision, /special-supervisors (xieshang.inspections)
from .text_hot import router as text_hot_router  # noqa: E402

api.add_router("/text", text_hot_router)  # /text/hot-topics (xieshang.text.hot)
from .text import router as text_router  # noqa: E402

api.add_router("/text", text_router)  # /text/similar, /text/suggest (xieshang.text)
