"""Atom 1.0: the entry id, content and summary, and rel="enclosure" pictures."""

from typing import Any

from lxml import etree

from .common import assemble, collapse
from .items import ParsedFeed, WireImage
from .syndication import ATOM_NS, content_guid, enclosure_image, media_images, read_feed


def _guid(entry: Any, position: int, warnings: list[str]) -> str:
    """The Atom id; an entry without one falls back to its link (with a warning),
    then to a hash of title and date."""
    guid = collapse(entry.get("id"))
    if guid:
        return guid
    link = collapse(entry.get("link"))
    if link:
        warnings.append(f"item {position}: no atom:id; identified by its link")
        return link
    return content_guid(entry, position, warnings, "atom:id")


def _images(element: etree._Element, base_url: str) -> tuple[WireImage, ...]:
    """link rel="enclosure" pictures (titled by the link's title), then Media RSS."""
    images: list[WireImage] = []
    for link in element.iterchildren(f"{{{ATOM_NS}}}link"):
        if (link.get("rel") or "") != "enclosure":
            continue
        image = enclosure_image(
            link.get("href"),
            link.get("type"),
            base_url,
            caption=collapse(link.get("title")),
        )
        if image is not None:
            images.append(image)
    media = media_images(element, base_url)
    urls = {image.url for image in images}
    images.extend(image for image in media if image.url not in urls)
    return tuple(images)


def parse_atom(data: bytes, base_url: str = "") -> ParsedFeed:
    """Every entry of an Atom 1.0 document."""
    items, warnings = read_feed(
        data,
        base_url,
        versions=("atom",),
        format_name="Atom",
        item_tags=frozenset({"entry"}),
        guid_rule=_guid,
        image_rule=_images,
    )
    return assemble(items, warnings)
