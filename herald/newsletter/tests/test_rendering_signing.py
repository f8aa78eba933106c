"""DKIM signing of the rendered message, the manage token, and the signed mailto
unsubscribe address."""

import email
import email.policy
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve

from herald.newsletter import tokens
from herald.newsletter.dkim import sign_dkim
from herald.newsletter.models import Issue
from herald.newsletter.rendering.message import render_delivery, render_outgoing
from herald.newsletter.rendering.signing import (
    mailto_unsubscribe_address,
    read_mailto_unsubscribe_address,
)
from herald.newsletter.tests.factories import deliver
from herald.newsletter.tests.messages import smtplib_wire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_blocks")]


# --- DKIM ---------------------------------------------------------------------


@pytest.fixture
def dkim_key(tmp_path: Path, settings: Any) -> str:
    from dkim import dknewkey

    key_file, dns_file = tmp_path / "herald.key", tmp_path / "herald.dns"
    dknewkey.GenRSAKeys(str(key_file), verbose=False)
    dknewkey.ExtractRSADnsPublicKey(str(key_file), str(dns_file), verbose=False)
    settings.HERALD_DKIM_KEY_FILE = str(key_file)
    settings.HERALD_DKIM_SELECTOR = "herald2025"
    settings.HERALD_DKIM_DOMAIN = "japan-herald.example.com"
    return dns_file.read_text()


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(
    issue: Issue, dkim_key: str
) -> None:
    import dkim

    looked_up: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        looked_up.append(name)
        return dkim_key.encode()

    signed = sign_dkim(render_delivery(deliver(issue)).as_bytes())
    assert dkim.verify(signed, dnsfunc=dns)
    assert looked_up == [b"herald2025._domainkey.japan-herald.example.com."]
    message = email.message_from_bytes(signed, policy=email.policy.strict)
    tags = dict(
        tag.strip().split("=", 1)
        for tag in "".join(str(message["DKIM-Signature"]).split()).split(";")
        if tag.strip()
    )
    covered = tags["h"].split(":")
    for header in ("from", "subject", "date", "message-id", "list-id"):
        assert header in covered
    assert "list-unsubscribe" in covered and "list-unsubscribe-post" in covered
    assert tags["d"] == "japan-herald.example.com" and tags["s"] == "herald2025"
    # A relay that rewrites the unsubscribe header breaks the signature.
    forged = signed.replace(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        b"List-Unsubscribe-Post: nothing",
    )
    assert not dkim.verify(forged, dnsfunc=dns)


def test_messages_as_sent_are_dkim_signed_when_a_key_is_configured(
    issue: Issue, dkim_key: str
) -> None:
    import dkim

    outgoing = render_outgoing(deliver(issue))
    assert outgoing.raw.startswith(b"DKIM-Signature:")
    assert outgoing.wire == smtplib_wire(outgoing.raw)
    assert dkim.verify(outgoing.raw, dnsfunc=lambda name, timeout=5: dkim_key.encode())


def test_without_a_dkim_key_the_message_is_unchanged(issue: Issue) -> None:
    raw = render_delivery(deliver(issue)).as_bytes()
    assert sign_dkim(raw) is raw


def test_half_configured_dkim_is_refused(issue: Issue, settings: Any) -> None:
    settings.HERALD_DKIM_SELECTOR = "herald2025"
    with pytest.raises(ImproperlyConfigured):
        sign_dkim(render_delivery(deliver(issue)).as_bytes())


def test_manage_token_is_the_django_signing_token_and_reads_back(
    issue: Issue,
) -> None:
    subscription = deliver(issue).subscription
    for _ in range(5):
        second = int(time.time())
        token = tokens.manage_token(subscription)
        expected = signing.dumps(
            {"s": subscription.pk}, salt=tokens.MANAGE_SALT, compress=True
        )
        if int(time.time()) == second:
            break
    assert token == expected
    assert tokens.read_manage_token(token) == subscription
    with pytest.raises(tokens.BadToken):
        tokens.read_manage_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    url = tokens.unsubscribe_url(subscription)
    assert (
        resolve(urlsplit(url).path).kwargs["token"].split(":")[0]
        == (token.split(":")[0])
    )


def test_mailto_address_is_herald_made_and_short(issue: Issue) -> None:
    subscription = deliver(issue).subscription
    address = mailto_unsubscribe_address(subscription, "example.com")
    assert read_mailto_unsubscribe_address(address) == subscription.pk
    tampered = address.replace(f"+{subscription.pk}-", f"+{subscription.pk + 1}-")
    assert read_mailto_unsubscribe_address(tampered) is None
