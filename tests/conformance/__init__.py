"""The conformance corpus (tests/data/conformance/): the IPTC's own NewsML-G2 and
ninjs examples and feedparser's feed documents, and what Herald makes of each.

`outcome(path)` reads one file the way a drop-folder source of its format would
and sums it up as a row: the stories it gives (headline, paragraphs, byline,
dateline, language, pictures), the items that are no text story (by kind), the
items with a headline and no text (kept for the desk, never a story), the items
skipped with their messages, or the document's error. `expected.json` holds the
row every file must give; `python -m tests.conformance.table` rewrites it from
today's code, to review a change with `git diff`. A file without a row fails.

Outcomes judged in review (what Herald does on purpose):
- feeds/illformed_*: feedparser recovers from broken XML; Herald refuses it with
  the parser's line and column (a wire must send well-formed XML).
- ninjs examples that are not valid JSON (a single-quoted string, a trailing
  comma, XML pasted into JSON) are refused with the line and column.
- newsml-g2 LISTING_1 and LISTING_27 (empty bodies), LISTING_21 (SportsML only)
  and NTB's items (a description, no body): a headline and no text Herald reads,
  kept for the desk and never made into a story.
- LISTING_24, LISTING_29 and the facet examples are fragments whose items are
  "....." placeholders: no headline, skipped with that message.
- Feeds with a channel and no items give nothing, and say nothing.
"""

import json
import re
from pathlib import Path
from typing import Any

from herald.core.sanitize import html_to_text
from herald.ingest.sources import ParseError, parse

CORPUS = Path(__file__).resolve().parents[1] / "data" / "conformance"
EXPECTED_FILE = Path(__file__).with_name("expected.json")
_PARAGRAPH = re.compile(r"<(?:p|h2|h3|h4|li|blockquote|tr)\b")


def files() -> list[str]:
    """Every document of the corpus, as a path relative to it."""
    return sorted(
        str(path.relative_to(CORPUS))
        for path in CORPUS.rglob("*")
        if path.is_file() and path.suffix in (".xml", ".rdf", ".json")
    )


def format_of(relative: str) -> str:
    """The source format that reads `relative`: by folder, and for feeds by the
    document's root element."""
    if relative.startswith("newsml-g2/"):
        return "newsml-g2"
    if relative.startswith("ninjs/"):
        return "ninjs"
    head = (CORPUS / relative).read_bytes()[:4000]
    head = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    return "atom" if re.search(rb"<feed\b", head) else "rss"


def outcome(relative: str) -> dict[str, Any]:
    """What Herald reads from one file, as a row of the table."""
    try:
        feed = parse(format_of(relative), (CORPUS / relative).read_bytes())
    except ParseError as error:
        return {"error": str(error)}
    row: dict[str, Any] = {}
    stories = [
        {
            "headline": item.headline,
            "blocks": len(_PARAGRAPH.findall(item.body_html)),
            "opening": html_to_text(item.body_html)[:60],
            "byline": item.byline,
            "dateline": [item.dateline_city, item.dateline_country],
            "language": item.language,
            "pictures": len(item.images),
        }
        for item in feed.items
        if html_to_text(item.body_html).strip()
    ]
    if stories:
        row["stories"] = stories
    # Stored for the desk, never made into a story (herald.ingest.storing.has_text).
    headline_only = [
        item.headline for item in feed.items if not html_to_text(item.body_html).strip()
    ]
    if headline_only:
        row["no_text"] = headline_only
    if feed.not_text:
        row["not_text"] = [other.kind.value for other in feed.not_text]
    skipped = [w for w in feed.warnings if " skipped" in w]
    if skipped:
        row["skipped"] = skipped
    return row


def as_json(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True)
