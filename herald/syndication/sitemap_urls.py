"""URLs of the sitemap part of syndication (included by herald/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from herald.syndication import sitemaps

app_name = "sitemaps"
urlpatterns: list[URLPattern | URLResolver] = [
    path("sitemap.xml", sitemaps.index, name="index"),
    path("sitemap-pages.xml", sitemaps.pages, name="pages"),
    path("sitemap-stories-<int:page>.xml", sitemaps.stories, name="stories"),
    path("news-sitemap.xml", sitemaps.news, name="news"),
    path("robots.txt", sitemaps.robots, name="robots"),
]
