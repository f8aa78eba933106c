"""The one shape every source format is normalized into, before it is stored."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class PubStatus(StrEnum):
    """IPTC pubStatus: usable, withheld (held back for now) or canceled (retracted)."""

    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"


class ItemKind(StrEnum):
    """What an item is. Only text becomes a story; the others are counted on the
    poll ("not a text item (video)") and pictures are kept beside the text they
    illustrate. Named after IPTC's ninat and ninjs types."""

    TEXT = "text"
    PICTURE = "picture"
    GRAPHIC = "graphic"
    VIDEO = "video"
    AUDIO = "audio"
    EVENT = "event"
    PLANNING = "planning"
    PACKAGE = "package"
    CONCEPT = "concept"  # a concept, knowledge or catalogue item: reference data

    @classmethod
    def read(cls, word: str) -> "ItemKind":
        """A kind from a ninjs type or a G2 itemClass ("ninat:video"), text when
        the word names none; a composite is a text with its media."""
        word = word.rpartition(":")[2].strip().lower()
        return _KIND_WORDS.get(word, cls.TEXT)


_KIND_WORDS = {
    **{kind.value: kind for kind in ItemKind},
    "image": ItemKind.PICTURE,
    "photo": ItemKind.PICTURE,
    "graphics": ItemKind.GRAPHIC,
    "animation": ItemKind.VIDEO,
    "planningitem": ItemKind.PLANNING,
    "composite": ItemKind.TEXT,
}


@dataclass(frozen=True)
class WireImage:
    """A picture a wire item refers to. `url` is absolute (http/https) or empty."""

    url: str
    caption: str = ""
    credit: str = ""
    photographer: str = ""
    alt_text: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Subject:
    """A subject: an IPTC media topic (`code` like "medtop:04000000") or free text."""

    name: str
    code: str = ""


@dataclass(frozen=True)
class ParsedItem:
    """One wire item as Herald understands it, whatever format it came in.

    Text fields are plain text except `body_html`, which is already sanitized by
    `herald.core.sanitize`. Datetimes are timezone-aware (UTC or with the offset
    the source gave). `raw` is the item's own payload, verbatim as delivered (the
    item element of an XML document, or the item's JSON object).
    """

    guid: str
    headline: str
    body_html: str
    raw: str
    standfirst: str = ""
    byline: str = ""
    dateline_city: str = ""
    dateline_country: str = ""
    link: str = ""
    language: str = ""
    version: int | None = None  # the source's own version number, where it has one
    first_created: datetime | None = None
    updated_at: datetime | None = None  # versionCreated / updated / pubDate
    embargo_until: datetime | None = None
    urgency: int | None = None  # 1 (most urgent) to 9
    pubstatus: PubStatus = PubStatus.USABLE
    images: tuple[WireImage, ...] = ()
    subjects: tuple[Subject, ...] = ()
    places: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)  # format-specific leftovers
    kind: ItemKind = ItemKind.TEXT

    def content_hash(self) -> str:
        """A fingerprint of what a reader would see, to tell real updates from
        repeats when the source gives no version."""
        digest = hashlib.sha256()
        for part in (self.headline, self.standfirst, self.body_html, self.byline):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class NotText:
    """An item that is no text story: what it is, its id and title, and for a
    picture or graphic the item as read (its rendition, caption, credit,
    subjects), for the picture library."""

    kind: ItemKind
    guid: str
    title: str = ""
    item: "ParsedItem | None" = None

    def describe(self) -> str:
        title = f" {self.title[:80]!r}" if self.title else ""
        return f"not a text item ({self.kind}): {self.guid[:120]!r}{title}"


@dataclass(frozen=True)
class ParsedFeed:
    """What one fetched document held: its text items, the items that are not
    text (pictures, video, events, ...), and per-item problems that did not stop
    the rest (an item without a guid, say)."""

    items: tuple[ParsedItem, ...]
    warnings: tuple[str, ...] = ()
    not_text: tuple[NotText, ...] = ()
