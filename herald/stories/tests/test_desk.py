"""The desk: an authorization matrix (role × view × action) kept as data, and the
workflow buttons and revision history as an editor uses them (the preview's page,
rendered by the reader pages, is tests/test_desk_preview.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from herald.accounts.models import User
from herald.accounts.tests.factories import make_user
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db

# who -> (own-edition story, other-edition story) -> expected status code per view.
# "own" is a Japan story written by the Japan writer; "other" is an India story.
MATRIX = {
    # role:            changelist, change own, change other, preview own, preview other
    "anonymous": (302, 302, 302, 302, 302),
    "reader": (302, 302, 302, 302, 302),
    "contributor": (200, 200, 404, 200, 404),
    "editor": (200, 200, 404, 200, 404),
    "admin": (200, 200, 200, 200, 200),
}
# role -> may publish own draft?, may publish other edition's draft?
PUBLISH = {
    "contributor": (False, False),
    "editor": (True, False),
    "admin": (True, True),
}


@pytest.fixture
def people(
    japan: Edition, india: Edition, japan_writer: User
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "reader": make_user("reader", Role.READER, []),
        "contributor": japan_writer,
        "editor": make_user("ed", Role.EDITOR, [japan]),
        "admin": make_user("boss", Role.ADMIN, []),
    }


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(MATRIX))
def test_desk_views_follow_the_matrix(
    role: str,
    people: dict[str, User | None],
    make_story: StoryFactory,
    japan_writer: User,
    india: Edition,
) -> None:
    own = make_story(by=japan_writer, publish=False)
    other = make_story(publish=False, editions=[india])
    client = _client(people[role])
    urls = [
        reverse("admin:stories_story_changelist"),
        reverse("admin:stories_story_change", args=[own.pk]),
        reverse("admin:stories_story_change", args=[other.pk]),
        reverse("admin:stories_story_preview", args=[own.pk, "japan-herald"]),
        reverse("admin:stories_story_preview", args=[other.pk, "india-herald"]),
    ]
    got = tuple(client.get(url).status_code for url in urls)
    assert got == MATRIX[role]


@pytest.mark.parametrize("role", list(PUBLISH))
def test_publish_button_follows_the_matrix(
    role: str,
    people: dict[str, User | None],
    make_story: StoryFactory,
    japan_writer: User,
    india: Edition,
) -> None:
    own = make_story(by=japan_writer, publish=False)
    other = make_story(publish=False, editions=[india])
    client = _client(people[role])
    for story, allowed in zip((own, other), PUBLISH[role], strict=True):
        url = reverse("admin:stories_story_move", args=[story.pk])
        response = client.post(url, {"move": "published"})
        story.refresh_from_db()
        if allowed:
            assert story.status == Status.PUBLISHED
        else:
            assert story.status == Status.DRAFT
            assert response.status_code in (302, 404)


def test_user_admin_is_for_admins_only(people: dict[str, User | None]) -> None:
    url = reverse("admin:accounts_user_changelist")
    assert _client(people["editor"]).get(url).status_code == 403
    assert _client(people["admin"]).get(url).status_code == 200


def test_editor_schedules_in_the_editions_time_and_sees_buttons(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(publish=False, by=japan_editor)
    client = _client(japan_editor)
    page = client.get(reverse("admin:stories_story_change", args=[story.pk])).content
    assert b"Publish now" in page and b"Schedule" in page and b"Asia/Tokyo" in page
    local = (timezone.now() + timedelta(days=1)).astimezone(
        timezone.get_fixed_timezone(9 * 60)
    )
    client.post(
        reverse("admin:stories_story_move", args=[story.pk]),
        {"move": "scheduled", "scheduled_for": local.strftime("%Y-%m-%dT%H:%M")},
    )
    story.refresh_from_db()
    assert story.status == Status.SCHEDULED
    assert story.scheduled_for is not None
    assert abs((story.scheduled_for - local).total_seconds()) < 60


def test_retract_without_a_note_is_refused_with_a_message(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor)
    client = _client(japan_editor)
    url = reverse("admin:stories_story_move", args=[story.pk])
    response = client.post(url, {"move": "retracted", "note": ""}, follow=True)
    assert b"Say why the story is retracted." in response.content
    assert Story.objects.get(pk=story.pk).status == Status.PUBLISHED


def test_correction_and_revision_history_in_the_desk(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor)
    client = _client(japan_editor)
    client.post(
        reverse("admin:stories_story_correct", args=[story.pk]),
        {"text": "The vote was on Tuesday."},
    )
    assert story.corrections.get().text == "The vote was on Tuesday."
    history = client.get(reverse("admin:stories_story_history_detail", args=[story.pk]))
    assert b"Revision 1" in history.content and b"correct" in history.content


def test_editor_adds_a_story_through_the_desk_form(
    japan_editor: User, japan: Edition, section: object
) -> None:
    client = _client(japan_editor)
    response = client.post(
        reverse("admin:stories_story_add"),
        {
            "headline": "Ferry timetable changes",
            "standfirst": "Summer sailings start early.",
            "body": "<p>Sailings<script>x()</script> start in June.</p>",
            "provenance": "staff",
            "primary_section": Story._meta.get_field("primary_section")
            .related_model.objects.get()  # type: ignore[union-attr]
            .pk,
            "origin_edition": japan.pk,
            "editions": [japan.pk],
            # The pictures inline's management form, with no picture.
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    story = Story.objects.get(headline="Ferry timetable changes")
    assert story.body == "<p>Sailings start in June.</p>"
    assert story.slug == "ferry-timetable-changes"
    assert story.created_by == japan_editor and story.status == Status.DRAFT
