"""The verbs that change a reader's subscriptions: sign up, confirm, change
sections and leave, each one action (a mail to the List-Unsubscribe address
included). Issues are built by `building.build_issue` and sent by
`sending.send_issue`; bounces are recorded by `bounces.record_bounce`."""

import logging
import smtplib
from collections.abc import Iterable
from enum import StrEnum

from django.core.mail import BadHeaderError
from django.db import transaction
from django.utils import timezone

from herald.core import ratelimit
from herald.editions.models import Edition
from herald.newsletter import limits
from herald.newsletter.confirmation import UnsafeHeader, send_confirmation
from herald.newsletter.models import (
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    normalize_email,
)
from herald.stories.models import Section

logger = logging.getLogger(__name__)


class ConfirmRefused(Exception):
    """The subscription was left after its confirmation link was sent; the old link
    must not bring it back."""


class SignUp(StrEnum):
    """What a sign-up did. The reader is never told: every outcome shows the same
    page."""

    CONFIRMATION_SENT = "confirmation_sent"
    REMINDER_SENT = "reminder_sent"  # already confirmed: a link to preferences
    SUPPRESSED = "suppressed"  # bounced or complained: nothing sent
    LIMITED = "limited"  # too many mails to this address today: nothing sent
    MAIL_FAILED = "mail_failed"  # the mail server refused or could not be reached


class Via(StrEnum):
    """How a reader left."""

    ONE_CLICK = "one-click"  # RFC 8058 POST from a mail provider
    LINK = "link"  # the unsubscribe page's button
    PREFERENCES = "preferences"  # the preferences page's button
    EMAIL = "email"  # a mail to the List-Unsubscribe mailto address


def subscribe(
    email: str,
    *,
    edition: Edition,
    sections: Iterable[Section],
    origin: str | None = None,
) -> SignUp:
    """Ask `email` to confirm a subscription to `edition` with `sections` (none
    means every section).

    A new, pending or unsubscribed subscription becomes pending with these
    sections, and a confirmation link is mailed. A confirmed one is left as it is,
    and the address is mailed a link to its preferences instead. A suppressed
    address, or one mailed too often today, is sent nothing. The subscription is
    committed before the mail is sent, so a mail error leaves a pending row that
    the next sign-up reuses. `origin` is the scheme and host the links point to
    (the edition's own by default)."""
    address = normalize_email(email)
    extra = {"edition_id": edition.pk}
    if Suppression.objects.filter(email__iexact=address).exists():
        logger.info("Newsletter sign-up for a suppressed address.", extra=extra)
        return SignUp.SUPPRESSED
    if not (
        ratelimit.hit(limits.MAILS_PER_ADDRESS, f"{edition.pk}:{address}").allowed
        and ratelimit.hit(limits.MAILS_PER_ADDRESS_NETWORK, address).allowed
    ):
        logger.info("Newsletter sign-up over the per-address limit.", extra=extra)
        return SignUp.LIMITED
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=address)
        subscription, _ = Subscription.objects.select_for_update().get_or_create(
            subscriber=subscriber, edition=edition
        )
        already = subscription.status == SubscriptionStatus.CONFIRMED
        if not already:
            subscription.status = SubscriptionStatus.PENDING
            subscription.save(update_fields=["status"])
            subscription.sections.set(list(sections))
    extra["subscription_id"] = subscription.pk
    try:
        send_confirmation(subscription, origin=origin)
    except (smtplib.SMTPException, OSError, UnsafeHeader, BadHeaderError):
        logger.exception("Newsletter confirmation email failed.", extra=extra)
        return SignUp.MAIL_FAILED
    outcome = SignUp.REMINDER_SENT if already else SignUp.CONFIRMATION_SENT
    logger.info("Newsletter sign-up mailed.", extra={**extra, "outcome": outcome})
    return outcome


def confirm(subscription: Subscription) -> Subscription:
    """Make a pending subscription confirmed, as of now. A confirmed one stays as it
    is. One that was left raises ConfirmRefused."""
    with transaction.atomic():
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if current.status == SubscriptionStatus.UNSUBSCRIBED:
            raise ConfirmRefused("This subscription was left after the link was sent.")
        if current.status == SubscriptionStatus.PENDING:
            current.status = SubscriptionStatus.CONFIRMED
            current.confirmed_at = timezone.now()
            current.save(update_fields=["status", "confirmed_at"])
            logger.info(
                "Newsletter subscription confirmed.",
                extra={"subscription_id": current.pk, "edition_id": current.edition_id},
            )
    subscription.status, subscription.confirmed_at = (
        current.status,
        current.confirmed_at,
    )
    return subscription


def set_sections(subscription: Subscription, sections: Iterable[Section]) -> None:
    """The subscription's issues hold `sections` from now on; none means all."""
    with transaction.atomic():
        Subscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.sections.set(list(sections))
    logger.info(
        "Newsletter sections changed.", extra={"subscription_id": subscription.pk}
    )


def unsubscribe(subscription: Subscription, *, how: Via) -> bool:
    """The subscription gets no more issues, as of now; True if it was still on.
    Safe to repeat: leaving twice keeps the first time."""
    with transaction.atomic():
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        changed = current.status != SubscriptionStatus.UNSUBSCRIBED
        if changed:
            current.status = SubscriptionStatus.UNSUBSCRIBED
            current.unsubscribed_at = timezone.now()
            current.save(update_fields=["status", "unsubscribed_at"])
    subscription.status, subscription.unsubscribed_at = (
        current.status,
        current.unsubscribed_at,
    )
    if changed:
        logger.info(
            "Newsletter subscription left.",
            extra={"subscription_id": subscription.pk, "via": str(how)},
        )
    return changed


def unsubscribe_by_mail(raw: bytes) -> bool:
    """Handle a mail sent to a List-Unsubscribe `mailto:` address Herald made
    (`unsubscribe+<id>-<signature>@…`); True if the message was one. Forged or
    unknown addresses are not unsubscribed."""
    import email
    import email.policy
    from email.utils import getaddresses

    from herald.newsletter.rendering.signing import read_mailto_unsubscribe_address

    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        fields = [
            str(v)
            for name in ("Delivered-To", "X-Original-To", "To", "Envelope-To")
            for v in message.get_all(name, [])
        ]
    except (ValueError, TypeError, IndexError):
        return False
    for _, address in getaddresses(fields):
        pk = read_mailto_unsubscribe_address(address)
        if pk is None:
            continue
        subscription = Subscription.objects.filter(pk=pk).first()
        if subscription is not None:
            unsubscribe(subscription, how=Via.EMAIL)
        return True
    return False
