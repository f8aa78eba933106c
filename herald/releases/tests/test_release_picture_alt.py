"""A news release's pictures carry alt text: the submission form asks it of every
new upload, the moderator sees it (or that an older image has none), and the
preview gives it to the story page."""

from typing import Any

import pytest
from django.urls import reverse

from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.models import NewsRelease, ReleaseImage
from herald.releases.tests.factories import (
    form_data,
    logged_in,
    make_moderator,
    make_release,
    make_submitter,
    png,
)
from herald.stories.models import Section

pytestmark = pytest.mark.django_db

ALT = "Eight rowers carry a boat into the new boathouse"


def _post_with_image(japan: Edition, **slot: Any) -> Any:
    client = logged_in(make_submitter().user)
    return client.post(
        reverse("releases:submit"),
        {
            **form_data([japan]),
            "image1-image": png(),
            "image1-caption": "The new boathouse",
            "image1-credit": "Ken Mori",
            "image1-rights": "on",
            **{f"image1-{k}": v for k, v in slot.items()},
        },
    )


def test_a_new_upload_keeps_the_alt_text_the_submitter_wrote(japan: Edition) -> None:
    response = _post_with_image(japan, alt_text=f"  {ALT}  ")
    assert response.status_code == 302, response.content.decode()[:2000]
    image = ReleaseImage.objects.get()
    assert image.alt_text == ALT
    edit = logged_in(image.release.submitter.user).get(
        reverse("releases:edit", args=[image.release.pk])
    )
    assert f'alt="{ALT}"' in edit.content.decode()


@pytest.mark.parametrize("alt_text", ["", "   "])
def test_a_new_upload_without_alt_text_is_refused_and_nothing_is_stored(
    japan: Edition, alt_text: str
) -> None:
    response = _post_with_image(japan, alt_text=alt_text)
    assert response.status_code == 200
    assert "Describe the image for readers who cannot see it." in (
        response.content.decode()
    )
    assert not NewsRelease.objects.exists() and not ReleaseImage.objects.exists()


def test_the_form_asks_for_alt_text_beside_caption_and_credit(japan: Edition) -> None:
    page = logged_in(make_submitter().user).get(reverse("releases:submit"))
    html = page.content.decode()
    assert 'name="image1-alt_text"' in html
    assert html.index('name="image1-credit"') < html.index('name="image1-alt_text"')


def test_the_moderator_sees_each_images_alt_text_or_that_it_has_none(
    japan: Edition,
) -> None:
    release = make_release(make_submitter(), [japan], submit=False)
    actions.add_image(
        release,
        upload=png(),
        caption="The boathouse",
        credit="Ken Mori",
        rights=True,
        alt_text=ALT,
    )
    # An image sent before alt text was asked for.
    actions.add_image(
        release, upload=png(), caption="The river", credit="Ken Mori", rights=True
    )
    release = actions.submit_release(release, by=release.submitter.user)
    moderator = logged_in(make_moderator())
    page = moderator.get(
        reverse("admin:releases_newsrelease_change", args=[release.pk])
    ).content.decode()
    assert f"alt text: “{ALT}”" in page
    assert f'alt="{ALT}"' in page
    assert "<strong>none given</strong>" in page


def test_the_preview_gives_the_story_page_the_alt_text(japan: Edition) -> None:
    release = make_release(make_submitter(), [japan], submit=False)
    actions.add_image(
        release,
        upload=png(),
        caption="The boathouse",
        credit="Ken Mori",
        rights=True,
        alt_text=ALT,
    )
    client = logged_in(release.submitter.user)
    preview = client.get(
        reverse("releases:preview", args=[release.pk]) + "?edition=japan-herald"
    )
    assert preview.status_code == 200
    assert f'alt="{ALT}"' in preview.content.decode()


def test_the_published_story_keeps_the_submitters_alt_text(
    japan: Edition, section: Section
) -> None:
    assert _post_with_image(japan, alt_text=ALT).status_code == 302
    release = NewsRelease.objects.get()
    actions.submit_release(release, by=release.submitter.user)
    story = actions.approve_release(release, by=make_moderator(), section=section)
    assert [i.alt_text for i in story.images.all()] == [ALT]
