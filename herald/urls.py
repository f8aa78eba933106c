"""The URL contract of ARCHITECTURE.md."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from herald.web import views as web_views

admin.site.site_header = "Herald newsroom"
admin.site.site_title = "Herald desk"
admin.site.index_title = "Desk"

# Branded error pages: the edition's look, the network's, or the desk's under /desk/.
handler400 = "herald.web.errors.bad_request"
handler403 = "herald.web.errors.permission_denied"
handler404 = "herald.web.errors.page_not_found"
handler500 = "herald.web.errors.server_error"

urlpatterns = [
    path("desk/", admin.site.urls),
    path("healthz", web_views.healthz, name="healthz"),
    path("", include("herald.syndication.feeds_urls")),
    path("", include("herald.syndication.sitemap_urls")),
    path("", include("herald.syndication.api_urls")),
    path("", include("herald.discovery.urls")),
    path("newsletter/", include("herald.newsletter.urls")),
    path("releases/", include("herald.releases.urls")),
    path("account/", include("herald.accounts.urls")),
    path("", include("herald.web.urls")),
]
if settings.HERALD_SERVE_MEDIA:
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(
            rf"^{prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    ]
