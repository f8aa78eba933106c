"""Sign-up without enumeration or abuse (the same answer for every address, the
honeypot, rate limits), and input refused before it reaches a mail header."""

from typing import Any

import lxml.html
import pytest
from django.test import Client

from herald.core import ratelimit
from herald.editions.models import Edition
from herald.newsletter import limits
from herald.newsletter.actions import subscribe
from herald.newsletter.confirmation import (
    UnsafeHeader,
    confirmation_message,
    header_text,
    sender_address,
)
from herald.newsletter.models import (
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
)
from herald.newsletter.tests.inbox import Inbox
from herald.newsletter.tests.readers import (
    JAPAN,
    confirmed,
    link,
    sign_up,
    status_of,
    visit,
)
from herald.newsletter.tests.sink import free_port
from herald.newsletter.tokens import unsubscribe_url
from herald.stories.models import Section

# The `smtp` fixture serves on loopback.
pytestmark = [pytest.mark.django_db, pytest.mark.loopback]


# --- No enumeration, abuse --------------------------------------------------------
def test_sign_up_answer_is_the_same_whatever_the_address_is(
    smtp: Inbox, japan: Edition, sections: list[Section]
) -> None:
    sign_up("pending@example.org")
    confirmed(smtp, "confirmed@example.org", sections=sections[:1])
    left = confirmed(smtp, "left@example.org")
    visit(unsubscribe_url(left), "post")
    Suppression.objects.create(
        email="suppressed@example.org", reason=SuppressionReason.HARD_BOUNCE
    )
    before = len(smtp.messages)

    answers = {
        address: sign_up(address, sections[1:], ip="198.51.100.2")
        for address in (
            "new@example.org",
            "pending@example.org",
            "confirmed@example.org",
            "left@example.org",
            "suppressed@example.org",
        )
    }
    first = answers["new@example.org"]
    for response in answers.values():
        assert response.status_code == first.status_code == 200
        assert response.content == first.content
        assert sorted(response.headers.items()) == sorted(first.headers.items())
        assert "Set-Cookie" not in response.headers

    subjects = {m.rcpt_tos[0]: m.message()["Subject"] for m in smtp.messages[before:]}
    assert subjects == {
        "new@example.org": "Confirm your subscription to Japan Herald",
        "pending@example.org": "Confirm your subscription to Japan Herald",
        "left@example.org": "Confirm your subscription to Japan Herald",
        "confirmed@example.org": "You already get the daily Japan Herald",
    }
    reminder = smtp.to("confirmed@example.org")[-1]
    assert link(reminder, "preferences")
    # A sign-up cannot change a confirmed subscription: only its owner can.
    still = Subscription.objects.get(subscriber__email="confirmed@example.org")
    assert still.status == SubscriptionStatus.CONFIRMED
    assert list(still.sections.all()) == sections[:1]
    assert status_of("left@example.org", japan) == SubscriptionStatus.PENDING
    assert not Subscriber.objects.filter(email="suppressed@example.org").exists()


def test_filled_honeypot_answers_as_usual_and_sends_nothing(
    smtp: Inbox, japan: Edition
) -> None:
    normal = sign_up("person@example.org")
    bot = sign_up("victim@example.org", website="http://spam.example/")
    assert bot.status_code == 200 and bot.content == normal.content
    assert smtp.to("victim@example.org") == []
    assert not Subscriber.objects.filter(email="victim@example.org").exists()

    page = lxml.html.fromstring(Client(HTTP_HOST=JAPAN).get("/newsletter/").content)
    [trap] = page.xpath('//input[@name="website"]')
    wrapper = trap.getparent()
    assert wrapper.get("aria-hidden") == "true" and "nl-trap" in wrapper.get("class")
    assert trap.get("tabindex") == "-1" and trap.get("autocomplete") == "off"
    assert page.xpath('//label[@for="subscribe-website"]')[0].text_content() == (
        "Leave this field empty"
    )


def test_too_many_sign_ups_from_one_client_answer_429(
    smtp: Inbox, japan: Edition
) -> None:
    for n in range(limits.SIGNUPS_PER_IP.count):
        assert sign_up(f"r{n}@example.org", ip="203.0.113.9").status_code == 200
    response = sign_up("one-more@example.org", ip="203.0.113.9")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response["Cache-Control"] == "no-store"
    assert smtp.to("one-more@example.org") == []
    # Another client is not held back.
    assert sign_up("one-more@example.org", ip="203.0.113.10").status_code == 200
    assert len(smtp.to("one-more@example.org")) == 1


def test_too_many_mails_to_one_address_stop_without_saying_so(
    smtp: Inbox, japan: Edition
) -> None:
    answers = [sign_up("target@example.org", ip=f"203.0.113.{n}") for n in range(1, 6)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(smtp.to("target@example.org")) == limits.MAILS_PER_ADDRESS.count


def test_one_ipv6_network_counts_as_one_client() -> None:
    assert ratelimit.client_key("2001:db8:1:2::7") == "2001:db8:1:2::/64"
    assert ratelimit.client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert ratelimit.client_key("::ffff:198.51.100.4") == "198.51.100.4"
    assert ratelimit.client_key("198.51.100.4") == "198.51.100.4"


def test_rate_limit_counts_in_fixed_windows() -> None:
    limit = ratelimit.Limit("test-window", 2, 3600)
    verdicts = [ratelimit.hit(limit, "key") for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert [v.hits for v in verdicts] == [1, 2, 3]
    assert ratelimit.hit(limit, "other key").allowed


# --- Input and mail headers ---------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("not an address", "Enter an email address such as name@example.com."),
        ("a@example.org\r\nBcc: b@example.org", "Enter the address on one line."),
        ("a@example.org\n", "Enter the address on one line."),
        ("x" * 250 + "@example.org", "Ensure this value has at most 254 characters"),
        ("", "Enter your email address."),
    ],
)
def test_bad_address_shows_the_form_with_the_error(
    smtp: Inbox, japan: Edition, address: str, error: str
) -> None:
    response = sign_up(address)
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert error in body
    assert 'aria-invalid="true"' in body
    assert smtp.messages == []


def test_unknown_section_shows_the_form_with_the_error(
    smtp: Inbox, japan: Edition
) -> None:
    response = Client(HTTP_HOST=JAPAN).post(
        "/newsletter/", {"email": "a@example.org", "sections": ["99999", "x"]}
    )
    assert response.status_code == 400
    assert b"Choose sections from the list." in response.content
    assert smtp.messages == []


@pytest.mark.parametrize("name", ["Japan\r\nBcc: all@example.org", "Japan\nX", "J\r"])
def test_sender_name_with_a_line_break_is_refused(
    smtp: Inbox, japan: Edition, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    Edition.objects.filter(pk=japan.pk).update(newsletter_sender_name=name)
    japan.refresh_from_db()
    with pytest.raises(UnsafeHeader):
        sender_address(japan)
    response = sign_up("reader@example.org")
    assert response.status_code == 200  # the page does not say; the log does
    assert smtp.messages == []
    assert "Newsletter confirmation email failed." in caplog.text
    subscription = Subscription.objects.get()
    with pytest.raises(UnsafeHeader):
        confirmation_message(subscription)


def test_header_text_refuses_every_kind_of_line_break() -> None:
    assert header_text("Japan Herald Daily", what="name") == "Japan Herald Daily"
    for bad in ("a\rb", "a\nb", "a\x0bb", "a\x85b", "a\u2028b"):
        with pytest.raises(UnsafeHeader):
            header_text(bad, what="name")


def test_non_ascii_sender_name_is_encoded_by_the_standard_library(
    smtp: Inbox, japan: Edition
) -> None:
    Edition.objects.filter(pk=japan.pk).update(
        newsletter_sender_name="ジャパン・ヘラルド"
    )
    sign_up("reader@example.org")
    [received] = smtp.messages
    assert b"=?utf-8?" in received.raw.split(b"\r\n\r\n")[0]
    message = received.message()
    assert message["From"].addresses[0].display_name == "ジャパン・ヘラルド"


def test_mail_server_down_keeps_the_page_and_the_next_try_works(
    smtp: Inbox, japan: Edition, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    response = sign_up("reader@example.org")
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert "Newsletter confirmation email failed." in caplog.text
    assert status_of("reader@example.org", japan) == SubscriptionStatus.PENDING

    settings.EMAIL_PORT = port
    sign_up("reader@example.org")
    visit(link(smtp.to("reader@example.org")[0], "confirm"), "post")
    assert status_of("reader@example.org", japan) == SubscriptionStatus.CONFIRMED
    assert Subscription.objects.count() == 1


def test_subscribe_action_reports_what_it_did(
    smtp: Inbox, japan: Edition, section: Section
) -> None:
    assert subscribe("a@example.org", edition=japan, sections=[section]) == (
        "confirmation_sent"
    )
    url = link(smtp.to("a@example.org")[0], "confirm")
    assert url.startswith("http://japan-herald.example.com/newsletter/confirm/")
