"""The errors the safe fetcher raises: `FetchError` and its subclasses."""

from __future__ import annotations


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
