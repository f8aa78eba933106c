"""Subscribing to the daily email, with real mail through an SMTP server on
loopback: double opt-in, one subscription per edition, preferences, RFC 8058
one-click unsubscribe, no enumeration, rate limits and the honeypot."""

import email
import email.policy
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from aiosmtpd.controller import Controller
from django.core import signing
from django.test import Client

from conftest import StoryFactory
from herald.core import ratelimit
from herald.editions.models import Edition
from herald.newsletter.models import (
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
)
from herald.newsletter.subscriptions import (
    UnsafeHeader,
    confirmation_message,
    header_text,
    sender_address,
    subscribe,
)
from herald.newsletter.tokens import (
    CONFIRM_SALT,
    manage_token,
    preferences_url,
    unsubscribe_url,
)
from herald.stories.models import Section

pytestmark = pytest.mark.django_db
JAPAN = "japan-herald.localhost"
INDIA = "india-herald.localhost"


# --- A real SMTP server on loopback ------------------------------------------------
@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.strict)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Sink:
    """An aiosmtpd handler that keeps every message's raw bytes."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content,
                )
            )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m.message() for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    sink = Sink()
    port = free_port()
    quiet = logging.getLogger("mail.log")  # aiosmtpd logs every command at INFO
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        controller.stop()
        quiet.setLevel(level)


# --- Helpers ---------------------------------------------------------------------
@pytest.fixture
def sections(section: Section) -> list[Section]:
    return [
        section,
        Section.objects.create(name="Business", slug="business"),
        Section.objects.create(name="Sport", slug="sport"),
    ]


def sign_up(
    address: str,
    sections: Sequence[Section] = (),
    *,
    host: str = JAPAN,
    ip: str = "198.51.100.1",
    **extra: str,
) -> Any:
    data: dict[str, Any] = {"email": address, "sections": [s.pk for s in sections]}
    data.update(extra)
    return Client(HTTP_HOST=host, enforce_csrf_checks=True).post(
        "/newsletter/", data, REMOTE_ADDR=ip
    )


def link(message: EmailMessage, kind: str) -> str:
    """The `/newsletter/<kind>/<token>/` link of the message, the same in both
    parts."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    pattern = rf"https?://[^\s\"<>]+/newsletter/{kind}/[^\s\"<>/]+/"
    in_text = re.findall(pattern, text.get_content())
    in_html = re.findall(pattern, html.get_content())
    assert in_text and set(in_html) == {in_text[0]}
    return str(in_text[0])


def visit(url: str, method: str = "get", **kwargs: Any) -> Any:
    """Open an absolute URL as a browser without cookies would."""
    parts = urlsplit(url)
    client = Client(HTTP_HOST=parts.netloc, enforce_csrf_checks=True)
    response = getattr(client, method)(parts.path, **kwargs)
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    return response


def confirmed(sink: Sink, address: str, **kwargs: Any) -> Subscription:
    """Sign up and confirm through the pages and the mail, as a reader does."""
    sign_up(address, **kwargs)
    visit(link(sink.to(address)[-1], "confirm"), "post")
    subscription = Subscription.objects.get(
        subscriber__email=address,
        edition__slug=kwargs.get("host", JAPAN).split(".")[0],
    )
    assert subscription.status == SubscriptionStatus.CONFIRMED
    return subscription


def status_of(address: str, edition: Edition) -> str:
    return Subscription.objects.get(subscriber__email=address, edition=edition).status


# --- Sign-up and confirmation -----------------------------------------------------
def test_sign_up_mails_a_link_whose_page_confirms_only_with_its_button(
    smtp: Sink, japan: Edition, sections: list[Section]
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
    smtp: Sink, japan: Edition, india: Edition, sections: list[Section]
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
    smtp: Sink, japan: Edition, india: Edition
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
    smtp: Sink, japan: Edition, settings: Any
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
    smtp: Sink, japan: Edition
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
    smtp: Sink, japan: Edition
) -> None:
    subscription = confirmed(smtp, "gone@example.org")
    visit(unsubscribe_url(subscription), "post")
    response = visit(link(smtp.to("gone@example.org")[0], "confirm"), "post")
    assert response.status_code == 400
    assert b"You left the daily Japan Herald" in response.content
    assert status_of("gone@example.org", japan) == SubscriptionStatus.UNSUBSCRIBED


# --- Preferences and unsubscribing ------------------------------------------------
def test_preferences_page_changes_sections_and_leaves(
    smtp: Sink, japan: Edition, sections: list[Section]
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
    smtp: Sink, japan: Edition
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
    smtp: Sink, japan: Edition
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


# --- No enumeration, abuse --------------------------------------------------------
def test_sign_up_answer_is_the_same_whatever_the_address_is(
    smtp: Sink, japan: Edition, sections: list[Section]
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
    smtp: Sink, japan: Edition
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
    smtp: Sink, japan: Edition
) -> None:
    for n in range(ratelimit.SIGNUPS_PER_IP.count):
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
    smtp: Sink, japan: Edition
) -> None:
    answers = [sign_up("target@example.org", ip=f"203.0.113.{n}") for n in range(1, 6)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(smtp.to("target@example.org")) == ratelimit.MAILS_PER_ADDRESS.count


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
    smtp: Sink, japan: Edition, address: str, error: str
) -> None:
    response = sign_up(address)
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert error in body
    assert 'aria-invalid="true"' in body
    assert smtp.messages == []


def test_unknown_section_shows_the_form_with_the_error(
    smtp: Sink, japan: Edition
) -> None:
    response = Client(HTTP_HOST=JAPAN).post(
        "/newsletter/", {"email": "a@example.org", "sections": ["99999", "x"]}
    )
    assert response.status_code == 400
    assert b"Choose sections from the list." in response.content
    assert smtp.messages == []


@pytest.mark.parametrize("name", ["Japan\r\nBcc: all@example.org", "Japan\nX", "J\r"])
def test_sender_name_with_a_line_break_is_refused(
    smtp: Sink, japan: Edition, name: str, caplog: pytest.LogCaptureFixture
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
    smtp: Sink, japan: Edition
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
    smtp: Sink, japan: Edition, settings: Any, caplog: pytest.LogCaptureFixture
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
    smtp: Sink, japan: Edition, section: Section
) -> None:
    assert subscribe("a@example.org", edition=japan, sections=[section]) == (
        "confirmation_sent"
    )
    url = link(smtp.to("a@example.org")[0], "confirm")
    assert url.startswith("http://japan-herald.example.com/newsletter/confirm/")


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
    smtp: Sink, japan: Edition, make_story: StoryFactory
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
