"""Rendering one delivery's message: the issue's shared blocks are rendered once per
(issue, sections) and cached in the process, already in the form SMTP DATA carries
them; each message splices in only its own links and headers. Optional DKIM
signing of the finished bytes."""

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
from django.utils.crypto import constant_time_compare

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
    BOUNDARY,
    CONSTANTS,
    FOLDED,
    HTML,
    MIME_VERSION,
    ONE_CLICK,
    PLAIN,
    POLICY,
    PREFERENCES_MARK,
    QP,
    UNSUBSCRIBE_MARK,
    Body,
    RenderedMessage,
    Wire,
    address_line,
    fill_lines,
    fold,
    header,
    list_header_line,
    message_id_line,
    multipart_body,
    one_line,
    part,
)
from herald.newsletter.transport import Outgoing, dot_stuff

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
    "render_outgoing",
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
    # The same message in SMTP DATA form (render_outgoing): its static runs, in
    # order around the personal headers and lines, dot-stuffed once.
    wire_from: bytes
    wire_subject: bytes
    wire_list_id: bytes
    wire_middle: bytes
    wire_text: tuple[bytes | str, ...]
    wire_between: bytes
    wire_html: tuple[bytes | str, ...]
    wire_end: bytes
    # Each personal link is these around the subscription's token.
    unsubscribe_link: tuple[str, str]
    preferences_link: tuple[str, str]


def _list_id(edition: Edition) -> str:
    """`Japan Herald daily <japan-herald.newsletter.japanherald.com>` (RFC 2919)."""
    host = urlsplit(edition_origin(edition)).hostname or "herald.localhost"
    phrase = one_line(f"{edition.name} daily", "edition name")
    # A non-ASCII phrase becomes encoded words when the header is folded.
    if phrase.isascii() and any(c in phrase for c in '()<>@,;:\\".[]'):
        phrase = '"' + phrase.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{edition.slug}.newsletter.{host}>"


@dataclass(frozen=True)
class _Teasers:
    """An issue's teasers for every section it holds, loaded once and shared by the
    blocks of every set of sections (the stories' queries and text cost more than
    rendering the templates)."""

    top: list[Teaser]
    sections: list[tuple[int, str, list[Teaser]]]  # (section id, name, teasers)
    releases: list[Teaser]
    date_words: str
    home_url: str
    archive_url: str


def _load_teasers(issue: Issue) -> _Teasers:
    edition = issue.edition
    contents = issue_contents(issue)
    lead_image = bool(contents.top)
    return _Teasers(
        top=[
            teaser(s, edition, with_image=lead_image and i == 0)
            for i, s in enumerate(contents.top)
        ],
        sections=[
            (section.pk, section.name, [teaser(s, edition) for s in items])
            for section, items in contents.sections
        ],
        releases=[teaser(s, edition) for s in contents.releases],
        date_words=date_in_words(issue.local_date),
        home_url=edition_origin(edition) + "/",
        archive_url=archive_url(edition, issue.local_date),
    )


def _render_blocks(
    issue: Issue, section_ids: frozenset[int] | None, teasers: _Teasers
) -> _Blocks:
    edition = issue.edition
    context = {
        "edition": edition,
        "subject": issue.subject,
        "date_words": teasers.date_words,
        "home_url": teasers.home_url,
        "archive_url": teasers.archive_url,
        "top": teasers.top,
        "sections": [
            (name, items)
            for pk, name, items in teasers.sections
            if section_ids is None or pk in section_ids
        ],
        "releases": teasers.releases,
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
    html = Body.split(render_to_string("newsletter/email/issue.html", context))
    text = Body.split(render_to_string("newsletter/email/issue.txt", context))
    boundary = BOUNDARY.encode()
    # The order of render_delivery's headers and of multipart_body(); the text
    # between the parts starts on the last line of a body, with its CRLF.
    middle = b"".join(
        [
            fold(ONE_CLICK),
            fold(list_archive),
            FOLDED[id(MIME_VERSION)],
            FOLDED[id(ALTERNATIVE)],
            b"\r\n--" + boundary + b"\r\n",
            FOLDED[id(PLAIN)] + FOLDED[id(QP)] + b"\r\n",
        ]
    )
    between = b"\r\n--" + boundary + b"\r\n" + FOLDED[id(HTML)] + FOLDED[id(QP)]
    return _Blocks(
        html=html,
        text=text,
        sender=sender,
        subject=subject,
        list_id=list_id,
        list_archive=list_archive,
        sender_domain=address.rpartition("@")[2],
        edition=edition,
        folded={id(h): (h, fold(h)) for h in shared},
        wire_from=dot_stuff(fold(sender)),
        wire_subject=dot_stuff(fold(subject)),
        wire_list_id=dot_stuff(fold(list_id)),
        wire_middle=dot_stuff(middle),
        wire_text=text.wire(),
        wire_between=dot_stuff(between + b"\r\n"),
        wire_html=html.wire(),
        wire_end=b"\r\n--" + boundary + b"--\r\n",
        unsubscribe_link=tokens.manage_link(edition, "unsubscribe"),
        preferences_link=tokens.manage_link(edition, "preferences"),
    )


_blocks_cache: "OrderedDict[tuple[Any, ...], tuple[float, _Blocks]]" = OrderedDict()
_teasers_cache: "OrderedDict[tuple[Any, ...], tuple[float, _Teasers]]" = OrderedDict()
_blocks_lock = threading.Lock()
TEASERS_CACHE_SIZE = 16


def _cached_teasers(issue: Issue, now: float) -> tuple[float, _Teasers]:
    """(when they expire, the issue's teasers)."""
    key = (issue.pk, issue.built_at)
    with _blocks_lock:
        hit = _teasers_cache.get(key)
        if hit is not None and hit[0] > now:
            _teasers_cache.move_to_end(key)
            return hit
    made = (now + BLOCK_TTL_SECONDS, _load_teasers(issue))
    with _blocks_lock:
        _teasers_cache[key] = made
        while len(_teasers_cache) > TEASERS_CACHE_SIZE:
            _teasers_cache.popitem(last=False)
    return made


def _shared_blocks(issue: Issue, section_ids: frozenset[int] | None) -> _Blocks:
    """The cached blocks; built_at is in the key so that a reused primary key (a
    test database, a restored backup) never finds another issue's blocks. Blocks
    expire with the teasers they were made from, so no message is rendered from
    stories loaded more than BLOCK_TTL_SECONDS before."""
    key = (issue.pk, issue.built_at, section_ids)
    now = time.monotonic()
    with _blocks_lock:
        hit = _blocks_cache.get(key)
        if hit is not None and hit[0] > now:
            _blocks_cache.move_to_end(key)
            return hit[1]
    expires, teasers = _cached_teasers(issue, now)
    blocks = _render_blocks(issue, section_ids, teasers)
    with _blocks_lock:
        _blocks_cache[key] = (expires, blocks)
        while len(_blocks_cache) > BLOCK_CACHE_SIZE:
            _blocks_cache.popitem(last=False)
    return blocks


def clear_render_cache() -> None:
    """Forget every cached block (tests; after editing an issue by hand)."""
    with _blocks_lock:
        _blocks_cache.clear()
        _teasers_cache.clear()


# --- One message ------------------------------------------------------------------


def mailto_unsubscribe_address(subscription: Subscription, domain: str) -> str:
    """`unsubscribe+<id>-<mac>@domain`: short enough for a mailbox name (64
    characters), and only Herald can make one."""
    mac = tokens.salted_hmac(MAILTO_SALT, str(subscription.pk).encode()).hexdigest()
    return f"unsubscribe+{subscription.pk}-{mac[:20]}@{domain}"


def read_mailto_unsubscribe_address(address: str) -> int | None:
    """The subscription id an unsubscribe mail was sent to, or None when the
    address is not one Herald made."""
    local = address.strip().strip("<>").rpartition("@")[0].lower()
    pk, _, mac = local.removeprefix("unsubscribe+").partition("-")
    if not local.startswith("unsubscribe+") or not pk.isdigit():
        return None
    expected = tokens.salted_hmac(MAILTO_SALT, pk.encode()).hexdigest()[:20]
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
    blocks = _shared_blocks(issue, _section_key(issue, delivery, section_ids))
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


# --- DKIM ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _private_key(path: str, modified: int) -> bytes:
    with open(path, "rb") as key_file:
        return key_file.read()


def dkim_configured() -> bool:
    """Whether messages are signed: HERALD_DKIM_KEY_FILE, _SELECTOR and _DOMAIN
    all set (ImproperlyConfigured when only some are)."""
    path = settings.HERALD_DKIM_KEY_FILE
    selector = settings.HERALD_DKIM_SELECTOR
    domain = settings.HERALD_DKIM_DOMAIN
    if not (path or selector or domain):
        return False
    if not (path and selector and domain):
        raise ImproperlyConfigured(
            "DKIM needs HERALD_DKIM_KEY_FILE, HERALD_DKIM_SELECTOR and "
            "HERALD_DKIM_DOMAIN together."
        )
    return True


def sign_dkim(message_bytes: bytes) -> bytes:
    """The message with a DKIM-Signature (relaxed/relaxed, rsa-sha256) covering
    From, To, Subject, Date, Message-ID and the list headers, when
    HERALD_DKIM_KEY_FILE, _SELECTOR and _DOMAIN are set; else unchanged."""
    if not dkim_configured():
        return message_bytes
    path = settings.HERALD_DKIM_KEY_FILE
    selector = settings.HERALD_DKIM_SELECTOR
    domain = settings.HERALD_DKIM_DOMAIN
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
