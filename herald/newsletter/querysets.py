"""Named reads of subscriptions and deliveries, shared by sending and the desk."""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count

if TYPE_CHECKING:
    from datetime import datetime

    # Delivery and Subscription are named in the QuerySet[...] strings below.
    from herald.newsletter.models import Delivery, Issue, Subscription  # noqa: F401


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def confirmed(self) -> "SubscriptionQuerySet":
        """Subscriptions that get issues: confirmed and not left since."""
        from herald.newsletter.models import SubscriptionStatus

        return self.filter(status=SubscriptionStatus.CONFIRMED)


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def for_issue(self, issue: "Issue") -> "DeliveryQuerySet":
        """The deliveries of one issue."""
        return self.filter(issue=issue)

    def unknown(self) -> "DeliveryQuerySet":
        """Deliveries whose fate is unknown: they wait for reconciliation."""
        from herald.newsletter.models import DeliveryStatus

        return self.filter(status=DeliveryStatus.UNKNOWN)

    def lease_expired(self, now: "datetime") -> "DeliveryQuerySet":
        """Rows left in sending by a worker whose lease ran out before `now`."""
        from herald.newsletter.models import DeliveryStatus

        return self.filter(status=DeliveryStatus.SENDING, lease_expires_at__lt=now)

    def status_counts(self) -> dict[str, int]:
        """How many of these deliveries are in each state (states with none are
        absent)."""
        rows = self.values("status").annotate(n=Count("pk"))
        return {r["status"]: r["n"] for r in rows}
