"""Taking reports in: the process_bounces command, the HTTP endpoint, and mail to
the List-Unsubscribe address."""

import mailbox
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from herald.editions.models import Edition
from herald.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
)
from herald.newsletter.rendering.signing import mailto_unsubscribe_address
from herald.newsletter.tests.samples import ALL_SAMPLES, sample

TOKEN = "bounce-token-for-tests"


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
