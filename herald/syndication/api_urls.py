"""URLs of the api part of syndication (included by herald/urls.py)."""

from django.urls import URLPattern, URLResolver, path, re_path

from herald.syndication.api import views

app_name = "ninjs"
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/ninjs/v2/items", views.items, name="items"),
    path("api/ninjs/v2/items/<int:pk>", views.item, name="item"),
    path("api/ninjs/v2/openapi.json", views.openapi, name="openapi"),
    # Anything else under the API answers with a JSON 404, not the site's page.
    re_path(r"^api/ninjs/(?P<rest>.*)$", views.not_found),
]
