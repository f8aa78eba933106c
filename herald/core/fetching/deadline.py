"""The request deadline: time left, and sockets whose every read and write keeps it."""

from __future__ import annotations

import math
import socket
import ssl
import time
from typing import TYPE_CHECKING

from herald.core.fetching.errors import DeadlineExceeded

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer


def remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceeded("")  # fetch() words the message
    return remaining


class DeadlineSocket(socket.socket):
    """A socket whose every read and write waits at most until the request deadline."""

    herald_deadline: float = -math.inf  # set before use; unset fails closed

    def recv_into(
        self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0
    ) -> int:
        self.settimeout(remaining(self.herald_deadline))
        return super().recv_into(buffer, nbytes, flags)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self.settimeout(remaining(self.herald_deadline))
        return super().recv(bufsize, flags)

    def sendall(self, data: ReadableBuffer, flags: int = 0, /) -> None:
        self.settimeout(remaining(self.herald_deadline))
        super().sendall(data, flags)


class DeadlineSSLSocket(ssl.SSLSocket):
    """The TLS counterpart of `DeadlineSocket`."""

    herald_deadline: float = -math.inf

    def recv_into(
        self, buffer: WriteableBuffer, nbytes: int | None = None, flags: int = 0
    ) -> int:
        self.settimeout(remaining(self.herald_deadline))
        return super().recv_into(buffer, nbytes, flags)  # type: ignore[arg-type]

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        self.settimeout(remaining(self.herald_deadline))
        return super().recv(buflen, flags)

    def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
        self.settimeout(remaining(self.herald_deadline))
        super().sendall(data, flags)
