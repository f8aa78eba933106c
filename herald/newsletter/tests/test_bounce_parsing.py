"""Parsing bounce and complaint reports: DSN (RFC 3464) and ARF (RFC 5965)."""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from herald.newsletter.bounce_reports import BounceKind, MalformedReport, parse_report
from herald.newsletter.tests.samples import ALL_SAMPLES, MAILED, sample


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
