from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static_url("xieshang/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
    path("proposals/", include("xieshang.proposals.urls")),
    path("opinions/", include("xieshang.opinions.urls")),
    path("reports/", include("xieshang.reports.urls")),
    path("public/", include("xieshang.portal.urls")),
    path("api/v1/", include("xieshang.api.urls")),
    path("", include("xieshang.core.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "xieshang.core.views.not_found"
handler500 = "xieshang.core.views.server_error"
