"""The rendered email in Debian's Chromium: phone width, images off."""

import io
from typing import Any

import pytest
from PIL import Image

from herald.editions.models import Edition
from herald.newsletter.tests.factories import deliver, make_issue
from herald.newsletter.tests.messages import parse, parts
from herald.stories import actions
from herald.stories.tests.factories import StoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_blocks")]


@pytest.mark.browser
def test_email_reads_at_phone_width_with_images_off(
    browser: Any, japan: Edition, make_story: StoryFactory, admin_user: Any
) -> None:
    story = make_story(headline="Harbour bridge opens")
    picture = io.BytesIO()
    Image.new("RGB", (1600, 900), (30, 90, 150)).save(picture, "JPEG")
    picture.seek(0)
    actions.attach_image(
        story,
        by=admin_user,
        upload=picture,
        caption="The bridge.",
        credit="Herald",
        alt_text="The new harbour bridge at dusk",
    )
    html = parts(parse(deliver(make_issue(japan, top=[story]))))[1]
    for width in (600, 390):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, java_script_enabled=False
        )
        page = context.new_page()
        page.route("**/*", lambda route: route.abort())  # images off
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.get_by_role("link", name="Unsubscribe").is_visible()
        assert page.get_by_role("link", name="Change your preferences").is_visible()
        assert page.get_by_role("link", name="Harbour bridge opens").is_visible()
        # The broken image shows its alt text in its place.
        image = page.locator("img")
        assert image.evaluate("i => i.complete && i.naturalWidth === 0")
        assert image.get_attribute("alt") == "The new harbour bridge at dusk"
        context.close()
