"""URLs of the feeds part of syndication (included by herald/urls.py)."""

from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_safe

from herald.syndication import feeds
from herald.web.caching import public_page

app_name = "feeds"
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "feeds/latest.rss",
        require_safe(public_page(feeds.LatestRss())),
        name="latest_rss",
    ),
    path(
        "feeds/latest.atom",
        require_safe(public_page(feeds.LatestAtom())),
        name="latest_atom",
    ),
    path(
        "feeds/section/<slug:slug>.rss",
        require_safe(public_page(feeds.SectionRss())),
        name="section_rss",
    ),
    path(
        "feeds/section/<slug:slug>.atom",
        require_safe(public_page(feeds.SectionAtom())),
        name="section_atom",
    ),
    path(
        "feeds/place/<slug:slug>.rss",
        require_safe(public_page(feeds.PlaceRss())),
        name="place_rss",
    ),
    path(
        "feeds/place/<slug:slug>.atom",
        require_safe(public_page(feeds.PlaceAtom())),
        name="place_atom",
    ),
]
