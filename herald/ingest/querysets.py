"""Named reads of sources and wire items, reused by the desk, the worker and tests."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

if TYPE_CHECKING:
    from herald.ingest.models import Source, WireItem  # noqa: F401


class SourceQuerySet(models.QuerySet["Source"]):
    def active(self) -> "SourceQuerySet":
        return self.filter(is_active=True)

    def due(self, now: datetime | None = None) -> "SourceQuerySet":
        """Active sources whose next poll has come."""
        return self.active().filter(next_poll_at__lte=now or timezone.now())

    def with_health(self, now: datetime | None = None) -> "SourceQuerySet":
        """Annotate `items_24h`: wire items received in the last 24 hours."""
        since = (now or timezone.now()) - timedelta(hours=24)
        return self.annotate(
            items_24h=Count("items", filter=Q(items__received_at__gte=since))
        )


class WireItemQuerySet(models.QuerySet["WireItem"]):
    def latest_first(self) -> "WireItemQuerySet":
        return self.order_by("-received_at", "-id")

    def for_routing(self) -> "WireItemQuerySet":
        return self.select_related("source")
