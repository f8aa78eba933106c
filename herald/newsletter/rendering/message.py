"""Rendering one delivery's message: as an EmailMessage (render_delivery) or
spliced from the cached blocks straight into SMTP DATA form (render_outgoing), the
same bytes either way; with DKIM configured it is rendered and signed whole."""

from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from django.utils import timezone

from herald.editions.models import Edition
from herald.newsletter import tokens
from herald.newsletter.dkim import dkim_configured, sign_dkim
from herald.newsletter.models import Delivery, Issue, Subscription
from herald.newsletter.rendering.cache import shared_blocks
from herald.newsletter.rendering.mime import (
    ALTERNATIVE,
    HTML,
    MIME_VERSION,
    ONE_CLICK,
    PLAIN,
    POLICY,
    RenderedMessage,
    Wire,
    address_line,
    fill_lines,
    list_header_line,
    message_id_line,
    multipart_body,
    one_line,
    part,
)
from herald.newsletter.rendering.signing import mailto_unsubscribe_address
from herald.newsletter.transport import Outgoing, dot_stuff


def _section_key(
    issue: Issue, delivery: Delivery, section_ids: frozenset[int] | None
) -> frozenset[int] | None:
    """The subscription's sections that the issue holds; None means all."""
    if section_ids is None:
        through = Subscription.sections.through
        section_ids = frozenset(
            through.objects.filter(
                subscription_id=delivery.subscription_id
            ).values_list("section_id", flat=True)
        )
    if not section_ids:
        return None
    held = {int(k) for k in (issue.contents or {}).get("sections", {})}
    return frozenset(section_ids & held)


def _subscription(delivery: Delivery, edition: Edition) -> Subscription:
    """The subscription for building its links, without a query when the caller
    did not load it: the links need only its id and edition."""
    if Delivery.subscription.is_cached(delivery):  # type: ignore[attr-defined]
        subscription = delivery.subscription
    else:
        subscription = Subscription(pk=delivery.subscription_id)
    if not Subscription.edition.is_cached(subscription):  # type: ignore[attr-defined]
        subscription.edition = edition
    return subscription


def render_delivery(
    delivery: Delivery, *, section_ids: frozenset[int] | None = None
) -> EmailMessage:
    """The complete message for one delivery: headers (RFC 2369/2919/8058 list
    headers included), a plain-text and an HTML part, holding the top stories,
    the news releases and the subscription's sections (none chosen means all).

    Pass `section_ids` (the subscription's chosen section ids) to save a query;
    select `issue__edition` and `subscription` on the delivery to save more.
    Raises ValueError when a header would take a line break.
    """
    issue = delivery.issue
    blocks = shared_blocks(issue, _section_key(issue, delivery, section_ids))
    subscription = _subscription(delivery, blocks.edition)
    unsubscribe = tokens.unsubscribe_url(subscription)
    preferences = tokens.preferences_url(subscription)
    mailto = mailto_unsubscribe_address(subscription, blocks.sender_domain)

    message = RenderedMessage(policy=POLICY)
    message["From"] = blocks.sender
    message["To"] = one_line(delivery.email, "recipient")
    message["Subject"] = blocks.subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = one_line(delivery.message_id, "Message-ID")
    message["List-Id"] = blocks.list_id
    message["List-Unsubscribe"] = (
        f"<{unsubscribe}>, <mailto:{mailto}?subject=unsubscribe>"
    )
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message["List-Archive"] = blocks.list_archive
    message["MIME-Version"] = MIME_VERSION
    message["Content-Type"] = ALTERNATIVE
    text = blocks.text.fill(unsubscribe, preferences)
    html = blocks.html.fill(escape(unsubscribe), escape(preferences))
    payload = [part(PLAIN, text), part(HTML, html)]
    message.set_payload(payload)  # type: ignore[arg-type]
    message._wire = Wire(
        payload=payload,
        texts=tuple(p._payload for p in payload),  # type: ignore[attr-defined]
        body=multipart_body([(PLAIN, text), (HTML, html)]),
        folded=blocks.folded,
    )
    return message


def render_outgoing(
    delivery: Delivery, *, section_ids: frozenset[int] | None = None
) -> Outgoing:
    """The message of render_delivery() for one delivery, ready for SMTP DATA: the
    same bytes (a test holds them equal), spliced from the cached blocks without
    building a message object, then dot-stuffed. With DKIM configured the message
    is rendered and signed whole. Raises ValueError when a header would take a
    line break."""
    if dkim_configured():
        message = render_delivery(delivery, section_ids=section_ids)
        return Outgoing.from_message(sign_dkim(message.as_bytes()))
    issue = delivery.issue
    blocks = shared_blocks(issue, _section_key(issue, delivery, section_ids))
    subscription = _subscription(delivery, blocks.edition)
    token = tokens.manage_token(subscription)
    unsubscribe = token.join(blocks.unsubscribe_link)
    preferences = token.join(blocks.preferences_link)
    mailto = mailto_unsubscribe_address(subscription, blocks.sender_domain)
    html_unsubscribe, html_preferences = escape(unsubscribe), escape(preferences)
    pieces = [
        blocks.wire_from,
        address_line("To", one_line(delivery.email, "recipient")),
        blocks.wire_subject,
        f"Date: {format_datetime(timezone.now())}\r\n".encode(),
        message_id_line(one_line(delivery.message_id, "Message-ID")),
        blocks.wire_list_id,
        list_header_line(
            "List-Unsubscribe",
            f"<{unsubscribe}>, <mailto:{mailto}?subject=unsubscribe>",
        ),
        blocks.wire_middle,
    ]
    for chunk in blocks.wire_text:
        if isinstance(chunk, bytes):
            pieces.append(chunk)
        else:
            pieces.append(dot_stuff(fill_lines(chunk, unsubscribe, preferences)))
    pieces.append(blocks.wire_between)
    for chunk in blocks.wire_html:
        if isinstance(chunk, bytes):
            pieces.append(chunk)
        else:
            filled = fill_lines(chunk, html_unsubscribe, html_preferences)
            pieces.append(dot_stuff(filled))
    pieces.append(blocks.wire_end)
    return Outgoing(b"".join(pieces))
