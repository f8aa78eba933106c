"""Rendering one delivery's message (headers, both parts, sections, escaping, DKIM)
and the public web archive of issues."""

import email
import email.policy
import io
import re
import shutil
import smtplib
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from PIL import Image

from conftest import StoryFactory
from herald.editions.models import Edition
from herald.newsletter import tokens
from herald.newsletter.models import (
    Delivery,
    Issue,
    IssueStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from herald.newsletter.rendering import (
    clear_render_cache,
    mailto_unsubscribe_address,
    read_mailto_unsubscribe_address,
    render_delivery,
    render_outgoing,
    sign_dkim,
)
from herald.newsletter.tests.sink import smtp_sink
from herald.newsletter.transport import Outgoing, SmtpTransport
from herald.stories import actions
from herald.stories.models import Provenance, Section, Story
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db
JAPAN = "japan-herald.localhost"
CHROMIUM = shutil.which("chromium")


@pytest.fixture(autouse=True)
def _fresh_blocks(settings: Any) -> Iterator[None]:
    settings.HERALD_PUBLIC_SCHEME = "https"
    clear_render_cache()
    yield
    clear_render_cache()


@pytest.fixture
def business(db: None) -> Section:
    return Section.objects.create(name="Business", slug="business", position=1)


def make_issue(
    edition: Edition,
    *,
    top: list[Story] = (),  # type: ignore[assignment]
    sections: dict[Section, list[Story]] | None = None,
    releases: list[Story] = (),  # type: ignore[assignment]
    subject: str = "Japan Herald daily: Saturday 5 April 2025 — Harbour plan",
    local_date: date = date(2025, 4, 5),
    status: str = IssueStatus.BUILT,
) -> Issue:
    return Issue.objects.create(
        edition=edition,
        local_date=local_date,
        subject=subject,
        status=status,
        contents={
            "top": [s.pk for s in top],
            "sections": {
                str(k.pk): [s.pk for s in v] for k, v in (sections or {}).items()
            },
            "releases": [s.pk for s in releases],
        },
    )


def deliver(
    issue: Issue,
    address: str = "reader@example.org",
    sections: list[Section] = (),  # type: ignore[assignment]
) -> Delivery:
    subscriber, _ = Subscriber.objects.get_or_create(email=address)
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber,
        edition=issue.edition,
        defaults={"status": SubscriptionStatus.CONFIRMED},
    )
    subscription.sections.set(sections)
    return Delivery.objects.create(
        issue=issue,
        subscription=subscription,
        email=address,
        message_id=f"<{uuid.uuid4()}@{issue.edition.slug}.herald>",
    )


def smtplib_wire(raw: bytes) -> bytes:
    """What smtplib's sendmail writes after DATA for `raw`, before the final dot."""
    wire = smtplib._quote_periods(raw)  # type: ignore[attr-defined]
    return bytes(wire if wire.endswith(b"\r\n") else wire + b"\r\n")


def render_both(delivery: Delivery, **kwargs: Any) -> tuple[Outgoing, bytes]:
    """The message as the sender sends it (render_outgoing) and the message object's
    bytes (render_delivery), made within one second, so that their Date and token
    timestamps agree."""
    for _ in range(5):
        second = int(time.time())
        outgoing = render_outgoing(delivery, **kwargs)
        raw = render_delivery(delivery, **kwargs).as_bytes()
        if int(time.time()) == second:
            return outgoing, raw
    raise AssertionError("the clock moved on during every try")


def parse(delivery: Delivery, **kwargs: Any) -> EmailMessage:
    """The delivery's message as sent, parsed in strict mode, after checking it is
    byte for byte the message object's bytes as smtplib would send them."""
    outgoing, raw = render_both(delivery, **kwargs)
    assert outgoing.wire == smtplib_wire(raw)
    assert outgoing.raw == raw
    return email.message_from_bytes(outgoing.raw, policy=email.policy.strict)  # type: ignore[return-value]


_MANAGE_LINK = re.compile(r"(/newsletter/(?:unsubscribe|preferences)/)([^/\s\"<>]+)/")


def untimed(text: str, subscription: Subscription) -> str:
    """`text` with each unsubscribe or preferences token in it checked to read back
    as `subscription`'s and then written TOKEN: a token carries the second it was
    made, so one made again in a test may differ from the one in the message."""

    def check(match: re.Match[str]) -> str:
        assert tokens.read_manage_token(match.group(2)) == subscription
        return f"{match.group(1)}TOKEN/"

    return _MANAGE_LINK.sub(check, text)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())  # type: ignore[attr-defined]


@pytest.fixture
def issue(
    japan: Edition, section: Section, business: Section, make_story: StoryFactory
) -> Issue:
    lead = make_story(headline="Harbour plan goes ahead", is_featured=True)
    world = make_story(headline="Typhoon season starts early")
    trade = make_story(headline="Exports rise again", primary_section=business)
    release = make_story(headline="Company opens plant", provenance=Provenance.RELEASE)
    return make_issue(
        japan,
        top=[lead],
        sections={section: [world], business: [trade]},
        releases=[release],
    )


# --- Headers ------------------------------------------------------------------


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


# --- Contents -----------------------------------------------------------------


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


# --- DKIM ---------------------------------------------------------------------


@pytest.fixture
def dkim_key(tmp_path: Path, settings: Any) -> str:
    from dkim import dknewkey

    key_file, dns_file = tmp_path / "herald.key", tmp_path / "herald.dns"
    dknewkey.GenRSAKeys(str(key_file), verbose=False)
    dknewkey.ExtractRSADnsPublicKey(str(key_file), str(dns_file), verbose=False)
    settings.HERALD_DKIM_KEY_FILE = str(key_file)
    settings.HERALD_DKIM_SELECTOR = "herald2025"
    settings.HERALD_DKIM_DOMAIN = "japan-herald.example.com"
    return dns_file.read_text()


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(
    issue: Issue, dkim_key: str
) -> None:
    import dkim

    looked_up: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        looked_up.append(name)
        return dkim_key.encode()

    signed = sign_dkim(render_delivery(deliver(issue)).as_bytes())
    assert dkim.verify(signed, dnsfunc=dns)
    assert looked_up == [b"herald2025._domainkey.japan-herald.example.com."]
    message = email.message_from_bytes(signed, policy=email.policy.strict)
    tags = dict(
        tag.strip().split("=", 1)
        for tag in "".join(str(message["DKIM-Signature"]).split()).split(";")
        if tag.strip()
    )
    covered = tags["h"].split(":")
    for header in ("from", "subject", "date", "message-id", "list-id"):
        assert header in covered
    assert "list-unsubscribe" in covered and "list-unsubscribe-post" in covered
    assert tags["d"] == "japan-herald.example.com" and tags["s"] == "herald2025"
    # A relay that rewrites the unsubscribe header breaks the signature.
    forged = signed.replace(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        b"List-Unsubscribe-Post: nothing",
    )
    assert not dkim.verify(forged, dnsfunc=dns)


def test_messages_as_sent_are_dkim_signed_when_a_key_is_configured(
    issue: Issue, dkim_key: str
) -> None:
    import dkim

    outgoing = render_outgoing(deliver(issue))
    assert outgoing.raw.startswith(b"DKIM-Signature:")
    assert outgoing.wire == smtplib_wire(outgoing.raw)
    assert dkim.verify(outgoing.raw, dnsfunc=lambda name, timeout=5: dkim_key.encode())


def test_without_a_dkim_key_the_message_is_unchanged(issue: Issue) -> None:
    raw = render_delivery(deliver(issue)).as_bytes()
    assert sign_dkim(raw) is raw


def test_half_configured_dkim_is_refused(issue: Issue, settings: Any) -> None:
    settings.HERALD_DKIM_SELECTOR = "herald2025"
    with pytest.raises(ImproperlyConfigured):
        sign_dkim(render_delivery(deliver(issue)).as_bytes())


def test_manage_token_is_the_django_signing_token_and_reads_back(
    issue: Issue,
) -> None:
    subscription = deliver(issue).subscription
    for _ in range(5):
        second = int(time.time())
        token = tokens.manage_token(subscription)
        expected = signing.dumps(
            {"s": subscription.pk}, salt=tokens.MANAGE_SALT, compress=True
        )
        if int(time.time()) == second:
            break
    assert token == expected
    assert tokens.read_manage_token(token) == subscription
    with pytest.raises(tokens.BadToken):
        tokens.read_manage_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    url = tokens.unsubscribe_url(subscription)
    assert (
        resolve(urlsplit(url).path).kwargs["token"].split(":")[0]
        == (token.split(":")[0])
    )


def test_mailto_address_is_herald_made_and_short(issue: Issue) -> None:
    subscription = deliver(issue).subscription
    address = mailto_unsubscribe_address(subscription, "example.com")
    assert read_mailto_unsubscribe_address(address) == subscription.pk
    tampered = address.replace(f"+{subscription.pk}-", f"+{subscription.pk + 1}-")
    assert read_mailto_unsubscribe_address(tampered) is None


# --- The web archive ----------------------------------------------------------


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=JAPAN)


def test_archive_lists_built_issues_newest_first_without_skipped_ones(
    client: Client, issue: Issue, japan: Edition
) -> None:
    make_issue(japan, local_date=date(2025, 4, 6), subject="Sunday's issue")
    make_issue(
        japan,
        local_date=date(2025, 4, 7),
        subject="Nothing new",
        status=IssueStatus.SKIPPED,
    )
    response = client.get("/newsletter/archive/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing new" not in body
    assert body.index("Sunday 6 April 2025") < body.index("Saturday 5 April 2025")
    assert 'href="/newsletter/archive/2025-04-05/"' in body


def test_archive_issue_page_shows_every_section_and_no_personal_links(
    client: Client, issue: Issue
) -> None:
    deliver(issue)
    response = client.get("/newsletter/archive/2025-04-05/")
    assert response.status_code == 200
    body = response.content.decode()
    for headline in (
        "Harbour plan goes ahead",
        "Typhoon season starts early",
        "Exports rise again",
        "Company opens plant",
    ):
        assert headline in body
    assert "News release" in body
    assert "/newsletter/unsubscribe/" not in body
    assert "/newsletter/preferences/" not in body
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "csrfmiddlewaretoken" not in body


def test_archive_pages_are_cacheable_and_answer_conditional_gets(
    client: Client, issue: Issue
) -> None:
    for path in ("/newsletter/archive/", "/newsletter/archive/2025-04-05/"):
        response = client.get(path)
        control = response["Cache-Control"]
        assert "public" in control and "max-age=" in control
        assert response.has_header("ETag")
        again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/archive/2025-04-04/",  # no issue that day
        "/newsletter/archive/2025-02-30/",  # no such date
        "/newsletter/archive/2025-04-07/",  # skipped: nothing new
        "/newsletter/archive/?page=9",
    ],
)
def test_unknown_archive_pages_answer_404(
    client: Client, issue: Issue, japan: Edition, path: str
) -> None:
    make_issue(japan, local_date=date(2025, 4, 7), status=IssueStatus.SKIPPED)
    assert client.get(path).status_code == 404


def test_another_editions_issue_is_not_in_this_archive(
    issue: Issue, india: Edition
) -> None:
    india_client = Client(HTTP_HOST="india-herald.localhost")
    assert india_client.get("/newsletter/archive/2025-04-05/").status_code == 404
    assert (
        "Harbour plan" not in india_client.get("/newsletter/archive/").content.decode()
    )
    assert Client(HTTP_HOST="localhost").get("/newsletter/archive/").status_code == 404


def test_unpadded_archive_date_redirects_to_the_one_spelling(
    client: Client, issue: Issue
) -> None:
    response = client.get("/newsletter/archive/2025-4-5/")
    assert response.status_code == 301
    assert response["Location"] == "/newsletter/archive/2025-04-05/"


def test_archive_is_paginated(
    client: Client, issue: Issue, japan: Edition, settings: Any
) -> None:
    settings.HERALD_PAGE_SIZE = 1
    make_issue(japan, local_date=date(2025, 4, 6), subject="Sunday's issue")
    first = client.get("/newsletter/archive/").content.decode()
    assert "Sunday 6 April 2025" in first and "Saturday 5 April 2025" not in first
    assert 'href="?page=2"' in first
    second = client.get("/newsletter/archive/?page=2").content.decode()
    assert "Saturday 5 April 2025" in second


# --- In a browser ------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_email_reads_at_phone_width_with_images_off(
    japan: Edition, make_story: StoryFactory, admin_user: Any
) -> None:
    from playwright.sync_api import sync_playwright

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
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
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
        browser.close()
