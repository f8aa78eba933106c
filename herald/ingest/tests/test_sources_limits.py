"""Documents at and past the limits: repeated guids, oversized items, ten thousand
items, over-long numbers, guids and links, and a dateline-only first paragraph."""

import json
import time

import pytest

from herald.ingest.sources import FORMATS, parse
from herald.ingest.sources.common import MAX_ITEM_CHARS
from herald.ingest.tests.factories import NAR, rss


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_guid_used_twice_in_one_document_keeps_the_first(fmt: str) -> None:
    if fmt == "rss":
        data = rss(
            "<item><guid>dup</guid><title>First</title></item>"
            "<item><guid>other</guid><title>Other</title></item>"
            "<item><guid>dup</guid><title>Impostor</title></item>"
        ).encode()
    elif fmt == "atom":
        data = (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>f</id>'
            "<updated>2025-01-01T00:00:00Z</updated>"
            + "".join(
                f"<entry><id>{guid}</id><title>{title}</title>"
                "<updated>2025-01-01T00:00:00Z</updated></entry>"
                for guid, title in (
                    ("dup", "First"),
                    ("other", "Other"),
                    ("dup", "Impostor"),
                )
            )
            + "</feed>"
        ).encode()
    elif fmt == "newsml-g2":
        data = (
            f'<newsMessage xmlns="{NAR}"><itemSet>'
            + "".join(
                f'<newsItem guid="{guid}" version="1"><itemMeta><versionCreated>'
                "2025-01-01T00:00:00Z</versionCreated></itemMeta><contentMeta>"
                f"<headline>{title}</headline></contentMeta></newsItem>"
                for guid, title in (
                    ("dup", "First"),
                    ("other", "Other"),
                    ("dup", "Impostor"),
                )
            )
            + "</itemSet></newsMessage>"
        ).encode()
    else:
        data = json.dumps(
            [
                {
                    "uri": guid,
                    "headline": title,
                    "versioncreated": "2025-01-01T00:00:00Z",
                }
                for guid, title in (
                    ("dup", "First"),
                    ("other", "Other"),
                    ("dup", "Impostor"),
                )
            ]
        ).encode()
    feed = parse(fmt, data)
    assert [item.headline for item in feed.items] == ["First", "Other"]
    assert any(
        "item 3: guid 'dup' repeats an earlier item in this document; kept the first"
        in w
        for w in feed.warnings
    )


def test_an_oversized_item_is_skipped_and_the_rest_kept() -> None:
    big = "x" * (MAX_ITEM_CHARS + 1)
    document = rss(
        f"<item><guid>big</guid><title>Big</title><description>{big}</description></item>"
        "<item><guid>small</guid><title>Small</title></item>"
    )
    feed = parse("rss", document.encode())
    assert [item.guid for item in feed.items] == ["small"]
    assert any(
        "item 1 ('big') skipped" in w and "over the limit" in w for w in feed.warnings
    )


def test_ten_thousand_item_feeds_parse_whole() -> None:
    items = "".join(
        f"<item><guid>g{i}</guid><title>Item {i}</title>"
        f"<pubDate>Tue, 10 Jun 2025 10:00:00 +0200</pubDate>"
        f"<description>TOKYO (Reuters) - Story {i}.</description></item>"
        for i in range(10_000)
    )
    started = time.perf_counter()
    feed = parse("rss", rss(items).encode())
    elapsed = time.perf_counter() - started
    assert len(feed.items) == 10_000
    assert feed.items[-1].guid == "g9999" and feed.items[-1].dateline_city == "Tokyo"
    # Not a timed assertion (bench/ingest.py measures speed); this only reports.
    print(f"10,000 RSS items parsed in {elapsed:.1f}s")
    ninjs = [{"uri": f"u{i}", "headline": f"H {i}"} for i in range(10_000)]
    assert len(parse("ninjs", json.dumps(ninjs).encode()).items) == 10_000


def test_a_number_too_long_for_python_costs_its_field_not_the_document() -> None:
    data = b'{"uri": "u", "headline": "H", "urgency": ' + b"9" * 5000 + b"}"
    feed = parse("ninjs", data)
    assert feed.items[0].urgency is None
    assert any("urgency ignored" in w for w in feed.warnings)


def test_over_long_guids_are_skipped_and_over_long_links_dropped() -> None:
    long_link = "https://t.example/" + "a" * 1000
    document = rss(
        f"<item><guid>{'g' * 501}</guid><title>Long guid</title></item>"
        f"<item><guid>ok</guid><title>Long link</title><link>{long_link}</link></item>"
    )
    feed = parse("rss", document.encode())
    (item,) = feed.items
    assert item.guid == "ok" and item.link == ""
    assert any("guid is 501 characters long" in w for w in feed.warnings)


def test_a_first_paragraph_holding_only_the_dateline_goes_with_it() -> None:
    document = rss(
        "<item><guid>1</guid><title>T</title><description>&lt;p&gt;HANOI (AFP) -"
        "&lt;/p&gt;&lt;p&gt;The text.&lt;/p&gt;</description></item>"
    )
    (item,) = parse("rss", document.encode()).items
    assert item.dateline_city == "Hanoi"
    assert item.body_html == "<p>The text.</p>"
