"""Fixtures for ingest tests: a source with defaults, and a parsed-item factory."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.editions.models import Edition
from herald.ingest.models import Source
from herald.ingest.sources.items import ParsedItem
from herald.stories.models import Section, Tag

ItemFactory = Callable[..., ParsedItem]


def make_source(slug: str, **fields: Any) -> Source:
    defaults: dict[str, Any] = {
        "name": slug.replace("-", " ").title(),
        "format": "rss",
        "drop_folder": "/nonexistent",
        "agency": "Meridian Press Agency",
        "credit_format": "(MPA/{photographer})",
        "auto_publish": True,
    }
    defaults.update(fields)
    return Source.objects.create(slug=slug, **defaults)


@pytest.fixture
def wire_source(japan: Edition, section: Section) -> Source:
    source = make_source("mpa")
    source.default_editions.set([japan])
    source.default_sections.set([section])
    source.default_tags.set([Tag.objects.create(name="Wire", slug="wire")])
    return source


@pytest.fixture
def other_source(japan: Edition, section: Section) -> Source:
    source = make_source(
        "kpa", agency="Kestrel Press", credit_format="({agency})", auto_publish=True
    )
    source.default_editions.set([japan])
    source.default_sections.set([section])
    return source


BODY = (
    "<p>A magnitude 6.8 earthquake struck off the coast of Aomori prefecture on "
    "Tuesday morning, the Japan Meteorological Agency said.</p><p>A tsunami "
    "advisory was issued for the Pacific coast of Aomori and Iwate, and bullet "
    "train services were halted while tracks were inspected.</p>"
)


@pytest.fixture
def make_item() -> ItemFactory:
    def factory(guid: str = "urn:mpa:1", **fields: Any) -> ParsedItem:
        defaults: dict[str, Any] = {
            "headline": "Magnitude 6.8 earthquake strikes off northern Japan",
            "body_html": BODY,
            "raw": f"<item><guid>{guid}</guid></item>",
            "dateline_city": "Tokyo",
            "dateline_country": "Japan",
            "first_created": datetime(2026, 3, 3, 1, 30, tzinfo=UTC),
            "updated_at": datetime(2026, 3, 3, 1, 30, tzinfo=UTC),
        }
        defaults.update(fields)
        return ParsedItem(guid=guid, **defaults)

    return factory
