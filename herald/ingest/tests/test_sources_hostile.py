"""Hostile and broken documents: each is refused with a clear ParseError, or read
safely with warnings; nothing is fetched, nothing crashes."""

import json
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herald.ingest.sources import FORMATS, ParseError, parse
from herald.ingest.sources.common import MAX_ITEM_CHARS

NAR = "http://iptc.org/std/nar/2006-10-01/"
XML_FORMATS = ("rss", "atom", "newsml-g2")
DATE = "Tue, 10 Jun 2025 10:00:00 +0200"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><guid>1</guid></item></channel></rss>"""


def rss(items: str, *, encoding: str = "utf-8", declaration: bool = True) -> str:
    """A minimal RSS 2.0 document (as text) around `items`."""
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declaration else ""
    return (
        f'{head}<rss version="2.0"><channel><title>T</title>'
        "<link>https://t.example/</link><description>D</description>"
        f"{items}</channel></rss>"
    )


def external_entity(root: str, target: str) -> bytes:
    """A document whose title pulls in an external entity."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target}">]>'
        + {
            "rss": rss(
                "<item><title>&xxe;</title><guid>1</guid></item>", declaration=False
            ),
            "feed": '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title>'
            "<entry><id>1</id><title>&xxe;</title></entry></feed>",
            "newsItem": f'<newsItem xmlns="{NAR}" guid="1"><contentMeta>'
            "<headline>&xxe;</headline></contentMeta></newsItem>",
        }[root]
    ).encode()


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_billion_laughs_is_refused_before_any_expansion(fmt: str) -> None:
    with pytest.raises(ParseError, match="DTDs are not allowed"):
        parse(fmt, BILLION_LAUGHS)


@pytest.mark.parametrize(
    ("fmt", "root"), [("rss", "rss"), ("atom", "feed"), ("newsml-g2", "newsItem")]
)
@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "http://127.0.0.1:9/secret", "/etc/hostname"]
)
def test_external_entities_are_refused(fmt: str, root: str, target: str) -> None:
    with pytest.raises(ParseError, match="DTDs are not allowed") as caught:
        parse(fmt, external_entity(root, target))
    assert "root:" not in str(caught.value)


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_any_dtd_is_refused_even_a_harmless_one(fmt: str) -> None:
    document = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD '
        'RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        + rss("", declaration=False)
    )
    with pytest.raises(ParseError, match="DTDs are not allowed"):
        parse(fmt, document.encode())


def test_undeclared_entities_are_not_well_formed() -> None:
    document = rss("<item><title>Caf&eacute;&nbsp;news</title><guid>1</guid></item>")
    with pytest.raises(ParseError, match=r"not well-formed XML at line 1.*undefined"):
        parse("rss", document.encode())


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_truncated_xml_is_a_clear_error(fmt: str) -> None:
    document = rss("<item><title>Cut</title><guid>1</guid></item>" * 3)
    with pytest.raises(ParseError, match="document ends early"):
        parse(fmt, document.encode()[:-30])


def test_garbage_in_the_middle_names_its_line() -> None:
    document = rss("\n<item><title>A</title>\n<guid>1</gu id></item>")
    with pytest.raises(ParseError, match="not well-formed XML at line 3, column"):
        parse("rss", document.encode())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02garbage", b"<html>"])
def test_empty_and_binary_documents_are_parse_errors(fmt: str, data: bytes) -> None:
    with pytest.raises(ParseError):
        parse(fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_path_or_url_as_data_is_never_opened(fmt: str, tmp_path: Path) -> None:
    # feedparser opens a str or bytes that names a file or URL; Herald hands it a
    # stream, so a document that happens to be a path is just bad XML.
    secret = tmp_path / "feed.xml"
    secret.write_text(rss("<item><title>Secret</title><guid>s</guid></item>"))
    for data in (str(secret).encode(), secret.as_uri().encode()):
        with pytest.raises(ParseError):
            parse(fmt, data)


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


def test_parsing_opens_no_connection_whatever_the_document_points_at(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"parsing tried to reach the network: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    remote = "http://198.51.100.7/x"
    rss_doc = (
        f'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="{remote}.xsl"?>'
        '<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>'
        f"<link>{remote}</link><description>D</description><item><guid>1</guid>"
        f'<title>T</title><link>{remote}</link><xi:include href="{remote}.xml"/>'
        f'<description>&lt;img src="{remote}.png"&gt;&lt;a href="rel"&gt;r&lt;/a&gt;'
        f'</description><media:content url="{remote}.jpg" medium="image"/>'
        "</item></channel></rss>"
    )
    feed = parse("rss", rss_doc.encode(), base_url="http://198.51.100.8/feed")
    assert feed.items[0].link == remote
    assert 'href="http://198.51.100.8/rel"' in feed.items[0].body_html
    atom_doc = (
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{remote}/">'
        f"<title>F</title><id>f</id><updated>2025-01-01T00:00:00Z</updated>"
        f"<entry><id>1</id><title>T</title><updated>2025-01-01T00:00:00Z</updated>"
        f'<content type="xhtml" src="{remote}"><div xmlns="http://www.w3.org/1999/'
        f'xhtml"><img src="{remote}.png"/></div></content></entry></feed>'
    )
    parse("atom", atom_doc.encode())
    newsml = (
        f'<newsItem xmlns="{NAR}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
        f'instance" xsi:schemaLocation="{NAR} {remote}.xsd" guid="g"><catalogRef '
        f'href="{remote}/catalog.xml"/><contentMeta><headline>H</headline>'
        f'</contentMeta><contentSet><remoteContent href="{remote}.jpg"/>'
        "</contentSet></newsItem>"
    )
    parse("newsml-g2", newsml.encode())
    assert attempts == []


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_deeply_nested_xml_is_refused(fmt: str) -> None:
    nested = "<b>" * 5000 + "</b>" * 5000
    document = rss(f"<item><title>T</title><guid>1</guid>{nested}</item>")
    with pytest.raises(ParseError, match="XML nested more than 256 levels deep"):
        parse(fmt, document.encode())


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


def test_a_number_too_long_for_python_costs_its_field_not_the_document() -> None:
    data = b'{"uri": "u", "headline": "H", "urgency": ' + b"9" * 5000 + b"}"
    feed = parse("ninjs", data)
    assert feed.items[0].urgency is None
    assert any("urgency ignored" in w for w in feed.warnings)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FORMATS), st.binary(max_size=400))
def test_arbitrary_bytes_are_read_or_refused_never_crash(fmt: str, data: bytes) -> None:
    try:
        parse(fmt, data)
    except ParseError as error:
        assert str(error) and "\n" not in str(error)


field_text = st.text(max_size=40)


@settings(max_examples=100, deadline=None)
@given(field_text, field_text, field_text, field_text, field_text)
def test_arbitrary_field_values_never_crash_any_format(
    title: str, guid: str, date: str, body: str, number: str
) -> None:
    def x(text: str) -> str:
        return xml_escape(text, {'"': "&quot;"})

    documents = {
        "rss": rss(
            f"<item><title>{x(title)}</title><guid>{x(guid)}</guid><pubDate>{x(date)}"
            f"</pubDate><description>{x(body)}</description><link>{x(number)}</link>"
            f'<enclosure url="{x(number)}" type="image/jpeg"/></item>'
        ),
        "atom": '<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
        f'<entry><id>{x(guid)}</id><title type="html">{x(title)}</title>'
        f'<updated>{x(date)}</updated><content type="html">{x(body)}</content>'
        "</entry></feed>",
        "newsml-g2": f'<newsItem xmlns="{NAR}" guid="{x(guid)}" version="{x(number)}">'
        f"<itemMeta><versionCreated>{x(date)}</versionCreated><pubStatus "
        f'qcode="{x(title)}"/></itemMeta><contentMeta><urgency>{x(number)}</urgency>'
        f"<headline>{x(title)}</headline><dateline>{x(body)}</dateline></contentMeta>"
        f"<contentSet><inlineData>{x(body)}</inlineData></contentSet></newsItem>",
        "ninjs": json.dumps(
            {
                "uri": guid,
                "headline": title,
                "versioncreated": date,
                "body_text": body,
                "urgency": number,
                "version": number,
                "located": body,
            }
        ),
    }
    for fmt, document in documents.items():
        try:
            feed = parse(fmt, document.encode("utf-8", "surrogatepass"))
        except ParseError as error:
            assert str(error) and "\n" not in str(error)
            continue
        for item in feed.items:
            assert item.guid and item.headline
            assert item.updated_at is None or item.updated_at.tzinfo is not None


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


def test_control_characters_xml_forbids_are_removed_with_a_warning() -> None:
    document = rss("<item><guid>1</guid><title>Form\x0cfeed\x00 title</title></item>")
    feed = parse("rss", document.encode())
    assert feed.items[0].headline == "Formfeed title"
    assert any("removed 2 control characters" in w for w in feed.warnings)
