"""Dates in documents: offsets kept, and missing, unreadable or off-the-calendar
dates read as none with a warning."""

import json
from datetime import UTC, datetime

import pytest

from herald.ingest.sources import parse
from herald.ingest.tests.factories import NAR, rss


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Tue, 10 Jun 2025 10:00:00 +0200", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        ("2025-06-10T10:00:00+02:00", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        ("2025-06-10T10:00:00-05:00", datetime(2025, 6, 10, 15, 0, tzinfo=UTC)),
        ("2025-06-10T10:00:00Z", datetime(2025, 6, 10, 10, 0, tzinfo=UTC)),
        ("Tue, 10 Jun 2025 10:00:00 GMT", datetime(2025, 6, 10, 10, 0, tzinfo=UTC)),
    ],
)
def test_rss_dates_keep_their_offsets(date: str, expected: datetime) -> None:
    document = rss(
        f"<item><guid>1</guid><title>T</title><pubDate>{date}</pubDate></item>"
    )
    feed = parse("rss", document.encode())
    assert feed.items[0].updated_at == expected
    assert feed.warnings == ()


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2025-06-10T10:00:00+02:00", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        ("2025-06-10T10:00:00-05:00", datetime(2025, 6, 10, 15, 0, tzinfo=UTC)),
        ("2025-06-10T10:00:00Z", datetime(2025, 6, 10, 10, 0, tzinfo=UTC)),
    ],
)
def test_newsml_and_ninjs_dates_keep_their_offsets(
    date: str, expected: datetime
) -> None:
    newsml = (
        f'<newsItem xmlns="{NAR}" guid="g" version="2"><itemMeta>'
        f"<versionCreated>{date}</versionCreated><embargoed>{date}</embargoed>"
        "</itemMeta><contentMeta><headline>H</headline></contentMeta></newsItem>"
    )
    (item,) = parse("newsml-g2", newsml.encode()).items
    assert item.updated_at == expected and item.embargo_until == expected
    ninjs = {"uri": "u", "headline": "H", "versioncreated": date, "embargoed": date}
    (item,) = parse("ninjs", json.dumps(ninjs).encode()).items
    assert item.updated_at == expected and item.embargo_until == expected


@pytest.mark.parametrize("fmt", ["rss", "newsml-g2", "ninjs"])
def test_missing_and_invalid_dates_are_none_with_a_warning(fmt: str) -> None:
    if fmt == "rss":
        data = rss(
            "<item><guid>1</guid><title>A</title></item>"
            "<item><guid>2</guid><title>B</title><pubDate>someday</pubDate></item>"
        ).encode()
    elif fmt == "newsml-g2":
        data = (
            f'<newsMessage xmlns="{NAR}"><itemSet>'
            '<newsItem guid="1"><contentMeta><headline>A</headline></contentMeta>'
            '</newsItem><newsItem guid="2"><itemMeta><versionCreated>someday'
            "</versionCreated></itemMeta><contentMeta><headline>B</headline>"
            "</contentMeta></newsItem></itemSet></newsMessage>"
        ).encode()
    else:
        data = json.dumps(
            [
                {"uri": "1", "headline": "A"},
                {"uri": "2", "headline": "B", "versioncreated": "someday"},
            ]
        ).encode()
    feed = parse(fmt, data)
    assert [item.updated_at for item in feed.items] == [None, None]
    assert len(feed.warnings) == 2
    assert "item 1 ('1'): no" in feed.warnings[0]
    assert "item 2 ('2'): unreadable" in feed.warnings[1]
    assert "someday" in feed.warnings[1]


@pytest.mark.parametrize(
    "date", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "2025-13-45"]
)
def test_dates_off_the_calendar_are_none_with_a_warning(date: str) -> None:
    ninjs = {"uri": "u", "headline": "H", "versioncreated": date}
    feed = parse("ninjs", json.dumps(ninjs).encode())
    assert feed.items[0].updated_at is None
    assert any("unreadable versioncreated" in w for w in feed.warnings)
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>f</id>'
        f"<entry><id>1</id><title>T</title><updated>{date}</updated></entry></feed>"
    )
    feed = parse("atom", atom.encode())
    assert feed.items[0].updated_at is None
