"""An editor's day in the desk, in Debian's Chromium: a pasted two-section article
with two pictures (alt text, a focal point), scheduled in Tokyo time, live, then
corrected and retracted; a writer's draft submitted for review and published by
the editor. Every page on the way answers without a server error, a console error
or a CSP violation. And the clicks it takes to write a story with one picture and
schedule it, counted."""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from PIL import Image

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Picture, Section, Story
from herald.stories.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIPBOARD = Path(__file__).parent / "data" / "clipboard"
EDITOR = ".prose-editor .ProseMirror[contenteditable]"
WATCH_CSP = """
window.__csp = [];
addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
}, true);
"""
PASTE = """([selector, html]) => {
  const editor = document.querySelector(selector);
  editor.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', 'plain');
  editor.dispatchEvent(new ClipboardEvent('paste', {
    clipboardData: data, bubbles: true, cancelable: true,
  }));
}"""


class Watched:
    """A signed-in page whose clicks are counted and whose every response,
    console error and CSP violation is kept."""

    def __init__(self, page: Any, live_server: Any, user: User) -> None:
        self.page, self.origin = page, live_server.url
        self.clicks = 0
        self.problems: list[str] = []
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.origin}]
        )
        page.add_init_script(WATCH_CSP)
        # Reader pages may be kept a minute by a browser; this one looks each time.
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "status of 410" not in message.text:
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        # A retracted story answers 410 Gone, as it should; nothing else fails.
        if response.status >= 400 and response.status != 410:
            self.problems.append(f"{response.status} {response.url}")

    def go(self, path: str) -> None:
        self.page.goto(path if path.startswith("http") else self.origin + path)
        self.check()

    def click(self, selector: str, *, navigates: bool = True) -> None:
        self.clicks += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
            self.check()
        else:
            self.page.click(selector)

    def choose_file(self, selector: str, path: Path) -> None:
        # Choosing a file is a click on the button and a pick in the dialog.
        self.clicks += 1
        self.page.set_input_files(selector, str(path))

    def check(self) -> None:
        self.problems += [f"CSP: {v}" for v in self.page.evaluate("window.__csp")]
        assert self.problems == []


def _photo(path: Path, size: tuple[int, int], colour: str) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def _tokyo_input(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%dT%H:%M")


def _add_picture(desk: Watched, row: int, photo: Path, alt: str) -> None:
    desk.choose_file(f"input[name=images-{row}-upload]", photo)
    desk.page.fill(f"[name=images-{row}-caption]", f"Picture {row + 1}")
    desk.page.fill(f"[name=images-{row}-credit]", "Ken Mori")
    desk.page.fill(f"[name=images-{row}-alt_text]", alt)


def test_write_a_story_with_one_picture_and_schedule_it_in_five_clicks(
    page: Any,
    live_server: Any,
    japan: Edition,
    section: Section,
    japan_editor: User,
    tmp_path: Path,
) -> None:
    desk = Watched(page, live_server, japan_editor)
    desk.go("/desk/stories/story/")
    desk.click(".object-tools a.addlink")  # 1: Add story
    page.fill("#id_headline", "Harbour ferry adds a night crossing")
    page.locator(EDITOR).fill("The last boat now leaves at midnight.")
    page.select_option("#id_primary_section", str(section.pk))  # 2
    desk.clicks += 1
    _add_picture(
        desk, 0, _photo(tmp_path / "ferry.jpg", (1200, 800), "navy"), "A ferry"
    )
    desk.click("input[name=_continue]")  # 4: Save and continue editing
    page.fill(
        "#id_move_scheduled_for", _tokyo_input(timezone.now() + timedelta(days=1))
    )
    desk.click("button[name=move][value=scheduled]")  # 5: Schedule
    story = Story.objects.get()
    assert story.status == Status.SCHEDULED and story.images.count() == 1
    assert desk.clicks <= 5, desk.clicks


def test_an_editors_day_and_a_writers_draft(
    page: Any,
    browser: Any,
    live_server: Any,
    japan: Edition,
    section: Section,
    japan_editor: User,
    japan_writer: User,
    tmp_path: Path,
) -> None:
    desk = Watched(page, live_server, japan_editor)
    reader = f"http://japan-herald.localhost:{live_server.url.rsplit(':', 1)[1]}"

    # A two-section article pasted from Word, with two pictures.
    desk.go("/desk/stories/story/add/")
    page.fill("#id_headline", "Rowing club opens a boathouse on the Yodo")
    html = (CLIPBOARD / "word_windows.html").read_text(encoding="utf-8")
    page.evaluate(PASTE, [EDITOR, html])
    page.fill("#id_dateline_city", "Osaka")
    page.fill("#id_dateline_country", "Japan")
    page.select_option("#id_primary_section", str(section.pk))
    wide = _photo(tmp_path / "river.jpg", (3000, 1000), "teal")
    _add_picture(desk, 0, wide, "Eight rowers carry a boat to the river")
    desk.click("#images-group .add-row a", navigates=False)
    tall = _photo(tmp_path / "crew.jpg", (800, 1200), "olive")
    _add_picture(desk, 1, tall, "The crew on the new pontoon")
    desk.click("input[name=_continue]")
    story = Story.objects.get()
    assert re.search(r"<h2>[^<]+</h2>.*<ul>.*<a href=", story.body, re.DOTALL)
    assert [i.alt_text for i in story.images.order_by("position")] == [
        "Eight rowers carry a boat to the river",
        "The crew on the new pontoon",
    ]

    # The focal point of the wide picture, in the library.
    desk.click("#images-group td.field-thumbnail a")
    image = page.locator(".focal-picker__image")
    box = image.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    desk.click("input[name=_continue]")
    first = story.images.order_by("position")[0]
    assert first.picture_id is not None
    assert Picture.objects.get(pk=first.picture_id).focal == (0.8, 0.5)

    # Scheduled in Tokyo time; the confirmation says so.
    desk.go(f"/desk/stories/story/{story.pk}/change/")
    at = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    page.fill("#id_move_scheduled_for", _tokyo_input(at))
    desk.click("button[name=move][value=scheduled]")
    local = at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"It goes live {local:%d %b %Y, %H:%M} GMT+9." in page.inner_text(
        ".messagelist"
    )
    story.refresh_from_db()
    assert story.scheduled_for == at.astimezone(UTC)

    # The time comes (moved forward here), the worker's sweep publishes it.
    Story.objects.filter(pk=story.pk).update(
        scheduled_for=timezone.now() - timedelta(seconds=1)
    )
    assert actions.publish_due_stories() == 1
    desk.go(reader + story.get_absolute_url())
    assert "Rowing club opens a boathouse" in page.inner_text("h1")
    assert (
        page.locator("img[alt='Eight rowers carry a boat to the river']").count() >= 1
    )
    assert page.inner_text(".dateline").startswith("OSAKA, Japan:")

    # A correction, then a retraction.
    desk.go(f"/desk/stories/story/{story.pk}/change/")
    page.fill("#id_correction", "The boathouse holds forty boats, not fourteen.")
    desk.click(".desk-correct button")
    desk.go(reader + story.get_absolute_url())
    assert "forty boats, not fourteen" in page.inner_text(".corrections")
    desk.go(f"/desk/stories/story/{story.pk}/change/")
    page.fill("#id_move_note", "Published in error.")
    desk.click("button[name=move][value=retracted]")
    story.refresh_from_db()
    assert story.status == Status.RETRACTED
    desk.go(reader + story.get_absolute_url())
    assert "retracted" in page.inner_text("main").lower()

    # A writer's draft, submitted for review, published by the editor.
    writing = browser.new_page()
    writer = Watched(writing, live_server, japan_writer)
    writer.go("/desk/stories/story/add/")
    writing.fill("#id_headline", "Night market returns to Namba")
    writing.locator(EDITOR).fill("Stalls open at six on Fridays.")
    writing.select_option("#id_primary_section", str(section.pk))
    writer.click("input[name=_continue]")
    draft = Story.objects.get(headline="Night market returns to Namba")
    writer.click("button[name=move][value=in_review]")
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    writing.close()
    desk.go(f"/desk/stories/story/{draft.pk}/change/")
    desk.click("button[name=move][value=published]")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    desk.go(reader + draft.get_absolute_url())
    assert "Night market returns to Namba" in page.inner_text("h1")
    assert desk.problems == [] and writer.problems == []
