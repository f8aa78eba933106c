"""The desk's story preview, rendered by the reader pages (herald.web registers the
renderer with the story desk): the draft as the edition would show it."""

import pytest
from django.test import Client
from django.urls import reverse

from herald.accounts.models import User
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
