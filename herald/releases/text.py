"""A release's body: Markdown rendered with raw HTML off, then sanitized."""

from markdown_it import MarkdownIt

from herald.core.sanitize import html_to_text, sanitize_html

# CommonMark with raw HTML turned off: any tag the submitter types is shown as text.
# Tables and strikethrough are the only extras; the sanitizer decides the rest.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def render_body(markdown: str) -> str:
    """Safe HTML for `markdown`, whatever it holds (the sanitizer has the last word)."""
    return sanitize_html(_md.render(markdown))


def body_text(markdown: str) -> str:
    """The body as plain text, for checks and search."""
    return html_to_text(render_body(markdown))
