"""What a bounce or complaint does: suppressions, bounced deliveries, soft bounce
counts."""

from typing import Any

from herald.editions.models import Edition
from herald.newsletter.bounce_reports import parse_report
from herald.newsletter.bounces import SOFT_BOUNCE_MARK, Outcome, record_bounce
from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
)
from herald.newsletter.tests.factories import SERVER_REPLY, daily_issue, sent_delivery
from herald.newsletter.tests.samples import MAILED, sample


def status_of(delivery: Delivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def record_all(raw: bytes) -> list[Outcome]:
    return [record_bounce(event) for event in parse_report(raw)]


def test_hard_bounce_suppresses_at_once_and_marks_the_delivery_bounced(
    mailed: dict[str, Delivery],
) -> None:
    assert record_all(sample("postfix_hard_511.eml")) == [Outcome.SUPPRESSED]
    suppression = Suppression.objects.get(email="kenji.sato@example.org")
    assert suppression.reason == SuppressionReason.HARD_BOUNCE
    assert suppression.detail.startswith("5.1.1 550 5.1.1")
    delivery = mailed["kenji.sato@example.org"]
    assert status_of(delivery) == DeliveryStatus.BOUNCED
    assert delivery.last_error.startswith("Hard bounce 5.1.1")
    assert delivery.last_error.endswith(SERVER_REPLY)  # the server's reply is kept
    # The other deliveries are untouched.
    assert status_of(mailed["yuki@example.org"]) == DeliveryStatus.SENT
    assert Suppression.objects.count() == 1


def test_hard_bounce_without_message_id_marks_latest_sent_delivery(
    japan: Edition, mailed: dict[str, Delivery]
) -> None:
    later = sent_delivery(daily_issue(japan, day=6), "taro@example.org", "102.4.taro@x")
    record_all(sample("multi_recipient.eml"))
    assert status_of(later) == DeliveryStatus.BOUNCED
    assert status_of(mailed["taro@example.org"]) == DeliveryStatus.SENT
    assert status_of(mailed["hanako@example.org"]) == DeliveryStatus.BOUNCED
    assert status_of(mailed["jiro@example.org"]) == DeliveryStatus.SENT
    assert set(Suppression.objects.values_list("email", flat=True)) == {
        "taro@example.org",
        "hanako@example.org",
    }


def test_non_utf8_diagnostic_is_stored(mailed: dict[str, Delivery]) -> None:
    record_all(sample("latin1_dsn.eml"))
    suppression = Suppression.objects.get(email="lukas.mueller@example.de")
    assert "Empf" in suppression.detail and "unbekannt" in suppression.detail
    assert status_of(mailed["lukas.mueller@example.de"]) == DeliveryStatus.BOUNCED


def test_hard_bounce_of_an_address_we_do_not_know_still_suppresses_it(
    db: None,
) -> None:
    assert record_all(sample("exim_gmail_521.eml")) == [Outcome.SUPPRESSED]
    assert Suppression.objects.filter(
        email="aiko.mori@example.org", reason=SuppressionReason.HARD_BOUNCE
    ).exists()


def test_existing_suppression_keeps_its_reason(mailed: dict[str, Delivery]) -> None:
    Suppression.objects.create(
        email="kenji.sato@example.org", reason=SuppressionReason.MANUAL
    )
    assert record_all(sample("postfix_hard_511.eml")) == [Outcome.ALREADY_SUPPRESSED]
    assert Suppression.objects.get().reason == SuppressionReason.MANUAL


def test_complaint_suppresses_and_unsubscribes_every_subscription(
    india: Edition, mailed: dict[str, Delivery]
) -> None:
    sent_delivery(daily_issue(india), "mei@example.org", "201.5.mei@india-herald")
    assert Subscription.objects.filter(subscriber__email="mei@example.org").count() == 2
    assert record_all(sample("arf_abuse_rfc822.eml")) == [Outcome.SUPPRESSED]
    assert Suppression.objects.get().reason == SuppressionReason.COMPLAINT
    for subscription in Subscription.objects.filter(
        subscriber__email="mei@example.org"
    ):
        assert subscription.status == SubscriptionStatus.UNSUBSCRIBED
        assert subscription.unsubscribed_at is not None
    # Others keep their subscriptions; the delivery itself arrived.
    assert Subscription.objects.filter(status=SubscriptionStatus.CONFIRMED).count() == 8
    assert status_of(mailed["mei@example.org"]) == DeliveryStatus.SENT


def test_complaint_with_redacted_recipient_is_matched_by_message_id(
    mailed: dict[str, Delivery],
) -> None:
    raw = sample("arf_headers_only.eml").replace(
        b"To: Sora Ito <sora@example.org>", b"To: [redacted]"
    )
    [event] = parse_report(raw)
    assert event.recipient == ""
    assert record_bounce(event) == Outcome.SUPPRESSED
    assert Suppression.objects.get().email == "sora@example.org"


def test_bounce_from_a_forwarding_address_suppresses_the_address_we_mailed(
    mailed: dict[str, Delivery],
) -> None:
    raw = sample("postfix_hard_511.eml").replace(
        b"kenji.sato@example.org", b"kenji@old-provider.example.net"
    )
    record_all(raw)
    assert Suppression.objects.get().email == "kenji.sato@example.org"
    assert status_of(mailed["kenji.sato@example.org"]) == DeliveryStatus.BOUNCED


def test_soft_bounce_counts_once_and_does_not_suppress(
    mailed: dict[str, Delivery],
) -> None:
    raw = sample("postfix_delayed_422.eml")
    assert record_all(raw) == [Outcome.COUNTED]
    assert record_all(raw) == [Outcome.ALREADY_COUNTED]
    subscriber = Subscriber.objects.get(email="yuki@example.org")
    assert subscriber.soft_bounces == 1
    assert subscriber.last_bounce_at is not None
    delivery = mailed["yuki@example.org"]
    assert status_of(delivery) == DeliveryStatus.SENT  # a delay may still arrive
    assert delivery.last_error.startswith(f"{SOFT_BOUNCE_MARK} 4.2.2")
    assert not Suppression.objects.exists()


def test_delay_then_final_failure_of_one_message_counts_once(
    mailed: dict[str, Delivery],
) -> None:
    delayed = sample("postfix_delayed_422.eml")
    given_up = delayed.replace(b"Action: delayed", b"Action: failed").replace(
        b"4.2.2", b"5.2.2"
    )
    assert record_all(delayed) == [Outcome.COUNTED]
    assert record_all(given_up) == [Outcome.ALREADY_COUNTED]
    assert Subscriber.objects.get(email="yuki@example.org").soft_bounces == 1


def test_soft_bounces_suppress_the_address_at_the_limit(
    settings: Any, japan: Edition, mailed: dict[str, Delivery]
) -> None:
    settings.HERALD_SOFT_BOUNCE_LIMIT = 3
    raw = sample("postfix_delayed_422.eml")
    original = MAILED["yuki@example.org"].encode()
    outcomes = []
    for day in (6, 7, 8):
        mid = f"10{day}.3.yuki@japan-herald.example.com"
        sent_delivery(daily_issue(japan, day=day), "yuki@example.org", mid)
        outcomes += record_all(raw.replace(original, mid.encode()))
    assert outcomes == [Outcome.COUNTED, Outcome.COUNTED, Outcome.SUPPRESSED]
    suppression = Suppression.objects.get(email="yuki@example.org")
    assert suppression.reason == SuppressionReason.SOFT_BOUNCES
    assert suppression.detail.startswith("3 soft bounces")
    # Once suppressed, more soft bounces change nothing.
    assert record_all(raw) == [Outcome.ALREADY_SUPPRESSED]
    assert Subscriber.objects.get(email="yuki@example.org").soft_bounces == 3


def test_soft_bounce_for_mail_we_never_sent_is_not_counted(db: None) -> None:
    Subscriber.objects.create(email="yuki@example.org")
    assert record_all(sample("postfix_delayed_422.eml")) == [Outcome.NO_DELIVERY]
    assert Subscriber.objects.get().soft_bounces == 0
