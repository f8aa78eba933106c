"""Untrusted XML in: encodings settled, DTDs and entities refused, then lxml."""

import codecs
import re
from xml.etree.ElementTree import ParseError as ExpatParseError

import defusedxml
import defusedxml.ElementTree
from lxml import etree

from .common import ParseError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARATION = re.compile(rb"\A\s*<\?xml\b[^>]*?\?>")
_ENCODING = re.compile(rb"""\bencoding\s*=\s*["']([A-Za-z0-9._\-]{1,40})["']""")
_TEXT_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*?\?>")
# Characters XML 1.0 forbids, which careless feeds still carry (form feeds, NULs).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# libxml2's own limit without huge_tree; no news document comes near it.
MAX_XML_DEPTH = 256


def _lxml_parser() -> etree.XMLParser:
    """lxml as the issue asks: no entities, no network, no DTD, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


def to_utf8(data: bytes, warnings: list[str]) -> bytes:
    """`data` as UTF-8 with a matching XML declaration.

    The byte order mark wins, then the declared encoding, then UTF-8. When the
    bytes do not decode as declared, UTF-8 and then Windows-1252 are tried, and a
    warning says so: a wrong declaration should not cost a whole feed.
    """
    declared = ""
    body = data
    for bom, name in _BOMS:
        if data.startswith(bom):
            declared, body = name, data[len(bom) :]
            break
    if not declared:
        if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
            declared = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
        else:
            head = _DECLARATION.match(data[:512])
            found = _ENCODING.search(head.group(0)) if head else None
            declared = found.group(1).decode("ascii").lower() if found else "utf-8"
    text = None
    try:
        codecs.lookup(declared)
        text = body.decode(declared)
    except LookupError:
        warnings.append(f"unknown encoding {declared!r} declared; read as UTF-8")
    except UnicodeDecodeError:
        pass
    if text is None:
        for fallback in ("utf-8", "windows-1252"):
            if fallback == declared:
                continue
            try:
                text = body.decode(fallback)
            except UnicodeDecodeError:
                continue
            if declared and fallback != declared:
                warnings.append(
                    f"the document is not valid {declared}; read it as {fallback}"
                )
            break
    if text is None:
        text = body.decode("utf-8", errors="replace")
        warnings.append(
            "the document is in no encoding Herald knows; unreadable characters "
            "were replaced"
        )
    text, removed = _CONTROL.subn("", text)
    if removed:
        warnings.append(
            f"removed {removed:,} control character{'s' if removed > 1 else ''} "
            "that XML does not allow"
        )
    declaration = _TEXT_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end() :]
    return b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("utf-8")


def _expat_reason(error: ExpatParseError) -> str:
    """The one-line reason in an expat error, without its position."""
    message = str(error)
    return message.split(":")[0] if ":" in message else message


def check_xml(utf8: bytes) -> None:
    """Refuse DTDs, entity declarations and external references (defusedxml),
    and anything that is not well-formed XML, with a clear ParseError."""
    try:
        defusedxml.ElementTree.fromstring(
            utf8, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as error:
        raise ParseError("DTDs are not allowed in wire feeds") from error
    except defusedxml.EntitiesForbidden as error:
        raise ParseError("entity declarations are not allowed in wire feeds") from error
    except defusedxml.ExternalReferenceForbidden as error:
        raise ParseError("external references are not allowed in wire feeds") from error
    except ExpatParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = _expat_reason(error)
        if reason.startswith("no element found"):
            raise ParseError(
                f"not well-formed XML at line {line}: the document ends early "
                "(truncated?)"
            ) from error
        raise ParseError(
            f"not well-formed XML at line {line}, column {column}: {reason}"
        ) from error


def load_xml(data: bytes, warnings: list[str]) -> tuple[bytes, etree._Element]:
    """Checked UTF-8 bytes and their lxml root, for a document from outside."""
    if not data.strip():
        raise ParseError("the document is empty")
    utf8 = to_utf8(data, warnings)
    check_xml(utf8)
    try:
        root = etree.fromstring(utf8, parser=_lxml_parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        if "Excessive depth" in (error.msg or ""):
            raise ParseError(
                f"XML nested more than {MAX_XML_DEPTH} levels deep at line {line}"
            ) from error
        raise ParseError(f"not well-formed XML at line {line}: {error.msg}") from error
    return utf8, root


def local_name(element: etree._Element) -> str:
    """An element's tag without its namespace ("" for comments and PIs)."""
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def serialize(element: etree._Element) -> str:
    """An element as XML text, as it stood in the document (no tail)."""
    return etree.tostring(element, encoding="unicode", with_tail=False)
