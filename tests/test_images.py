"""Images attached to a story keep only their renditions, and need alt text
(core's image pipeline through the stories workflow)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from herald.accounts.models import User
from herald.stories import actions
from herald.stories.tests.factories import StoryFactory


def _png(width: int, height: int) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    return out


@pytest.mark.django_db
def test_attached_image_keeps_only_renditions(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    image = actions.attach_image(
        story,
        by=admin_user,
        upload=_png(1000, 500),
        caption="The harbour at dawn.",
        credit="Herald/Staff",
        alt_text="Boats moored in a calm harbour",
    )
    assert image.large.name.endswith("-large.jpg")
    assert (image.width, image.height) == (1000, 500)
    with image.small.open("rb") as f:
        assert Image.open(f).size == (400, 200)


@pytest.mark.django_db
def test_image_without_alt_text_is_refused(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    with pytest.raises(ValidationError):
        actions.attach_image(
            story,
            by=admin_user,
            upload=_png(10, 10),
            caption="c",
            credit="c",
            alt_text=" ",
        )
    assert story.images.count() == 0
