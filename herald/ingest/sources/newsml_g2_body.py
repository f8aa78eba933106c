"""NewsML-G2 item text: the richest of a news item's bodies as HTML (inline XHTML
or HTML, then NITF, then plain text), with a NITF head's fields."""

from lxml import etree

from .bodies import Nitf, html_body, looks_like_markup, nitf_from_element
from .common import ParseError, text_to_html
from .safexml import local_name

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
_N = {"n": NAR}


def item_body(
    element: etree._Element, headline: str = "", unread: list[str] | None = None
) -> tuple[str, Nitf | None]:
    """The item's text as HTML, and the NITF it came from (for its byline and
    dateline) where it was NITF. The content types of inline bodies Herald
    cannot read (SportsML, an agency's own XML) are added to `unread`."""
    html_bodies: list[str] = []
    nitf_bodies: list[etree._Element] = []
    text_bodies: list[str] = []
    for inline in element.iterfind("n:contentSet/n:inlineXML", _N):
        kind = (inline.get("contenttype") or "").lower()
        for child in inline:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction
            if local_name(child) == "nitf" or "nitf" in kind:
                nitf_bodies.append(child)
            elif "html" in kind or etree.QName(child).namespace == XHTML:
                html_bodies.append(_without_namespaces(child))
            elif unread is not None:
                unread.append(kind or f"<{local_name(child)}>")
    for inline in element.iterfind("n:contentSet/n:inlineData", _N):
        kind = (inline.get("contenttype") or "text/plain").lower()
        text = "".join(inline.itertext())
        if "html" in kind or looks_like_markup(text):
            html_bodies.append(text)
        elif kind.startswith("text/plain") and text.strip():
            text_bodies.append(text)
    for value in html_bodies:
        html_value = html_body(value, headline)
        if html_value.strip():
            return html_value, None
    for nitf_element in nitf_bodies:
        try:
            nitf = nitf_from_element(nitf_element)
        except ParseError:
            continue
        if nitf.html.strip():
            return nitf.html, nitf
    for text in text_bodies:
        return text_to_html(text), None
    return "", None


def _without_namespaces(element: etree._Element) -> str:
    """An inline XHTML element as namespace-free markup for the HTML reader."""
    clone = etree.fromstring(etree.tostring(element))
    for node in clone.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(clone)
    return etree.tostring(clone, encoding="unicode")
