"""Reading a response body under the size cap, decoding gzip as it streams."""

from __future__ import annotations

import http.client
import zlib

from herald.core.fetching.errors import BadResponse, TooLarge

_CHUNK = 64 * 1024


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


def read_body(response: http.client.HTTPResponse, url: str, max_bytes: int) -> bytes:
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
