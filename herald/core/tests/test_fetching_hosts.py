"""The safe fetcher's redirects and name resolution, a stub resolver on loopback."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from herald.core.fetching import (
    BadResponse,
    BadURL,
    BlockedAddress,
    ConnectionFailed,
    FetchError,
    TooManyRedirects,
    fetch,
)
from herald.core.tests.httpserver import (
    Route,
    serve,
    stub_dns,
)

# Each test starts a real server on loopback.
pytestmark = [pytest.mark.loopback, pytest.mark.usefixtures("connections")]


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
