"""Hostile and broken documents: each is refused with a clear ParseError, or read
safely; nothing is fetched, nothing crashes, whatever the bytes."""

import json
import socket
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herald.ingest.sources import FORMATS, ParseError, parse
from herald.ingest.tests.factories import NAR, rss

XML_FORMATS = ("rss", "atom", "newsml-g2")


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
