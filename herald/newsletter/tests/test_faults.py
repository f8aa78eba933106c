"""Fault tests for sending: a worker killed at random points many times, and a mail
server that refuses connections for a minute, both against real processes."""

# The worker (fault_worker.py) and the SMTP sink (sink_process.py) run as their own
# processes on the test database, so that SIGKILL hits a real worker between any
# two instructions and the sink's record of accepted mail outlives it. The issue
# asks for 10,000 subscribers and at least 20 kills; HERALD_FAULT_SUBSCRIBERS and
# HERALD_FAULT_KILLS scale the first test down for a quick local run only.

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from herald.editions.models import Edition
from herald.newsletter import leases, reconciliation, sending
from herald.newsletter.models import (
    OPEN_DELIVERY_STATES,
    Delivery,
    DeliveryStatus,
    Issue,
    Subscriber,
    Suppression,
)
from herald.newsletter.tests.factories import issue_with_subscribers
from herald.newsletter.tests.sink import ROOT, SinkProcess
from herald.stories.tests.factories import StoryFactory

pytestmark = [pytest.mark.loopback, pytest.mark.django_db(transaction=True)]

SUBSCRIBERS = int(os.environ.get("HERALD_FAULT_SUBSCRIBERS", "10000"))
KILLS = int(os.environ.get("HERALD_FAULT_KILLS", "20"))
SEED = int(os.environ.get("HERALD_FAULT_SEED", "20261126"))
WORKER_APP_NAME = "herald-fault-worker"
LEASE_SECONDS = 10  # longer than a batch takes; a dead worker holds rows this long
OUTAGE_SECONDS = 60
FINAL_STATES = {
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.SUPPRESSED,
    DeliveryStatus.BOUNCED,
}


# --- Processes ----------------------------------------------------------------


def _database_url() -> str:
    """The test database, spelled for HERALD_DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(db.get("USER") or "", safe="")
        password = quote(db.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"
    raise AssertionError(f"no URL for a {connection.vendor} test database")


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SinkProcess]:
    server = SinkProcess(record=tmp_path / "accepted.tsv")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@dataclass
class Workers:
    """Starts fault_worker.py processes; every one is killed at the end."""

    issue: Issue
    sink: SinkProcess
    folder: Path
    extra: list[str] = field(default_factory=list)
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HERALD_DATABASE_URL": _database_url(),
            "HERALD_EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}",
            "HERALD_EMAIL_TIMEOUT": "5",
            "HERALD_NEWSLETTER_LEASE_SECONDS": str(LEASE_SECONDS),
            "DJANGO_SETTINGS_MODULE": "herald.settings",
            # PostgreSQL names the workers' sessions, so a test can wait for them.
            "PGAPPNAME": WORKER_APP_NAME,
        }

    def wait_for_sessions_to_end(self) -> None:
        """A killed worker's last statement may still be running in PostgreSQL
        after the process is gone: wait until the server has closed its session,
        so that what the test reads next is everything the worker wrote."""
        if connection.vendor != "postgresql":
            return
        deadline = time.monotonic() + 30
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [WORKER_APP_NAME],
                )
                (open_sessions,) = cursor.fetchone()
            if not open_sessions:
                return
            assert time.monotonic() < deadline, "a dead worker's session stayed open"
            time.sleep(0.02)

    def log(self, n: int) -> Path:
        return self.folder / f"worker-{n}.log"

    def start(self) -> subprocess.Popen[bytes]:
        """Start a worker and return once Django is set up in it."""
        log = self.log(len(self.started))
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "herald.newsletter.tests.fault_worker",
                    str(self.issue.pk),
                    *self.extra,
                ],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append(proc)
        deadline = time.monotonic() + 60
        while b"READY" not in log.read_bytes():
            assert proc.poll() is None, self.tail(len(self.started) - 1)
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.02)
        return proc

    def finish(self, proc: subprocess.Popen[bytes], timeout: float) -> None:
        """Wait for a worker to send all it can, and check it ended well."""
        code = proc.wait(timeout=timeout)
        assert code == 0, self.tail(self.started.index(proc))

    def tail(self, n: int) -> str:
        return self.log(n).read_text(errors="replace")[-3000:]

    def kill_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture
def workers(tmp_path: Path, sink: SinkProcess) -> Iterator[Workers]:
    pool = Workers(issue=Issue(), sink=sink, folder=tmp_path)
    try:
        yield pool
    finally:
        pool.kill_all()


# --- Data -------------------------------------------------------------------------


def _statuses(issue: Issue) -> Counter[str]:
    return Counter(sending.counts(issue))


def _open(issue: Issue) -> int:
    counts = _statuses(issue)
    return sum(counts[s] for s in OPEN_DELIVERY_STATES if s != DeliveryStatus.UNKNOWN)


# --- Killed at random points --------------------------------------------------------


@dataclass
class Kill:
    after_seconds: float
    sent_in_run: int
    unknown: list[str]  # Message-IDs left in sending by the killed worker
    on_server: list[str]  # of those, the ones the server had already accepted


@pytest.mark.slow
def test_a_worker_killed_twenty_times_still_sends_each_subscriber_one_message(
    japan: Edition, make_story: StoryFactory, sink: SinkProcess, workers: Workers
) -> None:
    started = time.monotonic()
    issue = issue_with_subscribers(japan, make_story, SUBSCRIBERS)
    workers.issue = issue
    rng = random.Random(SEED)
    kills: list[Kill] = []
    # Messages a second: the fastest run seen so far, so that a kill comes early
    # rather than too late (a worker that finishes before its kill fails the test).
    rate = 150.0
    sent_seconds = 0.0
    while len(kills) < KILLS:
        before = _statuses(issue)[DeliveryStatus.SENT]
        remaining = SUBSCRIBERS - sum(_statuses(issue).values()) + _open(issue)
        assert remaining > 0, f"sent everything after only {len(kills)} kills"
        # Spread the remaining kills over the remaining work, at random, leaving
        # work for the later ones.
        budget = remaining / rate
        delay = min(rng.uniform(0, 2 * budget / (KILLS - len(kills) + 1)), budget / 3)
        proc = workers.start()
        try:
            proc.wait(timeout=delay)
            pytest.fail(f"the worker finished within {delay:.2f} s; kill it sooner")
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            workers.wait_for_sessions_to_end()
        sent = _statuses(issue)[DeliveryStatus.SENT] - before
        sent_seconds += delay
        if sent >= 50:
            rate = max(rate, sent / delay)
        # The dead worker's rows in sending: their lease is as good as expired.
        left = list(
            Delivery.objects.filter(
                issue=issue, status=DeliveryStatus.SENDING
            ).values_list("message_id", flat=True)
        )
        expired = leases.expire_leases(issue, now=timezone.now() + timedelta(days=1))
        assert expired == len(left)
        time.sleep(0.1)  # a message fully handed over before the kill is recorded
        on_server = sink.accepted_ids()
        kills.append(Kill(delay, sent, left, [m for m in left if m in on_server]))

    # A last run without a kill, then reconciliation from the server's record.
    workers.finish(workers.start(), timeout=600)
    on_server = sink.accepted_ids()
    reconciled = reconciliation.reconcile_unknown(issue, lambda mid: mid in on_server)
    if reconciled["requeued"]:
        workers.finish(workers.start(), timeout=600)

    # What the server really accepted, against what the database says.
    accepted = sink.accepted()
    times = Counter(mid for mid, _ in accepted)
    rows = {
        d.message_id: d
        for d in Delivery.objects.filter(issue=issue).only(
            "message_id", "email", "status", "attempts", "last_error"
        )
    }
    duplicates = {mid: n for mid, n in times.items() if n > 1}
    causes = [
        f"{mid} ×{n} to {rows[mid].email if mid in rows else '?'}: "
        + _duplicate_cause(mid, rows.get(mid), kills)
        for mid, n in duplicates.items()
    ]
    missing = sorted(set(rows) - set(times))
    strangers = sorted(set(times) - set(rows))
    wrong_rcpt = [
        (mid, r) for mid, r in accepted if mid in rows and rows[mid].email != r
    ]
    final = _statuses(issue)
    summary = (
        f"{SUBSCRIBERS} subscribers, {len(kills)} kills "
        f"(after {', '.join(f'{k.after_seconds:.1f}' for k in kills)} s), "
        f"{sum(len(k.unknown) for k in kills)} rows left in sending "
        f"({sum(len(k.on_server) for k in kills)} already accepted by the server), "
        f"reconciled {reconciled}, {len(accepted)} messages received, "
        f"{len(duplicates)} duplicates, {len(missing)} missing, "
        f"final states {dict(final)}, "
        f"{sum(k.sent_in_run for k in kills) / sent_seconds * 60:,.0f} messages a "
        f"minute between kills, {time.monotonic() - started:.0f} s in all"
    )
    print(f"\nfault test: {summary}")
    for cause in causes:
        print(f"  duplicate: {cause}")
    assert not duplicates, "\n".join([summary, *causes])
    assert not missing, f"never received: {missing[:10]}; {summary}"
    assert not strangers and not wrong_rcpt, (strangers[:5], wrong_rcpt[:5])
    assert set(final) <= FINAL_STATES, summary
    assert final[DeliveryStatus.SENT] == SUBSCRIBERS, summary


def _duplicate_cause(mid: str, row: Delivery | None, kills: list[Kill]) -> str:
    """Why a message reached the server twice, from what the test saw."""
    if row is None:
        return "a Message-ID with no delivery row"
    for n, kill in enumerate(kills, 1):
        if mid in kill.on_server:
            return (
                f"kill {n} came between the server's 250 and the commit of sent; "
                "the server's record had it, yet it was sent again "
                f"({row.last_error!r})"
            )
        if mid in kill.unknown:
            return (
                f"kill {n} came after sending was committed; the server took the "
                "message after the check and reconciliation requeued it"
            )
    if row.attempts > 1:
        return (
            f"{row.attempts} attempts: an attempt the server accepted was seen as a "
            f"temporary failure and retried ({row.last_error!r})"
        )
    return "sent twice in one attempt: two workers held the row (lease overlap)"


# --- A mail server that refuses connections for a minute ------------------------------


@pytest.mark.slow
def test_a_minute_of_refused_connections_delays_mail_but_loses_and_bounces_none(
    japan: Edition, make_story: StoryFactory, sink: SinkProcess, workers: Workers
) -> None:
    count = min(SUBSCRIBERS, 2000)
    issue = issue_with_subscribers(japan, make_story, count)
    workers.issue = issue
    workers.extra = ["--backoff", "2"]  # retries after 2, 4, 8, 16, 32 s…
    worker = workers.start()
    deadline = time.monotonic() + 120
    while len(sink.accepted()) < count // 4:
        assert worker.poll() is None, workers.tail(0)
        assert time.monotonic() < deadline, "the send did not get going"
        time.sleep(0.05)

    sink.stop()
    down_at = time.monotonic()
    received_before = len(sink.accepted())
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", sink.port), timeout=2).close()
    deferred_seen = 0
    while time.monotonic() - down_at < OUTAGE_SECONDS:
        counts = _statuses(issue)
        deferred_seen = max(deferred_seen, counts[DeliveryStatus.DEFERRED])
        assert not counts[DeliveryStatus.FAILED], counts
        assert not counts[DeliveryStatus.BOUNCED], counts
        time.sleep(1)
    sink.start()
    workers.finish(worker, timeout=240)

    accepted = sink.accepted()
    times = Counter(mid for mid, _ in accepted)
    ids = set(Delivery.objects.filter(issue=issue).values_list("message_id", flat=True))
    final = _statuses(issue)
    retried = Delivery.objects.filter(issue=issue, attempts__gt=1).count()
    print(
        f"\noutage test: {count} subscribers, {received_before} received before the "
        f"outage, {deferred_seen} deferred during it, {retried} sent after retries, "
        f"final states {dict(final)}"
    )
    assert received_before < count and deferred_seen > 0 and retried > 0
    assert set(times) == ids and max(times.values()) == 1
    assert final == {DeliveryStatus.SENT: count}
    assert not Suppression.objects.exists()
    assert not Subscriber.objects.filter(soft_bounces__gt=0).exists()
