"""Rendering one delivery's message: its headers, and line breaks refused in them."""

import email
import email.policy
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from django.utils import timezone

from herald.editions.models import Edition
from herald.newsletter import tokens
from herald.newsletter.models import Issue
from herald.newsletter.rendering.message import render_delivery
from herald.newsletter.rendering.signing import read_mailto_unsubscribe_address
from herald.newsletter.tests.factories import deliver
from herald.newsletter.tests.messages import parse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_blocks")]


def test_message_carries_list_headers_and_its_fixed_message_id(issue: Issue) -> None:
    delivery = deliver(issue)
    message = parse(delivery)
    assert message["From"].addresses[0].display_name == "Japan Herald"
    assert message["From"].addresses[0].addr_spec == "daily@japan-herald.example.com"
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == issue.subject
    assert message["Message-ID"] == delivery.message_id
    sent = parsedate_to_datetime(message["Date"])
    assert abs(sent - timezone.now()) < timedelta(minutes=1)
    assert message["List-Id"] == (
        "Japan Herald daily <japan-herald.newsletter.japan-herald.example.com>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())


def test_list_unsubscribe_has_a_working_https_url_and_a_mailto(issue: Issue) -> None:
    delivery = deliver(issue)
    value = str(parse(delivery)["List-Unsubscribe"])
    https, mailto = (part.strip().strip("<>") for part in value.split(","))
    url = urlsplit(https)
    assert url.scheme == "https" and url.hostname == "japan-herald.example.com"
    match = resolve(url.path)
    assert match.view_name == "newsletter:unsubscribe"
    assert tokens.read_manage_token(match.kwargs["token"]) == delivery.subscription
    address, _, query = mailto.removeprefix("mailto:").partition("?")
    assert query == "subject=unsubscribe"
    assert address.endswith("@japan-herald.example.com")
    assert len(address.partition("@")[0]) <= 64
    assert read_mailto_unsubscribe_address(address) == delivery.subscription_id
    assert read_mailto_unsubscribe_address("unsubscribe+1-00@x.example") is None


def test_non_ascii_subject_and_sender_round_trip_as_encoded_words(
    issue: Issue,
) -> None:
    Edition.objects.filter(pk=issue.edition_id).update(
        newsletter_sender_name="Zürich — 東京 Herald"
    )
    issue.subject = "Zürich — 東京: the day's news in a subject long enough to fold"
    issue.save()
    issue.edition.refresh_from_db()
    raw = render_delivery(deliver(issue)).as_bytes()
    head = raw.partition(b"\r\n\r\n")[0]
    assert head.isascii() and b"=?utf-8?" in head
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    message = email.message_from_bytes(raw, policy=email.policy.strict)
    assert message["Subject"] == issue.subject
    assert message["From"].addresses[0].display_name == "Zürich — 東京 Herald"


def test_non_ascii_edition_name_is_an_encoded_phrase_in_list_id(
    issue: Issue,
) -> None:
    Edition.objects.filter(pk=issue.edition_id).update(
        name="Zürich und 東京 Herald mit einem sehr langen Namen für die Liste"
    )
    issue.edition.refresh_from_db()
    raw = render_delivery(deliver(issue)).as_bytes()
    assert raw.partition(b"\r\n\r\n")[0].isascii()
    message = email.message_from_bytes(raw, policy=email.policy.strict)
    assert message["List-Id"] == (
        "Zürich und 東京 Herald mit einem sehr langen Namen für die Liste daily "
        "<japan-herald.newsletter.japan-herald.example.com>"
    )


@pytest.mark.parametrize("name", ["Japan\r\nBcc: victim@example.org", "Japan\nHerald"])
def test_line_break_in_sender_name_is_refused(issue: Issue, name: str) -> None:
    Edition.objects.filter(pk=issue.edition_id).update(newsletter_sender_name=name)
    issue.edition.refresh_from_db()
    with pytest.raises(ValueError, match="line break"):
        render_delivery(deliver(issue))


@pytest.mark.parametrize("subject", ["Daily\r\nBcc: victim@example.org", "Daily\rnews"])
def test_line_break_in_subject_is_refused(issue: Issue, subject: str) -> None:
    issue.subject = subject
    issue.save()
    with pytest.raises(ValueError, match="line break"):
        render_delivery(deliver(issue))
