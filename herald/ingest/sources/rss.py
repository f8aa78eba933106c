"""RSS 2.0 (and its 0.9x/1.0 relatives): guid, else link, else a hash; enclosures."""

from typing import Any

from lxml import etree

from .common import assemble, collapse
from .items import ParsedFeed, WireImage
from .syndication import content_guid, enclosure_image, media_images, read_feed


def _guid(entry: Any, position: int, warnings: list[str]) -> str:
    """The RSS guid, else the item's link, else a hash of title and date."""
    guid = collapse(entry.get("id"))
    if guid:
        return guid
    link = collapse(entry.get("link"))
    if link:
        return link
    return content_guid(entry, position, warnings, "guid")


def _images(element: etree._Element, base_url: str) -> tuple[WireImage, ...]:
    """Image enclosures first, then Media RSS pictures, each URL once."""
    images: list[WireImage] = []
    for child in element:
        if child.tag == "enclosure":
            image = enclosure_image(child.get("url"), child.get("type"), base_url)
            if image is not None:
                images.append(image)
    media = media_images(element, base_url)
    by_url = {image.url: image for image in media}
    merged = [by_url.pop(image.url, image) for image in images]
    merged.extend(image for image in media if image.url in by_url)
    return tuple(merged)


def parse_rss(data: bytes, base_url: str = "") -> ParsedFeed:
    """Every item of an RSS document."""
    items, warnings = read_feed(
        data,
        base_url,
        versions=("rss",),
        format_name="RSS",
        item_tags=frozenset({"item"}),
        guid_rule=_guid,
        image_rule=_images,
    )
    return assemble(items, warnings)
