"""Delivery rows and their leases: made once per confirmed subscription, claimed in
batches by sending workers, handed back, or expired into unknown."""

import functools
import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    Subscription,
    SubscriptionStatus,
    Suppression,
)

CREATE_BATCH = 2000


def _message_ids(issue: Issue) -> Callable[[int], str]:
    """The Message-ID of each subscription's delivery of `issue`: fixed per (issue,
    subscriber), unguessable, and the same if computed again."""
    keyed = hmac.new(settings.SECRET_KEY.encode(), digestmod=hashlib.sha256)
    domain = (
        issue.edition.newsletter_sender_email.rpartition("@")[2] or "herald.invalid"
    )

    def message_id(subscription_id: int) -> str:
        mac = keyed.copy()
        mac.update(f"{issue.pk}:{subscription_id}".encode())
        return f"<{issue.pk}.{subscription_id}.{mac.hexdigest()[:16]}@{domain}>"

    return message_id


@functools.lru_cache(maxsize=4)
def _insert_sql(vendor: str) -> str:
    """INSERT of queued deliveries that leaves a row that exists alone (SQLite 3.24+
    and PostgreSQL spell it the same)."""
    meta = Delivery._meta
    q = connection.ops.quote_name
    names = ["issue", "subscription", "email", "message_id", "status", "attempts"]
    names += ["lease_owner", "last_error"]
    columns = ", ".join(q(meta.get_field(n).column) for n in names)  # type: ignore[union-attr, arg-type]
    values = ", ".join(["%s"] * len(names))
    return (
        f"INSERT INTO {q(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({values}) ON CONFLICT DO NOTHING"
    )


def ensure_deliveries(issue: Issue) -> int:
    """Make a queued delivery for every confirmed subscription of the issue's edition.
    Resumable: made in batches, and a row that exists is left alone."""
    before = Delivery.objects.for_issue(issue).count()
    message_id = _message_ids(issue)
    last = 0
    while True:
        batch = list(
            Subscription.objects.confirmed()
            .filter(edition_id=issue.edition_id, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "subscriber__email")[:CREATE_BATCH]
        )
        if not batch:
            return Delivery.objects.for_issue(issue).count() - before
        last = batch[-1][0]
        # Raw SQL: making and saving 100,000 model objects costs more than sending.
        queued = DeliveryStatus.QUEUED.value
        rows = [
            (issue.pk, pk, email, message_id(pk), queued, 0, "", "")
            for pk, email in batch
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_insert_sql(connection.vendor), rows)


def expire_leases(issue: Issue | None, now: datetime | None = None) -> int:
    """Rows left in sending by a worker whose lease ran out become unknown: of
    `issue`, or of every issue when it is None."""
    now = now or timezone.now()
    rows = Delivery.objects.lease_expired(now)
    if issue is not None:
        rows = rows.for_issue(issue)
    return rows.update(
        status=DeliveryStatus.UNKNOWN, lease_owner="", lease_expires_at=None
    )


def claim(
    issue: Issue, *, worker: str, limit: int, now: datetime | None = None
) -> list[Delivery]:
    """Lease up to `limit` sendable deliveries to `worker`. Unsubscribed and
    suppressed addresses are settled here, so they take effect within a send."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.HERALD_NEWSLETTER_LEASE_SECONDS)
    with transaction.atomic():
        # One query per sendable status, each read in id order on the claim index
        # (issue, status, id) and merged: with `status IN (...)` SQLite walks the
        # issue's rows in id order past every row already sent, a scan that grows
        # with the issue (and holds the write lock while it runs).
        ids: list[int] = []
        for status in (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED):
            ready = (
                Delivery.objects.filter(issue=issue, status=status)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
                .order_by("pk")
            )
            if connection.features.has_select_for_update_skip_locked:
                ready = ready.select_for_update(skip_locked=True)
            ids += ready.values_list("pk", flat=True)[:limit]
        ids = sorted(ids)[:limit]
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            lease_owner=worker, lease_expires_at=now + lease
        )
    claimed = list(
        Delivery.objects.filter(pk__in=ids, lease_owner=worker)
        .select_related("subscription")
        # What sending and rendering read; loading the rest costs a conversion each.
        .only(
            "email",
            "message_id",
            "attempts",
            "issue_id",
            "subscription__status",
            "subscription__edition_id",
        )
        .order_by("pk")
    )
    # One fresh copy of the issue and its edition for the whole batch, and the
    # chosen sections of every subscription in one query, so that rendering a
    # message asks the database nothing.
    fresh = Issue.objects.select_related("edition").get(pk=issue.pk)
    chosen: dict[int, set[int]] = {}
    through = Subscription.sections.through.objects.filter(
        subscription_id__in={d.subscription_id for d in claimed}
    )
    for subscription_id, section_id in through.values_list(
        "subscription_id", "section_id"
    ):
        chosen.setdefault(subscription_id, set()).add(section_id)
    for delivery in claimed:
        delivery.issue = fresh
        delivery.chosen_sections = frozenset(chosen.get(delivery.subscription_id, ()))
    return _drop_unwanted(claimed)


def _drop_unwanted(claimed: list[Delivery]) -> list[Delivery]:
    emails = {d.email for d in claimed}
    suppressed = set(
        Suppression.objects.filter(email__in=emails).values_list("email", flat=True)
    )
    gone = {
        d.pk
        for d in claimed
        if d.email in suppressed
        or d.subscription.status != SubscriptionStatus.CONFIRMED
    }
    if gone:
        Delivery.objects.filter(pk__in=gone).update(
            status=DeliveryStatus.SUPPRESSED, lease_owner="", lease_expires_at=None
        )
    return [d for d in claimed if d.pk not in gone]


def release(delivery: Delivery, worker: str) -> None:
    """Hand an unsent claim back at once rather than waiting for its lease."""
    Delivery.objects.filter(
        pk=delivery.pk,
        lease_owner=worker,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
    ).update(lease_owner="", lease_expires_at=None)
