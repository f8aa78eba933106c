"""What every wire format's parser shares: errors, dates, text, URLs, guids."""

import difflib
import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from herald.core.sanitize import html_to_text, sanitize_html

from .dateline import extract_dateline
from .items import ItemKind, NotText, ParsedFeed, ParsedItem, PubStatus

# An item whose own payload is larger than this is skipped with a warning, so one
# runaway item cannot fill the raw-payload column; the fetcher caps the document.
MAX_ITEM_CHARS = 1_000_000
# Longer guids are refused (an identifier cut short could name another item), and
# longer URLs dropped (a URL cut short is a broken link).
MAX_GUID_CHARS = 500
MAX_URL_CHARS = 1000


class ParseError(ValueError):
    """The document as a whole cannot be read; the message says why, in one line."""


def plain_text(value: str) -> str:
    """Text from something that may hold HTML: tags stripped, entities unescaped
    once, whitespace collapsed."""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    return html_to_text(value)


def collapse(value: str | None) -> str:
    """`value` with runs of whitespace made one space, and trimmed."""
    return " ".join((value or "").split())


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs: blank lines part paragraphs, single line
    breaks become <br>."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    paragraphs = []
    for block in blocks:
        if not block:
            continue
        lines = [html.escape(" ".join(line.split())) for line in block.split("\n")]
        paragraphs.append("<p>" + "<br>".join(line for line in lines if line) + "</p>")
    return "".join(paragraphs)


def safe_url(url: str | None, base_url: str = "") -> str:
    """`url` made absolute against `base_url`, if it is http or https; else ""."""
    url = (url or "").strip()
    if not url:
        return ""
    if base_url:
        try:
            url = urljoin(base_url, url)
        except ValueError:
            return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    if len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        return ""
    return url


def parse_datetime(value: str | None) -> datetime | None:
    """An aware UTC datetime from an RFC 3339 / ISO 8601 or RFC 822 date; None
    when `value` is not one. A date without an offset is read as UTC."""
    text = (value or "").strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        return None


def parse_int(value: object, low: int | None = None, high: int | None = None) -> int:
    """An int from a number or a numeric string, within [low, high]; raises
    ValueError with a reason otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError(f"{str(value)[:40]!r} is not a whole number")
    if (low is not None and number < low) or (high is not None and number > high):
        if high is None:
            raise ValueError(f"{number} is below {low}")
        raise ValueError(f"{number} is out of range {low}-{high}")
    return number


PUBSTATUS_WORDS = {
    "usable": PubStatus.USABLE,
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,
}


HEADLINE_FROM_TEXT_CHARS = 120


def headline_from_text(text: str) -> str:
    """A headline for an item that has none: its first sentence, cut at a word
    boundary to HEADLINE_FROM_TEXT_CHARS with an ellipsis."""
    text = collapse(text)
    sentence = re.split(r"(?<=[.!?。])\s", text, maxsplit=1)[0]
    if len(sentence) <= HEADLINE_FROM_TEXT_CHARS:
        return sentence
    cut = sentence[:HEADLINE_FROM_TEXT_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def guid_from_content(title: str, date: str) -> str:
    """A stable guid for an item that has neither guid nor link."""
    digest = hashlib.sha256(f"{title}\x00{date}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def _same_place(a: str, b: str) -> bool:
    """Whether two spellings name one place ("GROSSETO" and "Grossetto")."""
    a, b = a.casefold(), b.casefold()
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


_BLOCK = re.compile(r"<(?:p|ul|ol|table|blockquote|h[2-4]|figure|pre|hr)\b")
_FIRST_TEXT = re.compile(r"\A(?P<open>\s*(?:<p(?:\s[^>]*)?>\s*)?)(?P<text>[^<]*)")


def take_lead_dateline(body_html: str, city: str) -> tuple[str, str, str]:
    """Find a dateline at the start of `body_html`'s first paragraph.

    Returns (city, country, body without the dateline). With a structured
    `city` already known, the lead is stripped only when it names that same
    place, and ("", "", body) comes back otherwise when the two differ.
    """
    match = _FIRST_TEXT.match(body_html)
    if match is None or not match.group("text").strip():
        return "", "", body_html
    lead = match.group("text")
    lead_city, lead_country, rest = extract_dateline(html.unescape(lead))
    if not lead_city or (city and not _same_place(city, lead_city)):
        return "", "", body_html
    # The lead is text between tags: escape the rest back the way nh3 writes it.
    rest_html = html.escape(rest, quote=False)
    body = match.group("open") + rest_html + body_html[match.end() :]
    # A first paragraph that held only the dateline goes with it.
    body = _EMPTY_FIRST_PARAGRAPH.sub("", body, count=1)
    return lead_city, lead_country, body


_EMPTY_FIRST_PARAGRAPH = re.compile(r"\A\s*<p>\s*</p>\s*")
_HREF = re.compile(r'\shref="([^"]*)"')


def absolute_links(body_html: str, base_url: str) -> str:
    """Links in sanitized HTML made absolute against `base_url`; a link that
    cannot be (relative with no base) loses its href, since on Herald's pages it
    would point into Herald. mailto: links stay."""

    def fix(match: re.Match[str]) -> str:
        href = html.unescape(match.group(1))
        if href.lower().startswith("mailto:"):
            return match.group(0)
        absolute = safe_url(href, base_url)
        return f' href="{html.escape(absolute)}"' if absolute else ""

    return _HREF.sub(fix, body_html) if "href=" in body_html else body_html


def finish_item(
    item: ParsedItem, *, structured: bool, base_url: str = ""
) -> ParsedItem:
    """Sanitize the body and make its links absolute, fill the dateline from the
    lead where no structured one was given (stripping the lead from the body),
    and tidy text fields.

    `structured` says whether item.dateline_city came from a structured field.
    """
    body = sanitize_html(item.body_html) if item.body_html.strip() else ""
    body = absolute_links(body, base_url)
    if body and not _BLOCK.search(body):
        body = f"<p>{body}</p>"
    standfirst = item.standfirst
    if standfirst and body and _redundant(standfirst, body):
        standfirst = ""
    city, country = item.dateline_city, item.dateline_country
    lead_city, lead_country, body = take_lead_dateline(body, city if structured else "")
    if lead_city and not city:
        city, country = lead_city, country or lead_country
    elif lead_city and not country:
        country = lead_country
    if standfirst and body and _redundant(standfirst, body):
        standfirst = ""
    return replace(
        item,
        headline=collapse(item.headline),
        body_html=body,
        standfirst=collapse(standfirst),
        byline=collapse(item.byline),
        dateline_city=collapse(city),
        dateline_country=collapse(country),
        language=collapse(item.language),
    )


def _redundant(standfirst: str, body_html: str) -> bool:
    """Whether the standfirst only repeats the body (or its opening)."""
    first = collapse(standfirst).casefold().rstrip(".… ")
    text = html_to_text(body_html).casefold()
    if not first:
        return True
    if text.startswith(first):
        return True
    # The same words with a dateline or a trailing "..." between them.
    return first in text[: len(first) + 80]


def assemble(
    items: Iterable[ParsedItem | NotText | None],
    warnings: list[str],
) -> ParsedFeed:
    """The feed: text items in document order and the items that are not text,
    each guid kept only the first time (with a warning); skipped items (None)
    dropped."""
    seen: set[str] = set()
    kept: list[ParsedItem] = []
    not_text: list[NotText] = []
    for position, item in enumerate(items, start=1):
        if item is None:
            continue
        if len(item.guid) > MAX_GUID_CHARS:
            warnings.append(
                f"item {position} skipped: its guid is {len(item.guid):,} characters "
                f"long, over the limit of {MAX_GUID_CHARS}"
            )
            continue
        if item.guid in seen:
            warnings.append(
                f"item {position}: guid {item.guid[:200]!r} repeats an earlier item "
                "in this document; kept the first"
            )
            continue
        seen.add(item.guid)
        if isinstance(item, NotText):
            not_text.append(item)
        elif item.kind != ItemKind.TEXT:
            not_text.append(
                NotText(
                    kind=item.kind,
                    guid=item.guid,
                    title=item.headline,
                    item=item,
                )
            )
        else:
            kept.append(item)
    return ParsedFeed(
        items=tuple(kept), warnings=tuple(warnings), not_text=tuple(not_text)
    )


def oversized(raw: str, position: int, guid: str, warnings: list[str]) -> bool:
    """Whether an item's payload is over MAX_ITEM_CHARS (and warn if it is)."""
    if len(raw) <= MAX_ITEM_CHARS:
        return False
    warnings.append(
        f"item {position} ({guid[:200]!r}) skipped: its payload is {len(raw):,} "
        f"characters, over the limit of {MAX_ITEM_CHARS:,}"
    )
    return True
