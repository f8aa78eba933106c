"""A wire item's body as HTML, whatever the agency sent: an HTML or XHTML
document or fragment, IPTC NITF, or plain text. Never markup shown as text.

The result is not yet safe: `finish_item` sanitizes it with the nh3 allowlist
(herald.core.sanitize) like every body.
"""

import re
from dataclasses import dataclass
from html import escape

import lxml.html
from lxml import etree

from .common import ParseError, collapse
from .safexml import load_xml, local_name

# NITF block elements and the HTML they become; elements not named here and not
# dropped are unwrapped (their text kept): NITF's inline markup of people,
# places, money, dates and so on.
_NITF_BLOCKS = {
    "p": "p",
    "hl1": "h2",
    "hl2": "h3",
    "ul": "ul",
    "ol": "ol",
    "li": "li",
    "dt": "p",
    "dd": "p",
    "bq": "blockquote",
    "pre": "pre",
    "table": "table",
    "caption": "caption",
    "thead": "thead",
    "tbody": "tbody",
    "tfoot": "tbody",
    "tr": "tr",
    "th": "th",
    "td": "td",
    "tagline": "p",
}
_NITF_INLINE = {"em": "em", "a": "a", "br": "br", "hr": "hr", "q": "q"}
# Pictures and media come as the item's pictures; notes and footnotes are for the
# desk; the body.head's fields are read as fields.
_NITF_DROPPED = frozenset(
    {"media", "fn", "note", "body.head", "head", "nitf-table-metadata", "nitf-colgroup"}
)
# In an HTML body: what a story page shows elsewhere or never.
_HTML_DROPPED = ("head", "title", "script", "style", "figure", "img", "h1", "noscript")
_BYLINE_WORD = re.compile(r"^(?:by|von|av|af|par|por|di|door|da|de)\s+(?=\S)", re.I)
_MARKUP = re.compile(r"\A\s*(?:<\?xml\b|<!DOCTYPE\b|<(?:nitf|html|body)\b)", re.I)


@dataclass(frozen=True)
class Nitf:
    """What a NITF document holds: its body as HTML and its head's fields."""

    html: str
    headline: str = ""
    subheadline: str = ""
    byline: str = ""
    dateline: str = ""
    language: str = ""


def looks_like_markup(text: str) -> bool:
    """Whether a "plain text" body is in fact an XML or HTML document."""
    return bool(_MARKUP.match(text))


def clean_byline(value: str) -> str:
    """A byline without its leading "By" (or "Von", "Av", ...), whitespace
    collapsed: the page says "By" itself."""
    return _BYLINE_WORD.sub("", collapse(value)).strip(" ,;")


# --- NITF ------------------------------------------------------------------------


def nitf_from_text(value: str) -> Nitf:
    """A NITF document given as text (a ninjs body) read into HTML and fields.
    Raises ParseError when it is not well-formed XML or has no NITF body."""
    _utf8, root = load_xml(value.encode("utf-8"), [])
    return nitf_from_element(root)


def nitf_from_element(root: etree._Element) -> Nitf:
    """A NITF <nitf> (or a bare <body> / <body.content>) as HTML and fields."""
    name = local_name(root)
    body = root if name in ("body", "body.content") else _find(root, "body")
    if body is None:
        raise ParseError(f"not a NITF document: <{name}> has no <body>")
    head = _find(body, "body.head")
    headline = subheadline = byline = dateline = ""
    if head is not None:
        hedline = _find(head, "hedline")
        if hedline is not None:
            headline = _text(_find(hedline, "hl1"))
            subheadline = _text(_find(hedline, "hl2"))
        bylines = [_byline_text(b) for b in _children(head, "byline")]
        byline = ", ".join(b for b in bylines if b)
        dateline = _dateline_text(_find(head, "dateline"))
    content = body if name == "body.content" else _find(body, "body.content")
    parts: list[str] = []
    if content is not None:
        parts.append(_nitf_children(content))
    end = _find(body, "body.end")
    if end is not None:
        parts.append(_nitf_children(end))
    language = root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    return Nitf(
        html="".join(parts).strip(),
        headline=headline,
        subheadline=subheadline,
        byline=clean_byline(byline),
        dateline=dateline,
        language=collapse(language),
    )


def _find(parent: etree._Element, name: str) -> etree._Element | None:
    """The first descendant with local name `name`, whatever its namespace."""
    for element in parent.iter():
        if element is not parent and local_name(element) == name:
            return element
    return None


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in parent if local_name(child) == name]


def _text(element: etree._Element | None) -> str:
    return collapse("".join(element.itertext())) if element is not None else ""


def _byline_text(byline: etree._Element) -> str:
    """A byline's words without its title (<byttl>: "Staff writer")."""
    words = [byline.text or ""]
    for child in byline:
        if local_name(child) != "byttl":
            words.append("".join(child.itertext()))
        words.append(child.tail or "")
    return collapse("".join(words)).strip(" ,")


def _dateline_text(dateline: etree._Element | None) -> str:
    """A dateline's place ("NAGOYA, Japan"), without its date."""
    if dateline is None:
        return ""
    location = _find(dateline, "location")
    if location is not None:
        return _text(location)
    words = [dateline.text or ""]
    for child in dateline:
        if local_name(child) != "story.date":
            words.append("".join(child.itertext()))
        words.append(child.tail or "")
    return collapse("".join(words)).strip(" ,:-–—")


def _nitf_children(element: etree._Element, skip: str = "") -> str:
    """The HTML of an element's content (its text and children but `skip`)."""
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str) and local_name(child) != skip:
            parts.append(_nitf_element(child))
        parts.append(escape(child.tail or "", quote=False))
    return "".join(parts)


def _nitf_element(element: etree._Element) -> str:
    name = local_name(element)
    if name in _NITF_DROPPED:
        return ""
    tag = _NITF_BLOCKS.get(name) or _NITF_INLINE.get(name)
    if tag in ("br", "hr"):
        return f"<{tag}>"
    inner = _nitf_children(element, skip="credit" if name == "bq" else "")
    if tag is None:
        return inner  # block, inline markup of people, places, money: unwrapped
    attributes = ""
    if tag == "a" and element.get("href"):
        attributes = f' href="{escape(element.get("href", ""))}"'
    elif tag in ("td", "th"):
        for span in ("colspan", "rowspan"):
            if (element.get(span) or "").isdigit():
                attributes += f' {span}="{element.get(span)}"'
    if name == "bq":
        credit = _find(element, "credit")
        if credit is not None:  # the quote's source, after it: "— Name"
            inner += f"<p>— {escape(_text(credit), quote=False)}</p>"
    return f"<{tag}{attributes}>{inner}</{tag}>"


# --- HTML and XHTML -----------------------------------------------------------


def html_body(value: str, headline: str = "") -> str:
    """The content of an HTML or XHTML body (a whole document or a fragment):
    without the document's head, its title and <h1> (the page shows the headline
    itself), its figures (pictures come as the item's pictures) and the short
    label lines some agencies put above the text (TT's "Försvar TT")."""
    if not value.strip():
        return ""
    try:
        if re.search(r"<(?:html|body)\b", value[:2000], re.I):
            document = lxml.html.document_fromstring(value)
            root = document.find("body")
            if root is None:
                root = document
        else:
            root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*_HTML_DROPPED)):
        if element is not root:
            element.drop_tree()
    for heading in list(root.iter("h2", "h3")):
        if headline and collapse(heading.text_content()) == collapse(headline):
            heading.drop_tree()
    _drop_labels_above_text(root)
    parts = [escape(root.text or "", quote=False)]
    for child in root:
        parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


_TEXT_BLOCKS = ("p", "ul", "ol", "table", "blockquote", "pre", "h2", "h3", "h4")


def _drop_labels_above_text(root: etree._Element) -> None:
    """Drop short blocks with no paragraph in them that come before the first
    paragraph: labels, kickers and source lines, not text."""
    first = next(root.iter("p"), None)
    if first is None:
        return
    ancestors = set(first.iterancestors())
    for element in list(root.iter("div", "span", "header")):
        if element is root or element in ancestors:
            continue
        if (
            _comes_before(element, first)
            and not any(True for _ in element.iter(*_TEXT_BLOCKS))
            and len(collapse(element.text_content())) <= 80
        ):
            element.drop_tree()


def _comes_before(element: etree._Element, other: etree._Element) -> bool:
    for node in element.getroottree().iter():
        if node is element:
            return True
        if node is other:
            return False
    return False
