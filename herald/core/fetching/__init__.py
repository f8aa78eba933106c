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
This package's modules split that work by role; import from here, the public API.
"""

from herald.core.fetching.addresses import (
    IPAddress,
    IPNetwork,
    is_allowed_address,
    is_public_address,
    resolve,
)
from herald.core.fetching.client import (
    REDIRECT_STATUSES,
    USER_AGENT,
    FetchResult,
    check_url,
    fetch,
)
from herald.core.fetching.errors import (
    BadResponse,
    BadStatus,
    BadURL,
    BlockedAddress,
    ConnectionFailed,
    DeadlineExceeded,
    FetchError,
    TooLarge,
    TooManyRedirects,
)

__all__ = [
    "REDIRECT_STATUSES",
    "USER_AGENT",
    "BadResponse",
    "BadStatus",
    "BadURL",
    "BlockedAddress",
    "ConnectionFailed",
    "DeadlineExceeded",
    "FetchError",
    "FetchResult",
    "IPAddress",
    "IPNetwork",
    "TooLarge",
    "TooManyRedirects",
    "check_url",
    "fetch",
    "is_allowed_address",
    "is_public_address",
    "resolve",
]
