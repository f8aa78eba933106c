"""Sanitizing with hostile HTML: nothing that runs survives, whatever arrives."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald.core.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    html_to_text,
    sanitize_html,
)
from herald.core.tests.hostile_html import HOSTILE


class _Audit(HTMLParser):
    """Parse sanitized output as a browser would and list what breaks the allowlist."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
            if name not in allowed:
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and value is not None:
                scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                if scheme and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
                    self.problems.append(f"href scheme {scheme.group(1)}")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


@pytest.mark.parametrize("html", HOSTILE)
def test_hostile_html_loses_everything_that_runs(html: str) -> None:
    clean = sanitize_html(html)
    assert problems(clean) == [], clean
    assert "<script" not in clean.lower()


def test_allowed_markup_survives_and_links_get_rel() -> None:
    html = '<p>A <strong>bold</strong> <a href="https://example.com/x">link</a>.</p>'
    clean = sanitize_html(html)
    assert "<strong>bold</strong>" in clean
    assert 'href="https://example.com/x"' in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_broken_markup_is_closed() -> None:
    assert sanitize_html("<p>one <em>two") == "<p>one <em>two</em></p>"


def test_text_of_html_is_plain() -> None:
    assert html_to_text("<p>Fish &amp; chips</p><p>next</p>") == "Fish & chipsnext"


@given(st.text())
def test_sanitizing_arbitrary_text_is_safe_and_stable(text: str) -> None:
    clean = sanitize_html(text)
    assert problems(clean) == []
    assert sanitize_html(clean) == clean


@given(st.lists(st.sampled_from([*HOSTILE, "<p>", "</p>", "text", "<a href='", "'>"])))
def test_concatenated_vectors_stay_dead(parts: list[str]) -> None:
    assert problems(sanitize_html("".join(parts))) == []
