"""What a reader does, in tests: sign up through the page, follow the links of the
mail, open pages as a browser without cookies."""

import re
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from herald.editions.models import Edition
from herald.newsletter.models import Subscription, SubscriptionStatus
from herald.newsletter.tests.inbox import Inbox
from herald.stories.models import Section

JAPAN = "japan-herald.localhost"
INDIA = "india-herald.localhost"


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


def confirmed(sink: Inbox, address: str, **kwargs: Any) -> Subscription:
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
