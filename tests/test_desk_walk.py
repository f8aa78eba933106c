"""A walk of the story desk: every role × every story state × every page the story
admin serves for one story. Nothing answers a server error. The cells are generated
from the roles, the workflow's states and the admin's own URL patterns, so a new
role, state or page is walked without editing this test."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from herald.accounts.models import User
from herald.accounts.tests.factories import make_user
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db

# How a story written by the Japan writer reaches each state, through the actions.
REACH: dict[str, Callable[[Story, User, User], object]] = {
    Status.DRAFT: lambda story, writer, editor: story,
    Status.IN_REVIEW: lambda story, writer, editor: actions.submit_for_review(
        story, by=writer
    ),
    Status.SCHEDULED: lambda story, writer, editor: actions.schedule_story(
        story, by=editor, at=timezone.now() + timedelta(days=1)
    ),
    Status.PUBLISHED: lambda story, writer, editor: actions.publish_story(
        story, by=editor
    ),
    Status.RETRACTED: lambda story, writer, editor: actions.retract_story(
        actions.publish_story(story, by=editor), by=editor, note="Wrong figures."
    ),
}
ROLES = ["anonymous", *Role.values]


def test_every_state_of_the_workflow_is_walked() -> None:
    assert set(REACH) == set(Status.values)


def _story_pages(story: Story, edition: Edition) -> list[str]:
    """Every URL of the story admin that names one story (GET)."""
    story_admin = admin.site._registry[Story]
    urls = []
    for pattern in story_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        converters = set(pattern.pattern.converters)  # type: ignore[attr-defined]
        values = {"pk": story.pk, "object_id": story.pk, "edition": edition.slug}
        if not converters or not converters <= set(values):
            continue
        kwargs = {name: values[name] for name in converters}
        urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.mark.parametrize("state", list(REACH))
@pytest.mark.parametrize("role", ROLES)
def test_no_desk_page_of_a_story_answers_a_server_error(
    role: str,
    state: str,
    make_story: StoryFactory,
    japan: Edition,
    japan_writer: User,
    japan_editor: User,
) -> None:
    story = make_story(by=japan_writer, publish=False)
    REACH[state](story, japan_writer, japan_editor)
    story.refresh_from_db()
    assert story.status == state
    users = {
        "anonymous": None,
        Role.CONTRIBUTOR: japan_writer,
        Role.EDITOR: japan_editor,
    }
    user = users.get(role) or make_user(f"walker-{role}", role, [japan])
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(user)
    pages = _story_pages(story, japan)
    assert len(pages) >= 6  # change, history, delete, preview, revisions, images…
    answers = {url: client.get(url).status_code for url in pages}
    errors = {url: code for url, code in answers.items() if code >= 500}
    assert errors == {}
    # Whoever may not see a page is sent to sign in, refused or told it is not there;
    # the preview of a retracted story is its page as readers get it: 410 Gone.
    assert set(answers.values()) <= {200, 302, 403, 404, 405, 410}


def test_a_writer_submits_a_draft_for_review_and_sees_it_after(
    make_story: StoryFactory, japan_writer: User
) -> None:
    story = make_story(by=japan_writer, publish=False)
    client = Client()
    client.force_login(japan_writer)
    response = client.post(
        reverse("admin:stories_story_move", args=[story.pk]),
        {"move": Status.IN_REVIEW},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "admin:stories_story_change", args=[story.pk]
    )
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    # Read-only now: the headline is shown, not offered for editing.
    assert story.headline in response.content.decode()
    assert 'name="headline"' not in response.content.decode()


def test_the_desk_index_says_deliveries(admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Deliveries" in page
    assert "Deliverys" not in page
