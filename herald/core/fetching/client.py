"""The safe fetcher: the one client for every request Herald makes to an untrusted URL.

What it guarantees, for each call of `fetch()`:

- One deadline for the whole request: name resolution, connecting, TLS, every read of
  the headers and the body, and every redirect hop. A server that trickles one byte a
  second is cut off at the deadline, not at a per-read timeout.
- A size cap checked while streaming, on the bytes received and, for gzip, on the bytes
  decoded; a larger body never lands in memory.
- Only `http` and `https`. The host name is resolved once, by us, and every address it
  resolves to must be public (see `is_public_address`) unless it is listed in
  `HERALD_FETCH_ALLOWED_ADDRESSES`. The connection is then made to the checked address,
  so DNS rebinding cannot swap it; the Host header, TLS SNI and certificate check keep
  the original host name.
- Redirects are followed by hand, at most `HERALD_FETCH_MAX_REDIRECTS`, and each hop is
  checked like the first request.
- Conditional GET: pass the `etag` and `last_modified` of the previous result and a 304
  comes back as a result whose `not_modified` is true (and whose validators are the
  ones to send next time).
- Bodies may come gzipped (we ask for it); other content codings are refused.
- Proxy environment variables are ignored on purpose: a proxy would resolve and connect
  on its own, past the address check.

Every failure is a `FetchError` (or one of its subclasses) with a one-line message.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import logging
import math
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

logger = logging.getLogger(__name__)

USER_AGENT = "Herald/0.1 (news wire ingest)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- Errors ---------------------------------------------------------------------------
class FetchError(Exception):
    """A request that did not give a usable response; the message is one line."""


class BadURL(FetchError):
    """The URL is not an absolute http(s) URL with a host."""


class BlockedAddress(FetchError):
    """The host resolves to an address Herald must not connect to."""


class TooLarge(FetchError):
    """The body is larger than the size cap."""


class DeadlineExceeded(FetchError):
    """The request as a whole took longer than its deadline."""


class TooManyRedirects(FetchError):
    """More redirects than allowed, or a redirect without a usable Location."""


class BadStatus(FetchError):
    """The server answered with a status other than 2xx or 304."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class ConnectionFailed(FetchError):
    """The name did not resolve, the connection failed, or TLS failed."""


class BadResponse(FetchError):
    """The server's answer is not valid HTTP, or the body is truncated or corrupt."""


# --- Result ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FetchResult:
    """A response: status 2xx with its body, or 304 with an empty body.

    `url` is the final URL, after redirects. `content_type` is the header as sent
    (e.g. "application/rss+xml; charset=utf-8"); `etag` and `last_modified` are the
    validators to pass to the next `fetch()` of the same URL.
    """

    status: int
    body: bytes
    url: str
    etag: str
    last_modified: str
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- Address policy -------------------------------------------------------------------
# Ranges refused even where `is_global` says otherwise (it calls multicast and some
# special-purpose blocks global), listed so that the policy reads in one place.
_BLOCKED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/128",  # unspecified
        "::1/128",  # loopback
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo included
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public_address(address: IPAddress) -> bool:
    """True if the address is a public unicast address Herald may connect to.

    Refuses loopback, private, link-local, carrier-grade NAT, multicast, reserved,
    documentation and unspecified ranges, and IPv6 addresses that embed one of these
    (IPv4-mapped, NAT64, 6to4).
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    if any(address in network for network in _BLOCKED_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


@functools.lru_cache(maxsize=8)
def _parse_allowed(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"HERALD_FETCH_ALLOWED_ADDRESSES: {entry!r} is not an IP address "
                "or network."
            ) from error
    return tuple(networks)


def is_allowed_address(address: IPAddress) -> bool:
    """True if Herald may connect to the address: public, or explicitly allowed."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return False  # a zone index only ever qualifies link-local addresses
    allowed = _parse_allowed(tuple(settings.HERALD_FETCH_ALLOWED_ADDRESSES))
    if any(address in network for network in allowed):
        return True
    return is_public_address(address)


# --- Deadline-bound sockets -----------------------------------------------------------
def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceeded("")  # fetch() words the message
    return remaining


class _DeadlineSocket(socket.socket):
    """A socket whose every read and write waits at most until the request deadline."""

    herald_deadline: float = -math.inf  # set before use; unset fails closed

    def recv_into(
        self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0
    ) -> int:
        self.settimeout(_remaining(self.herald_deadline))
        return super().recv_into(buffer, nbytes, flags)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self.settimeout(_remaining(self.herald_deadline))
        return super().recv(bufsize, flags)

    def sendall(self, data: ReadableBuffer, flags: int = 0, /) -> None:
        self.settimeout(_remaining(self.herald_deadline))
        super().sendall(data, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The TLS counterpart of `_DeadlineSocket`."""

    herald_deadline: float = -math.inf

    def recv_into(
        self, buffer: WriteableBuffer, nbytes: int | None = None, flags: int = 0
    ) -> int:
        self.settimeout(_remaining(self.herald_deadline))
        return super().recv_into(buffer, nbytes, flags)  # type: ignore[arg-type]

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        self.settimeout(_remaining(self.herald_deadline))
        return super().recv(buflen, flags)

    def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
        self.settimeout(_remaining(self.herald_deadline))
        super().sendall(data, flags)


@functools.lru_cache(maxsize=4)
def _tls_context(ca_file: str) -> ssl.SSLContext:
    """Certificate and host name verification on, with the system's or a given CA."""
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.sslsocket_class = _DeadlineSSLSocket
    return context


def _connect(addresses: list[IPAddress], port: int, deadline: float) -> _DeadlineSocket:
    """Connect to the first of the checked addresses that answers."""
    last_error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        sock.herald_deadline = deadline
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect((str(address), port))
        except OSError as error:
            sock.close()
            if isinstance(error, TimeoutError):
                raise
            last_error = error
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    assert last_error is not None  # addresses is never empty
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an address checked beforehand; Host stays the URL's host name."""

    def __init__(
        self, host: str, port: int, *, addresses: list[IPAddress], deadline: float
    ) -> None:
        super().__init__(host, port)
        self.herald_addresses = addresses
        self.herald_deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self.herald_addresses, self.port, self.herald_deadline)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to a checked address; SNI and the certificate check use the host name."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        raw = _connect(self.herald_addresses, self.port, self.herald_deadline)
        try:
            context = _tls_context(settings.HERALD_FETCH_CA_FILE)
            tls = context.wrap_socket(
                raw, server_hostname=self.host, do_handshake_on_connect=False
            )
        except BaseException:
            raw.close()
            raise
        assert isinstance(tls, _DeadlineSSLSocket)
        tls.herald_deadline = self.herald_deadline
        try:
            tls.settimeout(_remaining(self.herald_deadline))
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        self.sock = tls


# --- Name resolution ------------------------------------------------------------------
def _getaddrinfo(host: str, port: int) -> list[IPAddress]:
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        try:
            address = ipaddress.ip_address(sockaddr[0])
        except ValueError as error:
            raise BlockedAddress(
                f"{host} resolves to {sockaddr[0]!r}, not a plain IP address"
            ) from error
        if address not in addresses:
            addresses.append(address)
    return addresses


def resolve(host: str, port: int, deadline: float) -> list[IPAddress]:
    """Resolve `host` once, within the deadline, and check every address it gives.

    The system resolver has no timeout of its own that we control, so it runs in a
    daemon thread that is abandoned at the deadline.
    """
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass  # a name: resolved below
    else:
        if not is_allowed_address(literal):
            raise BlockedAddress(f"{host} is not a public address")
        return [literal]
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["addresses"] = _getaddrinfo(host, port)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(_remaining(deadline))
    if thread.is_alive():
        raise DeadlineExceeded(f"while resolving {host}")
    error = outcome.get("error")
    if isinstance(error, socket.gaierror):
        raise ConnectionFailed(f"cannot resolve {host}: {error.strerror}")
    if isinstance(error, BaseException):
        raise error
    addresses = outcome["addresses"]
    assert isinstance(addresses, list)
    if not addresses:
        raise ConnectionFailed(f"cannot resolve {host}: no addresses")
    for address in addresses:
        if not is_allowed_address(address):
            raise BlockedAddress(
                f"{host} resolves to {address}, which is not a public address"
            )
    return addresses


# --- URLs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA), without brackets
    port: int
    path: str  # path and query, as sent in the request line


_PATH_SAFE = "/?&=%:@!$'()*+,;~-._[]"


def _parse_url(url: str) -> _Target:
    if not isinstance(url, str) or not url.strip():
        raise BadURL("empty URL")
    url = url.strip()
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise BadURL(f"URL contains spaces or control characters: {url!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise BadURL(f"not a valid URL: {url!r} ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise BadURL(f"only http and https URLs can be fetched, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise BadURL(f"URLs with a user name or password are not fetched: {url!r}")
    hostname = parts.hostname
    if not hostname:
        raise BadURL(f"URL has no host: {url!r}")
    try:
        host = hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise BadURL(f"host name is not valid: {hostname!r}") from error
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    default_port = 443 if scheme == "https" else 80
    return _Target(
        url=url, scheme=scheme, host=host, port=port or default_port, path=path
    )


# --- Body -----------------------------------------------------------------------------
class _GzipCap:
    """Decode gzip while streaming, refusing more than `limit` decoded bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes, out: bytearray) -> None:
        while data:
            if self.decoder.eof:
                # Concatenated gzip members: a new member starts after the last one.
                self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                chunk = self.decoder.decompress(data, self.limit - self.size + 1)
            except zlib.error as error:
                raise BadResponse(f"gzip body is corrupt: {error}") from error
            self.size += len(chunk)
            if self.size > self.limit:
                raise TooLarge(f"decoded body is larger than {self.limit} bytes")
            out += chunk
            if self.decoder.eof:
                data = self.decoder.unused_data
            else:
                data = self.decoder.unconsumed_tail

    def finish(self) -> None:
        if not self.decoder.eof:
            raise BadResponse("gzip body is truncated")


def _read_body(response: http.client.HTTPResponse, url: str, max_bytes: int) -> bytes:
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in {"identity", "gzip", "x-gzip"}:
        raise BadResponse(f"{url} sent an unsupported Content-Encoding: {encoding}")
    if response.length is not None and response.length > max_bytes:
        raise TooLarge(
            f"{url} declares {response.length} bytes, more than the cap of "
            f"{max_bytes} bytes"
        )
    declared = response.length  # None when chunked or read until the server closes
    gzip = _GzipCap(max_bytes) if encoding != "identity" else None
    body = bytearray()
    received = 0
    while True:
        try:
            chunk = response.read(_CHUNK)
        except http.client.IncompleteRead as error:
            expected = len(error.partial) + (error.expected or 0)
            raise BadResponse(
                f"{url} closed the connection after {received + len(error.partial)} "
                f"bytes of the body (expected {received + expected})"
            ) from error
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise TooLarge(f"{url} sent more than the cap of {max_bytes} bytes")
        if gzip is None:
            body += chunk
        else:
            gzip.feed(chunk, body)
    if declared is not None and received < declared:
        # http.client returns a short body quietly when the server closes early.
        raise BadResponse(
            f"{url} closed the connection after {received} bytes of the body "
            f"(expected {declared})"
        )
    if gzip is not None:
        gzip.finish()
    return bytes(body)


# --- The request ----------------------------------------------------------------------
def _check_header_value(name: str, value: str) -> None:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(f"{name} must not contain control characters: {value!r}")


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    timeout: float | None = None,
) -> FetchResult:
    """GET an untrusted URL under Herald's rules (see the module docstring).

    `timeout` is the deadline for the whole call in seconds (default
    HERALD_FETCH_TIMEOUT), `max_bytes` the cap on the body (default
    HERALD_FETCH_MAX_BYTES). Raise a `FetchError` subclass on any failure.
    """
    _check_header_value("etag", etag)
    _check_header_value("last_modified", last_modified)
    timeout = settings.HERALD_FETCH_TIMEOUT if timeout is None else timeout
    max_bytes = settings.HERALD_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + timeout
    max_redirects: int = settings.HERALD_FETCH_MAX_REDIRECTS
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "gzip",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    target = _parse_url(url)
    redirects = 0
    while True:
        try:
            result = _request_once(target, headers, deadline, max_bytes)
            if isinstance(result, FetchResult):
                break
            if redirects == max_redirects:
                raise TooManyRedirects(
                    f"{url} redirected more than {max_redirects} times"
                )
            redirects += 1
            target = _parse_url(urljoin(target.url, result))
        except DeadlineExceeded as error:
            stage = f" ({error})" if str(error) else ""
            raise DeadlineExceeded(
                f"{url} took longer than the {timeout:g} s deadline{stage}"
            ) from error
        except FetchError as error:
            if redirects and not isinstance(error, TooManyRedirects):
                # Say where the hop came from: the source's URL is what people know.
                error.args = (f"{error} (redirected from {url})",)
            raise
    if result.not_modified:
        # A 304 need not repeat the validators; keep the ones that still hold.
        result = replace(
            result,
            etag=result.etag or etag,
            last_modified=result.last_modified or last_modified,
        )
    logger.debug(
        "Fetched a URL.",
        extra={"url": url, "status": result.status, "bytes": len(result.body)},
    )
    return result


def check_url(url: str, *, timeout: float | None = None) -> str:
    """Check that `url` could be fetched: http(s), and its host resolves to allowed
    addresses only. Return the URL, stripped; raise BadURL, BlockedAddress,
    ConnectionFailed or DeadlineExceeded. For forms that take a URL to fetch later:
    `fetch()` checks again each time, since the name may resolve differently then.
    """
    target = _parse_url(url)
    timeout = settings.HERALD_FETCH_TIMEOUT if timeout is None else timeout
    try:
        resolve(target.host, target.port, time.monotonic() + timeout)
    except DeadlineExceeded as error:
        raise DeadlineExceeded(
            f"resolving {target.host} took longer than {timeout:g} s"
        ) from error
    return target.url


def _request_once(
    target: _Target, headers: dict[str, str], deadline: float, max_bytes: int
) -> FetchResult | str:
    """One hop: a result, or the Location to follow next."""
    try:
        addresses = resolve(target.host, target.port, deadline)
        connection_class = (
            _PinnedHTTPSConnection
            if target.scheme == "https"
            else _PinnedHTTPConnection
        )
        connection = connection_class(
            target.host, target.port, addresses=addresses, deadline=deadline
        )
        try:
            connection.request("GET", target.path, headers=headers)
            response = connection.getresponse()
            return _handle_response(target, response, max_bytes)
        finally:
            connection.close()
    except FetchError:
        raise
    except TimeoutError as error:
        raise DeadlineExceeded("") from error
    except ssl.SSLError as error:
        raise ConnectionFailed(
            f"TLS with {target.host} failed: {error.reason or error}"
        ) from error
    except http.client.HTTPException as error:
        raise BadResponse(
            f"{target.url} sent an invalid HTTP response: {error!r}"
        ) from error
    except OSError as error:
        raise ConnectionFailed(
            f"connecting to {target.url} failed: {error.strerror or error}"
        ) from error


def _handle_response(
    target: _Target, response: http.client.HTTPResponse, max_bytes: int
) -> FetchResult | str:
    status = response.status
    if status in REDIRECT_STATUSES:
        location = (response.getheader("Location") or "").strip()
        if not location:
            raise BadResponse(f"{target.url} answered {status} without a Location")
        return location
    if status == 304:
        body = b""
    elif 200 <= status < 300:
        body = _read_body(response, target.url, max_bytes)
    else:
        raise BadStatus(
            f"{target.url} answered HTTP {status} {response.reason}".strip(),
            status=status,
        )
    return FetchResult(
        status=status,
        body=body,
        url=target.url,
        etag=(response.getheader("ETag") or "").strip(),
        last_modified=(response.getheader("Last-Modified") or "").strip(),
        content_type=(response.getheader("Content-Type") or "").strip(),
    )
