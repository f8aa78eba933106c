"""URLs of the feeds part of syndication (included by herald/urls.py)."""

from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_safe

from herald.edge.caching import public_page
from herald.syndication import feeds

app_name = "feeds"
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "feeds/latest.rss",
        require_safe(public_page(feeds.LatestRss(), kind="feed")),
        name="latest_rss",
    ),
    path(
        "feeds/latest.atom",
        require_safe(public_page(feeds.LatestAtom(), kind="feed")),
        name="latest_atom",
    ),
    path(
        "feeds/section/<slug:slug>.rss",
        require_safe(public_page(feeds.SectionRss(), kind="feed")),
        name="section_rss",
    ),
    path(
        "feeds/section/<slug:slug>.atom",
        require_safe(public_page(feeds.SectionAtom(), kind="feed")),
        name="section_atom",
    ),
    path(
        "feeds/place/<slug:slug>.rss",
        require_safe(public_page(feeds.PlaceRss(), kind="feed")),
        name="place_rss",
    ),
    path(
        "feeds/place/<slug:slug>.atom",
        require_safe(public_page(feeds.PlaceAtom(), kind="feed")),
        name="place_atom",
    ),
]
