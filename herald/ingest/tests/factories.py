"""Builders shared by the ingest tests: sources, parsed items, and small feed
documents for the parser tests."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import factory

from herald.ingest.models import Source
from herald.ingest.sources.items import ParsedItem

ItemFactory = Callable[..., ParsedItem]

BODY = (
    "<p>A magnitude 6.8 earthquake struck off the coast of Aomori prefecture on "
    "Tuesday morning, the Japan Meteorological Agency said.</p><p>A tsunami "
    "advisory was issued for the Pacific coast of Aomori and Iwate, and bullet "
    "train services were halted while tracks were inspected.</p>"
)


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    """A drop-folder RSS source of the Meridian Press Agency that publishes at once."""

    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    format = "rss"
    drop_folder = "/nonexistent"
    agency = "Meridian Press Agency"
    credit_format = "(MPA/{photographer})"
    auto_publish = True


def make_source(slug: str, **fields: Any) -> Source:
    return SourceFactory.create(slug=slug, **fields)


class ParsedItemFactory(factory.Factory[ParsedItem]):
    """An MPA item about an earthquake off northern Japan, datelined Tokyo."""

    class Meta:
        model = ParsedItem

    guid = "urn:mpa:1"
    headline = "Magnitude 6.8 earthquake strikes off northern Japan"
    body_html = BODY
    raw = factory.LazyAttribute(lambda o: f"<item><guid>{o.guid}</guid></item>")
    dateline_city = "Tokyo"
    dateline_country = "Japan"
    first_created = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)
    updated_at = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)


def make_item(guid: str = "urn:mpa:1", **fields: Any) -> ParsedItem:
    return ParsedItemFactory.build(guid=guid, **fields)


# --- documents for the parser tests -----------------------------------------------
NAR = "http://iptc.org/std/nar/2006-10-01/"


def rss(items: str, *, encoding: str = "utf-8", declaration: bool = True) -> str:
    """A minimal RSS 2.0 document (as text) around `items`."""
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declaration else ""
    return (
        f'{head}<rss version="2.0"><channel><title>T</title>'
        "<link>https://t.example/</link><description>D</description>"
        f"{items}</channel></rss>"
    )
