"""The blocks every subscriber of one issue with the same sections shares, rendered
once per (issue, sections) and cached in the process, already in the form SMTP DATA
carries them; each message splices in only its own links and headers."""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any
from urllib.parse import urlsplit

from django.template.loader import render_to_string

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter import tokens
from herald.newsletter.building import date_in_words
from herald.newsletter.models import Issue
from herald.newsletter.rendering.contents import (
    Teaser,
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
    PREFERENCES_MARK,
    QP,
    UNSUBSCRIBE_MARK,
    Body,
    fold,
    header,
    one_line,
)
from herald.newsletter.transport import dot_stuff

# Shared blocks are re-rendered after this long, so a story retracted during a
# long send leaves the messages not yet rendered.
BLOCK_TTL_SECONDS = 60
BLOCK_CACHE_SIZE = 256


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


def shared_blocks(issue: Issue, section_ids: frozenset[int] | None) -> _Blocks:
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
