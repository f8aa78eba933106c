"""NewsML-G2 parsing, checked against the IPTC's own example files."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from herald.ingest.sources import ParseError, PubStatus, Subject, parse

SAMPLES = settings.BASE_DIR.parent / "shared" / "samples" / "newsml-g2"
NAR = "http://iptc.org/std/nar/2006-10-01/"


def sample(name: str) -> bytes:
    """An IPTC example file; a missing one fails the test rather than skipping."""
    path: Path = SAMPLES / name
    assert path.is_file(), f"IPTC sample {path} is missing"
    return path.read_bytes()


def news_item(inner: str, guid: str = "urn:test:1", version: str = "1") -> bytes:
    """A minimal newsItem around `inner` (itemMeta/contentMeta/contentSet)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<newsItem xmlns="{NAR}" guid="{guid}" version="{version}" '
        f'standard="NewsML-G2" standardversion="2.35" xml:lang="en">{inner}</newsItem>'
    ).encode()


def test_listing_1_news_item_reads_every_field() -> None:
    feed = parse("newsml-g2", sample("LISTING_1_A_NewsML-G2_News_Item.xml"))
    assert feed.warnings == ()
    (item,) = feed.items
    assert item.guid == "urn:newsml:acmenews.com:20161018:US-FINANCE-FED"
    assert item.version == 11
    assert item.headline == 'Fed to halt QE to avert "bubble"'
    assert item.byline == "Meredith Jameson"
    assert item.language == "en-GB"
    assert item.pubstatus is PubStatus.USABLE
    # versionCreated 2018-10-21T16:25:32-05:00, normalized to UTC.
    assert item.updated_at == datetime(2018, 10, 21, 21, 25, 32, tzinfo=UTC)
    assert item.first_created == datetime(2016, 10, 18, 18, 12, 21, tzinfo=UTC)
    assert item.embargo_until == datetime(2018, 10, 23, 12, 0, tzinfo=UTC)
    assert (item.dateline_city, item.dateline_country) == ("Berlin", "Germany")
    assert item.places == ("Berlin",)
    assert item.subjects == (
        Subject(name="economy, business and finance", code="medtop:04000000"),
        Subject(name="labour market", code="medtop:20000523"),
    )
    assert item.keywords == ("US-Finance-Fed",)
    assert item.raw.startswith("<newsItem")
    assert 'guid="urn:newsml:acmenews.com:20161018:US-FINANCE-FED"' in item.raw
    assert item.raw.rstrip().endswith("</newsItem>")


def test_listing_2_inline_nitf_body_becomes_sanitized_html() -> None:
    feed = parse("newsml-g2", sample("LISTING_2_NewsML-G2_Text_Document.xml"))
    (item,) = feed.items
    assert item.guid == "urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    assert item.language == "en-US"
    assert [s.code for s in item.subjects] == [
        "medtop:04000000",
        "medtop:20000350",
        "medtop:20000379",
    ]
    assert item.body_html.startswith("<p>Et, sent luptat luptat")
    assert item.body_html.count("<p>") == 2
    assert "nitf" not in item.body_html and "xmlns" not in item.body_html
    # The bracketed lead "(New York, NY - October 21)" is the dateline.
    assert (item.dateline_city, item.dateline_country) == ("New York", "NY")
    assert "October 21" not in item.body_html


def test_listing_3_picture_item_gives_an_image_with_caption_and_credit() -> None:
    feed = parse(
        "newsml-g2",
        sample("LISTING_3_Photo_in_NewsML-G2.xml"),
        base_url="https://wire.example/pictures/feed.xml",
    )
    (item,) = feed.items
    assert item.guid == "tag:gettyimages.com,2010:GYI0062134533"
    assert item.headline == (
        "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred"
    )
    (image,) = item.images
    # The highRes rendition "./GYI0062134533.jpg", made absolute; the file:///
    # renditions are refused.
    assert image.url == "https://wire.example/pictures/GYI0062134533.jpg"
    assert (image.width, image.height) == (1500, 1001)
    assert image.credit == "Getty Images"
    assert image.photographer == "Spencer Platt"
    assert image.caption.startswith("A general view of part of downtown")
    assert image.caption.endswith("(Photo by Spencer Platt/Getty Images)")
    assert "Las Vegas" in item.places and "Las Vegas Boulevard" in item.places
    assert Subject(name="unemployment", code="medtop:20000533") in item.subjects
    assert "poverty" in item.keywords
    assert item.extra["item_class"] == "ninat:picture"


def test_listing_3_without_a_base_url_keeps_the_picture_without_a_url() -> None:
    (item,) = parse("newsml-g2", sample("LISTING_3_Photo_in_NewsML-G2.xml")).items
    (image,) = item.images
    assert image.url == ""
    assert image.credit == "Getty Images"


def test_listing_6_package_alone_reports_its_unresolved_references() -> None:
    feed = parse("newsml-g2", sample("LISTING_6_Simple_NewsML-G2_Package.xml"))
    assert feed.items == ()
    assert len(feed.warnings) == 2
    assert "urn:newsml:iptc.org:20081007:tutorial-item-A" in feed.warnings[0]
    assert "not in this document" in feed.warnings[0]


def test_listing_28_structured_dateline_wins_over_located() -> None:
    fragment = sample("LISTING_28_Illustrating_Located_Subject_and_Dateline.xml")
    document = news_item(
        '<itemMeta><itemClass qcode="ninat:text"/>'
        "<versionCreated>2016-02-09T09:17:00+03:00</versionCreated></itemMeta>"
        + fragment.decode("utf-8").replace(
            "</contentMeta>", "<headline>Talks in Moscow</headline></contentMeta>"
        )
    )
    (item,) = parse("newsml-g2", document).items
    # <dateline>MOSCOW, Monday (Reuters)</dateline>: weekday and agency dropped.
    assert (item.dateline_city, item.dateline_country) == ("Moscow", "")
    assert item.byline == "Thomson Reuters"
    assert item.language == "en-US"
    assert item.updated_at == datetime(2016, 2, 9, 6, 17, tzinfo=UTC)


def test_fragment_outside_the_namespace_is_refused() -> None:
    fragment = sample("LISTING_28_Illustrating_Located_Subject_and_Dateline.xml")
    with pytest.raises(ParseError, match="not a NewsML-G2 document"):
        parse("newsml-g2", fragment)
