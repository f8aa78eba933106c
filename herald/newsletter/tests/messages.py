"""Reading a rendered message in tests: as sent and as the message object writes
it, parsed strictly, with its personal tokens checked and masked."""

import email
import email.policy
import re
import smtplib
import time
from email.message import EmailMessage
from typing import Any

from herald.newsletter import tokens
from herald.newsletter.models import Delivery, Subscription
from herald.newsletter.rendering.message import render_delivery, render_outgoing
from herald.newsletter.transport import Outgoing


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
