"""Pasting a word processor's or a web page's article into the desk's body editor,
in Debian's Chromium: a real paste event of each clipboard fixture in
tests/data/clipboard/ (their origins are in its README), handled by ProseMirror with
desk/paste_cleanup.js, then saved through the story form. The stored body keeps the
article's headings, lists, link and emphasis, and none of the source's markup."""

import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from django.conf import settings as django_settings
from django.test import Client

from herald.accounts.models import User
from herald.stories.models import Section, Story

# The root conftest's `browser` and `page` skip these where Debian's chromium is
# missing.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIPBOARD = Path(__file__).parent / "data" / "clipboard"
ADD = "/desk/stories/story/add/"
# The editable document; the heading picker of the menu bar is a .ProseMirror too.
EDITOR = ".prose-editor .ProseMirror[contenteditable]"

# Every fixture is the same two-section article. Word for Mac's and Google Docs'
# copies also hold one nested item under the changing room.
FIXTURES = {
    "word_windows.html": False,
    "word_mac.html": True,
    "google_docs.html": True,
    "libreoffice_writer.html": False,
    "web_page.html": False,
}
BULLETS = [
    "Racks for 40 boats, including four eights",
    "A heated changing room with showers",
    "A ramp and a hoist for para-rowers",
]
NESTED = ["Separate rooms for crews and visitors"]
STEPS = [
    "Register by 7 March",
    "Arrive at the river gate by 9:30",
    "Bring flat shoes and a change of clothes",
]
LINK = "https://kansai-rowing.example.org/open-day"
# What no stored body may hold once a source's markup is gone.
LEFTOVERS = re.compile(
    r"mso-|style=|class=|o:p|<span|<div|<script|<img|<iframe|<button|onclick"
    r"|<p>(\s|&nbsp;|\u00a0|<br>)*</p>",
    re.IGNORECASE,
)

# Run before any page script: CSP violations are recorded as they happen.
WATCH_CSP = """
window.__csp = [];
addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
}, true);
"""
PASTE = """([selector, html, text]) => {
  const editor = document.querySelector(selector);
  editor.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', text);
  editor.dispatchEvent(new ClipboardEvent('paste', {
    clipboardData: data, bubbles: true, cancelable: true,
  }));
}"""


def _plain_text(html: str) -> str:
    """What the same copy offers as text/plain: the words, without head or script."""
    doc = lxml.html.document_fromstring(html)
    for el in doc.xpath("//head | //style | //script"):
        el.drop_tree()
    return "\n".join(line.strip() for line in doc.text_content().splitlines())


def _words(el: Any) -> str:
    return " ".join(el.text_content().split())


def _items(list_el: Any) -> list[str]:
    """The words of a list's own items, without those of lists nested in them."""
    items = []
    for li in list_el.xpath("./li"):
        own = [_words(p) for p in li.xpath("./p")] or [_words(li)]
        items.append(" ".join(own))
    return items


def _note(problems: list[str], message: Any) -> None:
    """Keep the console's errors and warnings, but the desk's missing favicon."""
    if message.type not in ("error", "warning"):
        return
    if message.location.get("url", "").endswith("/favicon.ico"):
        return
    problems.append(f"console {message.type}: {message.text}")


def _sign_in(page: Any, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


@pytest.mark.parametrize("fixture", list(FIXTURES))
def test_a_pasted_article_is_saved_with_its_structure_and_none_of_its_markup(
    fixture: str,
    page: Any,
    live_server: Any,
    settings: Any,
    section: Section,
    japan_editor: User,
    tmp_path: Path,
) -> None:
    settings.HERALD_DESK_REQUIRE_2FA = False
    html = (CLIPBOARD / fixture).read_text(encoding="utf-8")
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script(WATCH_CSP)
    _sign_in(page, live_server, japan_editor)

    page.goto(live_server.url + ADD)
    page.click(EDITOR)
    page.evaluate(PASTE, [EDITOR, html, _plain_text(html)])
    page.locator(f"{EDITOR} ul li").first.wait_for(timeout=5000)
    page.screenshot(path=tmp_path / f"{fixture}.png", full_page=True)
    problems += [f"CSP: {v}" for v in page.evaluate("window.__csp")]

    page.fill("#id_headline", "Boathouse opens on the Yodo River")
    page.select_option("#id_primary_section", str(section.pk))
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert problems == []
    story = Story.objects.get()
    body = story.body

    assert LEFTOVERS.search(body) is None, body
    doc = lxml.html.fragment_fromstring(body, create_parent="div")
    headings = [(h.tag, _words(h)) for h in doc.xpath("//h1|//h2|//h3|//h4")]
    assert headings == [
        ("h2", "What the boathouse offers"),
        ("h3", "How to take part on opening day"),
    ]
    top_lists = doc.xpath("./ul | ./ol")
    assert [(el.tag, _items(el)) for el in top_lists] == [
        ("ul", BULLETS),
        ("ol", STEPS),
    ]
    nested = doc.xpath("./ul/li/ul")
    assert [_items(el) for el in nested] == ([NESTED] if FIXTURES[fixture] else [])
    assert [(a.get("href"), _words(a)) for a in doc.xpath("//a")] == [
        (LINK, "association’s website")
    ]
    assert "Saturday 14 March" in [_words(el) for el in doc.xpath("//strong")]
    emphasis = [_words(el) for el in doc.xpath("//em")]
    assert "“a home for the next fifty years”" in emphasis
    assert "The Kansai Rowing Association will open its new boathouse" in _words(doc)
