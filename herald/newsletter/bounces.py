"""Acting on bounces and complaints: `record_bounce(event)` is the one action,
and it is safe to run twice on the same report (reports are read by
`bounce_reports.parse_report`):

- hard bounce: the address is suppressed at once (`Suppression`, reason
  hard_bounce), and the matching delivery is marked bounced;
- complaint: the address is suppressed (reason complaint) and every subscription of
  it is unsubscribed;
- soft bounce: the subscriber's `soft_bounces` goes up by one and, when it reaches
  `HERALD_SOFT_BOUNCE_LIMIT`, the address is suppressed (reason soft_bounces).

Choices:

- A delivery counts at most one soft bounce. The count is kept by a marker at the
  start of the delivery's `last_error` ("Soft bounce counted"), set by a conditional
  UPDATE, so the same report processed twice, or a message first delayed and then
  given up by the remote server, counts once. A soft bounce that matches no delivery
  of ours is not counted: it is not evidence about mail we sent.
- Hard bounces and complaints about an address without a subscriber still suppress
  it, so a later sign-up of that address is not mailed.
- An existing suppression is kept as it is (its reason and detail are not replaced).
- The delivery is found by the original Message-ID when the report carries it (from
  the text/rfc822-headers or message/rfc822 part), else it is the latest sent
  delivery to the address. When the Message-ID names a delivery to another address
  and the report's address is not a subscriber's, the mail was forwarded: the
  delivery's own address is the one acted on.
"""

import logging
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from herald.newsletter.bounce_reports import BounceEvent, BounceKind, parse_report
from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
)

logger = logging.getLogger(__name__)

SOFT_BOUNCE_MARK = "Soft bounce counted"
HARD_BOUNCE_MARK = "Hard bounce"
# A delivery in one of these states can be marked bounced: a bounce proves the
# message left. Failed and suppressed are final already; sending belongs to a worker.
BOUNCEABLE_STATES = (
    DeliveryStatus.SENT,
    DeliveryStatus.UNKNOWN,
    DeliveryStatus.DEFERRED,
    DeliveryStatus.BOUNCED,
)


class Outcome(StrEnum):
    """What `record_bounce` did."""

    SUPPRESSED = "suppressed"
    ALREADY_SUPPRESSED = "already suppressed"
    COUNTED = "soft bounce counted"
    ALREADY_COUNTED = "soft bounce already counted"
    NO_DELIVERY = "no delivery of ours: not counted"
    NO_RECIPIENT = "no recipient: nothing to do"


def record_bounce(event: BounceEvent) -> Outcome:
    """Act on one event (see the module docstring); safe to run again for the same
    report. Returns what was done."""
    with transaction.atomic():
        address, delivery = _match(event)
        if not address:
            logger.info("Bounce report names no recipient of ours.")
            return Outcome.NO_RECIPIENT
        if event.kind == BounceKind.HARD:
            return _record_hard(event, address, delivery)
        if event.kind == BounceKind.COMPLAINT:
            return _record_complaint(event, address)
        return _record_soft(event, address, delivery)


def process_report(raw: bytes) -> list[tuple[BounceEvent, Outcome]]:
    """Parse one raw message and record each of its events."""
    return [(event, record_bounce(event)) for event in parse_report(raw)]


def _match(event: BounceEvent) -> tuple[str, Delivery | None]:
    """The address to act on, and the delivery the report is about, if any."""
    address = event.recipient
    delivery = None
    if event.message_id:
        bare = event.message_id
        delivery = (
            Delivery.objects.filter(message_id__in=[f"<{bare}>", bare])
            .select_related("subscription")
            .first()
        )
    if delivery is not None and address and delivery.email != address:
        if Subscriber.objects.filter(email=address).exists():
            delivery = None  # the Message-ID is not this subscriber's
        else:
            address = delivery.email  # forwarded: act on the address we mailed
    if delivery is not None and not address:
        address = delivery.email
    if delivery is None and address:
        delivery = (
            Delivery.objects.filter(email=address, status=DeliveryStatus.SENT)
            .select_related("subscription")
            .order_by("-sent_at", "-pk")
            .first()
        )
    return address, delivery


def _suppress(address: str, reason: str, detail: str) -> bool:
    """Suppress `address`; False if it was suppressed already."""
    _, created = Suppression.objects.get_or_create(
        email=address, defaults={"reason": reason, "detail": detail[:1000]}
    )
    return created


def _note(prefix: str) -> Concat:
    """`last_error` with `prefix` in front of what was there (the server's reply)."""
    return Concat(Value(prefix), F("last_error"), output_field=TextField())


def _record_hard(
    event: BounceEvent, address: str, delivery: Delivery | None
) -> Outcome:
    detail = f"{event.status} {event.diagnostic}".strip()
    created = _suppress(address, SuppressionReason.HARD_BOUNCE, detail)
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk, status__in=BOUNCEABLE_STATES).exclude(
            last_error__contains=HARD_BOUNCE_MARK
        ).update(
            status=DeliveryStatus.BOUNCED,
            last_error=_note(f"{HARD_BOUNCE_MARK} {detail}\n"),
        )
    logger.info(
        "Hard bounce recorded.",
        extra={
            "status": event.status,
            "delivery_id": delivery.pk if delivery else None,
            "new_suppression": created,
        },
    )
    return Outcome.SUPPRESSED if created else Outcome.ALREADY_SUPPRESSED


def _record_complaint(event: BounceEvent, address: str) -> Outcome:
    detail = f"feedback {event.feedback_type} {event.diagnostic}".strip()
    created = _suppress(address, SuppressionReason.COMPLAINT, detail)
    left = Subscription.objects.filter(subscriber__email=address).exclude(
        status=SubscriptionStatus.UNSUBSCRIBED
    )
    unsubscribed = left.update(
        status=SubscriptionStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    logger.info(
        "Complaint recorded.",
        extra={
            "feedback_type": event.feedback_type,
            "unsubscribed": unsubscribed,
            "new_suppression": created,
        },
    )
    return Outcome.SUPPRESSED if created else Outcome.ALREADY_SUPPRESSED


def _record_soft(
    event: BounceEvent, address: str, delivery: Delivery | None
) -> Outcome:
    if Suppression.objects.filter(email=address).exists():
        return Outcome.ALREADY_SUPPRESSED
    if delivery is None:
        logger.info("Soft bounce matches no delivery.", extra={"status": event.status})
        return Outcome.NO_DELIVERY
    detail = f"{event.status} {event.diagnostic}".strip()
    # The conditional UPDATE is the dedupe: only the first report for a delivery
    # changes the row, even with two processes at once.
    counted = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(last_error__contains=SOFT_BOUNCE_MARK)
        .update(last_error=_note(f"{SOFT_BOUNCE_MARK} {detail}\n"))
    )
    if not counted:
        return Outcome.ALREADY_COUNTED
    subscriber_id = delivery.subscription.subscriber_id
    Subscriber.objects.filter(pk=subscriber_id).update(
        soft_bounces=F("soft_bounces") + 1, last_bounce_at=timezone.now()
    )
    count = Subscriber.objects.values_list("soft_bounces", flat=True).get(
        pk=subscriber_id
    )
    limit = settings.HERALD_SOFT_BOUNCE_LIMIT
    logger.info(
        "Soft bounce recorded.",
        extra={"status": event.status, "delivery_id": delivery.pk, "count": count},
    )
    if count >= limit:
        _suppress(
            address, SuppressionReason.SOFT_BOUNCES, f"{count} soft bounces; {detail}"
        )
        return Outcome.SUPPRESSED
    return Outcome.COUNTED


def events_json(results: list[tuple[BounceEvent, Outcome]]) -> list[dict[str, Any]]:
    """The events and outcomes as JSON-ready dicts."""
    return [{**event.as_dict(), "outcome": str(outcome)} for event, outcome in results]
