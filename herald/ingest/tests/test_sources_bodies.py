"""Bodies as agencies send them: NITF converted element by element, HTML documents
cut to their body's text, "plain text" that is a document read as one, bylines
without their "By"."""

import json

import pytest

from herald.ingest.sources import parse
from herald.ingest.sources.bodies import clean_byline, html_body, nitf_from_text

NITF = """<?xml version="1.0" encoding="UTF-8"?>
<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/" xml:lang="en">
  <head><title>Ignored head</title></head>
  <body>
    <body.head>
      <hedline><hl1>Port reopens</hl1><hl2>Ships queue after the typhoon</hl2></hedline>
      <byline>By <person>Kenji Mori</person><byttl>Staff writer</byttl></byline>
      <dateline><location>OSAKA, Japan</location>
        <story.date norm="20250610T100000Z">June 10</story.date></dateline>
    </body.head>
    <body.content>
      <block>
        <p>The port of <location>Osaka</location> reopened on <chron
          >Tuesday</chron>.</p>
        <hl2>What comes next</hl2>
        <ul><li>Ferries first</li><li>Freight later</li></ul>
        <bq><block><p>We are ready.</p></block><credit>Harbour master</credit></bq>
        <table><tr><th>Day</th><td colspan="2">Ships</td></tr></table>
        <media media-type="image"><media-reference source="x.jpg"/></media>
        <p>Final &amp; last <em>line</em> <a href="https://example.com/">here</a>.</p>
      </block>
    </body.content>
    <body.end><tagline>Reporting by Kenji Mori</tagline></body.end>
  </body>
</nitf>"""


def test_nitf_becomes_html_paragraphs_headings_lists_quotes_and_tables() -> None:
    nitf = nitf_from_text(NITF)
    assert nitf.headline == "Port reopens"
    assert nitf.subheadline == "Ships queue after the typhoon"
    assert nitf.byline == "Kenji Mori"  # without "By" and the byline's title
    assert nitf.dateline == "OSAKA, Japan"
    assert nitf.language == "en"
    html = nitf.html
    assert "<p>The port of Osaka reopened on Tuesday.</p>" in html
    assert "<h3>What comes next</h3>" in html
    assert "<ul><li>Ferries first</li><li>Freight later</li></ul>" in html
    assert (
        "<blockquote><p>We are ready.</p><p>— Harbour master</p></blockquote>" in html
    )
    assert '<td colspan="2">Ships</td>' in html
    assert "x.jpg" not in html and "Ignored head" not in html
    assert "Final &amp; last <em>line</em>" in html
    assert '<a href="https://example.com/">here</a>' in html
    assert html.endswith("<p>Reporting by Kenji Mori</p>")


def test_an_html_document_gives_only_its_text() -> None:
    document = (
        "<html><head><title>Headline</title></head><body><article><section>"
        "<h1>Headline</h1><div class='dat'><span>Försvar</span><span>TT</span></div>"
        "<div class='bodytext'><p>First paragraph.</p>"
        "<figure><img src='a.jpg'><figcaption>A caption</figcaption></figure>"
        "<p>Second.</p></div></section></article></body></html>"
    )
    html = html_body(document, "Headline")
    assert "Headline" not in html and "Försvar" not in html
    assert "caption" not in html and "img" not in html
    assert "<p>First paragraph.</p>" in html and "<p>Second.</p>" in html


def test_plain_text_that_is_a_document_is_read_as_one_never_shown_as_markup() -> None:
    item = (
        '{"uri": "u1", "type": "text", "headlines": [{"role": "main", '
        '"value": "Port reopens"}], "versioncreated": "2025-06-10T10:00:00Z", '
        '"bodies": [{"contenttype": "text/plain", "value": ' + json.dumps(NITF) + "}]}"
    )
    (parsed,) = parse("ninjs", item.encode()).items
    assert "&lt;" not in parsed.body_html and "nitf" not in parsed.body_html
    assert parsed.body_html.startswith("<p>The port of Osaka reopened")
    assert parsed.byline == "Kenji Mori"
    assert (parsed.dateline_city, parsed.dateline_country) == ("Osaka", "Japan")


def test_the_richest_ninjs_body_wins_html_then_nitf_then_text() -> None:
    bodies = [
        {"contenttype": "text/plain", "value": "Plain words."},
        {"contenttype": "text/vnd.IPTC.NITF", "value": NITF},
        {"contenttype": "text/html", "role": "html5", "value": "<p>Rich words.</p>"},
    ]
    doc = {
        "uri": "u2",
        "headlines": [{"role": "main", "value": "H"}],
        "versioncreated": "2025-06-10T10:00:00Z",
    }
    for expected, offered in (
        ("Rich words.", bodies),
        ("The port of Osaka", bodies[:2]),
        ("Plain words.", bodies[:1]),
    ):
        (parsed,) = parse("ninjs", json.dumps(doc | {"bodies": offered}).encode()).items
        assert parsed.body_html.startswith(f"<p>{expected}"), offered


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        ("By John Smith", "John Smith"),
        ("Von Christian Hollmann, dpa", "Christian Hollmann, dpa"),
        ("Av Trond Husø", "Trond Husø"),
        ("Bylines Weekly", "Bylines Weekly"),
        ("  The Sports Network, ", "The Sports Network"),
    ],
)
def test_a_byline_loses_its_by_word_only(given: str, clean: str) -> None:
    assert clean_byline(given) == clean
