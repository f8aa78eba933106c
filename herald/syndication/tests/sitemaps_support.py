"""What the sitemap tests share: name spaces, schemas, fetching and reading sitemaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from lxml import etree

from herald.stories.models import Story

JAPAN = "japan-herald.localhost"
INDIA = "india-herald.localhost"
SAMPLES = settings.BASE_DIR / "tests" / "data" / "sitemaps"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS = "{" + NEWS_NS + "}"


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)


def xsd_schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(SAMPLES) / name), xml_parser()))


def get_xml(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(response.content, xml_parser())


def assert_valid(schema: str, root: Any) -> None:
    xsd = xsd_schema(schema)
    assert xsd.validate(root), xsd.error_log


def locs_of(root: Any) -> list[str]:
    return [loc.text for loc in root.iter(f"{SM}loc")]


def story_locs(client: Client, host: str) -> list[str]:
    """Every story URL across all pages the index lists."""
    index = get_xml(client, "/sitemap.xml")
    found: list[str] = []
    for loc in locs_of(index):
        if "/sitemap-stories-" in loc:
            found += locs_of(get_xml(client, loc.removeprefix(f"http://{host}")))
    return found


def story_url(story: Story, host: str = JAPAN) -> str:
    return f"http://{host}/news/{story.pk}/{story.slug}/"


def news_items(root: Any) -> list[dict[str, str]]:
    items = []
    for url in root.iter(f"{SM}url"):
        news = url.find(f"{NEWS}news")
        assert news is not None
        publication = news.find(f"{NEWS}publication")
        assert publication is not None
        items.append(
            {
                "loc": url.findtext(f"{SM}loc"),
                "name": publication.findtext(f"{NEWS}name"),
                "language": publication.findtext(f"{NEWS}language"),
                "date": news.findtext(f"{NEWS}publication_date"),
                "title": news.findtext(f"{NEWS}title"),
            }
        )
    return items
