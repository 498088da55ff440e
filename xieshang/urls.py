from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from xieshang.api.views import unknown_path
from xieshang.core import views as core_views

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static_url("xieshang/favicon.svg"), permanent=True)),
    path("i18n/setlang/", core_views.language_set, name="set_language"),  # Django's switch + the account's choice
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Django's admin for platform administrators; off with XIESHANG_DJANGO_ADMIN=0 (ADR 0013).
    *([path("django-admin/", admin.site.urls)] if settings.XIESHANG_DJANGO_ADMIN else []),
    path("proposals/", include("xieshang.proposals.urls")),
    path("opinions/", include("xieshang.opinions.urls")),
    path("members/", include("xieshang.members.urls")),
    path("reports/", include("xieshang.reports.urls")),
    path("grassroots/", include("xieshang.grassroots.urls")),
    path("consultation/", include("xieshang.consultation.urls")),
    path("text/", include("xieshang.text.urls")),  # similar items and suggestions (xieshang.text)
    path("inspections/", include("xieshang.inspections.urls")),
    path("liaison/", include("xieshang.liaison.urls")),
    path("public/", include("xieshang.grassroots.public_urls")),
    path("public/", include("xieshang.portal.urls")),
    path("api/v1/", include("xieshang.api.urls")),
    re_path(r"^api/[\s\S]*$", unknown_path),  # any other path under /api/: the API's JSON 404
    path("", include("xieshang.core.urls")),
]

# No route serves MEDIA_ROOT, in any mode: uploaded files (attachments, reply letters) are streamed only by
# views that check who may have them (core.attachments.attachment_response).

handler404 = "xieshang.core.views.not_found"
handler500 = "xieshang.core.views.server_error"
