"""Wire formats in, one shape out: parse(fmt, data) → ParsedFeed of ParsedItems."""

from collections.abc import Callable

from .atom import parse_atom
from .common import ParseError
from .items import (
    ItemKind,
    NotText,
    ParsedFeed,
    ParsedItem,
    PubStatus,
    Subject,
    WireImage,
)
from .newsml_g2 import parse_newsml_g2
from .ninjs import parse_ninjs
from .rss import parse_rss

_PARSERS: dict[str, Callable[[bytes, str], ParsedFeed]] = {
    "rss": parse_rss,
    "atom": parse_atom,
    "newsml-g2": parse_newsml_g2,
    "ninjs": parse_ninjs,
}
FORMATS: tuple[str, ...] = tuple(_PARSERS)


def parse(fmt: str, data: bytes, *, base_url: str = "") -> ParsedFeed:
    """Read a fetched document of format `fmt` ("rss", "atom", "newsml-g2" or
    "ninjs") into items. `data` is the document's bytes, never a URL or a path;
    `base_url` (where it came from) makes relative links absolute.

    Raises ParseError when the document as a whole is unusable; problems with
    single items are in the result's warnings, and those items are left out.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse() takes the document's bytes")
    try:
        parser = _PARSERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown wire format {fmt!r}; expected one of {', '.join(FORMATS)}"
        ) from None
    return parser(bytes(data), base_url)


__all__ = [
    "FORMATS",
    "ItemKind",
    "NotText",
    "ParseError",
    "ParsedFeed",
    "ParsedItem",
    "PubStatus",
    "Subject",
    "WireImage",
    "parse",
]
