"""Preferences and leaving: the preferences page, and RFC 8058 one-click
unsubscribe."""

import lxml.html
import pytest

from herald.editions.models import Edition
from herald.newsletter.models import SubscriptionStatus
from herald.newsletter.tests.inbox import Inbox
from herald.newsletter.tests.readers import confirmed, status_of, visit
from herald.newsletter.tokens import preferences_url, unsubscribe_url
from herald.stories.models import Section

# The `smtp` fixture serves on loopback.
pytestmark = [pytest.mark.django_db, pytest.mark.loopback]


# --- Preferences and unsubscribing ------------------------------------------------
def test_preferences_page_changes_sections_and_leaves(
    smtp: Inbox, japan: Edition, sections: list[Section]
) -> None:
    subscription = confirmed(smtp, "reader@example.org", sections=sections[:1])
    url = preferences_url(subscription)

    page = lxml.html.fromstring(visit(url).content)
    boxes = {
        int(box.get("value")): box.get("checked") is not None
        for box in page.xpath('//fieldset//input[@name="sections"]')
    }
    assert boxes == {sections[0].pk: True, sections[1].pk: False, sections[2].pk: False}
    assert page.xpath("//fieldset/legend")[0].text_content() == "Sections"

    saved = visit(url, "post", data={"sections": [sections[1].pk, sections[2].pk]})
    assert saved.status_code == 200
    assert b"Saved. You will get these sections: Business, Sport." in saved.content
    assert set(subscription.sections.all()) == set(sections[1:])

    everything = visit(url, "post", data={"action": "save"})
    assert b"You will get every section." in everything.content
    assert not subscription.sections.exists()

    wrong = visit(url, "post", data={"sections": ["99999"]})
    assert wrong.status_code == 400
    assert b"Choose sections from the list." in wrong.content

    left = visit(url, "post", data={"action": "leave"})
    assert left.status_code == 200
    assert b"You have left the daily Japan Herald" in left.content
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.UNSUBSCRIBED
    assert subscription.unsubscribed_at is not None
    assert b"You are not subscribed" in visit(url).content


def test_unsubscribe_get_changes_nothing_and_one_click_post_answers_200(
    smtp: Inbox, japan: Edition
) -> None:
    subscription = confirmed(smtp, "reader@example.org")
    url = unsubscribe_url(subscription)

    page = visit(url)
    assert page.status_code == 200
    assert b'<button class="button" type="submit">Unsubscribe</button>' in page.content
    assert status_of("reader@example.org", japan) == SubscriptionStatus.CONFIRMED

    # RFC 8058: the mail provider POSTs this body, with no cookie and no token.
    response = visit(
        url,
        "post",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert b"You have left the daily Japan Herald" in response.content
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.UNSUBSCRIBED
    first_time = subscription.unsubscribed_at

    # Repeating it, in the multipart form RFC 8058 also allows, is harmless.
    again = visit(url, "post", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at == first_time


def test_unsubscribe_post_with_any_body_unsubscribes(
    smtp: Inbox, japan: Edition
) -> None:
    subscription = confirmed(smtp, "reader@example.org")
    response = visit(
        unsubscribe_url(subscription),
        "post",
        data=b"--broken",
        content_type="multipart/form-data; boundary=nothing",
    )
    assert response.status_code == 200
    assert status_of("reader@example.org", japan) == SubscriptionStatus.UNSUBSCRIBED
