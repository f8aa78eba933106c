"""The safe fetcher against loopback servers: bodies, validators, caps, deadlines."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
from typing import Any

import pytest

from herald.core.fetching import (
    BadResponse,
    BadStatus,
    ConnectionFailed,
    DeadlineExceeded,
    TooLarge,
    fetch,
)
from herald.core.tests.httpserver import (
    Route,
    serve,
)

# Each test starts a real server on loopback.
pytestmark = [pytest.mark.loopback, pytest.mark.usefixtures("connections")]


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
