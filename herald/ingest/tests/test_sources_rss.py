"""RSS 2.0 and Atom 1.0 parsing with Herald's own small fixture feeds."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from herald.ingest.sources import ParseError, PubStatus, WireImage, parse

FEEDS = Path(__file__).parent / "feeds"


def feed_bytes(name: str) -> bytes:
    """A fixture feed from herald/ingest/tests/feeds/."""
    return (FEEDS / name).read_bytes()


def rss(items: str, *, channel: str = "", namespaces: str = "") -> bytes:
    """A minimal RSS 2.0 document around `items`."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {namespaces}>'
        f"<channel><title>T</title><link>https://t.example/</link><description>D</description>"
        f"{channel}{items}</channel></rss>"
    ).encode()


def test_rss_item_reads_every_field() -> None:
    feed = parse("rss", feed_bytes("rss_basic.xml"), base_url="https://wire.example/f")
    first, second, third = feed.items
    assert first.guid == "pw-2025-0001"
    # HTML in the title is plain text, entities unescaped once.
    assert first.headline == "Quake shakes Tokyo & Yokohama"
    assert first.link == "https://wire.example/stories/quake-tokyo"
    assert first.byline == "Aiko Tanaka"
    assert first.language == "en-gb"
    assert first.keywords == ("Disasters", "Japan")
    assert first.pubstatus is PubStatus.USABLE
    # pubDate "Tue, 10 Jun 2025 10:00:00 +0200".
    assert first.updated_at == datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    assert first.first_created == first.updated_at
    assert (first.dateline_city, first.dateline_country) == ("Tokyo", "Japan")
    assert first.body_html.startswith("<p>A strong earthquake shook buildings")
    assert first.standfirst == "A magnitude 6.1 quake shook the capital on Tuesday."
    assert "<script" not in first.body_html and "alert" not in first.body_html
    assert "javascript:" not in first.body_html
    assert 'href="https://wire.example/more"' in first.body_html
    # The enclosure and the media:content name one picture: kept once, with the
    # Media RSS credit and description.
    assert first.images == (
        WireImage(
            url="https://img.wire.example/quake.jpg",
            caption="Office workers outside a tower in Shinjuku.",
            credit="Ken Sato",
            photographer="Ken Sato",
            width=1200,
            height=800,
        ),
    )
    assert first.raw.startswith("<item") and "pw-2025-0001" in first.raw
    assert first.raw.endswith("</item>")

    # No guid: the link is the guid; an ISO date with -05:00 is kept correct.
    assert second.guid == "https://wire.example/stories/markets"
    assert second.updated_at == datetime(2025, 6, 10, 16, 30, tzinfo=UTC)
    assert second.body_html == "<p>Shares were little changed.</p>"
    assert second.dateline_city == "Osaka"

    # No guid, no link, no date: a content hash, with warnings.
    assert third.guid.startswith("sha256:")
    assert third.updated_at is None
    assert third.body_html == "<p>No date, no guid, no link.</p>"
    assert any("identified by a hash" in w for w in feed.warnings)
    assert any("no date given" in w for w in feed.warnings)


def test_rss_guid_hash_is_stable_between_polls() -> None:
    data = rss("<item><title>Same</title><pubDate>Tue, 10 Jun 2025</pubDate></item>")
    assert parse("rss", data).items[0].guid == parse("rss", data).items[0].guid


def test_atom_entry_reads_every_field() -> None:
    feed = parse("atom", feed_bytes("atom_basic.xml"))
    assert feed.warnings == ()
    first, second = feed.items
    assert first.guid == "tag:atom.example,2025:monsoon-1"
    assert first.headline == "Monsoon reaches Kerala early"
    assert first.link == "https://atom.example/monsoon"
    assert first.byline == "Priya Nair"
    assert first.language == "en"
    assert first.keywords == ("Weather",)
    # published +05:30 and updated +02:00, both normalized to UTC.
    assert first.first_created == datetime(2025, 6, 10, 2, 45, tzinfo=UTC)
    assert first.updated_at == datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
    assert (first.dateline_city, first.dateline_country) == ("Kochi", "India")
    assert first.body_html == (
        "<p>The southwest monsoon set in over Kerala on Tuesday.</p>"
        "<p>Farmers welcomed the rain.</p>"
    )
    assert first.standfirst == "The monsoon arrived three days ahead of schedule."
    assert first.images == (
        WireImage(
            url="https://atom.example/img/monsoon.jpg", caption="Rain over Kochi"
        ),
    )
    assert first.raw.startswith("<entry") and first.raw.endswith("</entry>")
    # xhtml content; no summary, so no standfirst repeating the body.
    assert second.body_html == "<p>India chose to bat.</p>"
    assert second.dateline_city == "Mumbai"
    assert second.standfirst == ""


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        ("rss", "atom_basic.xml", "not an RSS document"),
        ("atom", "rss_basic.xml", "not an Atom document"),
    ],
)
def test_a_feed_of_the_other_format_is_refused(
    fmt: str, name: str, message: str
) -> None:
    with pytest.raises(ParseError, match=message):
        parse(fmt, feed_bytes(name))


def test_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown wire format 'json'"):
        parse("json", b"{}")


def test_media_rss_groups_thumbnails_and_item_level_credits() -> None:
    data = rss(
        "<item><guid>g</guid><title>T</title>"
        "<media:credit>Item Agency</media:credit>"
        "<media:group><media:description>Group caption</media:description>"
        '<media:credit role="photographer">Gro Up</media:credit>'
        '<media:content url="https://i.example/a.jpg" type="image/jpeg" width="800"/>'
        '<media:content url="https://i.example/a.mp4" type="video/mp4"/>'
        "</media:group>"
        '<media:content url="https://i.example/b.jpg" medium="image">'
        '<media:title type="html">&lt;b&gt;B&lt;/b&gt; title</media:title>'
        "</media:content></item>"
        "<item><guid>h</guid><title>Thumb only</title>"
        '<media:thumbnail url="https://i.example/t.jpg" width="120" height="80"/>'
        '<media:thumbnail url="https://i.example/t2.jpg"/></item>',
        namespaces='xmlns:media="http://search.yahoo.com/mrss/"',
    )
    first, second = parse("rss", data).items
    assert first.images == (
        WireImage(
            url="https://i.example/a.jpg",
            caption="Group caption",
            credit="Gro Up",
            photographer="Gro Up",
            width=800,
        ),
        WireImage(
            url="https://i.example/b.jpg", caption="B title", credit="Item Agency"
        ),
    )
    assert second.images == (
        WireImage(url="https://i.example/t.jpg", width=120, height=80),
    )


def test_an_item_without_a_title_takes_its_first_sentence() -> None:
    data = rss(
        "<item><guid>g</guid><author>jo@wire.example</author><description>"
        "Rain is forecast for Tokyo on Friday. Temperatures will fall.</description>"
        "</item><item><guid>empty</guid></item>"
    )
    feed = parse("rss", data)
    (item,) = feed.items
    assert item.headline == "Rain is forecast for Tokyo on Friday."
    assert item.byline == ""  # an e-mail address is no byline
    assert any("no title; the headline is the opening" in w for w in feed.warnings)
    assert any(
        "'empty') skipped: it has no title and no text" in w for w in feed.warnings
    )


def test_rss_author_with_a_name_gives_the_name_only() -> None:
    data = rss(
        "<item><guid>g</guid><title>T</title>"
        "<author>jo@w.example (Jo Doe)</author></item>"
    )
    assert parse("rss", data).items[0].byline == "Jo Doe"


def test_rss_1_0_rdf_feeds_are_read() -> None:
    data = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
        b'syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/'
        b'elements/1.1/"><channel rdf:about="https://r.example/"><title>R</title>'
        b"<link>https://r.example/</link><description>D</description></channel>"
        b'<item rdf:about="https://r.example/1"><title>One</title>'
        b"<link>https://r.example/1</link><dc:date>2025-06-10T10:00:00+02:00</dc:date>"
        b"<description>BERLIN (dpa) - Text.</description></item></rdf:RDF>"
    )
    (item,) = parse("rss", data).items
    assert item.guid == "https://r.example/1"
    assert item.updated_at == datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    assert item.dateline_city == "Berlin"
    assert item.raw.startswith("<item")


@pytest.mark.parametrize("element", ["content", "summary"])
def test_atom_xml_base_applies_to_links_in_the_body(element: str) -> None:
    data = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/news/">'
        "<title>F</title><id>f</id><entry><id>1</id><title>T</title>"
        '<updated>2025-01-01T00:00:00Z</updated><link href="story/1"/>'
        f'<{element} type="html">&lt;a href="more"&gt;m&lt;/a&gt;</{element}>'
        "</entry></feed>"
    ).encode()
    (item,) = parse("atom", data, base_url="https://feed.example/f.xml").items
    assert item.link == "https://a.example/news/story/1"
    assert 'href="https://a.example/news/more"' in item.body_html
    # An xml:base that is not http(s) gives no base at all.
    hostile = data.replace(b"https://a.example/news/", b"file:///etc/")
    (item,) = parse("atom", hostile).items
    assert item.link == "" and "href" not in item.body_html
