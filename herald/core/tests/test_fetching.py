"""The safe fetcher against real HTTP servers on loopback, hostile ones included."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from herald.core.fetching import (
    BadResponse,
    BadStatus,
    BadURL,
    BlockedAddress,
    ConnectionFailed,
    DeadlineExceeded,
    FetchError,
    TooLarge,
    TooManyRedirects,
    check_url,
    fetch,
    is_allowed_address,
    is_public_address,
)
from herald.core.tests.httpserver import (
    Certificates,
    Route,
    guard_connections,
    make_certificates,
    serve,
    stub_dns,
)

LOOPBACK = ["127.0.0.1", "127.0.0.2", "::1"]


@pytest.fixture(autouse=True)
def connections(settings: Any) -> Iterator[list[str]]:
    """Allow the test servers' address; fail on any connection beyond loopback."""
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.HERALD_FETCH_MAX_REDIRECTS = 5
    with guard_connections(LOOPBACK) as connected:
        yield connected


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


# --- Real servers on loopback ---------------------------------------------------------
def test_fetch_returns_body_validators_and_type() -> None:
    route = Route(
        body=b"<rss/>",
        content_type="application/rss+xml; charset=utf-8",
        etag='"v1"',
        last_modified="Wed, 25 Nov 2026 10:00:00 GMT",
    )
    with serve({"/feed.xml": route}) as server:
        result = fetch(server.url("/feed.xml"), timeout=2)
    assert result.status == 200
    assert result.body == b"<rss/>"
    assert result.url == server.url("/feed.xml")
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 25 Nov 2026 10:00:00 GMT"
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert not result.not_modified
    sent = server.requests[0].headers
    assert sent["User-Agent"].startswith("Herald/")
    assert sent["Host"] == f"127.0.0.1:{server.port}"
    assert "If-None-Match" not in sent


def test_query_string_and_non_ascii_path_are_sent_encoded() -> None:
    with serve({"/caf%C3%A9/feed": Route(body=b"ok")}) as server:
        result = fetch(server.url("/café/feed?lang=ja&page=2"), timeout=2)
    assert result.body == b"ok"
    assert server.requests[0].path == "/caf%C3%A9/feed?lang=ja&page=2"


def test_conditional_get_with_etag_answers_not_modified() -> None:
    with serve({"/feed": Route(body=b"<feed/>", etag='"abc"')}) as server:
        first = fetch(server.url("/feed"), timeout=2)
        second = fetch(server.url("/feed"), etag=first.etag, timeout=2)
    assert first.status == 200
    assert second.not_modified
    assert second.status == 304
    assert second.body == b""
    assert second.etag == '"abc"'
    assert server.requests[1].headers["If-None-Match"] == '"abc"'


def test_conditional_get_with_last_modified_answers_not_modified() -> None:
    stamp = "Tue, 24 Nov 2026 08:00:00 GMT"
    with serve({"/feed": Route(body=b"<feed/>", last_modified=stamp)}) as server:
        result = fetch(server.url("/feed"), last_modified=stamp, timeout=2)
    assert result.not_modified
    assert server.requests[0].headers["If-Modified-Since"] == stamp


def test_changed_feed_answers_in_full_despite_old_validators() -> None:
    with serve({"/feed": Route(body=b"v2", etag='"2"')}) as server:
        result = fetch(server.url("/feed"), etag='"1"', timeout=2)
    assert result.status == 200
    assert result.body == b"v2"
    assert result.etag == '"2"'


def test_trickling_body_is_cut_at_the_total_deadline() -> None:
    slow = Route(body=b"x" * 100, trickle=1.0)  # one byte a second
    with serve({"/slow": slow}) as server:
        started = time.monotonic()
        with pytest.raises(
            DeadlineExceeded, match=r"took longer than the 1 s deadline"
        ):
            fetch(server.url("/slow"), timeout=1.0)
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.5  # the whole body would take 100 s


def test_trickling_headers_are_cut_at_the_total_deadline() -> None:
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" * 50
    slow = Route(raw=head, trickle=0.05, chunk_size=1)  # 20 bytes a second
    with serve({"/slow": slow}) as server:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            fetch(server.url("/slow"), timeout=0.6)
        elapsed = time.monotonic() - started
    assert elapsed < 1.6  # the whole head would take 90 s


def test_server_that_never_answers_is_cut_at_the_deadline() -> None:
    with serve({"/silent": Route(body=b"late", delay=30)}) as server:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            fetch(server.url("/silent"), timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_deadline_covers_the_whole_redirect_chain() -> None:
    routes = {
        f"/{n}": Route(status=302, headers={"Location": f"/{n + 1}"}, delay=0.5)
        for n in range(5)
    }
    routes["/5"] = Route(body=b"too late")
    with serve(routes) as server:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            fetch(server.url("/0"), timeout=0.8)
    assert time.monotonic() - started < 2.0  # the whole chain would take 2.5 s


def test_slow_name_resolution_is_cut_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def hanging_getaddrinfo(*args: Any, **kwargs: Any) -> list[Any]:
        time.sleep(2)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_getaddrinfo)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"resolving slow\.example\.com"):
        fetch("http://slow.example.com/feed", timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_endless_body_stops_at_the_size_cap_with_bounded_memory() -> None:
    endless = Route(body=b"<item>" * 10_000, repeat=True)
    cap = 1024 * 1024
    with serve({"/endless": endless}) as server:
        tracemalloc.start()
        try:
            with pytest.raises(TooLarge, match=f"more than the cap of {cap} bytes"):
                fetch(server.url("/endless"), max_bytes=cap, timeout=5)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 * cap


def test_declared_two_gigabyte_body_is_refused_before_reading() -> None:
    huge = Route(body=b"x" * 1000, content_length=2 * 1024**3, repeat=False)
    with (
        serve({"/huge": huge}) as server,
        pytest.raises(TooLarge, match="declares 2147483648 bytes"),
    ):
        fetch(server.url("/huge"), max_bytes=10 * 1024 * 1024, timeout=5)


def test_body_shorter_than_its_content_length_is_a_truncated_response() -> None:
    short = Route(body=b"<rss><channel>", content_length=5000)
    with (
        serve({"/short": short}) as server,
        pytest.raises(BadResponse, match="closed the connection after 14 bytes"),
    ):
        fetch(server.url("/short"), timeout=2)


def test_body_beyond_its_content_length_is_not_read() -> None:
    with serve({"/long": Route(body=b"0123456789", content_length=4)}) as server:
        result = fetch(server.url("/long"), timeout=2)
    assert result.body == b"0123"


def test_body_without_length_is_read_until_the_server_closes() -> None:
    with serve({"/close": Route(body=b"a" * 300_000, content_length=-1)}) as server:
        result = fetch(server.url("/close"), timeout=2)
    assert result.body == b"a" * 300_000


def test_gzip_body_is_decoded() -> None:
    data = b"<rss>" + b"<item>news</item>" * 1000 + b"</rss>"
    route = Route(body=gzip.compress(data), headers={"Content-Encoding": "gzip"})
    with serve({"/gz": route}) as server:
        result = fetch(server.url("/gz"), timeout=2)
    assert result.body == data
    assert server.requests[0].headers["Accept-Encoding"] == "gzip"


def test_gzip_bomb_stops_at_the_decoded_size_cap_with_bounded_memory() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    cap = 1024 * 1024
    route = Route(body=bomb, headers={"Content-Encoding": "gzip"})
    with serve({"/bomb": route}) as server:
        tracemalloc.start()
        try:
            with pytest.raises(TooLarge, match="decoded body is larger than"):
                fetch(server.url("/bomb"), max_bytes=cap, timeout=5)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 * cap


def test_concatenated_gzip_members_are_all_decoded() -> None:
    body = gzip.compress(b"first ") + gzip.compress(b"second")
    route = Route(body=body, headers={"Content-Encoding": "gzip"})
    with serve({"/gz": route}) as server:
        assert fetch(server.url("/gz"), timeout=2).body == b"first second"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"this is not gzip at all", "gzip body is corrupt"),
        (gzip.compress(b"x" * 10_000)[:-12], "gzip body is truncated"),
    ],
)
def test_broken_gzip_is_a_bad_response(body: bytes, message: str) -> None:
    route = Route(body=body, headers={"Content-Encoding": "gzip"})
    with (
        serve({"/gz": route}) as server,
        pytest.raises(BadResponse, match=message),
    ):
        fetch(server.url("/gz"), timeout=2)


def test_unsupported_content_encoding_is_a_bad_response() -> None:
    route = Route(body=b"\x1b\x00", headers={"Content-Encoding": "br"})
    with (
        serve({"/br": route}) as server,
        pytest.raises(BadResponse, match="unsupported Content-Encoding: br"),
    ):
        fetch(server.url("/br"), timeout=2)


@pytest.mark.parametrize("status", [400, 403, 404, 410, 500, 503])
def test_error_status_is_a_bad_status(status: int) -> None:
    with (
        serve({"/feed": Route(status=status, body=b"nope")}) as server,
        pytest.raises(BadStatus, match=f"answered HTTP {status}") as caught,
    ):
        fetch(server.url("/feed"), timeout=2)
    assert caught.value.status == status


def test_answer_that_is_not_http_is_a_bad_response() -> None:
    with (
        serve({"/feed": Route(raw=b"SSH-2.0-OpenSSH_9.2\r\n")}) as server,
        pytest.raises(BadResponse, match="invalid HTTP response"),
    ):
        fetch(server.url("/feed"), timeout=2)


def test_closed_port_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed, match=r"connecting to .* failed"):
        fetch(f"http://127.0.0.1:{port}/feed", timeout=2)


# --- Redirects ------------------------------------------------------------------------
def test_redirects_are_followed_and_the_final_url_is_reported() -> None:
    routes = {
        "/old": Route.redirect("/moved", status=301),
        "/moved": Route.redirect("new?x=1", status=308),
        "/new": Route(body=b"here"),
    }
    with serve(routes) as server:
        result = fetch(server.url("/old"), timeout=2)
    assert result.body == b"here"
    assert result.url == server.url("/new?x=1")
    assert [r.path for r in server.requests] == ["/old", "/moved", "/new?x=1"]


def test_redirect_loop_stops_at_the_limit(settings: Any) -> None:
    settings.HERALD_FETCH_MAX_REDIRECTS = 3
    routes = {"/a": Route.redirect("/b"), "/b": Route.redirect("/a")}
    with (
        serve(routes) as server,
        pytest.raises(TooManyRedirects, match="redirected more than 3 times"),
    ):
        fetch(server.url("/a"), timeout=2)
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::ffff:169.254.169.254]/",
        "http://100.100.100.200/latest/meta-data/",
        "http://127.0.0.2/",
    ],
)
def test_redirect_to_a_private_address_is_refused_without_connecting(
    location: str, connections: list[str]
) -> None:
    with (
        serve({"/feed": Route.redirect(location)}) as server,
        pytest.raises(BlockedAddress, match="not a public address") as caught,
    ):
        fetch(server.url("/feed"), timeout=2)
    assert connections == ["127.0.0.1"]
    assert str(caught.value).endswith(f"(redirected from {server.url('/feed')})")


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x/"]
)
def test_redirect_to_another_scheme_is_refused(location: str) -> None:
    with (
        serve({"/feed": Route.redirect(location)}) as server,
        pytest.raises(BadURL, match="only http and https"),
    ):
        fetch(server.url("/feed"), timeout=2)


def test_redirect_without_location_is_a_bad_response() -> None:
    with (
        serve({"/feed": Route(status=302)}) as server,
        pytest.raises(BadResponse, match="302 without a Location"),
    ):
        fetch(server.url("/feed"), timeout=2)


# --- Name resolution: stub resolver, addresses on loopback ----------------------------
@pytest.fixture
def public_host(settings: Any) -> str:
    """`feeds.example.com` resolves to 127.0.0.2, which stands in for a public IP."""
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.2"]
    return "feeds.example.com"


def test_host_name_is_resolved_once_and_the_connection_pinned(
    public_host: str, connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["127.0.0.2", "10.0.0.1", "10.0.0.1"])  # rebinding after the check
    calls: list[str] = []

    def rebinding_getaddrinfo(host: str, port: int, *args: Any, **kw: Any) -> Any:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    with serve({"/feed": Route(body=b"pinned")}, host="127.0.0.2") as server:
        monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
        result = fetch(server.url("/feed", host=public_host), timeout=2)
    assert result.body == b"pinned"
    assert calls == [public_host]
    assert connections == ["127.0.0.2"]
    assert server.requests[0].headers["Host"] == f"{public_host}:{server.port}"


def test_redirect_to_a_name_resolving_to_loopback_is_refused(
    public_host: str, connections: list[str]
) -> None:
    with serve({}, host="127.0.0.2") as server:
        server.routes["/feed"] = Route.redirect(server.url("/x", host="localhost"))
        with (
            stub_dns({public_host: ["127.0.0.2"]}),
            pytest.raises(BlockedAddress, match="localhost resolves to"),
        ):
            fetch(server.url("/feed", host=public_host), timeout=2)
    assert connections == ["127.0.0.2"]


def test_name_with_any_non_public_address_is_refused(
    public_host: str, connections: list[str]
) -> None:
    with (
        stub_dns({"mixed.example.com": ["127.0.0.2", "10.0.0.1"]}),
        pytest.raises(BlockedAddress, match=r"resolves to 10\.0\.0\.1"),
    ):
        fetch("http://mixed.example.com/feed", timeout=2)
    assert connections == []


def test_unknown_host_name_is_a_connection_failure(public_host: str) -> None:
    with (
        stub_dns({}),
        pytest.raises(ConnectionFailed, match=r"cannot resolve nowhere\.example"),
    ):
        fetch("http://nowhere.example/feed", timeout=2)


def test_every_failure_is_a_fetch_error_with_a_one_line_message() -> None:
    with (
        serve({"/a": Route.redirect("/a")}) as server,
        pytest.raises(FetchError) as caught,
    ):
        fetch(server.url("/a"), timeout=2)
    assert "\n" not in str(caught.value)


def test_ipv6_loopback_server_is_reachable_when_allowed(settings: Any) -> None:
    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6")
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["::1"]
    try:
        server_cm = serve({"/feed": Route(body=b"v6")}, host="::1")
        server = server_cm.__enter__()
    except OSError:
        pytest.skip("IPv6 loopback is not configured here")
    try:
        result = fetch(server.url("/feed"), timeout=2)
    finally:
        server_cm.__exit__(None, None, None)
    assert result.body == b"v6"
    assert server.requests[0].headers["Host"] == f"[::1]:{server.port}"


def test_international_host_name_is_sent_in_its_ascii_form(
    public_host: str, connections: list[str]
) -> None:
    with (
        serve({"/feed": Route(body=b"idn")}, host="127.0.0.2") as server,
        stub_dns({"xn--bcher-kva.example": ["127.0.0.2"]}),
    ):
        result = fetch(server.url("/feed", host="bücher.example"), timeout=2)
    assert result.body == b"idn"
    assert server.requests[0].headers["Host"] == f"xn--bcher-kva.example:{server.port}"


def test_header_flood_is_a_bad_response() -> None:
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Flood: 1\r\n" * 1000 + b"\r\n"
    with (
        serve({"/feed": Route(raw=head)}) as server,
        pytest.raises(BadResponse, match="more than 100 headers"),
    ):
        fetch(server.url("/feed"), timeout=2)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_server_that_accepts_and_stays_silent_is_cut_at_the_deadline(
    scheme: str,
) -> None:
    # The kernel completes the TCP handshake from the backlog; nothing ever answers.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            fetch(f"{scheme}://127.0.0.1:{port}/feed", timeout=0.5)
    assert time.monotonic() - started < 1.5


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


def test_not_modified_without_validators_keeps_the_ones_sent() -> None:
    answer = Route(status=304, headers={"Content-Type": "text/plain"})
    with serve({"/feed": answer}) as server:
        result = fetch(
            server.url("/feed"), etag='"7"', last_modified="Mon, 23 Nov 2026", timeout=2
        )
    assert result.not_modified
    assert result.etag == '"7"'
    assert result.last_modified == "Mon, 23 Nov 2026"


def test_chunked_body_is_read_in_full() -> None:
    route = Route(body=b"<item/>" * 500, chunked=True, trickle=0.001, chunk_size=700)
    with serve({"/feed": route}) as server:
        result = fetch(server.url("/feed"), timeout=3)
    assert result.body == b"<item/>" * 500


def test_endless_chunked_body_stops_at_the_size_cap() -> None:
    route = Route(body=b"z" * 8192, chunked=True, repeat=True)
    with (
        serve({"/feed": route}) as server,
        pytest.raises(TooLarge, match="more than the cap of 100000 bytes"),
    ):
        fetch(server.url("/feed"), max_bytes=100_000, timeout=3)


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
