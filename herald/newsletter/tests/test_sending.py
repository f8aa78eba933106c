"""Sending an issue through a real SMTP server on loopback: states, retries,
suppression at claim time, leases, reconciliation and timeouts."""

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from herald.core.groupcommit import CommitFailed, Mark
from herald.editions.models import Edition
from herald.newsletter import leases, reconciliation, recording, sending
from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from herald.newsletter.tests.sink import Sink, smtp_sink
from herald.newsletter.transport import Outgoing, open_transport

pytestmark = [pytest.mark.loopback, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sink() -> Iterator[Sink]:
    with (
        smtp_sink() as (server, port),
        override_settings(HERALD_EMAIL_URL=f"smtp://127.0.0.1:{port}", EMAIL_TIMEOUT=2),
    ):
        yield server


def _issue(edition: Edition, n: int) -> Issue:
    for i in range(n):
        subscriber = Subscriber.objects.create(email=f"reader{i}@example.org")
        Subscription.objects.create(
            subscriber=subscriber, edition=edition, status=SubscriptionStatus.CONFIRMED
        )
    return Issue.objects.create(
        edition=edition, local_date=date(2026, 11, 26), subject="Daily"
    )


def test_every_subscriber_gets_exactly_one_message(sink: Sink, japan: Edition) -> None:
    issue = _issue(japan, 30)
    report = sending.send_issue(issue, concurrency=3)
    assert report.counts == {DeliveryStatus.SENT: 30} and report.finished
    ids = sink.message_ids()
    assert len(ids) == 30 and len(set(ids)) == 30
    assert set(ids) == set(Delivery.objects.values_list("message_id", flat=True))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT and issue.finished_at is not None
    # Running it again sends nothing more.
    sending.send_issue(issue)
    assert len(sink.received) == 30


def test_deliveries_are_unique_and_message_ids_fixed(japan: Edition) -> None:
    issue = _issue(japan, 5)
    assert leases.ensure_deliveries(issue) == 5
    first = dict(Delivery.objects.values_list("subscription_id", "message_id"))
    assert leases.ensure_deliveries(issue) == 0
    assert dict(Delivery.objects.values_list("subscription_id", "message_id")) == first


def test_temporary_failure_defers_and_permanent_failure_fails(
    sink: Sink, japan: Edition
) -> None:
    issue = _issue(japan, 3)
    sink.rcpt_replies["reader0@example.org"] = "451 4.3.0 Try again later"
    sink.rcpt_replies["reader1@example.org"] = "550 5.1.1 No such user"
    report = sending.send_issue(issue, concurrency=1)
    assert report.counts == {
        DeliveryStatus.DEFERRED: 1,
        DeliveryStatus.FAILED: 1,
        DeliveryStatus.SENT: 1,
    }
    assert not report.finished
    deferred = Delivery.objects.get(email="reader0@example.org")
    assert deferred.next_attempt_at is not None and "451" in deferred.last_error
    # Later the server takes it.
    del sink.rcpt_replies["reader0@example.org"]
    Delivery.objects.filter(pk=deferred.pk).update(next_attempt_at=timezone.now())
    report = sending.send_issue(issue)
    assert report.counts == {DeliveryStatus.FAILED: 1, DeliveryStatus.SENT: 2}
    assert report.finished


def test_refused_connection_defers_without_a_bounce(japan: Edition) -> None:
    issue = _issue(japan, 2)
    with override_settings(HERALD_EMAIL_URL="smtp://127.0.0.1:9", EMAIL_TIMEOUT=1):
        report = sending.send_issue(issue, concurrency=1)
    assert report.counts == {DeliveryStatus.DEFERRED: 2}
    assert not Suppression.objects.exists()


def test_unsubscribe_and_suppression_take_effect_within_a_send(
    sink: Sink, japan: Edition
) -> None:
    issue = _issue(japan, 4)
    leases.ensure_deliveries(issue)
    Subscription.objects.filter(subscriber__email="reader1@example.org").update(
        status=SubscriptionStatus.UNSUBSCRIBED
    )
    Suppression.objects.create(email="reader2@example.org", reason="complaint")
    report = sending.send_issue(issue)
    assert report.counts == {DeliveryStatus.SENT: 2, DeliveryStatus.SUPPRESSED: 2}
    assert sorted(to[0] for _, to, _ in sink.received) == [
        "reader0@example.org",
        "reader3@example.org",
    ]


def test_a_server_that_never_answers_does_not_hang_the_worker(
    sink: Sink, japan: Edition
) -> None:
    issue = _issue(japan, 1)
    sink.hang_on_data = True
    started = time.monotonic()
    with override_settings(EMAIL_TIMEOUT=1):
        report = sending.send_issue(issue, concurrency=1)
    assert time.monotonic() - started < 10
    # The whole message went out and no answer came: it may have been accepted, so
    # it is not resent blindly but waits for reconciliation.
    assert report.counts == {DeliveryStatus.UNKNOWN: 1}
    delivery = Delivery.objects.get()
    assert "no answer after the message" in delivery.last_error
    sink.hang_on_data = False
    assert reconciliation.reconcile_unknown(
        issue, lambda mid: mid in sink.message_ids()
    ) == {
        "sent": 0,
        "requeued": 1,
        "undecided": 0,
    }
    report = sending.send_issue(issue, concurrency=1)
    assert report.counts == {DeliveryStatus.SENT: 1}


def test_a_server_silent_before_the_message_defers_it(
    sink: Sink, japan: Edition
) -> None:
    issue = _issue(japan, 1)
    sink.rcpt_replies["reader0@example.org"] = "421 4.3.2 Shutting down"
    report = sending.send_issue(issue, concurrency=1)
    assert report.counts == {DeliveryStatus.DEFERRED: 1}
    assert "421" in Delivery.objects.get().last_error


def test_an_expired_sending_lease_goes_to_reconciliation_not_a_resend(
    sink: Sink, japan: Edition
) -> None:
    issue = _issue(japan, 3)
    leases.ensure_deliveries(issue)
    crashed = Delivery.objects.order_by("pk").first()
    assert crashed is not None
    # A worker marked it sending, handed it to the server, and died before `sent`.
    Delivery.objects.filter(pk=crashed.pk).update(
        status=DeliveryStatus.SENDING,
        lease_owner="dead",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    report = sending.send_issue(issue)
    assert report.counts == {DeliveryStatus.SENT: 2, DeliveryStatus.UNKNOWN: 1}
    assert not report.finished
    assert crashed.message_id not in sink.message_ids()
    # The mail server's record says it never arrived: requeue and send once.
    result = reconciliation.reconcile_unknown(
        issue, lambda mid: mid in sink.message_ids()
    )
    assert result == {"sent": 0, "requeued": 1, "undecided": 0}
    report = sending.send_issue(issue)
    assert report.counts == {DeliveryStatus.SENT: 3} and report.finished
    assert sorted(sink.message_ids()) == sorted(
        Delivery.objects.values_list("message_id", flat=True)
    )


def test_two_workers_share_an_issue_without_duplicates(
    sink: Sink, japan: Edition
) -> None:
    issue = _issue(japan, 60)
    leases.ensure_deliveries(issue)
    with override_settings(HERALD_NEWSLETTER_BATCH=7):
        threads = [
            threading.Thread(
                target=sending.send_issue,
                args=(issue,),
                kwargs={"concurrency": 2},
            )
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    ids = sink.message_ids()
    assert len(ids) == 60 and len(set(ids)) == 60


@pytest.mark.parametrize(
    "address",
    ["reader@example.org", '"quoted name"@example.org', "o'brien@example.org"],
)
def test_envelope_addresses_reach_the_server_as_smtplib_writes_them(
    sink: Sink, address: str
) -> None:
    transport = open_transport()  # the sink, as the fixture set it
    message = Outgoing.from_message(b"Subject: hi\r\n\r\n.a line with a dot\r\n")
    try:
        assert transport.send("daily@example.com", address, message).startswith("250")
    finally:
        transport.close()
    assert sink.received == [
        ("daily@example.com", [address], b"Subject: hi\r\n\r\n.a line with a dot\r\n")
    ]


def test_group_commit_commits_every_threads_changes_and_counts_each_row(
    japan: Edition,
) -> None:
    issue = _issue(japan, 120)
    leases.ensure_deliveries(issue)
    group = recording.group_commit()
    results: dict[str, list[list[int]]] = {}
    errors: list[BaseException] = []

    def sender(worker: str) -> None:
        try:
            claimed = leases.claim(issue, worker=worker, limit=20)
            rowcounts = []
            for delivery in claimed:
                mark = recording._sending_mark(delivery, worker)
                rowcounts.append(group.commit([mark]))
                rowcounts.append(group.commit([recording._sent_mark(delivery, "250")]))
            # Another worker's lease: its sending changes nothing.
            other = recording._sending_mark(claimed[0], "someone-else")
            rowcounts.append(group.commit([other]))
            results[worker] = rowcounts
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender, args=(f"w{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(results) == [f"w{n}" for n in range(6)]
    for rowcounts in results.values():
        assert rowcounts == [[1]] * 40 + [[0]]
    assert sending.counts(issue) == {DeliveryStatus.SENT: 120}


def test_a_failed_group_commit_commits_none_of_its_changes(japan: Edition) -> None:
    issue = _issue(japan, 2)
    leases.ensure_deliveries(issue)
    first, second = leases.claim(issue, worker="w", limit=2)
    group = recording.group_commit()
    broken: Mark = (recording.MARK_SENT, [None, None, "", second.pk])
    with pytest.raises(CommitFailed):
        group.commit([recording._sending_mark(first, "w"), broken])
    assert sending.counts(issue) == {DeliveryStatus.QUEUED: 2}
    # The connection is left usable, outside any transaction.
    assert group.commit([recording._sending_mark(first, "w")]) == [1]
    assert Delivery.objects.get(pk=first.pk).status == DeliveryStatus.SENDING


def test_a_sent_mark_is_committed_with_the_next_sending_and_then_counted(
    japan: Edition,
) -> None:
    issue = _issue(japan, 3)
    leases.ensure_deliveries(issue)
    one, two, three = leases.claim(issue, worker="w", limit=3)
    counted = [0]
    recorder = recording.Recorder(recording.group_commit(), "w", counted)
    assert recorder.sending(one)
    recorder.accepted(one, "250 ok")
    # Accepted, not yet committed as sent, so not counted.
    assert Delivery.objects.get(pk=one.pk).status == DeliveryStatus.SENDING
    assert counted == [0]
    assert recorder.sending(two)
    assert Delivery.objects.get(pk=one.pk).status == DeliveryStatus.SENT
    assert counted == [1]
    recorder.accepted(two, "250 ok")
    recorder.flush()
    assert counted == [2]
    assert sending.counts(issue) == {DeliveryStatus.SENT: 2, DeliveryStatus.QUEUED: 1}
    # A row leased to another worker is not marked.
    assert not recording.Recorder(recording.group_commit(), "other", counted).sending(
        three
    )
