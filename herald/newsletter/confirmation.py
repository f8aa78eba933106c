"""The mail a sign-up sends: a confirmation link for a pending subscription, or a
link to the preferences of a confirmed one."""

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter.models import Subscription, SubscriptionStatus
from herald.newsletter.tokens import confirm_token, manage_token


class UnsafeHeader(ValueError):
    """A value meant for a mail header holds a line break."""


def header_text(value: str, *, what: str) -> str:
    """`value`, refused if it holds CR, LF or any other line break, which would let
    it start a new header."""
    if "".join(value.splitlines()) != value:
        raise UnsafeHeader(f"The {what} holds a line break: {value!r}.")
    return value


def sender_address(edition: Edition) -> str:
    """`"Japan Herald Daily" <daily@japanherald.com>`, the From of the edition's
    newsletter mail."""
    name = header_text(edition.newsletter_sender_name, what="sender name")
    address = header_text(edition.newsletter_sender_email, what="sender address")
    return formataddr((name, address))


def confirmation_message(
    subscription: Subscription, *, origin: str | None = None
) -> EmailMultiAlternatives:
    """The mail a sign-up sends: a confirmation link for a pending subscription, or
    a link to the preferences of a confirmed one. Refuses a sender name or edition
    name that holds a line break (UnsafeHeader)."""
    edition = subscription.edition
    base = origin or edition_origin(edition)
    already = subscription.status == SubscriptionStatus.CONFIRMED
    manage = manage_token(subscription)
    context = {
        "edition": edition,
        "already": already,
        "confirm_url": base
        + reverse("newsletter:confirm", args=[confirm_token(subscription)]),
        "preferences_url": base + reverse("newsletter:preferences", args=[manage]),
        "days": settings.HERALD_NEWSLETTER_CONFIRM_DAYS,
        "chosen": list(subscription.sections.all()),
    }
    subject = (
        f"You already get the daily {edition.name}"
        if already
        else f"Confirm your subscription to {edition.name}"
    )
    message = EmailMultiAlternatives(
        subject=header_text(subject, what="subject"),
        body=render_to_string("newsletter/email/confirm.txt", context),
        from_email=sender_address(edition),
        to=[subscription.subscriber.email],
    )
    message.attach_alternative(
        render_to_string("newsletter/email/confirm.html", context), "text/html"
    )
    return message


def send_confirmation(subscription: Subscription, *, origin: str | None = None) -> None:
    """Build and send the sign-up mail. Raises what the mail server or
    `confirmation_message` raise."""
    confirmation_message(subscription, origin=origin).send()
