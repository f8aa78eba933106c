"""Sending an issue, crash-safe.

Every delivery row moves queued → sending → sent | deferred | failed | suppressed,
and a row left in sending when its lease expires becomes unknown. A row is committed
as sending before the message goes to the server (before SMTP DATA) and as sent after
the server accepts it; between the two is the one gap only the mail server's own
record can close, which is why the Message-ID is fixed per delivery. Workers claim
batches under leases, and check unsubscribes and suppressions at claim time, so any
number of workers can send one issue, and a killed worker's batch is taken over when
its lease expires. Sending is at-least-once only for rows whose fate is unknown, and
those wait for reconciliation instead of being resent blindly.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.db.models import Min
from django.utils import timezone

from herald.core.groupcommit import GroupCommit
from herald.newsletter.leases import claim, ensure_deliveries, expire_leases, release
from herald.newsletter.models import (
    OPEN_DELIVERY_STATES,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
)
from herald.newsletter.recording import Recorder, group_commit
from herald.newsletter.transport import (
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    UncertainDelivery,
    open_transport,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


class RateLimiter:
    """At most `rate` messages a second across threads (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.lock = threading.Lock()
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            at = max(self.next_at, now)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)


Render = Callable[[Delivery], tuple[str, Outgoing]]


def default_render(delivery: Delivery) -> tuple[str, Outgoing]:
    """(envelope sender, the message ready for SMTP DATA) for one delivery."""
    from herald.newsletter.rendering.message import render_outgoing

    sender = delivery.issue.edition.newsletter_sender_email
    return sender, render_outgoing(delivery, section_ids=delivery.chosen_sections)


def send_one(
    delivery: Delivery,
    transport: Transport,
    *,
    render: Render,
    recorder: Recorder,
) -> str:
    """Send one claimed delivery and record its outcome; returns the new status
    (`sent` is committed by the recorder with the next change)."""
    try:
        sender, data = render(delivery)
    except ValueError as exc:
        # A header that would take CR/LF, or another fault of our own: never sent.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            last_error=f"not rendered: {exc}",
            lease_owner="",
            lease_expires_at=None,
        )
        return DeliveryStatus.FAILED
    if not recorder.sending(delivery):
        return "lost"  # the lease went to another worker
    # `sending` is committed before anything reaches the server.
    try:
        reply = transport.send(sender, delivery.email, data)
    except TemporaryFailure as exc:
        attempts = delivery.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.DEFERRED,
            next_attempt_at=None if final else timezone.now() + _backoff(attempts),
            last_error=str(exc)[:1000],
            lease_owner="",
            lease_expires_at=None,
        )
        return DeliveryStatus.FAILED if final else DeliveryStatus.DEFERRED
    except UncertainDelivery as exc:
        # Sent, but the answer was lost: resending could duplicate it, so it waits
        # for reconciliation like a row whose worker died mid-send.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.UNKNOWN,
            last_error=str(exc)[:1000],
            lease_owner="",
            lease_expires_at=None,
        )
        return DeliveryStatus.UNKNOWN
    except PermanentFailure as exc:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            last_error=str(exc)[:1000],
            lease_owner="",
            lease_expires_at=None,
        )
        return DeliveryStatus.FAILED
    recorder.accepted(delivery, reply)
    return DeliveryStatus.SENT


@dataclass
class SendReport:
    counts: dict[str, int] = field(default_factory=dict)
    sent_now: int = 0
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        return not any(self.counts.get(s, 0) for s in OPEN_DELIVERY_STATES)


def counts(issue: Issue) -> dict[str, int]:
    """How many of the issue's deliveries are in each state."""
    return Delivery.objects.for_issue(issue).status_counts()


Progress = Callable[[dict[str, int]], None]


def _sender_loop(
    issue: Issue,
    *,
    worker: str,
    render: Render,
    limiter: RateLimiter,
    committer: GroupCommit,
    stop: threading.Event,
    sent: list[int],
) -> None:
    transport = open_transport()
    recorder = Recorder(committer, worker, sent)
    batch = settings.HERALD_NEWSLETTER_BATCH
    busy = 0
    try:
        while not stop.is_set():
            recorder.flush()  # nothing waits uncommitted while claiming
            try:
                claimed = claim(issue, worker=worker, limit=batch)
            except OperationalError:
                # A locked database (SQLite under load) is worth waiting for; what
                # this thread had claimed is still leased to it.
                busy += 1
                if busy > 20:
                    raise
                logger.warning("Newsletter claim retried.", exc_info=True)
                time.sleep(0.5)
                continue
            busy = 0
            if not claimed:
                return
            for delivery in claimed:
                if stop.is_set():
                    release(delivery, worker)
                    continue
                limiter.wait()
                send_one(delivery, transport, render=render, recorder=recorder)
    finally:
        try:
            recorder.flush()
        finally:
            transport.close()
            close_old_connections()


def send_issue(
    issue: Issue,
    *,
    render: Render = default_render,
    concurrency: int | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> SendReport:
    """Send every sendable delivery of `issue` now, with `concurrency` connections.
    Returns when nothing more can be sent now: deferred rows wait for their time."""
    started = time.monotonic()
    stop = stop or threading.Event()
    if issue.status == IssueStatus.SKIPPED:
        return SendReport(counts={}, seconds=0.0)
    Issue.objects.filter(pk=issue.pk, started_at__isnull=True).update(
        started_at=timezone.now()
    )
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENDING)
    ensure_deliveries(issue)
    expire_leases(issue)
    limiter = RateLimiter(settings.HERALD_NEWSLETTER_RATE)
    sent = [0]
    worker = f"{uuid.uuid4().hex[:12]}"
    committer = group_commit()
    threads = [
        threading.Thread(
            target=_sender_loop,
            name=f"newsletter-{n}",
            kwargs={
                "issue": issue,
                "worker": f"{worker}-{n}",
                "render": render,
                "limiter": limiter,
                "committer": committer,
                "stop": stop,
                "sent": sent,
            },
            daemon=True,
        )
        for n in range(concurrency or settings.HERALD_NEWSLETTER_CONCURRENCY)
    ]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=1.0)
        if progress:
            progress(counts(issue))
    report = SendReport(
        counts=counts(issue), sent_now=sent[0], seconds=time.monotonic() - started
    )
    if report.finished:
        Issue.objects.filter(pk=issue.pk).update(
            status=IssueStatus.SENT, finished_at=timezone.now()
        )
    logger.info(
        "Newsletter issue send pass ended.",
        extra={"issue_id": issue.pk, "sent": sent[0], "counts": report.counts},
    )
    return report


def next_retry_at(issue: Issue) -> datetime | None:
    """When the earliest deferred delivery may be tried again."""
    return Delivery.objects.filter(
        issue=issue, status=DeliveryStatus.DEFERRED
    ).aggregate(at=Min("next_attempt_at"))["at"]
