"""Journeys in Debian's Chromium, driven by Playwright (never a downloaded browser)."""

from datetime import UTC, datetime
from typing import Any

import pytest

from herald.core.sanitize import sanitize_html
from herald.core.tests.hostile_html import HOSTILE
from herald.editions.models import Edition
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory

# The root conftest's `browser` and `page` skip these where Debian's chromium is
# missing.
pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_reader_opens_home_follows_a_story_and_sees_dateline_and_local_time(
    page: Any, live_server: Any, make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Harbour bridge opens to traffic")
    Story.objects.filter(pk=story.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC), is_featured=True
    )
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://japan-herald.localhost:{port}/")
    assert page.title() == "Japan Herald"
    page.get_by_role("link", name="Harbour bridge opens to traffic").first.click()
    page.wait_for_url(f"**{story.get_absolute_url()}")
    assert page.locator("h1").inner_text() == "Harbour bridge opens to traffic"
    first_paragraph = page.locator(".story__body p").first.inner_text()
    assert first_paragraph.startswith("TOKYO, Japan: Officials said")
    assert "05 Apr 2025, 01:00 GMT+9" in page.locator(".timestamps").inner_text()
    # Phone width: the page still reads without horizontal scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def _executions(page: Any, html: str) -> int:
    page.set_content(
        "<script>window.__hits = 0; window.alert = () => { window.__hits++; };</script>"
        f"<div id=root>{html}</div>"
    )
    # Give event handlers (onerror, onload, ontoggle) a moment, then click every link.
    page.wait_for_timeout(150)
    for link in page.locator("#root a").all():
        try:
            link.click(timeout=200, no_wait_after=True)
        except Exception:  # noqa: S112 - invisible links are fine to skip
            continue
    page.wait_for_timeout(50)
    return int(page.evaluate("window.__hits"))


def test_hostile_html_runs_unsanitized_and_never_after_sanitizing(page: Any) -> None:
    live = sum(1 for html in HOSTILE if _executions(page, html) > 0)
    # Positive control: several vectors really are live in this Chromium ...
    assert live >= 3, (
        f"only {live} vectors ran unsanitized; the check would prove nothing"
    )
    # ... and none of them runs once sanitized.
    ran = [html for html in HOSTILE if _executions(page, sanitize_html(html)) > 0]
    assert ran == [], f"{len(ran)} of {live} live vectors executed after sanitizing"
