"""Real HTTP servers on loopback for tests, hostile ones included, and network guards.

    with serve({"/feed.xml": Route(body=rss, etag='"v1"')}) as server:
        result = fetch(server.url("/feed.xml"))

`serve()` starts a threaded server on 127.0.0.1 (or the host given) on a free port and
answers each path from its `Route`: fixed bytes, status and headers, with optional
delays, a body trickled in small chunks, an endless body, a wrong Content-Length,
conditional GET (304 for a matching ETag or Last-Modified), redirects or raw bytes that
are not HTTP. Routes are keyed by path, without the query string; an unknown path
answers 404. `server.routes` may be changed while it runs (a feed that changes between
polls); a route may also be a function of the request. `server.requests` records what
arrived. The fetcher refuses loopback unless it is allowed, so tests set
`settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]`.

`make_certificates()` makes a throwaway CA and server certificate with openssl, for
`serve(..., tls=certificates.server_context())` and HERALD_FETCH_CA_FILE.

`guard_connections()` fails a test that opens a socket to any address outside its list,
and `stub_dns()` makes names resolve to chosen (loopback) addresses, so that tests never
send a packet beyond this machine.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Route:
    """How the server answers one path.

    `delay` waits before the status line; `trickle` waits between chunks of
    `chunk_size` bytes of the body; `repeat` sends the body again and again, without
    end and without a length; `chunked` sends it with chunked transfer encoding
    (each write one chunk); `content_length` replaces the true length in the header
    (None sends the true length, -1 sends none and closes after the body); `etag` and
    `last_modified` make the route answer 304 to a request that carries them; `raw`
    is sent as is (trickled too) instead of an HTTP response, e.g. a status line and
    headers that arrive one byte a second, or bytes that are not HTTP at all.
    """

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/octet-stream"
    delay: float = 0.0
    trickle: float = 0.0
    chunk_size: int = 1
    repeat: bool = False
    chunked: bool = False
    content_length: int | None = None
    etag: str = ""
    last_modified: str = ""
    raw: bytes | None = None

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Route:
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


RouteSource = Route | Callable[[RecordedRequest], Route]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        host: str,
        routes: dict[str, RouteSource],
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.routes = routes
        self.requests: list[RecordedRequest] = []
        self.tls_names: list[str | None] = []
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
        self.tls = tls
        if tls is not None:
            tls.sni_callback = self._record_sni
        super().__init__((host, 0), _Handler)

    def _record_sni(
        self, _sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _ctx: Any
    ) -> None:
        self.tls_names.append(name)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.tls is not None:
            # The handshake runs in the request's thread (see _Handler.setup), so a
            # client that stalls it cannot stop the server from accepting others.
            sock = self.tls.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep failures (a client refusing our certificate) for tests, not stderr."""
        error = sys.exc_info()[1]
        if error is not None:
            self.errors.append(error)

    def server_bind(self) -> None:
        # Skip HTTPServer's reverse lookup of the host name: tests make no DNS queries.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `server.requests` instead of a log."""

    def do_GET(self) -> None:
        request = RecordedRequest(
            method=self.command, path=self.path, headers=dict(self.headers.items())
        )
        self.server.requests.append(request)
        source = self.server.routes.get(self.path.split("?")[0])
        if source is None:
            route = Route(status=404, body=b"not found", content_type="text/plain")
        elif isinstance(source, Route):
            route = source
        else:
            route = source(request)
        # The client gives up early (deadline, size cap): what hostile routes expect.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(route, request)
        self.close_connection = True

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False when it is."""
        return not self.server.stopping.wait(seconds)

    def _answer(self, route: Route, request: RecordedRequest) -> None:
        if route.delay and not self._wait(route.delay):
            return
        if route.raw is not None:
            self._send(route.raw, route)
            return
        status, body = route.status, route.body
        if _not_modified(route, request):
            status, body = 304, b""
        self.send_response(status)
        headers = {"Content-Type": route.content_type, "Connection": "close"}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        headers.update(route.headers)
        if route.chunked:
            headers["Transfer-Encoding"] = "chunked"
        elif status != 304 and not route.repeat and route.content_length != -1:
            length = len(body) if route.content_length is None else route.content_length
            headers["Content-Length"] = str(length)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if status == 304:
            return
        while self._send(body, route) and route.repeat:
            pass
        if route.chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _write(self, data: bytes, route: Route) -> None:
        if route.chunked and route.raw is None:
            data = b"%x\r\n%s\r\n" % (len(data), data)
        self.wfile.write(data)

    def _send(self, data: bytes, route: Route) -> bool:
        """Write `data`, trickled if the route says so; False once the server stops."""
        if not route.trickle:
            self._write(data, route)
            return not self.server.stopping.is_set()
        for start in range(0, len(data), route.chunk_size):
            self._write(data[start : start + route.chunk_size], route)
            self.wfile.flush()
            if not self._wait(route.trickle):
                return False
        return True


def _not_modified(route: Route, request: RecordedRequest) -> bool:
    if route.status != 200:
        return False
    if route.etag and request.headers.get("If-None-Match") == route.etag:
        return True
    return bool(
        route.last_modified
        and request.headers.get("If-Modified-Since") == route.last_modified
    )


class LoopbackServer:
    """A running server: its address, its routes (mutable) and the requests so far."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.host = str(server.server_address[0])
        self.port = int(server.server_address[1])

    @property
    def routes(self) -> dict[str, RouteSource]:
        return self._server.routes

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._server.requests

    @property
    def tls_names(self) -> list[str | None]:
        return self._server.tls_names

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised while serving (failed TLS handshakes, for instance)."""
        return self._server.errors

    @property
    def scheme(self) -> str:
        return "https" if self._server.tls is not None else "http"

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def url(self, path: str = "/", *, host: str = "") -> str:
        """The URL of `path`, on this server's address or on another host name."""
        if host:
            return f"{self.scheme}://{host}:{self.port}{path}"
        return f"{self.origin}{path}"


@contextmanager
def serve(
    routes: Mapping[str, RouteSource],
    *,
    host: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
) -> Iterator[LoopbackServer]:
    """Serve `routes` on `host` (a loopback address) and a free port for the block.

    With `tls` (e.g. `Certificates.server_context()`), it serves https; the names
    clients asked for in TLS SNI are kept in `server.tls_names`.
    """
    server = _Server(host, dict(routes), tls)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield LoopbackServer(server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def guard_connections(allowed: Iterable[str]) -> Iterator[list[str]]:
    """Record every TCP connect() in the block; fail on an address outside `allowed`.

    Yields the list of addresses connected to, in order. The failure is an
    AssertionError raised before any packet is sent.
    """
    networks = [ipaddress.ip_network(entry, strict=False) for entry in allowed]
    connected: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if not isinstance(address, tuple):
            return  # a Unix socket path, never a network address
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        connected.append(str(ip))
        if not any(ip in network for network in networks):
            raise AssertionError(f"a connection to {ip} was attempted")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield connected
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign,assignment]


@contextmanager
def stub_dns(names: dict[str, list[str]]) -> Iterator[None]:
    """Resolve the given host names to the given addresses for the block.

    `localhost` and IP literals resolve as usual (from /etc/hosts, without network);
    any other name fails as unknown, so no test queries a real resolver.
    """
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, *args: Any, **kw: Any
    ) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in names:
            answers: list[Any] = []
            for entry in names[name]:
                ip = ipaddress.ip_address(entry)
                if ip.version == 4:
                    answers.append(
                        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (entry, int(port)))
                    )
                else:
                    answers.append(
                        (
                            socket.AF_INET6,
                            socket.SOCK_STREAM,
                            6,
                            "",
                            (entry, int(port), 0, 0),
                        )
                    )
            return answers
        try:
            ipaddress.ip_address(name)
        except ValueError:
            if name != "localhost":
                raise socket.gaierror(
                    socket.EAI_NONAME, "Name or service not known"
                ) from None
        return real_getaddrinfo(host, port, family, type, *args, **kw)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real_getaddrinfo


@dataclass(frozen=True)
class Certificates:
    """A throwaway certificate authority and a server certificate it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(folder: Path, names: Iterable[str]) -> Certificates:
    """Make a CA and a server certificate for `names` (host names or IPs), with
    Debian's openssl, in `folder`. Point HERALD_FETCH_CA_FILE at `ca_file`."""
    folder.mkdir(parents=True, exist_ok=True)
    alt_names = ",".join(
        f"IP:{name}" if _is_ip(name) else f"DNS:{name}" for name in names
    )
    ca_key, ca_file = folder / "ca.key", folder / "ca.pem"
    key_file, csr, cert_file = (
        folder / "server.key",
        folder / "server.csr",
        folder / "server.pem",
    )
    extensions = folder / "server.ext"
    extensions.write_text(
        f"subjectAltName={alt_names}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    commands: list[list[str | Path]] = [
        ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca_file,
         "-days", "2", "-subj", "/CN=Herald Test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", *ec, "-keyout", key_file, "-out", csr,
         "-subj", "/CN=herald-test-server"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca_file, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert_file, "-days", "2", "-extfile", extensions],
    ]  # fmt: skip
    for command in commands:
        subprocess.run(command, check=True, capture_output=True, timeout=30)
    return Certificates(ca_file=ca_file, cert_file=cert_file, key_file=key_file)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
