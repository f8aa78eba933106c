"""Rendering one delivery's message: what both parts hold (sections, escaping,
images, retractions), the shared blocks, and the bytes as they reach a server."""

import email
import email.policy
import io
import smtplib
from email.message import Message
from typing import Any

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from herald.editions.models import Edition
from herald.newsletter import tokens
from herald.newsletter.models import Delivery, Issue
from herald.newsletter.rendering.message import render_delivery
from herald.newsletter.tests.factories import deliver, make_issue
from herald.newsletter.tests.messages import (
    parse,
    parts,
    render_both,
    smtplib_wire,
    untimed,
)
from herald.newsletter.tests.sink import smtp_sink
from herald.newsletter.transport import SmtpTransport
from herald.stories import actions
from herald.stories.models import Section, Story
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import Status

pytestmark = [
    pytest.mark.loopback,
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_blocks"),
]


def test_subscriber_gets_only_the_sections_they_chose(
    issue: Issue, business: Section
) -> None:
    text, html = parts(parse(deliver(issue, sections=[business])))
    for body in (text, html):
        assert "Exports rise again" in body  # the chosen section
        assert "Typhoon season starts early" not in body  # not chosen
        assert "Harbour plan goes ahead" in body  # top stories: everyone
        assert "Company opens plant" in body  # news releases: everyone


def test_subscriber_without_chosen_sections_gets_every_section(issue: Issue) -> None:
    text, html = parts(parse(deliver(issue)))
    for body in (text, html):
        assert "Exports rise again" in body and "Typhoon season starts early" in body


def test_news_releases_are_labelled_under_their_own_heading(issue: Issue) -> None:
    text, html = parts(parse(deliver(issue)))
    assert "NEWS RELEASES" in text and "[News release] Company opens plant" in text
    tree = lxml.html.fromstring(html)
    assert "News releases" in tree.xpath("//h2/text()")
    teaser = tree.xpath("//a[text()='Company opens plant']/ancestor::td[1]")[0]
    assert "News release" in teaser.text_content()


def test_html_part_is_a_table_layout_with_inline_styles_and_visible_links(
    issue: Issue,
) -> None:
    delivery = deliver(issue)
    _, html = parts(parse(delivery))
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//style") and not tree.xpath("//link")
    layout = tree.xpath("//table[@role='presentation']")
    assert layout and "max-width:600px" in html
    assert all(t.get("style") for t in tree.xpath("//body//td[.//text()]"))
    unsubscribe = tree.xpath("//a[normalize-space()='Unsubscribe']")[0]
    sub = delivery.subscription
    assert untimed(unsubscribe.get("href"), sub) == untimed(
        tokens.unsubscribe_url(sub), sub
    )
    assert "display:none" not in (unsubscribe.get("style") or "")
    preferences = tree.xpath("//a[normalize-space()='Change your preferences']")[0]
    assert untimed(preferences.get("href"), sub) == untimed(
        tokens.preferences_url(sub), sub
    )
    # The edition's colours brand the masthead.
    assert f"background-color:{issue.edition.primary_colour}" in html


def test_text_part_carries_the_story_and_personal_urls(issue: Issue) -> None:
    delivery = deliver(issue)
    sub = delivery.subscription
    text = untimed(parts(parse(delivery))[0], sub)
    lead = Story.objects.get(headline="Harbour plan goes ahead")
    assert f"https://japan-herald.example.com{lead.get_absolute_url()}" in text
    assert "TOKYO, Japan: Officials said" in text
    assert f"Unsubscribe: {untimed(tokens.unsubscribe_url(sub), sub)}" in text
    assert (
        f"Change your preferences: {untimed(tokens.preferences_url(sub), sub)}" in text
    )
    assert "https://japan-herald.example.com/newsletter/archive/2025-04-05/" in text


def test_story_text_is_escaped_in_the_html_part(
    japan: Edition, make_story: StoryFactory
) -> None:
    story = make_story(
        headline='<script>alert("x")</script> & <b>bold</b>',
        body="<p>&lt;img src=x onerror=alert(1)&gt; said the minister.</p>",
    )
    text, html = parts(parse(deliver(make_issue(japan, top=[story]))))
    assert "<script" not in html and "<b>bold" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<script>alert("x")</script> & <b>bold</b>' in text


def test_lead_image_has_alt_text_and_an_absolute_url(
    japan: Edition, make_story: StoryFactory, admin_user: Any
) -> None:
    story = make_story(headline="Harbour at dawn")
    picture = io.BytesIO()
    Image.new("RGB", (1600, 900), (30, 90, 150)).save(picture, "JPEG")
    picture.seek(0)
    actions.attach_image(
        story,
        by=admin_user,
        upload=picture,
        caption="The harbour.",
        credit="Herald",
        alt_text="Fishing boats in Tokyo harbour at dawn",
    )
    _, html = parts(parse(deliver(make_issue(japan, top=[story]))))
    images = lxml.html.fromstring(html).xpath("//img")
    assert len(images) == 1
    assert images[0].get("alt") == "Fishing boats in Tokyo harbour at dawn"
    assert images[0].get("src").startswith("https://japan-herald.example.com/media/")
    # With images off, the headline is still text.
    assert "Harbour at dawn" in lxml.html.fromstring(html).text_content()


def test_story_retracted_after_the_build_is_left_out(issue: Issue) -> None:
    Story.objects.filter(headline="Typhoon season starts early").update(
        status=Status.RETRACTED
    )
    text, html = parts(parse(deliver(issue)))
    assert "Typhoon season" not in text and "Typhoon season" not in html


def test_shared_blocks_are_rendered_once_and_messages_differ_only_in_personal_parts(
    issue: Issue,
) -> None:
    first = deliver(issue, "one@example.org")
    second = deliver(issue, "two@example.org")
    parse(first, section_ids=frozenset())
    loaded = Delivery.objects.select_related("issue__edition", "subscription").get(
        pk=second.pk
    )
    with CaptureQueriesContext(connection) as queries:
        message = parse(loaded, section_ids=frozenset())
    assert len(queries) == 0
    one_html = parts(parse(first))[1]
    two_html = parts(message)[1]
    # Each holds its own subscriber's links (untimed() checks every token), and
    # nothing else differs.
    one = untimed(one_html, first.subscription)
    two = untimed(two_html, second.subscription)
    assert one.count("/newsletter/unsubscribe/TOKEN/") == 1
    assert one.count("/newsletter/preferences/TOKEN/") == 1
    assert one == two
    assert message["To"] == "two@example.org"


def test_message_bytes_are_what_the_standard_generator_writes(
    issue: Issue,
) -> None:
    message = render_delivery(deliver(issue))
    assert message.as_bytes() == Message.as_bytes(message)
    assert bytes(message) == message.as_bytes()
    # Changed after rendering, the message is written by the standard generator.
    message["X-Campaign"] = "test"
    assert b"\r\nX-Campaign: test\r\n" in message.as_bytes()
    html = message.get_body(("html",))
    assert html is not None
    html.set_content("<p>Replaced</p>", subtype="html")
    assert message.as_bytes() == Message.as_bytes(message)
    assert b"Replaced" in message.as_bytes()


def test_body_encoded_in_pieces_equals_the_encoding_of_the_whole() -> None:
    from herald.newsletter.rendering.mime import (
        PREFERENCES_MARK,
        UNSUBSCRIBE_MARK,
        Body,
        qp,
    )

    text = (
        "Caf\u00e9 = 1 \n"
        + "x" * 200
        + f'\n<a href="{UNSUBSCRIBE_MARK}">Unsubscribe</a> \t\n'
        + "\u6771\u4eac " * 40
        + f"\n{PREFERENCES_MARK} and {UNSUBSCRIBE_MARK}\nlast line without end"
    )
    unsubscribe, preferences = "https://x.example/u/a:b=c/", "https://x.example/p/"
    filled = text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(
        PREFERENCES_MARK, preferences
    )
    encoded = Body.split(text).fill(unsubscribe, preferences)
    assert encoded == qp(filled)
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))


def test_rendered_message_passes_a_real_smtp_server_intact(issue: Issue) -> None:
    delivery = deliver(issue)
    outgoing, raw = render_both(delivery)
    with smtp_sink() as (sink, port):
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as s:
            s.sendmail("daily@japan-herald.example.com", [delivery.email], raw)
        transport = SmtpTransport(f"smtp://127.0.0.1:{port}", timeout=5)
        assert transport.send(
            "daily@japan-herald.example.com", delivery.email, outgoing
        ).startswith("250")
        transport.close()
        by_smtplib, by_herald = sink.received
    # The server reads the same message from smtplib and from Herald's own DATA.
    assert (
        by_smtplib
        == by_herald
        == (
            "daily@japan-herald.example.com",
            [delivery.email],
            raw,
        )
    )
    received = sink.messages()[1]
    assert received["Message-ID"] == delivery.message_id
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(received)
    assert "Harbour plan goes ahead" in text and "Unsubscribe" in html


def test_lines_starting_with_a_dot_are_stuffed_and_arrive_intact(
    japan: Edition, make_story: StoryFactory
) -> None:
    story = make_story(
        headline=".NET conference opens",
        standfirst=".dots lead this standfirst",
        body="<p>.</p><p>..two dots</p><p>.NET said a spokesperson.</p>",
    )
    delivery = deliver(make_issue(japan, top=[story]))
    outgoing, raw = render_both(delivery)
    assert b"\r\n.." in outgoing.wire and outgoing.wire == smtplib_wire(raw)
    with smtp_sink() as (sink, port):
        transport = SmtpTransport(f"smtp://127.0.0.1:{port}", timeout=5)
        transport.send("daily@japan-herald.example.com", delivery.email, outgoing)
        transport.close()
        [(_, _, received)] = sink.received
    assert received == raw
    text, html = parts(email.message_from_bytes(received, policy=email.policy.strict))  # type: ignore[arg-type]
    assert ".NET conference opens" in text and ".NET conference opens" in html


@pytest.mark.parametrize(
    "address",
    [
        "reader@example.org",
        "first.last+news@mail.example.co.jp",
        "a-rather-long-local-part-for-a-mailbox.with.dots@subdomain.example.org",
        "folded." + "x" * 60 + "@a-long-subdomain-name.example.org",
        '"quoted name"@example.org',
        "o'brien@example.org",
        "reader@xn--bcher-kva.example",
    ],
)
def test_sent_headers_are_what_the_email_package_writes_for_any_address(
    issue: Issue, address: str
) -> None:
    delivery = deliver(issue, address)
    Delivery.objects.filter(pk=delivery.pk).update(
        message_id=f"<{issue.pk}.{delivery.subscription_id}.{'f' * 60}@example.org>"
    )
    delivery.refresh_from_db()
    message = parse(delivery)  # checks the bytes equal render_delivery's
    assert message["To"].addresses[0].addr_spec == address
    assert message["Message-ID"] == delivery.message_id
