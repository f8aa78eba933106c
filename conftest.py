"""Shared fixtures: editions, staff in every role, a story factory, and Debian's
Chromium driven by Playwright for the browser tests."""

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

# Imported before pytest-socket guards any test: herald.core.fetching subclasses
# socket.socket when it is first imported, and must subclass the real one.
import herald.core.fetching  # noqa: F401
from herald.accounts.models import User
from herald.accounts.tests.factories import make_user
from herald.core.roles import Role
from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.stories import actions
from herald.stories.models import Author, Place, Section, Story
from herald.stories.tests.factories import (
    AuthorFactory,
    PlaceFactory,
    SectionFactory,
    StoryFactory,
)


@pytest.fixture
def japan(db: None) -> Edition:
    forget_hosts()
    return make_edition("japan-herald", "Japan Herald", "Asia/Tokyo", regions="Japan")


@pytest.fixture
def india(db: None) -> Edition:
    forget_hosts()
    return make_edition("india-herald", "India Herald", "Asia/Kolkata", regions="India")


@pytest.fixture
def section(db: None) -> Section:
    return SectionFactory.create(name="World", slug="world")


@pytest.fixture
def tokyo(db: None) -> Place:
    return PlaceFactory.create(
        name="Tokyo", slug="tokyo-japan", country="Japan", country_code="JP"
    )


@pytest.fixture
def admin_user(japan: Edition, india: Edition) -> User:
    return make_user("chief", Role.ADMIN, [])


@pytest.fixture
def japan_editor(japan: Edition) -> User:
    return make_user("jeditor", Role.EDITOR, [japan])


@pytest.fixture
def india_editor(india: Edition) -> User:
    return make_user("ieditor", Role.EDITOR, [india])


@pytest.fixture
def japan_writer(japan: Edition) -> User:
    return make_user("jwriter", Role.CONTRIBUTOR, [japan])


@pytest.fixture
def make_story(
    japan: Edition, section: Section, tokyo: Place, admin_user: User
) -> StoryFactory:
    counter = iter(range(1, 10_000))

    def factory(
        *,
        by: User | None = None,
        editions: list[Edition] | None = None,
        publish: bool = True,
        ago: timedelta = timedelta(hours=1),
        **fields: Any,
    ) -> Story:
        n = next(counter)
        origin = fields.pop("origin_edition", (editions or [japan])[0])
        defaults: dict[str, Any] = {
            "headline": f"Story number {n} about the harbour",
            "standfirst": "A standfirst.",
            "body": f"<p>Officials said on Monday that plan {n} would go ahead after "
            "months of talks with residents.</p><p>Second paragraph.</p>",
            "dateline_city": "Tokyo",
            "dateline_country": "Japan",
            "dateline_place": tokyo,
            "primary_section": section,
            "origin_edition": origin,
        }
        defaults.update(fields)
        author = defaults.pop("author", None)
        story = actions.create_story(
            by=by or admin_user,
            editions=editions or [origin],
            authors=[author] if author else [],
            **defaults,
        )
        if publish:
            actions.publish_story(story, by=by or admin_user)
            Story.objects.filter(pk=story.pk).update(published_at=timezone.now() - ago)
            story.refresh_from_db()
        return story

    return factory


@pytest.fixture
def author(db: None) -> Author:
    return AuthorFactory.create(name="Aiko Tanaka", slug="aiko-tanaka")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    """Each test writes image renditions to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The render cache lives in process memory; each test starts without it."""
    from django.core.cache import cache

    cache.clear()


CHROMIUM = shutil.which("chromium")


# pytest-socket blocks every socket but Unix ones (pyproject's addopts). A test that
# starts a real server on loopback says so with `@pytest.mark.loopback` (or uses a
# fixture that serves: the live server, the browser) and may reach loopback through
# pytest-socket's `allow_hosts`; nothing else.
LOOPBACK = ["localhost", "127.0.0.0/8", "::1"]
LOOPBACK_FIXTURES = {"live_server", "browser"}  # `page` uses `browser`


def _needs_loopback(item: Any) -> bool:
    if item.get_closest_marker("loopback") or item.get_closest_marker("browser"):
        return True
    return bool(LOOPBACK_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests are slow tests too (`make check` leaves them out); tests that
    serve on loopback may connect there (pytest-socket's `allow_hosts`)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        if _needs_loopback(item) and not item.get_closest_marker("allow_hosts"):
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless (never a downloaded browser); the test is skipped
    where it is not installed. Mark the test `browser`."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still synchronous, so let Django allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page, 1280×900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
