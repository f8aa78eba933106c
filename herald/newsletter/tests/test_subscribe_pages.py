"""The sign-up page and the footer box on public pages: cacheable, accessible, and
without a cookie."""

import lxml.html
import pytest
from django.test import Client

from herald.editions.models import Edition
from herald.newsletter.models import Subscription, SubscriptionStatus
from herald.newsletter.tests.inbox import Inbox
from herald.newsletter.tests.readers import JAPAN, link, visit
from herald.stories.models import Section
from herald.stories.tests.factories import StoryFactory

# The `smtp` fixture serves on loopback.
pytestmark = [pytest.mark.django_db, pytest.mark.loopback]


# --- The pages and the footer box ---------------------------------------------------
def test_sign_up_page_is_public_cacheable_and_accessible(
    japan: Edition, sections: list[Section]
) -> None:
    response = Client(HTTP_HOST=JAPAN).get("/newsletter/")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and response.has_header("ETag")
    assert "Set-Cookie" not in response.headers
    page = lxml.html.fromstring(response.content)
    [form] = page.xpath('//form[contains(@class, "nl-form")]')
    assert form.get("method") == "post" and form.get("action") == "/newsletter/"
    assert not form.xpath('.//input[@name="csrfmiddlewaretoken"]')
    assert page.xpath('//label[@for="subscribe-email"]')
    labels = [label.text_content() for label in form.xpath(".//fieldset//label")]
    assert labels == ["Business", "Sport", "World"]  # by position, then name
    assert form.xpath(".//fieldset/legend")[0].text_content() == "Sections"
    assert not form.xpath(".//fieldset//input[@checked]")


def test_newsletter_pages_answer_404_on_an_unknown_host(japan: Edition) -> None:
    client = Client(HTTP_HOST="localhost")
    assert client.get("/newsletter/").status_code == 404
    assert client.post("/newsletter/", {"email": "a@example.org"}).status_code == 404


def test_footer_box_on_a_story_page_signs_up_without_a_cookie(
    smtp: Inbox, japan: Edition, make_story: StoryFactory
) -> None:
    story = make_story()
    client = Client(HTTP_HOST=JAPAN, enforce_csrf_checks=True)
    page = client.get(story.get_absolute_url())
    assert "Set-Cookie" not in page.headers
    [form] = lxml.html.fromstring(page.content).xpath('//form[@class="newsletter"]')
    assert form.get("method") == "post" and form.get("action") == "/newsletter/"
    names = {field.get("name") for field in form.xpath(".//input")}
    assert names == {"email", "website"}  # the address, and the honeypot

    response = client.post("/newsletter/", {"email": "footer@example.org"})
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert "Set-Cookie" not in response.headers
    [message] = smtp.to("footer@example.org")
    visit(link(message, "confirm"), "post")
    subscription = Subscription.objects.get(subscriber__email="footer@example.org")
    assert subscription.status == SubscriptionStatus.CONFIRMED
    assert not subscription.sections.exists()  # none chosen: every section
