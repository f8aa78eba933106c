"""The safe fetcher over HTTPS: a throwaway CA, the name pinned to a loopback IP."""

from __future__ import annotations

import time
from typing import Any

import pytest

from herald.core.fetching import (
    ConnectionFailed,
    DeadlineExceeded,
    fetch,
)
from herald.core.tests.httpserver import (
    Certificates,
    Route,
    make_certificates,
    serve,
    stub_dns,
)

# Each test starts a real server on loopback.
pytestmark = [pytest.mark.loopback, pytest.mark.usefixtures("connections")]


# --- HTTPS: a throwaway CA, the name pinned to a loopback address ---------------------
@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    folder = tmp_path_factory.mktemp("tls")
    return make_certificates(folder, ["feeds.example.com", "127.0.0.2"])


def test_https_verifies_the_certificate_for_the_host_name_at_the_pinned_address(
    public_host: str,
    certificates: Certificates,
    connections: list[str],
    settings: Any,
) -> None:
    settings.HERALD_FETCH_CA_FILE = str(certificates.ca_file)
    tls = certificates.server_context()
    with (
        serve({"/feed": Route(body=b"secure")}, host="127.0.0.2", tls=tls) as server,
        stub_dns({public_host: ["127.0.0.2"]}),
    ):
        result = fetch(server.url("/feed", host=public_host), timeout=3)
    assert result.body == b"secure"
    assert result.url == f"https://{public_host}:{server.port}/feed"
    assert connections == ["127.0.0.2"]
    assert server.tls_names == [public_host]
    assert server.requests[0].headers["Host"] == f"{public_host}:{server.port}"


def test_https_with_a_certificate_for_another_name_fails(
    public_host: str, certificates: Certificates, settings: Any
) -> None:
    settings.HERALD_FETCH_CA_FILE = str(certificates.ca_file)
    tls = certificates.server_context()
    with (
        serve({"/feed": Route(body=b"x")}, host="127.0.0.2", tls=tls) as server,
        stub_dns({"other.example.com": ["127.0.0.2"]}),
        pytest.raises(ConnectionFailed, match=r"TLS with other\.example\.com failed"),
    ):
        fetch(server.url("/feed", host="other.example.com"), timeout=3)
    assert server.requests == []


def test_https_with_an_untrusted_certificate_authority_fails(
    public_host: str, certificates: Certificates
) -> None:
    tls = certificates.server_context()
    with (
        serve({"/feed": Route(body=b"x")}, host="127.0.0.2", tls=tls) as server,
        stub_dns({public_host: ["127.0.0.2"]}),
        pytest.raises(ConnectionFailed, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        fetch(server.url("/feed", host=public_host), timeout=3)
    assert server.requests == []


def test_https_body_trickle_is_cut_at_the_deadline(
    public_host: str, certificates: Certificates, settings: Any
) -> None:
    settings.HERALD_FETCH_CA_FILE = str(certificates.ca_file)
    slow = Route(body=b"x" * 100, trickle=0.1)
    tls = certificates.server_context()
    with (
        serve({"/feed": slow}, host="127.0.0.2", tls=tls) as server,
        stub_dns({public_host: ["127.0.0.2"]}),
    ):
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            fetch(server.url("/feed", host=public_host), timeout=0.8)
    assert time.monotonic() - started < 2.0
