"""The request: `fetch()` with its redirects and validators, and `check_url()`."""

from __future__ import annotations

import http.client
import logging
import ssl
import time
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from django.conf import settings

from herald.core.fetching.addresses import resolve
from herald.core.fetching.body import read_body
from herald.core.fetching.connections import (
    PinnedHTTPConnection,
    PinnedHTTPSConnection,
)
from herald.core.fetching.errors import (
    BadResponse,
    BadStatus,
    ConnectionFailed,
    DeadlineExceeded,
    FetchError,
    TooManyRedirects,
)
from herald.core.fetching.urls import Target, parse_url

# The package's name, as when this was one module, so logging settings still apply.
logger = logging.getLogger("herald.core.fetching")

USER_AGENT = "Herald/0.1 (news wire ingest)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


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
    target = parse_url(url)
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
            target = parse_url(urljoin(target.url, result))
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
    target = parse_url(url)
    timeout = settings.HERALD_FETCH_TIMEOUT if timeout is None else timeout
    try:
        resolve(target.host, target.port, time.monotonic() + timeout)
    except DeadlineExceeded as error:
        raise DeadlineExceeded(
            f"resolving {target.host} took longer than {timeout:g} s"
        ) from error
    return target.url


def _request_once(
    target: Target, headers: dict[str, str], deadline: float, max_bytes: int
) -> FetchResult | str:
    """One hop: a result, or the Location to follow next."""
    try:
        addresses = resolve(target.host, target.port, deadline)
        connection_class = (
            PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
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
    target: Target, response: http.client.HTTPResponse, max_bytes: int
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
        body = read_body(response, target.url, max_bytes)
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
