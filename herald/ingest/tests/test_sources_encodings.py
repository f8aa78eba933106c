"""Encodings and markup in documents: declared, wrong and legacy encodings, byte
order marks, control characters, and HTML, scripts and unsafe links in fields."""

import pytest

from herald.ingest.sources import parse
from herald.ingest.tests.factories import rss

DATE = "Tue, 10 Jun 2025 10:00:00 +0200"


def test_wrong_declared_encoding_is_read_with_a_warning() -> None:
    # Declared UTF-8, written in Windows-1252.
    document = rss("<item><title>Café “quoted”</title><guid>1</guid></item>")
    feed = parse("rss", document.encode("windows-1252"))
    assert feed.items[0].headline == "Café “quoted”"
    assert any("not valid utf-8; read it as windows-1252" in w for w in feed.warnings)


def test_unknown_declared_encoding_falls_back_to_utf8() -> None:
    document = rss(
        "<item><title>Zürich</title><guid>1</guid></item>", encoding="x-nope"
    )
    feed = parse("rss", document.encode("utf-8"))
    assert feed.items[0].headline == "Zürich"
    assert any("unknown encoding 'x-nope'" in w for w in feed.warnings)


@pytest.mark.parametrize(
    ("encoding", "title"),
    [
        ("windows-1252", "Café “quoted” – 5 €"),
        ("Shift_JIS", "東京で地震、被害なし"),
        ("ISO-8859-1", "Señor Müller"),
    ],
)
def test_declared_legacy_encodings_are_honoured(encoding: str, title: str) -> None:
    body = f"<p>{title}</p>"
    document = rss(
        f"<item><title>{title}</title><guid>1</guid><pubDate>{DATE}</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>",
        encoding=encoding,
    )
    feed = parse("rss", document.encode(encoding))
    assert feed.warnings == ()
    (item,) = feed.items
    assert item.headline == title
    assert item.body_html == body


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_byte_order_marks_are_honoured(encoding: str) -> None:
    document = rss(
        "<item><title>日本語 BOM</title><guid>1</guid></item>", encoding="utf-8"
    )
    feed = parse("rss", document.encode(encoding))
    assert feed.items[0].headline == "日本語 BOM"


def test_html_and_script_in_titles_become_plain_text() -> None:
    document = rss(
        "<item><guid>1</guid>"
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt; "
        "&amp;amp; &lt;img src=x onerror=alert(2)&gt;news</title>"
        "<description>&lt;p onclick='x()'&gt;Hi&lt;/p&gt;&lt;script&gt;evil()"
        "&lt;/script&gt;&lt;iframe src='https://evil.example'&gt;&lt;/iframe&gt;"
        "&lt;a href='javascript:alert(3)'&gt;x&lt;/a&gt;</description></item>"
    )
    (item,) = parse("rss", document.encode()).items
    assert item.headline == "Bold & news"
    assert item.body_html == '<p>Hi</p><a rel="noopener noreferrer nofollow">x</a>'


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_javascript_and_data_links_are_dropped(fmt: str) -> None:
    if fmt == "rss":
        document = rss(
            "<item><guid>1</guid><title>T</title><link>javascript:alert(1)</link>"
            '<enclosure url="data:image/png;base64,AAAA" type="image/png"/></item>'
        )
    else:
        document = (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>f</id>'
            "<updated>2025-01-01T00:00:00Z</updated><entry><id>1</id><title>T</title>"
            '<updated>2025-01-01T00:00:00Z</updated><link href="javascript:alert(1)"/>'
            '<link rel="enclosure" type="image/jpeg" href="javascript:alert(2)"/>'
            "</entry></feed>"
        )
    (item,) = parse(fmt, document.encode()).items
    assert item.link == ""
    assert item.images == ()


def test_control_characters_xml_forbids_are_removed_with_a_warning() -> None:
    document = rss("<item><guid>1</guid><title>Form\x0cfeed\x00 title</title></item>")
    feed = parse("rss", document.encode())
    assert feed.items[0].headline == "Formfeed title"
    assert any("removed 2 control characters" in w for w in feed.warnings)
