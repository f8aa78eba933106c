"""Signing up to the daily email with real mail through an SMTP server on loopback:
double opt-in, one subscription per edition, and links that expire or are
tampered with."""

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from herald.editions.models import Edition
from herald.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from herald.newsletter.tests.inbox import Inbox
from herald.newsletter.tests.readers import (
    INDIA,
    JAPAN,
    confirmed,
    link,
    sign_up,
    status_of,
    visit,
)
from herald.newsletter.tokens import (
    CONFIRM_SALT,
    manage_token,
    preferences_url,
    unsubscribe_url,
)
from herald.stories.models import Section

# The `smtp` fixture serves on loopback.
pytestmark = [pytest.mark.django_db, pytest.mark.loopback]


# --- Sign-up and confirmation -----------------------------------------------------
def test_sign_up_mails_a_link_whose_page_confirms_only_with_its_button(
    smtp: Inbox, japan: Edition, sections: list[Section]
) -> None:
    response = sign_up("Reader@Example.org", sections[:2])
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert response["Cache-Control"] == "no-store"

    [received] = smtp.messages
    assert received.rcpt_tos == ["reader@example.org"]
    message = received.message()
    assert message["Subject"] == "Confirm your subscription to Japan Herald"
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Japan Herald",
        "daily@japan-herald.example.com",
    )
    assert message["To"].addresses[0].addr_spec == "reader@example.org"
    assert message["Message-ID"] and message["Date"]
    text = message.get_body(("plain",))
    assert text is not None and "Business, World" in text.get_content()
    url = link(message, "confirm")
    assert url.startswith("http://japan-herald.localhost/newsletter/confirm/")

    # A mail scanner that follows the link confirms nothing.
    page = visit(url)
    assert page.status_code == 200
    assert b"Confirm my subscription</button>" in page.content
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert status_of("reader@example.org", japan) == SubscriptionStatus.PENDING

    welcome = visit(url, "post")
    assert welcome.status_code == 200
    assert b"You are subscribed" in welcome.content
    subscription = Subscription.objects.get(subscriber__email="reader@example.org")
    assert subscription.status == SubscriptionStatus.CONFIRMED
    assert subscription.confirmed_at is not None
    assert set(subscription.sections.all()) == set(sections[:2])
    token = manage_token(subscription)
    assert f'href="/newsletter/preferences/{token}/"'.encode() in welcome.content

    # Pressing the button again changes nothing.
    again = visit(url, "post")
    assert again.status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at == Subscription.objects.get().confirmed_at


def test_one_address_holds_one_subscription_per_edition(
    smtp: Inbox, japan: Edition, india: Edition, sections: list[Section]
) -> None:
    confirmed(smtp, "both@example.org", sections=sections[:1], host=JAPAN)
    confirmed(smtp, "both@example.org", sections=sections[1:], host=INDIA)
    subscriber = Subscriber.objects.get(email="both@example.org")
    by_edition = {s.edition: s for s in subscriber.subscriptions.all()}
    assert set(by_edition) == {japan, india}
    assert list(by_edition[japan].sections.all()) == sections[:1]
    assert set(by_edition[india].sections.all()) == set(sections[1:])
    senders = [m["From"].addresses[0].addr_spec for m in smtp.to("both@example.org")]
    assert senders == [
        "daily@japan-herald.example.com",
        "daily@india-herald.example.com",
    ]


def test_confirmation_link_of_another_edition_is_refused(
    smtp: Inbox, japan: Edition, india: Edition
) -> None:
    sign_up("reader@example.org", host=JAPAN)
    path = urlsplit(link(smtp.to("reader@example.org")[0], "confirm")).path
    response = Client(HTTP_HOST=INDIA).post(path)
    assert response.status_code == 400
    assert status_of("reader@example.org", japan) == SubscriptionStatus.PENDING


def _signed_days_ago(days: float, payload: dict[str, Any]) -> str:
    """A token as `tokens.confirm_token` makes it, signed `days` ago."""

    class Backdated(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - days * 86400))

    return Backdated(salt=CONFIRM_SALT).sign_object(payload, compress=True)


def test_expired_confirmation_link_answers_400_and_offers_to_sign_up(
    smtp: Inbox, japan: Edition, settings: Any
) -> None:
    settings.HERALD_NEWSLETTER_CONFIRM_DAYS = 3
    sign_up("late@example.org")
    subscription = Subscription.objects.get()
    payload = {"s": subscription.pk, "e": "late@example.org"}
    client = Client(HTTP_HOST=JAPAN)

    # Positive control: the same construction, inside the three days, works.
    fresh = client.get(f"/newsletter/confirm/{_signed_days_ago(2.9, payload)}/")
    assert fresh.status_code == 200 and b"Confirm my subscription" in fresh.content

    stale = _signed_days_ago(3.1, payload)
    for response in (
        client.get(f"/newsletter/confirm/{stale}/"),
        client.post(f"/newsletter/confirm/{stale}/"),
    ):
        assert response.status_code == 400
        body = response.content.decode()
        assert "This confirmation link has expired." in body
        assert 'href="/newsletter/"' in body
    assert status_of("late@example.org", japan) == SubscriptionStatus.PENDING


def test_tampered_links_answer_400_and_change_nothing(
    smtp: Inbox, japan: Edition
) -> None:
    subscription = confirmed(smtp, "reader@example.org")
    confirm_link = link(smtp.to("reader@example.org")[0], "confirm")
    for url in (
        confirm_link,
        unsubscribe_url(subscription),
        preferences_url(subscription),
    ):
        tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
        for method in ("get", "post"):
            response = visit(tampered, method)
            assert response.status_code == 400
            assert b"This link does not work" in response.content
    assert status_of("reader@example.org", japan) == SubscriptionStatus.CONFIRMED


def test_old_confirmation_link_does_not_bring_back_a_reader_who_left(
    smtp: Inbox, japan: Edition
) -> None:
    subscription = confirmed(smtp, "gone@example.org")
    visit(unsubscribe_url(subscription), "post")
    response = visit(link(smtp.to("gone@example.org")[0], "confirm"), "post")
    assert response.status_code == 400
    assert b"You left the daily Japan Herald" in response.content
    assert status_of("gone@example.org", japan) == SubscriptionStatus.UNSUBSCRIBED
