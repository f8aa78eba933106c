"""What the feed tests share: the edition's host, the feed kinds, parsing helpers."""

from __future__ import annotations

import calendar
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import feedparser
from django.test import Client
from django.urls import reverse
from PIL import Image

from herald.stories import actions
from herald.stories.models import Story, StoryImage

JAPAN = "japan-herald.localhost"
ORIGIN = f"http://{JAPAN}"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
AT = datetime(2025, 4, 4, 16, 0, tzinfo=UTC)

KINDS = [
    ("feeds:latest_rss", {}),
    ("feeds:latest_atom", {}),
    ("feeds:section_rss", {"slug": "world"}),
    ("feeds:section_atom", {"slug": "world"}),
    ("feeds:place_rss", {"slug": "tokyo-japan"}),
    ("feeds:place_atom", {"slug": "tokyo-japan"}),
]


def parse_feed(response: Any) -> Any:
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def get_feed(client: Client, name: str, **kwargs: str) -> Any:
    return client.get(reverse(name, kwargs=kwargs or None))


def publish_at(story: Story, moment: datetime = AT) -> Story:
    Story.objects.filter(pk=story.pk).update(published_at=moment)
    story.refresh_from_db()
    return story


def attach_photo(story: Story, credit: str = "Kyodo / Ken Sato") -> StoryImage:
    upload = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 90, 160)).save(upload, "JPEG")
    upload.seek(0)
    return actions.attach_image(
        story,
        by=None,
        upload=upload,
        caption="Ferries <b>wait</b> & rest",
        credit=credit,
        alt_text="Ferries at the pier",
    )


def parse_xml(content: bytes) -> ET.Element:
    """Parse a feed of our own, which must carry no DTD (defusedxml's rule)."""
    assert b"<!DOCTYPE" not in content.upper()
    return ET.fromstring(content)  # noqa: S314 - our own output, without a DTD


def instant(parsed_time: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)


def terms_of(entry: Any) -> list[str]:
    return [tag["term"] for tag in entry.get("tags", [])]
