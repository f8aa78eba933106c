"""ninjs 1.x/2.x/3.x parsing, checked against the IPTC's own example files."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from herald.ingest.sources import ParseError, PubStatus, Subject, parse

SAMPLES = settings.BASE_DIR / "tests" / "data" / "ninjs"
LEAD = "The trial of the captain of the shipwrecked Costa Concordia cruise liner"


def sample(name: str) -> bytes:
    """An IPTC example file; a missing one fails the test rather than skipping."""
    path: Path = SAMPLES / name
    assert path.is_file(), f"IPTC sample {path} is missing"
    return path.read_bytes()


def one(document: Any) -> Any:
    """The single item parsed from a JSON-able document."""
    feed = parse("ninjs", json.dumps(document).encode())
    (item,) = feed.items
    return item


@pytest.mark.parametrize(
    "name",
    [
        "1.6_004_simple_text_article.json",
        "1.6_005_complex_text_article.json",
        "2.2_004_simple_text_article.json",
        "2.2_005_complex_text_article.json",
        "3.1_004_simple_text_article.json",
        "3.1_005_complex_text_article.json",
    ],
)
def test_text_article_examples_read_alike_in_every_version(name: str) -> None:
    feed = parse("ninjs", sample(name))
    assert feed.warnings == ()
    (item,) = feed.items
    assert item.guid.startswith("http://ninjs.example.com/newsitems/20130709")
    assert item.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert item.byline == "Paulo Santalucia and Frances d'Emilio"
    assert item.updated_at == datetime(2013, 7, 9, 10, 37, tzinfo=UTC)
    assert item.pubstatus is PubStatus.USABLE
    # The richtext body is used, with the "GROSSETO, Italy (AP) --" lead taken
    # out of the first paragraph and into the dateline.
    assert item.body_html.startswith(f"<p>{LEAD}")
    assert item.body_html.count("<p>") == 4
    assert "GROSSETO" not in item.body_html
    assert item.dateline_country == "Italy"
    assert item.dateline_city in ("Grosseto", "Grossetto")
    assert json.loads(item.raw) == json.loads(sample(name))


@pytest.mark.parametrize(
    "name",
    [
        "1.6_005_complex_text_article.json",
        "2.2_005_complex_text_article.json",
        "3.1_005_complex_text_article.json",
    ],
)
def test_complex_examples_take_located_language_and_places(name: str) -> None:
    (item,) = parse("ninjs", sample(name)).items
    # "located": "Grossetto, Italy" is the structured dateline.
    assert (item.dateline_city, item.dateline_country) == ("Grossetto", "Italy")
    assert item.language == "en"
    assert item.places == ("Grossetto", "Tuscany", "Italy")


def test_photo_only_example_becomes_an_item_with_its_widest_rendition() -> None:
    feed = parse("ninjs", sample("2.2_006_photo_only.json"))
    assert feed.items == ()
    (picture,) = feed.not_text
    item = picture.item
    assert picture.kind == "picture" and item is not None
    assert item.guid == "http://ninjs.example.com/newsitems/20130709simpPh123"
    assert item.headline == "Costa Concordia cruise ship"
    assert item.body_html == ""
    assert item.standfirst.startswith("The Costa Concordia cruise ship lies on its")
    (image,) = item.images
    assert image.url == (
        "http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg"
    )
    assert (image.width, image.height) == (429, 281)
    assert image.photographer == "Paulo Santalucia"
    assert image.caption.startswith("The Costa Concordia cruise ship lies")
    assert image.alt_text == "Costa Concordia cruise ship"


def test_list_of_items_keeps_order_and_every_field() -> None:
    items = [
        {
            "uri": "urn:wire:1",
            "version": "3",
            "type": "text",
            "headlines": [
                {"role": "main", "value": "Main &amp; <b>bold</b>"},
                {"role": "sub", "value": "The sub-headline"},
            ],
            "bodies": [
                {
                    "role": "main",
                    "contenttype": "text/plain",
                    "value": "KYIV (AP) - Line one.\n\nLine <two>.",
                }
            ],
            "pubstatus": "canceled",
            "urgency": 2,
            "embargoed": "2025-06-10T12:00:00+02:00",
            "firstcreated": "2025-06-10T08:00:00-05:00",
            "versioncreated": "2025-06-10T09:00:00Z",
            "subjects": [
                {
                    "name": "politics",
                    "uri": "http://cv.iptc.org/newscodes/mediatopic/11000000",
                },
                {"name": "local colour"},
            ],
            "associations": [
                {
                    "name": "featureimage",
                    "uri": "urn:pic:1",
                    "type": "picture",
                    "by": "Ann Photog",
                    "copyrightholder": "Wire Photo",
                    "headlines": [{"role": "main", "value": "A square"}],
                    "descriptions": [
                        {"role": "caption", "value": "People in a square"}
                    ],
                    "renditions": [
                        {
                            "name": "thumb",
                            "href": "https://img.example/t.jpg",
                            "width": 100,
                        },
                        {
                            "name": "main",
                            "href": "https://img.example/m.jpg",
                            "width": 1600,
                            "height": 900,
                        },
                        {"name": "evil", "href": "javascript:alert(1)", "width": 9999},
                    ],
                },
            ],
        },
        {"uri": "urn:wire:2", "headline": "Second (ninjs 1.x)", "body_text": "Hi."},
    ]
    feed = parse("ninjs", json.dumps(items).encode())
    first, second = feed.items
    assert first.guid == "urn:wire:1" and second.guid == "urn:wire:2"
    assert first.headline == "Main & bold"
    assert first.standfirst == "The sub-headline"
    assert first.version == 3
    assert first.urgency == 2
    assert first.pubstatus is PubStatus.CANCELED
    assert first.embargo_until == datetime(2025, 6, 10, 10, 0, tzinfo=UTC)
    assert first.first_created == datetime(2025, 6, 10, 13, 0, tzinfo=UTC)
    assert first.body_html == "<p>Line one.</p><p>Line &lt;two&gt;.</p>"
    assert first.dateline_city == "Kyiv"
    assert first.subjects == (
        Subject(name="politics", code="medtop:11000000"),
        Subject(name="local colour"),
    )
    (image,) = first.images
    assert image.url == "https://img.example/m.jpg"
    assert image.caption == "People in a square"
    assert image.credit == "Wire Photo"
    assert image.photographer == "Ann Photog"
    assert second.body_html == "<p>Hi.</p>"


def test_ninjs_3_camel_case_fields_are_read() -> None:
    item = one(
        {
            "uri": "urn:wire:3",
            "headlines": [{"role": "main", "value": "Camel"}],
            "pubStatus": "withheld",
            "embargoedUntil": "2030-01-01T00:00:00Z",
            "versionCreated": "2025-01-01T00:00:00+09:00",
            "firstCreated": "2024-12-31T00:00:00Z",
        }
    )
    assert item.pubstatus is PubStatus.WITHHELD
    assert item.embargo_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert item.updated_at == datetime(2024, 12, 31, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b'{"uri": "x", ', "not valid JSON at line 1"),
        (b'"just a string"', "expected an object or a list"),
        (b"\xff\xfe{}x", "not valid UTF-16 JSON"),
        (b"[" * 100 + b"]" * 100, "nested more than"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    ],
)
def test_unusable_documents_raise_a_clear_parse_error(
    data: bytes, message: str
) -> None:
    with pytest.raises(ParseError, match=message):
        parse("ninjs", data)


def test_bad_items_are_skipped_with_warnings_and_the_rest_kept() -> None:
    document = [
        "not an object",
        {"headline": "no uri"},
        {"uri": "urn:x:1"},
        {
            "uri": "urn:x:2",
            "headline": "Good",
            "urgency": "urgent",
            "version": "v2",
            "versioncreated": "yesterday",
            "pubstatus": "maybe",
        },
        {"uri": "urn:x:2", "headline": "Reused guid"},
    ]
    feed = parse("ninjs", json.dumps(document).encode())
    (item,) = feed.items
    assert item.headline == "Good"
    assert item.urgency is None and item.version is None and item.updated_at is None
    assert item.pubstatus is PubStatus.USABLE
    text = "\n".join(feed.warnings)
    for expected in (
        "item 1 skipped: expected an object",
        "item 2 skipped: it has no uri",
        "item 3 ('urn:x:1') skipped: it has no headline",
        "urgency ignored",
        "version ignored",
        "unreadable versioncreated 'yesterday'",
        "unknown pubstatus 'maybe'",
        "item 5: guid 'urn:x:2' repeats an earlier item",
    ):
        assert expected in text


def test_ninjs_1_associations_and_renditions_as_maps_give_images() -> None:
    item = one(
        {
            "uri": "urn:one",
            "headline": "With a picture",
            "body_html": "<p>Text.</p>",
            "description_text": "A summary that differs from the body.",
            "ednote": "Corrects the spelling of a name.",
            "copyrightnotice": "(c) Wire",
            "subject": [
                {
                    "name": "economy",
                    "scheme": "http://cv.iptc.org/newscodes/mediatopic/",
                    "code": "04000000",
                }
            ],
            "place": [{"name": "Lima"}],
            "associations": {
                "featureimage": {
                    "uri": "urn:pic",
                    "type": "picture",
                    "byline": "Pat Photo",
                    "headline": "Plaza",
                    "description_text": "The main square.",
                    "renditions": {
                        "baseImage": {
                            "href": "https://img.example/p.jpg",
                            "mimetype": "image/jpeg",
                            "width": 640,
                            "height": 480,
                        },
                        "file": {"href": "file:///etc/passwd", "width": 9999},
                    },
                },
                "video": {"uri": "urn:vid", "type": "video", "renditions": {}},
            },
        }
    )
    assert item.standfirst == "A summary that differs from the body."
    assert item.subjects == (Subject(name="economy", code="medtop:04000000"),)
    assert item.places == ("Lima",)
    assert item.extra["ednote"] == "Corrects the spelling of a name."
    assert item.extra["copyright"] == "(c) Wire"
    (image,) = item.images
    assert image.url == "https://img.example/p.jpg"
    assert (image.width, image.height) == (640, 480)
    assert image.caption == "The main square." and image.alt_text == "Plaza"
    assert image.photographer == "Pat Photo"


def test_a_standfirst_that_repeats_the_body_is_dropped() -> None:
    item = one(
        {
            "uri": "urn:r",
            "headline": "H",
            "body_text": "ROME (ANSA) - The vote was held on Sunday. More follows.",
            "description_text": "ROME (ANSA) - The vote was held on Sunday.",
        }
    )
    assert item.standfirst == ""
    assert item.body_html == "<p>The vote was held on Sunday. More follows.</p>"


def test_relative_links_in_bodies_are_made_absolute_or_dropped() -> None:
    document = {
        "uri": "urn:l",
        "headline": "Links",
        "body_html": '<p><a href="/more?a=1&amp;b=2">more</a> '
        '<a href="mailto:desk@wire.example">mail</a> '
        '<a href="https://other.example/x">abs</a></p>',
    }
    data = json.dumps(document).encode()
    (item,) = parse("ninjs", data, base_url="https://wire.example/api/items").items
    assert 'href="https://wire.example/more?a=1&amp;b=2"' in item.body_html
    assert 'href="mailto:desk@wire.example"' in item.body_html
    assert 'href="https://other.example/x"' in item.body_html
    (item,) = parse("ninjs", data).items
    assert '<a rel="noopener noreferrer nofollow">more</a>' in item.body_html
    assert 'href="https://other.example/x"' in item.body_html


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_json_in_any_unicode_encoding_is_read(encoding: str) -> None:
    data = json.dumps({"uri": "u", "headline": "東京 Zürich"}, ensure_ascii=False)
    feed = parse("ninjs", data.encode(encoding))
    assert feed.items[0].headline == "東京 Zürich"
    assert feed.warnings == ("item 1 ('u'): no versioncreated date given",)


def test_windows_1252_json_is_read_with_a_warning() -> None:
    data = json.dumps({"uri": "u", "headline": "Café “x”"}, ensure_ascii=False)
    feed = parse("ninjs", data.encode("windows-1252"))
    assert feed.items[0].headline == "Café “x”"
    assert "not valid UTF-8; read it as windows-1252" in feed.warnings[0]


@pytest.mark.parametrize("key", ["items", "_items", "data"])
def test_an_api_envelope_around_the_list_is_opened(key: str) -> None:
    items = [{"uri": "a", "headline": "A"}, {"uri": "b", "headline": "B"}]
    feed = parse("ninjs", json.dumps({key: items, "_meta": {"total": 2}}).encode())
    assert [item.guid for item in feed.items] == ["a", "b"]


@pytest.mark.parametrize(
    "place",
    [
        {"name": "Italy", "uri": "http://cvx.iptc.org/iso3166-1a2/it"},
        {"name": "Italy", "scheme": "http://cvx.iptc.org/iso3166-1a2/", "code": "it"},
        {"name": "Teatro", "contactinfo": [{"address": {"country": "Italy"}}]},
    ],
)
def test_a_dateline_without_its_country_takes_it_from_the_places(
    place: dict[str, Any],
) -> None:
    document = {
        "uri": "u-places",
        "headlines": [{"role": "main", "value": "Trial opens"}],
        "versioncreated": "2026-12-07T10:00:00Z",
        "located": "Grosseto",
        "bodies": [{"contenttype": "text/plain", "value": "The trial opened."}],
        "places": [{"name": "Tuscany"}, place],
    }
    (item,) = parse("ninjs", json.dumps(document).encode()).items
    assert (item.dateline_city, item.dateline_country) == ("Grosseto", "Italy")
