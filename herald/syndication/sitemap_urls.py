"""URLs of the sitemap part of syndication (included by herald/urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
