"""HTML sanitizing for every stored body, with Herald's own narrow allowlist (nh3)."""

import html as html_lib
import re

import nh3

# Story text needs paragraphs, emphasis, links, lists, quotes, headings and tables.
# Nothing that runs, styles, embeds or submits is allowed: no script, style, svg,
# iframe, object, form, and no event or style attributes.
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "small",
        "a",
        "blockquote",
        "q",
        "cite",
        "abbr",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "caption",
        "figure",
        "figcaption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(html: str) -> str:
    """Return `html` with everything outside the allowlist removed.

    Links get rel="noopener noreferrer nofollow"; only http, https and mailto URLs
    survive. The result is stable: sanitizing it again changes nothing.
    """
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_to_text(html: str) -> str:
    """Plain text of sanitized or untrusted HTML, whitespace collapsed."""
    text = nh3.clean(html, tags=set(), attributes={}, strip_comments=True)
    # nh3 escapes what it keeps as text; undo that for plain-text uses.
    return " ".join(html_lib.unescape(text).split())


# A body that holds any of these is HTML already; one that holds none is plain
# text (typed, or pasted with the editor off), whose blank lines part paragraphs.
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|hr|h[1-6]|ul|ol|li|blockquote|pre|table|figure)\b",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def body_from_desk(value: str) -> str:
    """Stored HTML for a body written in the desk, rich or plain.

    Plain text becomes paragraphs (a blank line parts them, a single line break
    stays one), then everything goes through the one allowlist above, so what is
    stored never differs from what the reader pages allow.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if text and not _BLOCK_TAG.search(text):
        paragraphs = [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(line.strip() for line in p.split("\n")) + "</p>"
            for p in paragraphs
        )
    return sanitize_html(text).strip()


_ITEM_PARAGRAPH = re.compile(r"<li><p>((?:(?!</?p>).)*)</p></li>", re.DOTALL)
_BETWEEN_TAGS = re.compile(r">\s+<")


def same_html(a: str, b: str) -> bool:
    """Whether two bodies say the same thing in the same structure: the editor
    writes a list item's text as a paragraph and drops the line breaks between
    blocks, which changes nothing a reader sees."""

    def normal(html: str) -> str:
        text = _BETWEEN_TAGS.sub("><", body_from_desk(html))
        return " ".join(_ITEM_PARAGRAPH.sub(r"<li>\1</li>", text).split())

    return normal(a) == normal(b)
