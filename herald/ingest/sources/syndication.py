"""RSS and Atom through feedparser, from checked bytes only, never a URL or path."""

import calendar
import io
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree

from .common import (
    ParseError,
    collapse,
    finish_item,
    guid_from_content,
    headline_from_text,
    oversized,
    parse_datetime,
    plain_text,
    safe_url,
    text_to_html,
)
from .items import ParsedItem, WireImage
from .safexml import load_xml, local_name, serialize

# We sanitize with herald.core.sanitize ourselves, after parsing, and make links
# absolute there too (finish_item), against the URL the document came from:
# feedparser's own passes over every body would only repeat the work.
feedparser.SANITIZE_HTML = False
feedparser.RESOLVE_RELATIVE_URIS = False

MEDIA_NS = "http://search.yahoo.com/mrss/"
_ISO_DATE = re.compile(r"\s*\d{4}-\d")
ATOM_NS = "http://www.w3.org/2005/Atom"

# What one format adds to the shared reading: its guid rule and its images.
GuidRule = Callable[[Any, int, list[str]], str]
ImageRule = Callable[[etree._Element, str], tuple[WireImage, ...]]


def read_feed(
    data: bytes,
    base_url: str,
    *,
    versions: Sequence[str],
    format_name: str,
    item_tags: frozenset[str],
    guid_rule: GuidRule,
    image_rule: ImageRule,
) -> tuple[list[ParsedItem | None], list[str]]:
    """Parse an RSS or Atom document into items (None for skipped ones)."""
    warnings: list[str] = []
    utf8, root = load_xml(data, warnings)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    # A stream, never bytes or str: feedparser opens a str or bytes that names a
    # file or URL.
    result = feedparser.parse(
        io.BytesIO(utf8),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = result.get("version") or ""
    if not any(version.startswith(v) for v in versions):
        found = version or f"<{local_name(root)}>"
        raise ParseError(f"not an {format_name} document (found {found})")
    elements = [e for e in root.iter() if local_name(e) in item_tags]
    entries = result.entries
    if len(elements) != len(entries):
        elements = []
    feed_language = collapse(result.feed.get("language"))
    items: list[ParsedItem | None] = []
    for position, entry in enumerate(entries, start=1):
        element = elements[position - 1] if elements else None
        raw = (
            serialize(element)
            if element is not None
            else json.dumps(entry, default=str, ensure_ascii=False)
        )
        items.append(
            _read_entry(
                entry,
                element,
                raw,
                position,
                base_url,
                feed_language,
                warnings,
                guid_rule,
                image_rule,
            )
        )
    return items, warnings


def _datetime(entry: Any, key: str) -> datetime | None:
    """A date field as an aware UTC datetime: RFC 822 and RFC 3339 read by Herald,
    other shapes by feedparser, except ISO-looking dates that are not real ones
    (feedparser turns 2025-13-45 into a date in 2026)."""
    # dict.get: feedparser's own get() maps a missing updated onto published.
    text = str(dict.get(entry, key) or "")
    ours = parse_datetime(text)
    if ours is not None or _ISO_DATE.match(text):
        return ours
    parsed: time.struct_time | None = dict.get(entry, f"{key}_parsed")
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (ValueError, OverflowError, OSError):  # past year 9999, or before 1
        return None


def _text(detail: Any, fallback: str = "") -> str:
    """The plain text of a feedparser text construct. Markup is stripped whatever
    type the feed claims: feedparser calls a title with a <script> in it plain
    text, and wire titles are never meant to show tags."""
    if not detail:
        return plain_text(fallback or "")
    return plain_text(detail.get("value", "") or "")


def _html(detail: Any) -> str:
    """A feedparser text construct as (unsanitized) HTML."""
    value = detail.get("value", "") or ""
    kind = detail.get("type", "text/plain") or "text/plain"
    if "html" in kind:
        return str(value)
    return text_to_html(str(value))


def _read_entry(
    entry: Any,
    element: etree._Element | None,
    raw: str,
    position: int,
    base_url: str,
    feed_language: str,
    warnings: list[str],
    guid_rule: GuidRule,
    image_rule: ImageRule,
) -> ParsedItem | None:
    """One feedparser entry as a ParsedItem; None (and a warning) to skip it."""
    guid = guid_rule(entry, position, warnings)
    if oversized(raw, position, guid, warnings):
        return None
    headline = _text(entry.get("title_detail"), entry.get("title", ""))
    contents = entry.get("content") or []
    summary_html = str(entry.get("summary", "") or "")
    if not headline:
        # RSS lets an item have a description and no title.
        headline = headline_from_text(plain_text(summary_html))
        if not headline:
            warnings.append(
                f"item {position} ({guid[:200]!r}) skipped: it has no title and no text"
            )
            return None
        warnings.append(
            f"item {position} ({guid[:200]!r}): no title; the headline is the "
            "opening of its text"
        )
    # Links in the body are relative to the xml:base in force there (feedparser
    # resolves it against the document's URL), else to the document's URL.
    body_base = base_url
    if contents:
        html_parts = [c for c in contents if "html" in (c.get("type") or "")]
        chosen = html_parts[0] if html_parts else contents[0]
        body_html = _html(chosen)
        body_base = safe_url(chosen.get("base")) or base_url
        standfirst = plain_text(summary_html)
    else:
        detail = entry.get("summary_detail") or {}
        kind = detail.get("type") or "text/html"
        body_html = summary_html if "html" in kind else text_to_html(summary_html)
        body_base = safe_url(detail.get("base")) or base_url
        standfirst = ""
    published = _datetime(entry, "published")
    updated = _datetime(entry, "updated")
    given = {key: dict.get(entry, key) for key in ("published", "updated")}
    for key, value in (("published", published), ("updated", updated)):
        if value is None and given[key]:
            warnings.append(
                f"item {position} ({guid[:200]!r}): unreadable {key} date "
                f"{str(given[key])[:60]!r}; left empty"
            )
    if not any(given.values()):
        warnings.append(f"item {position} ({guid[:200]!r}): no date given")
    language = collapse(
        (entry.get("title_detail") or {}).get("language") or feed_language
    )
    keywords = tuple(
        dict.fromkeys(
            collapse(tag.get("label") or tag.get("term"))
            for tag in entry.get("tags") or []
            if collapse(tag.get("label") or tag.get("term"))
        )
    )
    byline = _byline(entry)
    images = image_rule(element, base_url) if element is not None else ()
    item = ParsedItem(
        guid=guid,
        headline=headline,
        body_html=body_html,
        raw=raw,
        standfirst=standfirst,
        byline=plain_text(byline),
        link=safe_url(entry.get("link"), base_url),
        language=language,
        first_created=published,
        updated_at=updated or published,
        images=images,
        keywords=keywords,
    )
    return finish_item(item, structured=False, base_url=body_base)


_NAME_IN_BRACKETS = re.compile(r"\(([^()@]+)\)")


def _byline(entry: Any) -> str:
    """Author names. RSS <author> is an e-mail address, perhaps with the name in
    brackets ("jo@wire.example (Jo Doe)"): only the name is a byline."""
    author = collapse(entry.get("author"))
    if "@" in author:
        named = _NAME_IN_BRACKETS.search(author)
        return collapse(named.group(1)) if named else ""
    names = [collapse(a.get("name")) for a in entry.get("authors") or []]
    return ", ".join(n for n in names if n and "@" not in n) or author


def media_images(element: etree._Element, base_url: str) -> list[WireImage]:
    """Pictures given with Media RSS (media:content, media:group, and
    media:thumbnail only when there is nothing better), with their credits and
    descriptions; the item's own media:credit/description apply to all."""
    item_caption = _media_text(element, "description") or _media_text(element, "title")
    item_credit = _media_text(element, "credit")
    images: list[WireImage] = []
    for content in element.iter(f"{{{MEDIA_NS}}}content"):
        medium = content.get("medium") or ""
        kind = content.get("type") or ""
        if medium != "image" and not kind.startswith("image/"):
            continue
        url = safe_url(content.get("url"), base_url)
        if not url:
            continue
        # Within a media:group, the group's description and credit apply.
        parent = content.getparent()
        group = parent if parent is not None and parent is not element else None
        levels = [content, group] if group is not None else [content]
        images.append(
            WireImage(
                url=url,
                caption=_first(levels, "description")
                or _first(levels, "title")
                or item_caption,
                credit=_first(levels, "credit") or item_credit,
                photographer=next(
                    (p for p in map(_photographer, [*levels, element]) if p), ""
                ),
                width=_dimension(content.get("width")),
                height=_dimension(content.get("height")),
            )
        )
    if not images:
        for thumb in element.iter(f"{{{MEDIA_NS}}}thumbnail"):
            url = safe_url(thumb.get("url"), base_url)
            if url:
                images.append(
                    WireImage(
                        url=url,
                        caption=item_caption,
                        credit=item_credit,
                        width=_dimension(thumb.get("width")),
                        height=_dimension(thumb.get("height")),
                    )
                )
                break
    return images


def _first(elements: list[etree._Element], name: str) -> str:
    """The first media:NAME text found on `elements`, innermost first."""
    return next((t for t in (_media_text(e, name) for e in elements) if t), "")


def _media_text(element: etree._Element, name: str) -> str:
    """The plain text of a media:NAME child of `element`."""
    for child in element:
        if child.tag == f"{{{MEDIA_NS}}}{name}":
            value = "".join(child.itertext())
            if child.get("type") == "html" or name == "description":
                return plain_text(value)
            return collapse(value)
    return ""


def _photographer(element: etree._Element) -> str:
    """The media:credit with role photographer, if any."""
    for child in element:
        if child.tag == f"{{{MEDIA_NS}}}credit" and (child.get("role") or "") in (
            "photographer",
            "author",
        ):
            return collapse("".join(child.itertext()))
    return ""


def _dimension(value: str | None) -> int | None:
    """A width or height attribute as a positive int, else None."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if 0 < number < 100_000 else None


def enclosure_image(
    url: str | None, kind: str | None, base_url: str, caption: str = ""
) -> WireImage | None:
    """An image enclosure as a WireImage, or None if it is not an image."""
    if not (kind or "").lower().startswith("image/"):
        return None
    absolute = safe_url(url, base_url)
    return WireImage(url=absolute, caption=caption) if absolute else None


def content_guid(entry: Any, position: int, warnings: list[str], what: str) -> str:
    """A guid from title and date, for an entry with no id and no link."""
    title = collapse(entry.get("title")) or collapse(entry.get("summary"))
    date = collapse(dict.get(entry, "published") or dict.get(entry, "updated"))
    warnings.append(
        f"item {position}: no {what} and no link; identified by a hash of its "
        "title and date"
    )
    return guid_from_content(title, date)
