"""Rendering one delivery's message: the issue's shared blocks are rendered once per
(issue, sections) and cached in the process; each message adds only its own links
and headers. Optional DKIM signing of the finished bytes."""

import functools
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter import tokens
from herald.newsletter.building import date_in_words
from herald.newsletter.models import Delivery, Issue, Subscription
from herald.newsletter.rendering.contents import (
    IssueContents,
    Teaser,
    archive_issue_path,
    archive_path,
    archive_url,
    issue_contents,
    teaser,
)
from herald.newsletter.rendering.mime import (
    ALTERNATIVE,
    CONSTANTS,
    HTML,
    MIME_VERSION,
    ONE_CLICK,
    PLAIN,
    POLICY,
    PREFERENCES_MARK,
    UNSUBSCRIBE_MARK,
    Body,
    RenderedMessage,
    Wire,
    fold,
    header,
    multipart_body,
    one_line,
    part,
)

__all__ = [
    "IssueContents",
    "RenderedMessage",
    "Teaser",
    "archive_issue_path",
    "archive_path",
    "archive_url",
    "clear_render_cache",
    "issue_contents",
    "mailto_unsubscribe_address",
    "read_mailto_unsubscribe_address",
    "render_delivery",
    "sign_dkim",
]

# Shared blocks are re-rendered after this long, so a story retracted during a
# long send leaves the messages not yet rendered.
BLOCK_TTL_SECONDS = 60
BLOCK_CACHE_SIZE = 256
MAILTO_SALT = "herald.newsletter.unsubscribe-mailto"
DKIM_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
]


@dataclass(frozen=True)
class _Blocks:
    """What every subscriber of one issue with the same sections shares."""

    html: Body
    text: Body
    sender: Any
    subject: Any
    list_id: Any
    list_archive: Any
    sender_domain: str
    edition: Edition
    # id(header) -> (header, its folded bytes), for the headers above and the
    # constant ones: folding costs as much as parsing, so it is done once.
    folded: dict[int, tuple[object, bytes]]


def _list_id(edition: Edition) -> str:
    """`Japan Herald daily <japan-herald.newsletter.japanherald.com>` (RFC 2919)."""
    host = urlsplit(edition_origin(edition)).hostname or "herald.localhost"
    phrase = one_line(f"{edition.name} daily", "edition name")
    # A non-ASCII phrase becomes encoded words when the header is folded.
    if phrase.isascii() and any(c in phrase for c in '()<>@,;:\\".[]'):
        phrase = '"' + phrase.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{edition.slug}.newsletter.{host}>"


def _render_blocks(issue: Issue, section_ids: frozenset[int] | None) -> _Blocks:
    edition = issue.edition
    contents = issue_contents(issue, section_ids)
    lead_image = bool(contents.top)
    context = {
        "edition": edition,
        "subject": issue.subject,
        "date_words": date_in_words(issue.local_date),
        "home_url": edition_origin(edition) + "/",
        "archive_url": archive_url(edition, issue.local_date),
        "top": [
            teaser(s, edition, with_image=lead_image and i == 0)
            for i, s in enumerate(contents.top)
        ],
        "sections": [
            (section.name, [teaser(s, edition) for s in items])
            for section, items in contents.sections
        ],
        "releases": [teaser(s, edition) for s in contents.releases],
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "preferences_url": PREFERENCES_MARK,
    }
    name = one_line(edition.newsletter_sender_name, "sender name")
    address = one_line(edition.newsletter_sender_email, "sender address")
    sender = header("From", formataddr((name, address)))
    subject = header("Subject", one_line(issue.subject, "subject"))
    list_id = header("List-Id", _list_id(edition))
    list_archive = header(
        "List-Archive", f"<{edition_origin(edition)}{archive_path()}>"
    )
    shared = (sender, subject, list_id, list_archive, *CONSTANTS)
    return _Blocks(
        html=Body.split(render_to_string("newsletter/email/issue.html", context)),
        text=Body.split(render_to_string("newsletter/email/issue.txt", context)),
        sender=sender,
        subject=subject,
        list_id=list_id,
        list_archive=list_archive,
        sender_domain=address.rpartition("@")[2],
        edition=edition,
        folded={id(h): (h, fold(h)) for h in shared},
    )


_blocks_cache: "OrderedDict[tuple[Any, ...], tuple[float, _Blocks]]" = OrderedDict()
_blocks_lock = threading.Lock()


def _shared_blocks(issue: Issue, section_ids: frozenset[int] | None) -> _Blocks:
    """The cached blocks; built_at is in the key so that a reused primary key (a
    test database, a restored backup) never finds another issue's blocks."""
    key = (issue.pk, issue.built_at, section_ids)
    now = time.monotonic()
    with _blocks_lock:
        hit = _blocks_cache.get(key)
        if hit is not None and hit[0] > now:
            _blocks_cache.move_to_end(key)
            return hit[1]
    blocks = _render_blocks(issue, section_ids)
    with _blocks_lock:
        _blocks_cache[key] = (now + BLOCK_TTL_SECONDS, blocks)
        while len(_blocks_cache) > BLOCK_CACHE_SIZE:
            _blocks_cache.popitem(last=False)
    return blocks


def clear_render_cache() -> None:
    """Forget every cached block (tests; after editing an issue by hand)."""
    with _blocks_lock:
        _blocks_cache.clear()


# --- One message ------------------------------------------------------------------


def mailto_unsubscribe_address(subscription: Subscription, domain: str) -> str:
    """`unsubscribe+<id>-<mac>@domain`: short enough for a mailbox name (64
    characters), and only Herald can make one."""
    mac = salted_hmac(MAILTO_SALT, str(subscription.pk)).hexdigest()[:20]
    return f"unsubscribe+{subscription.pk}-{mac}@{domain}"


def read_mailto_unsubscribe_address(address: str) -> int | None:
    """The subscription id an unsubscribe mail was sent to, or None when the
    address is not one Herald made."""
    local = address.strip().strip("<>").rpartition("@")[0].lower()
    pk, _, mac = local.removeprefix("unsubscribe+").partition("-")
    if not local.startswith("unsubscribe+") or not pk.isdigit():
        return None
    expected = salted_hmac(MAILTO_SALT, pk).hexdigest()[:20]
    return int(pk) if constant_time_compare(mac, expected) else None


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
    blocks = _shared_blocks(issue, _section_key(issue, delivery, section_ids))
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


# --- DKIM ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _private_key(path: str, modified: int) -> bytes:
    with open(path, "rb") as key_file:
        return key_file.read()


def sign_dkim(message_bytes: bytes) -> bytes:
    """The message with a DKIM-Signature (relaxed/relaxed, rsa-sha256) covering
    From, To, Subject, Date, Message-ID and the list headers, when
    HERALD_DKIM_KEY_FILE, _SELECTOR and _DOMAIN are set; else unchanged."""
    path = settings.HERALD_DKIM_KEY_FILE
    selector = settings.HERALD_DKIM_SELECTOR
    domain = settings.HERALD_DKIM_DOMAIN
    if not (path or selector or domain):
        return message_bytes
    if not (path and selector and domain):
        raise ImproperlyConfigured(
            "DKIM needs HERALD_DKIM_KEY_FILE, HERALD_DKIM_SELECTOR and "
            "HERALD_DKIM_DOMAIN together."
        )
    import dkim  # optional: only installs that sign need it

    key = _private_key(path, os.stat(path).st_mtime_ns)
    signature: bytes = dkim.sign(
        message_bytes,
        selector.encode(),
        domain.encode(),
        key,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=DKIM_HEADERS,
    )
    return signature + message_bytes
