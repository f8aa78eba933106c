"""Bounces and complaints: parsing DSN and ARF reports, their effect, the command and
the HTTP endpoint."""

import mailbox
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from herald.editions.models import Edition
from herald.newsletter.bounces import (
    SOFT_BOUNCE_MARK,
    BounceKind,
    MalformedReport,
    Outcome,
    parse_report,
    record_bounce,
)
from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
)

SAMPLES = Path(__file__).resolve().parent / "bounce_samples"
TOKEN = "bounce-token-for-tests"
SERVER_REPLY = "250 2.0.0 Ok: queued as 4Zb7Qm2kTqz9sWn"
# The address and original Message-ID each sample is about.
MAILED = {
    "kenji.sato@example.org": "101.1.9f2c4e1a7b3d5f60@japan-herald.example.com",
    "aiko.mori@example.org": "101.2.0a1b2c3d4e5f6071@japan-herald.example.com",
    "yuki@example.org": "101.3.1122334455667788@japan-herald.example.com",
    "taro@example.org": "101.4.taro@japan-herald.example.com",
    "hanako@example.org": "101.4.hanako@japan-herald.example.com",
    "jiro@example.org": "101.4.jiro@japan-herald.example.com",
    "mei@example.org": "101.5.aabbccddeeff0011@japan-herald.example.com",
    "sora@example.org": "101.6.00ff00ff00ff00ff@japan-herald.example.com",
    "lukas.mueller@example.de": "101.9.5a5a5a5a5a5a5a5a@japan-herald.example.com",
}
ALL_SAMPLES = sorted(p.name for p in SAMPLES.glob("*.eml"))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def make_issue(edition: Edition, day: int = 5) -> Issue:
    return Issue.objects.create(
        edition=edition, local_date=date(2025, 4, day), subject="Your daily news"
    )


def deliver(issue: Issue, address: str, message_id: str) -> Delivery:
    """A delivery the server accepted, as the sender leaves it."""
    subscriber, _ = Subscriber.objects.get_or_create(email=address)
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber,
        edition=issue.edition,
        defaults={
            "status": SubscriptionStatus.CONFIRMED,
            "confirmed_at": timezone.now(),
        },
    )
    return Delivery.objects.create(
        issue=issue,
        subscription=subscription,
        email=address,
        message_id=f"<{message_id}>",
        status=DeliveryStatus.SENT,
        sent_at=timezone.now() - timedelta(hours=1),
        last_error=SERVER_REPLY,
    )


@pytest.fixture
def mailed(japan: Edition) -> dict[str, Delivery]:
    """Issue 5 April went to every address the samples are about."""
    issue = make_issue(japan)
    return {address: deliver(issue, address, mid) for address, mid in MAILED.items()}


def status_of(delivery: Delivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def record_all(raw: bytes) -> list[Outcome]:
    return [record_bounce(event) for event in parse_report(raw)]


# --- Parsing ------------------------------------------------------------------------


def test_postfix_dsn_gives_a_hard_bounce_with_its_original_message_id() -> None:
    [event] = parse_report(sample("postfix_hard_511.eml"))
    assert event.kind == BounceKind.HARD
    assert event.recipient == "kenji.sato@example.org"
    assert event.status == "5.1.1"
    assert event.action == "failed"
    assert "User unknown in virtual mailbox table" in event.diagnostic
    assert event.message_id == MAILED["kenji.sato@example.org"]


def test_exim_gmail_disabled_account_is_hard_and_address_lower_case() -> None:
    [event] = parse_report(sample("exim_gmail_521.eml"))
    assert (event.kind, event.status) == (BounceKind.HARD, "5.2.1")
    assert event.recipient == "aiko.mori@example.org"
    assert event.message_id == MAILED["aiko.mori@example.org"]
    assert "account that you tried to reach is inactive" in event.diagnostic


def test_delayed_mailbox_full_is_soft() -> None:
    [event] = parse_report(sample("postfix_delayed_422.eml"))
    assert (event.kind, event.status, event.action) == (
        BounceKind.SOFT,
        "4.2.2",
        "delayed",
    )


def test_multi_recipient_dsn_gives_one_event_per_failed_recipient() -> None:
    events = parse_report(sample("multi_recipient.eml"))
    assert [(e.recipient, e.kind, e.status) for e in events] == [
        ("taro@example.org", BounceKind.HARD, "5.1.1"),
        ("hanako@example.org", BounceKind.HARD, "5.1.1"),
    ]  # jiro@ was relayed: not a bounce


def test_arf_with_attached_message_is_a_complaint_for_original_rcpt_to() -> None:
    [event] = parse_report(sample("arf_abuse_rfc822.eml"))
    assert (event.kind, event.feedback_type) == (BounceKind.COMPLAINT, "abuse")
    assert event.recipient == "mei@example.org"
    assert event.message_id == MAILED["mei@example.org"]


def test_arf_with_headers_only_takes_the_recipient_from_to() -> None:
    [event] = parse_report(sample("arf_headers_only.eml"))
    assert event.kind == BounceKind.COMPLAINT
    assert event.recipient == "sora@example.org"
    assert event.message_id == MAILED["sora@example.org"]


def test_out_of_office_reply_is_no_report() -> None:
    assert parse_report(sample("out_of_office.eml")) == []


def test_truncated_report_is_malformed() -> None:
    with pytest.raises(MalformedReport, match="delivery-status"):
        parse_report(sample("truncated.eml"))


def test_dsn_with_latin1_bytes_is_read() -> None:
    raw = sample("latin1_dsn.eml")
    assert b"Empf\xe4nger" in raw  # the sample really holds non-UTF-8 bytes
    [event] = parse_report(raw)
    assert (event.kind, event.status) == (BounceKind.HARD, "5.1.1")
    assert event.recipient == "lukas.mueller@example.de"
    assert event.diagnostic.startswith("550 5.1.1 Empf")
    event.diagnostic.encode("utf-8")  # storable: no lone surrogates


def test_policy_block_and_mailbox_full_failures_are_soft() -> None:
    raw = sample("postfix_hard_511.eml")
    for code in ("5.7.1", "5.2.2", "5.3.4"):
        [event] = parse_report(raw.replace(b"5.1.1", code.encode()))
        assert (event.kind, event.status) == (BounceKind.SOFT, code)


def test_success_and_not_spam_reports_give_no_event() -> None:
    delivered = sample("postfix_hard_511.eml").replace(
        b"Action: failed", b"Action: delivered"
    )
    not_spam = sample("arf_abuse_rfc822.eml").replace(
        b"Feedback-Type: abuse", b"Feedback-Type: not-spam"
    )
    assert parse_report(delivered) == []
    assert parse_report(not_spam) == []


def test_dsn_sent_as_multipart_mixed_is_still_read() -> None:
    raw = sample("postfix_hard_511.eml").replace(
        b"multipart/report; report-type=delivery-status;", b"multipart/mixed;"
    )
    [event] = parse_report(raw)
    assert (event.kind, event.recipient) == (BounceKind.HARD, "kenji.sato@example.org")


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_every_cut_of_every_sample_parses_or_is_malformed(name: str) -> None:
    raw = sample(name)
    for end in range(0, len(raw), 23):
        try:
            events = parse_report(raw[:end])
        except MalformedReport:
            continue
        assert isinstance(events, list)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(junk: bytes) -> None:
    head = (
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
    )
    for raw in (junk, head + junk):
        try:
            events = parse_report(raw)
        except MalformedReport:
            continue
        assert isinstance(events, list)


# --- Effects ------------------------------------------------------------------------


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
    later = deliver(make_issue(japan, day=6), "taro@example.org", "102.4.taro@x")
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
    deliver(make_issue(india), "mei@example.org", "201.5.mei@india-herald")
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
        deliver(make_issue(japan, day=day), "yuki@example.org", mid)
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


# --- The command ----------------------------------------------------------------------


def run_command(**options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("process_bounces", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def fill(box: mailbox.Maildir | mailbox.mbox, names: list[str]) -> None:
    for name in names:
        box.add(sample(name))
    box.flush()


EXPECTED_SUMMARY = (
    "8 messages read: 5 hard bounces, 1 soft bounce, 2 complaints, 1 ignored, 1 error"
)


def assert_effects_of_all_samples() -> None:
    assert dict(Suppression.objects.values_list("email", "reason")) == {
        "kenji.sato@example.org": SuppressionReason.HARD_BOUNCE,
        "aiko.mori@example.org": SuppressionReason.HARD_BOUNCE,
        "taro@example.org": SuppressionReason.HARD_BOUNCE,
        "hanako@example.org": SuppressionReason.HARD_BOUNCE,
        "lukas.mueller@example.de": SuppressionReason.HARD_BOUNCE,
        "mei@example.org": SuppressionReason.COMPLAINT,
        "sora@example.org": SuppressionReason.COMPLAINT,
    }
    assert Subscriber.objects.get(email="yuki@example.org").soft_bounces == 1
    assert Delivery.objects.filter(status=DeliveryStatus.BOUNCED).count() == 5
    assert (
        Subscription.objects.filter(status=SubscriptionStatus.UNSUBSCRIBED).count() == 2
    )


def test_command_processes_a_maildir_and_removes_what_it_read(
    tmp_path: Path, mailed: dict[str, Delivery]
) -> None:
    box = mailbox.Maildir(tmp_path / "bounces")
    fill(box, ALL_SAMPLES)
    out, err = run_command(maildir=str(tmp_path / "bounces"))
    assert EXPECTED_SUMMARY + "." in out
    assert "delivery status report without a delivery-status part" in err
    assert_effects_of_all_samples()
    # Only the malformed message is left, untouched, for a person to look at.
    [left] = list(mailbox.Maildir(tmp_path / "bounces", create=False))
    assert left.get_subdir() == "new"
    assert left.as_bytes().startswith(b"Return-Path: <>")
    assert left["Message-Id"] == "<20250404213000.7Qz1@mx9.example.org>"


def test_maildir_run_twice_with_keep_marks_seen_and_changes_nothing_more(
    tmp_path: Path, mailed: dict[str, Delivery]
) -> None:
    fill(mailbox.Maildir(tmp_path / "bounces"), ALL_SAMPLES)
    out, _ = run_command(maildir=str(tmp_path / "bounces"), keep=True)
    assert EXPECTED_SUMMARY + "." in out
    kept = list(mailbox.Maildir(tmp_path / "bounces", create=False))
    assert len(kept) == 9
    seen = [m for m in kept if "S" in m.get_flags()]
    assert len(seen) == 8 and all(m.get_subdir() == "cur" for m in seen)
    out, _ = run_command(maildir=str(tmp_path / "bounces"), keep=True)
    assert "0 messages read" in out and "8 skipped (seen before)" in out
    assert_effects_of_all_samples()


def test_mbox_read_twice_counts_each_report_once(
    tmp_path: Path, mailed: dict[str, Delivery]
) -> None:
    path = tmp_path / "bounces.mbox"
    fill(mailbox.mbox(path), ALL_SAMPLES)
    for _ in range(2):
        out, _err = run_command(mbox=str(path), keep=True)
        assert EXPECTED_SUMMARY + "." in out
        assert_effects_of_all_samples()
    assert len(mailbox.mbox(path, create=False)) == 9


def test_malformed_first_message_does_not_stop_the_rest(
    tmp_path: Path, mailed: dict[str, Delivery]
) -> None:
    path = tmp_path / "bounces.mbox"
    order = ["truncated.eml"] + [n for n in ALL_SAMPLES if n != "truncated.eml"]
    fill(mailbox.mbox(path), order)
    out, err = run_command(mbox=str(path))
    assert EXPECTED_SUMMARY + "." in out
    assert err.count("\n") == 1
    assert_effects_of_all_samples()
    [left] = list(mailbox.mbox(path, create=False))
    assert left["Message-Id"] == "<20250404213000.7Qz1@mx9.example.org>"


def test_dry_run_changes_neither_database_nor_mailbox(
    tmp_path: Path, mailed: dict[str, Delivery]
) -> None:
    fill(mailbox.Maildir(tmp_path / "bounces"), ALL_SAMPLES)
    out, _ = run_command(maildir=str(tmp_path / "bounces"), dry_run=True, verbosity=2)
    assert EXPECTED_SUMMARY + ". Dry run: nothing was changed." in out
    assert "hard kenji.sato@example.org 5.1.1: dry run" in out
    assert not Suppression.objects.exists()
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    box = mailbox.Maildir(tmp_path / "bounces", create=False)
    assert len(box) == 9 and all(m.get_subdir() == "new" for m in box)


def test_unreadable_source_is_a_command_error(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="not a Maildir"):
        run_command(maildir=str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="not an mbox file"):
        run_command(mbox=str(tmp_path))


# --- The HTTP endpoint ----------------------------------------------------------------


@pytest.fixture
def token(settings: Any) -> str:
    settings.HERALD_BOUNCE_TOKEN = TOKEN
    return TOKEN


def post(raw: bytes, *, content_type: str = "message/rfc822", **headers: str) -> Any:
    headers.setdefault("authorization", f"Bearer {TOKEN}")
    return Client().post(
        reverse("newsletter:bounces"), raw, content_type=content_type, headers=headers
    )


def test_endpoint_is_off_without_a_token(settings: Any, db: None) -> None:
    settings.HERALD_BOUNCE_TOKEN = ""
    assert post(sample("postfix_hard_511.eml")).status_code == 404
    assert Client().get(reverse("newsletter:bounces")).status_code == 404
    assert not Suppression.objects.exists()


def test_endpoint_records_a_posted_report(
    token: str, mailed: dict[str, Delivery]
) -> None:
    response = post(sample("postfix_hard_511.eml"))
    assert response.status_code == 200
    body = response.json()
    assert body["processed"] == 1
    [event] = body["events"]
    assert event["recipient"] == "kenji.sato@example.org"
    assert (event["kind"], event["status"]) == ("hard", "5.1.1")
    assert event["outcome"] == "suppressed"
    assert Suppression.objects.filter(email="kenji.sato@example.org").exists()
    assert "Set-Cookie" not in response.headers


def test_endpoint_counts_a_report_posted_twice_once(
    token: str, mailed: dict[str, Delivery]
) -> None:
    outcomes = [
        post(sample("postfix_delayed_422.eml")).json()["events"][0]["outcome"]
        for _ in range(2)
    ]
    assert outcomes == ["soft bounce counted", "soft bounce already counted"]
    assert Subscriber.objects.get(email="yuki@example.org").soft_bounces == 1


def test_endpoint_takes_a_multipart_report_body(
    token: str, mailed: dict[str, Delivery]
) -> None:
    raw = sample("arf_abuse_rfc822.eml")
    _headers, body = raw.split(b"\n\n", 1)
    content_type = (
        "multipart/report; report-type=feedback-report; "
        'boundary="part1_13d.2e68ed54_boundary"'
    )
    response = post(body, content_type=content_type)
    assert response.status_code == 200
    assert response.json()["events"][0]["kind"] == "complaint"
    assert Suppression.objects.get().email == "mei@example.org"


def test_endpoint_answers_no_report_with_nothing_processed(
    token: str, db: None
) -> None:
    response = post(sample("out_of_office.eml"))
    assert response.json() == {"processed": 0, "events": []}


def test_endpoint_refuses_a_malformed_report(token: str, db: None) -> None:
    response = post(sample("truncated.eml"))
    assert response.status_code == 400
    assert "delivery-status" in response.json()["error"]


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"],
)
def test_endpoint_refuses_a_missing_or_wrong_token(
    token: str, mailed: dict[str, Delivery], authorization: str
) -> None:
    response = post(sample("postfix_hard_511.eml"), authorization=authorization)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not Suppression.objects.exists()


def test_endpoint_refuses_get(token: str, db: None) -> None:
    response = Client().get(
        reverse("newsletter:bounces"), headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_endpoint_refuses_a_report_over_one_megabyte(token: str, db: None) -> None:
    raw = sample("postfix_hard_511.eml")
    padded = raw.replace(b"\n\nThis is a MIME", b"\n\n" + b"x" * (1024 * 1024) + b"\n")
    assert post(padded).status_code == 413
    assert not Suppression.objects.exists()


def test_endpoint_refuses_other_content_types(token: str, db: None) -> None:
    response = post(sample("postfix_hard_511.eml"), content_type="text/plain")
    assert response.status_code == 415


def test_a_mail_to_the_list_unsubscribe_address_unsubscribes(
    tmp_path: Path, japan: Edition
) -> None:
    from herald.newsletter.rendering import mailto_unsubscribe_address

    subscriber = Subscriber.objects.create(email="leaver@example.org")
    subscription = Subscription.objects.create(
        subscriber=subscriber, edition=japan, status=SubscriptionStatus.CONFIRMED
    )
    box = mailbox.Maildir(str(tmp_path / "box"))
    to = mailto_unsubscribe_address(subscription, "japan-herald.example.com")
    box.add(f"From: leaver@example.org\nTo: {to}\nSubject: unsubscribe\n\n".encode())
    forged = to.replace("unsubscribe+", "unsubscribe+9").replace("-", "-0", 1)
    box.add(f"From: x@example.org\nTo: {forged}\nSubject: unsubscribe\n\n".encode())
    out = StringIO()
    call_command("process_bounces", "--maildir", str(tmp_path / "box"), stdout=out)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.UNSUBSCRIBED
    assert "1 unsubscribed by mail" in out.getvalue()
    assert not Suppression.objects.exists()
