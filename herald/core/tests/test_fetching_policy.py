"""The safe fetcher's address and URL policy: what it refuses, and before connecting."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from herald.core.fetching import (
    BadURL,
    BlockedAddress,
    check_url,
    fetch,
    is_allowed_address,
    is_public_address,
)
from herald.core.tests.httpserver import (
    Route,
    serve,
    stub_dns,
)

# Each test starts a real server on loopback.
pytestmark = [pytest.mark.loopback, pytest.mark.usefixtures("connections")]


# --- The address policy, without network ----------------------------------------------
@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
        "198.51.100.7",
        "203.0.113.9",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "ff0e::1",
        "2001:db8::1",
        "2001::1",
        "100::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "64:ff9b::7f00:1",
        "64:ff9b:1::1",
        "2002:a00:1::1",
        "2002:7f00:1::1",
    ],
)
def test_non_public_address_is_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not is_public_address(ip)
    assert not is_allowed_address(ip) or address == "127.0.0.1"


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
def test_public_address_is_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert is_public_address(ip)
    assert is_allowed_address(ip)


def test_allowed_addresses_setting_admits_listed_addresses_and_networks_only(
    settings: Any,
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1", "10.1.0.0/16", "::1"]
    allowed = [ipaddress.ip_address(a) for a in ("127.0.0.1", "10.1.2.3", "::1")]
    refused = [ipaddress.ip_address(a) for a in ("127.0.0.2", "10.2.0.1", "fe80::1")]
    assert all(is_allowed_address(ip) for ip in allowed)
    assert not any(is_allowed_address(ip) for ip in refused)


def test_allowed_addresses_setting_with_a_typo_is_a_configuration_error(
    settings: Any,
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1", "localhost"]
    with pytest.raises(ImproperlyConfigured, match="'localhost' is not an IP"):
        is_allowed_address(ipaddress.ip_address("8.8.8.8"))


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.2]/",
        "http://[fe80::1%25eth0]/",
        "https://192.168.0.1/",
        "http://0.0.0.0:80/",
    ],
)
def test_literal_non_public_address_is_refused_without_connecting(
    url: str, connections: list[str]
) -> None:
    with pytest.raises(BlockedAddress, match="not a public address"):
        fetch(url, timeout=1)
    assert connections == []


def test_localhost_is_refused_when_loopback_is_not_allowed(
    settings: Any, connections: list[str]
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = []
    with (
        serve({"/": Route(body=b"secret")}) as server,
        pytest.raises(BlockedAddress, match=r"localhost resolves to .*"),
    ):
        fetch(server.url("/", host="localhost"), timeout=1)
    assert connections == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty URL"),
        ("ftp://example.com/feed.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("feeds.example.com/rss", "only http and https"),
        ("http:///feed.xml", "no host"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http://exa mple.com/", "spaces or control characters"),
        ("http://example.com/\r\nX-Injected: 1", "spaces or control characters"),
    ],
)
def test_bad_url_is_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(BadURL, match=message):
        fetch(url, timeout=1)


def test_validators_with_control_characters_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="etag must not contain control"):
        fetch("http://127.0.0.1/", etag='"a"\r\nX-Evil: 1', timeout=1)


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1"]
)
def test_numeric_forms_of_loopback_are_refused_after_resolution(
    host: str, settings: Any, connections: list[str]
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = []
    with pytest.raises(BlockedAddress, match=r"resolves to 127\.0\.0\.1"):
        fetch(f"http://{host}/feed", timeout=1)
    assert connections == []


def test_check_url_accepts_a_fetchable_url_and_refuses_a_private_one(
    public_host: str,
) -> None:
    with stub_dns({public_host: ["127.0.0.2"], "intranet.example": ["10.1.2.3"]}):
        assert check_url(f" https://{public_host}/rss ") == f"https://{public_host}/rss"
        with pytest.raises(BlockedAddress, match=r"intranet\.example resolves to"):
            check_url("http://intranet.example/rss")
    with pytest.raises(BadURL, match="only http and https"):
        check_url("javascript:alert(1)")
