"""Signed tokens in newsletter links: confirm (expires), and manage (preferences and
unsubscribe; lasts as long as the subscription, since old emails must still work)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from herald.editions.links import edition_origin
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


def manage_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk}, salt=MANAGE_SALT, compress=True)


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


def unsubscribe_url(subscription: Subscription) -> str:
    path = reverse("newsletter:unsubscribe", args=[manage_token(subscription)])
    return edition_origin(subscription.edition) + path


def preferences_url(subscription: Subscription) -> str:
    path = reverse("newsletter:preferences", args=[manage_token(subscription)])
    return edition_origin(subscription.edition) + path
