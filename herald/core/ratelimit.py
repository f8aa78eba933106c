"""Fixed-window rate limits kept in Django's cache, so any backend (memory, Redis)
holds the counts. Each app declares its own limits (`<app>/limits.py`) and counts
hits here."""

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `window` seconds for each key."""

    name: str
    count: int
    window: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    retry_after: int  # seconds until the window ends


def client_key(remote_addr: str) -> str:
    """The client a request comes from: its IPv4 address, or the /64 network of its
    IPv6 address (one subscriber line holds a whole /64, so one address each would
    let a single client rotate past the limit)."""
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return remote_addr
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _cache_key(limit: Limit, key: str, window_index: int) -> str:
    # Hashed: keys hold addresses, which need not sit in the cache in the clear,
    # and memcached refuses long keys or keys with spaces.
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    return f"rl:{limit.name}:{digest}:{window_index}"


def hit(limit: Limit, key: str) -> Verdict:
    """Count one hit of `key` against `limit` and say whether it is within it.

    Windows are fixed (they start at multiples of `limit.window` since the epoch),
    so a burst at the edge of two windows may reach twice the count: the price of
    one atomic increment per hit and no clock shared between processes."""
    now = time.time()
    index = int(now // limit.window)
    name = _cache_key(limit, key, index)
    # The entry outlives its window a little, so it cannot vanish mid-window.
    timeout = limit.window + 60
    cache.add(name, 0, timeout=timeout)
    try:
        hits = cache.incr(name)
    except ValueError:
        # Evicted between add and incr (a full LocMemCache): start again at one.
        cache.set(name, 1, timeout=timeout)
        hits = 1
    retry_after = max(1, int((index + 1) * limit.window - now))
    return Verdict(allowed=hits <= limit.count, hits=hits, retry_after=retry_after)


def hit_all(checks: list[tuple[Limit, str]]) -> Verdict:
    """Count a hit against every (limit, key) and answer the strictest verdict:
    refused if any is exceeded, with the longest wait."""
    verdicts = [hit(limit, key) for limit, key in checks]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return max(refused, key=lambda v: v.retry_after)
    return max(verdicts, key=lambda v: v.hits)
