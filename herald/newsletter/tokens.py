"""Signed tokens in newsletter links: confirm (expires), and manage (preferences and
unsubscribe; lasts as long as the subscription, since old emails must still work)."""

import base64
import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter.models import Subscription

CONFIRM_SALT = "herald.newsletter.confirm"
MANAGE_SALT = "herald.newsletter.manage"


class BadToken(Exception):
    """The link is malformed, tampered with, or expired."""


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps(
        {"s": subscription.pk, "e": subscription.subscriber.email},
        salt=CONFIRM_SALT,
        compress=True,
    )


@functools.lru_cache(maxsize=16)
def _keyed(key_salt: str, secret: str | bytes, algorithm: str) -> "hmac.HMAC":
    hasher = getattr(hashlib, algorithm)
    key = hasher(force_bytes(key_salt) + force_bytes(secret)).digest()
    return hmac.new(key, digestmod=hasher)


def salted_hmac(key_salt: str, value: bytes, *, algorithm: str = "sha1") -> "hmac.HMAC":
    """django.utils.crypto.salted_hmac with settings.SECRET_KEY, with the derived
    key set up once per process rather than once per call (a newsletter send
    makes two or three of these per message)."""
    mac = _keyed(key_salt, settings.SECRET_KEY, algorithm).copy()
    mac.update(value)
    return mac


def _signed(obj: dict[str, int], salt: str) -> str:
    """What `signing.dumps(obj, salt=salt)` makes (a TimestampSigner token, read
    by `signing.loads`), made with the key set up once. Not compressed: these
    objects are a few bytes, which zlib never shortens but costs 60 µs to try."""
    data = json.dumps(obj, separators=(",", ":")).encode("latin-1")
    value = (
        base64.urlsafe_b64encode(data).rstrip(b"=")
        + b":"
        + signing.b62_encode(int(time.time())).encode()
    )
    mac = salted_hmac(salt + "signer", value, algorithm="sha256")
    return (value + b":" + base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")).decode()


def manage_token(subscription: Subscription) -> str:
    return _signed({"s": subscription.pk}, MANAGE_SALT)


def read_confirm_token(token: str) -> Subscription:
    """The subscription a confirmation link is for; BadToken if it is not valid,
    has expired (HERALD_NEWSLETTER_CONFIRM_DAYS), or the address changed."""
    try:
        data = signing.loads(
            token,
            salt=CONFIRM_SALT,
            max_age=settings.HERALD_NEWSLETTER_CONFIRM_DAYS * 86400,
        )
    except signing.SignatureExpired as exc:
        raise BadToken("This confirmation link has expired.") from exc
    except signing.BadSignature as exc:
        raise BadToken("This confirmation link is not valid.") from exc
    sub = (
        Subscription.objects.select_related("subscriber", "edition")
        .filter(pk=data.get("s"))
        .first()
    )
    if sub is None or sub.subscriber.email != data.get("e"):
        raise BadToken("This confirmation link is not valid.")
    return sub


def read_manage_token(token: str) -> Subscription:
    try:
        data = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature as exc:
        raise BadToken("This link is not valid.") from exc
    sub = (
        Subscription.objects.select_related("subscriber", "edition")
        .filter(pk=data.get("s"))
        .first()
    )
    if sub is None:
        raise BadToken("This link is not valid.")
    return sub


def confirm_url(subscription: Subscription) -> str:
    path = reverse("newsletter:confirm", args=[confirm_token(subscription)])
    return edition_origin(subscription.edition) + path


# A token is URL-safe base64 and colons, which reverse() leaves as they are, so a
# link is the same URL reversed once around this stand-in.
_TOKEN_MARK = "herald-token"  # noqa: S105 - a stand-in, not a secret


def manage_link(edition: Edition, view: str) -> tuple[str, str]:
    """The `unsubscribe` or `preferences` URL of `edition` before and after its
    token, for building many links with one reverse()."""
    url = edition_origin(edition) + reverse(f"newsletter:{view}", args=[_TOKEN_MARK])
    before, _, after = url.partition(_TOKEN_MARK)
    return before, after


def unsubscribe_url(subscription: Subscription) -> str:
    before, after = manage_link(subscription.edition, "unsubscribe")
    return before + manage_token(subscription) + after


def preferences_url(subscription: Subscription) -> str:
    before, after = manage_link(subscription.edition, "preferences")
    return before + manage_token(subscription) + after
