"""HTTP and HTTPS connections pinned to checked addresses, bound by the deadline."""

from __future__ import annotations

import functools
import http.client
import socket
import ssl

from django.conf import settings

from herald.core.fetching.addresses import IPAddress
from herald.core.fetching.deadline import DeadlineSocket, DeadlineSSLSocket, remaining


@functools.lru_cache(maxsize=4)
def _tls_context(ca_file: str) -> ssl.SSLContext:
    """Certificate and host name verification on, with the system's or a given CA."""
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.sslsocket_class = DeadlineSSLSocket
    return context


def _connect(addresses: list[IPAddress], port: int, deadline: float) -> DeadlineSocket:
    """Connect to the first of the checked addresses that answers."""
    last_error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = DeadlineSocket(family, socket.SOCK_STREAM)
        sock.herald_deadline = deadline
        try:
            sock.settimeout(remaining(deadline))
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


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an address checked beforehand; Host stays the URL's host name."""

    def __init__(
        self, host: str, port: int, *, addresses: list[IPAddress], deadline: float
    ) -> None:
        super().__init__(host, port)
        self.herald_addresses = addresses
        self.herald_deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self.herald_addresses, self.port, self.herald_deadline)


class PinnedHTTPSConnection(PinnedHTTPConnection):
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
        assert isinstance(tls, DeadlineSSLSocket)
        tls.herald_deadline = self.herald_deadline
        try:
            tls.settimeout(remaining(self.herald_deadline))
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        self.sock = tls
