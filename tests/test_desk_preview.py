"""The desk's story preview, rendered by the reader pages (herald.web registers the
renderer with the story desk): the draft as the edition would show it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from herald.accounts.models import User
from herald.core.timefmt import format_local
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_preview_shows_the_draft_as_the_edition_would(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor, publish=False, headline="Draft harbour plan")
    client = Client()
    client.force_login(japan_editor)
    response = client.get(
        reverse("admin:stories_story_preview", args=[story.pk, "japan-herald"])
    )
    body = response.content.decode()
    assert "Draft harbour plan" in body and "Preview as Japan Herald" in body
    assert "TOKYO, Japan:" in body
    assert "no-store" in response["Cache-Control"]


def _preview(client: Client, story: object) -> str:
    url = reverse(
        "admin:stories_story_preview",
        args=[story.pk, "japan-herald"],  # type: ignore[attr-defined]
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_preview_says_the_real_state_and_wears_the_edition_colours(
    make_story: StoryFactory, japan_editor: User, japan: Edition
) -> None:
    client = Client()
    client.force_login(japan_editor)
    story = make_story(by=japan_editor, publish=False)
    page = _preview(client, story)
    assert "Draft, not published" in page and ">Published <time" not in page
    assert "/brand.css?edition=japan-herald" in page
    japan.primary_colour = "#123456"
    japan.save()
    css = Client().get("/brand.css?edition=japan-herald")
    assert css.status_code == 200 and "--brand:#123456" in css.content.decode()
    assert Client().get("/brand.css?edition=nowhere").status_code == 404

    at = timezone.now() + timedelta(days=2)
    actions.schedule_story(story, by=japan_editor, at=at)
    assert "Scheduled: goes live " + format_local(at, "Asia/Tokyo") in _preview(
        client, story
    )

    live = make_story(by=japan_editor)
    assert "Published <time" in _preview(client, live)
    Story.objects.filter(pk=live.pk).update(embargo_until=at)
    assert "Embargoed until " + format_local(at, "Asia/Tokyo") in _preview(client, live)
