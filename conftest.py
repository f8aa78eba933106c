"""Shared fixtures: editions, staff in every role, and a story factory."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from herald.accounts.models import Role, User
from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Author, Place, Section, Story


def make_edition(slug: str, name: str, zone: str, **extra: Any) -> Edition:
    return Edition.objects.create(
        name=name,
        slug=slug,
        host_names=f"{slug}.example.com",
        time_zone=zone,
        logo_text=name,
        contact_email=f"desk@{slug}.example.com",
        newsletter_sender_name=name,
        newsletter_sender_email=f"daily@{slug}.example.com",
        **extra,
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
    return Section.objects.create(name="World", slug="world")


@pytest.fixture
def tokyo(db: None) -> Place:
    return Place.objects.create(
        name="Tokyo", slug="tokyo-japan", country="Japan", country_code="JP"
    )


def make_user(username: str, role: str, editions: list[Edition]) -> User:
    user = User.objects.create_user(
        username=username, password="pw-herald-test-1", role=role
    )
    user.editions.set(editions)
    return user


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


StoryFactory = Callable[..., Story]


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
    return Author.objects.create(name="Aiko Tanaka", slug="aiko-tanaka")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    """Each test writes image renditions to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The render cache lives in process memory; each test starts without it."""
    from django.core.cache import cache

    cache.clear()
