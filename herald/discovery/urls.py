"""URLs of discovery: search (included by herald/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from herald.discovery import views

app_name = "discovery"
urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", views.search, name="search"),
]
