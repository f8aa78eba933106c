"""NewsML-G2 item text: a news item's inline XHTML, NITF or plain text as HTML, and
the byline of a NITF head."""

import copy

from lxml import etree

from .common import collapse, text_to_html

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
NITF = "http://iptc.org/std/NITF/2006-10-18/"
_N = {"n": NAR}


def item_body(element: etree._Element) -> str:
    """The item's text as HTML: inline XHTML or NITF, else inline plain text."""
    for inline in element.iterfind("n:contentSet/n:inlineXML", _N):
        content = _inline_content(inline)
        if content:
            return content
    for inline in element.iterfind("n:contentSet/n:inlineData", _N):
        kind = inline.get("contenttype") or "text/plain"
        text = "".join(inline.itertext())
        if "html" in kind:
            return text
        if text.strip():
            return text_to_html(text)
    return ""


def _inline_content(inline: etree._Element) -> str:
    """The inner HTML of an inlineXML's XHTML body or NITF body.content."""
    for tag in (f"{{{XHTML}}}body", f"{{{NITF}}}body.content"):
        found = inline.find(f".//{tag}")
        if found is not None:
            return _inner_html(found)
    children = [child for child in inline if isinstance(child.tag, str)]
    if children:
        return _inner_html(inline)
    return ""


def _inner_html(element: etree._Element) -> str:
    """An element's content as namespace-free HTML text."""
    clone = copy.deepcopy(element)
    for node in clone.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(clone)
    parts = [clone.text or ""]
    for child in clone:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


def nitf_byline(element: etree._Element) -> str:
    """The byline in a NITF body.head, without its title part."""
    byline = element.find(f".//{{{NITF}}}byline")
    if byline is None:
        return ""
    text = byline.text or ""
    return collapse(text).rstrip(" ,")
