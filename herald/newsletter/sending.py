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

import functools
import hashlib
import hmac
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.db.models import Count, Field, Min, Q
from django.utils import timezone

from herald.newsletter.models import (
    OPEN_DELIVERY_STATES,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from herald.newsletter.transport import (
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    UncertainDelivery,
    open_transport,
)

logger = logging.getLogger(__name__)

CREATE_BATCH = 2000
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


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
    before = Delivery.objects.filter(issue=issue).count()
    message_id = _message_ids(issue)
    last = 0
    while True:
        batch = list(
            Subscription.objects.filter(
                edition_id=issue.edition_id,
                status=SubscriptionStatus.CONFIRMED,
                pk__gt=last,
            )
            .order_by("pk")
            .values_list("pk", "subscriber__email")[:CREATE_BATCH]
        )
        if not batch:
            return Delivery.objects.filter(issue=issue).count() - before
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
    rows = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, lease_expires_at__lt=now
    )
    if issue is not None:
        rows = rows.filter(issue=issue)
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
    from herald.newsletter.rendering import render_outgoing

    sender = delivery.issue.edition.newsletter_sender_email
    return sender, render_outgoing(delivery, section_ids=delivery.chosen_sections)


# The two UPDATEs every message makes, around its DATA, as raw SQL on a DB-API
# connection: building the query with the ORM, and even Django's cursor wrapper,
# cost several times what SQLite takes to run one. Django's connection still opens,
# owns and closes that connection, and its errors are still raised as Django's.


@functools.lru_cache(maxsize=4)
def _state_sql(vendor: str) -> tuple[str, str]:
    """(mark sending, mark sent) in the driver's own placeholders: sqlite3's `?`,
    psycopg's `%s`."""
    meta = Delivery._meta
    q = connection.ops.quote_name

    def col(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return q(field.column)

    table, pk = q(meta.db_table), col("id")
    # Constants and quoted names only; every value is a parameter.
    sending = (
        f"UPDATE {table} SET {col('status')} = %s, "  # noqa: S608
        f"{col('sending_at')} = %s, "
        f"{col('attempts')} = {col('attempts')} + 1, "
        f"{col('lease_expires_at')} = %s "
        f"WHERE {pk} = %s AND {col('lease_owner')} = %s "
        f"AND {col('status')} IN (%s, %s)"
    )
    sent = (
        f"UPDATE {table} SET {col('status')} = %s, "  # noqa: S608
        f"{col('sent_at')} = %s, "
        f"{col('last_error')} = %s, {col('lease_owner')} = '', "
        f"{col('lease_expires_at')} = NULL WHERE {pk} = %s"
    )
    if vendor == "sqlite":
        return sending.replace("%s", "?"), sent.replace("%s", "?")
    return sending, sent


MARK_SENDING, MARK_SENT = 0, 1
Mark = tuple[int, list[object]]  # (MARK_SENDING or MARK_SENT, its parameters)


class CommitFailed(DatabaseError):
    """The transaction holding this thread's state changes failed (the cause is
    chained): none of them were committed."""


@dataclass(eq=False)
class _Ticket:
    """State changes one sending thread hands over, and waits on."""

    marks: list[Mark]
    # Held from the start; released when the marks are committed (or have failed),
    # or when this thread is to lead the next group, which wakes the thread
    # blocked acquiring it.
    done: threading.Lock = field(default_factory=threading.Lock)
    lead: bool = False
    rowcounts: list[int] = field(default_factory=list)
    error: BaseException | None = None


class GroupCommit:
    """Group commit of the per-message state changes (`sending`, `sent`) of every
    sending thread of a worker. A thread with changes to commit commits them
    itself, on its own connection, when no other thread is committing; otherwise
    it leaves them pending and waits. Whoever commits takes every pending change
    into one transaction, wakes their threads once it is committed, and hands the
    next group to the first thread still waiting. So the threads never queue on
    the database's write lock behind each other (SQLite's busy handler sleeps
    milliseconds per retry), and a group costs one commit (on SQLite one WAL
    append of the pages it touched) instead of one per change.

    The guarantees are those of one autocommitted UPDATE per change, because a
    thread waits for its change to be committed before it goes on: a message's
    `sending` is durable before its DATA is sent, its `sent` is durable before the
    delivery is counted done. A change is in exactly one transaction, which
    commits it whole or not at all, and a row's changes are made in its thread's
    order, one at a time. So a worker killed at any point (all its threads at once)
    leaves every row in a state it could be left in before: queued under its lease
    (its `sending` not yet committed, so nothing of it was sent), sending (its DATA
    may or may not have reached the server: unknown once the lease expires, then
    reconciled from the server's record), or sent. Committing the rows of several
    threads together only makes their changes durable at the same moment.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Ticket] = []
        self._leading = False  # a thread is committing a group

    def commit(self, marks: list[Mark]) -> list[int]:
        """Commit `marks` (with whatever else is pending) and return the rows each
        changed, once they are committed. Raises CommitFailed when their
        transaction failed: then none of them was committed."""
        ticket = _Ticket(marks)
        ticket.done.acquire()
        with self._lock:
            self._pending.append(ticket)
            ticket.lead = not self._leading
            self._leading = True
        if not ticket.lead:
            ticket.done.acquire()  # committed by another thread, or our turn to
        if ticket.lead:
            self._lead()
        if ticket.error is not None:
            raise CommitFailed(f"state changes not committed: {ticket.error}") from (
                ticket.error
            )
        return ticket.rowcounts

    def _lead(self) -> None:
        """Commit every pending change (this thread's among them), wake their
        threads, and hand the lead to the first thread waiting since."""
        with self._lock:
            tickets, self._pending = self._pending, []
        try:
            self._commit(tickets)
        finally:
            with self._lock:
                after = self._pending[0] if self._pending else None
                if after is None:
                    self._leading = False
                else:
                    after.lead = True
            for ticket in tickets:
                if not ticket.lead:
                    ticket.done.release()
            if after is not None:
                after.done.release()

    @staticmethod
    def _commit(tickets: list[_Ticket]) -> None:
        """Run the tickets' UPDATEs in one transaction on this thread's DB-API
        connection, which Django keeps in autocommit (a sending thread's connection
        is never inside an atomic block here): one change alone is simply
        autocommitted; several go between a BEGIN and a COMMIT of their own,
        cheaper than Django's atomic(), which costs as much again as the UPDATEs."""
        db = connections[DEFAULT_DB_ALIAS]
        try:
            db.ensure_connection()
            statements = _state_sql(db.vendor)
            with db.wrap_database_errors:
                cursor = db.connection.cursor()
                try:
                    grouped = len(tickets) > 1 or len(tickets[0].marks) > 1
                    if grouped:
                        cursor.execute(_BEGIN[db.vendor])
                    try:
                        for ticket in tickets:
                            for which, params in ticket.marks:
                                cursor.execute(statements[which], params)
                                ticket.rowcounts.append(int(cursor.rowcount))
                        if grouped:
                            cursor.execute("COMMIT")
                    except BaseException:
                        if grouped:
                            cursor.execute("ROLLBACK")
                        raise
                finally:
                    cursor.close()
        except Exception as exc:
            for ticket in tickets:
                ticket.rowcounts = []
                ticket.error = exc


# How a group's transaction begins: on SQLite with the write lock taken at once,
# as Django's own transactions here do (settings: transaction_mode IMMEDIATE).
_BEGIN = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "BEGIN"}


def _sending_mark(delivery: Delivery, worker: str) -> Mark:
    """Mark the row as sending, with a fresh lease for this message however long
    the batch has taken; it changes no row when the lease went to another worker."""
    ops = connection.ops
    now = timezone.now()
    lease = now + timedelta(seconds=settings.HERALD_NEWSLETTER_LEASE_SECONDS)
    params: list[object] = [
        DeliveryStatus.SENDING.value,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(lease),
        delivery.pk,
        worker,
        DeliveryStatus.QUEUED.value,
        DeliveryStatus.DEFERRED.value,
    ]
    return MARK_SENDING, params


def _sent_mark(delivery: Delivery, reply: str) -> Mark:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return MARK_SENT, [DeliveryStatus.SENT.value, now, reply[:200], delivery.pk]


class Recorder:
    """One sending thread's `sending` and `sent` marks, committed through the
    worker's group commit. A message's `sent` is committed in one transaction with
    the next message's `sending` (or alone before the thread claims more or
    ends): one commit a message instead of two. It is counted as sent only once
    committed. A kill before that leaves the row in sending, as a kill between the
    server's 250 and the commit of `sent` always could: unknown when its lease
    expires, then settled from the server's record. A thread still has at most one
    row in sending at a time, so a kill leaves no more rows to reconcile."""

    def __init__(self, group: GroupCommit, worker: str, sent: list[int]) -> None:
        self.group = group
        self.worker = worker
        self.sent = sent  # the worker's count of messages committed as sent
        self.unsaved: list[Mark] = []  # `sent` marks not committed yet

    def sending(self, delivery: Delivery) -> bool:
        """Commit the message's `sending` (and the previous message's `sent`);
        False when the lease went to another worker."""
        marks = [*self.unsaved, _sending_mark(delivery, self.worker)]
        rowcounts = self.group.commit(marks)
        self._saved()
        return rowcounts[-1] == 1

    def accepted(self, delivery: Delivery, reply: str) -> None:
        """The server accepted the message: its `sent` goes with the next commit."""
        self.unsaved.append(_sent_mark(delivery, reply))

    def flush(self) -> None:
        """Commit the `sent` marks still waiting."""
        if self.unsaved:
            self.group.commit(self.unsaved)
            self._saved()

    def _saved(self) -> None:
        self.sent[0] += len(self.unsaved)
        self.unsaved = []


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
    rows = Delivery.objects.filter(issue=issue).values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}


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
                    _release(delivery, worker)
                    continue
                limiter.wait()
                send_one(delivery, transport, render=render, recorder=recorder)
    finally:
        try:
            recorder.flush()
        finally:
            transport.close()
            close_old_connections()


def _release(delivery: Delivery, worker: str) -> None:
    """Hand an unsent claim back at once rather than waiting for its lease."""
    Delivery.objects.filter(
        pk=delivery.pk,
        lease_owner=worker,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
    ).update(lease_owner="", lease_expires_at=None)


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
    committer = GroupCommit()
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


Resolver = Callable[[str], bool | None]


def reconcile_unknown(issue: Issue, resolver: Resolver) -> dict[str, int]:
    """Settle deliveries whose fate is unknown. `resolver(message_id)` says whether
    the mail server accepted that message (True), did not (False), or cannot tell
    (None: the row stays unknown for a person to decide)."""
    result = {"sent": 0, "requeued": 0, "undecided": 0}
    rows = Delivery.objects.filter(issue=issue, status=DeliveryStatus.UNKNOWN)
    for pk, message_id in rows.values_list("pk", "message_id"):
        verdict = resolver(message_id)
        if verdict is True:
            Delivery.objects.filter(pk=pk, status=DeliveryStatus.UNKNOWN).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                last_error="reconciled: the server has it",
            )
            result["sent"] += 1
        elif verdict is False:
            Delivery.objects.filter(pk=pk, status=DeliveryStatus.UNKNOWN).update(
                status=DeliveryStatus.QUEUED, last_error="reconciled: never arrived"
            )
            result["requeued"] += 1
        else:
            result["undecided"] += 1
    return result


def resend_unknown(issue: Issue, ids: Iterable[int] | None = None) -> int:
    """A person decided: send these unknown deliveries again (may duplicate)."""
    rows = Delivery.objects.filter(issue=issue, status=DeliveryStatus.UNKNOWN)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(status=DeliveryStatus.QUEUED, last_error="requeued by staff")
