"""Requests per key per hour, counted in Django's cache (a fixed window).

Only `cache.add` and `cache.incr` are used, which are atomic on Redis and
Memcached, so the limit holds across processes once the cache is shared.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Allowance:
    limit: int
    used: int
    reset_in: int  # seconds until the window ends

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def count_request(key_id: int) -> Allowance:
    """Count one request of key `key_id` in this hour's window."""
    now = int(time.time())
    window = now // WINDOW_SECONDS
    name = f"api-rate:{key_id}:{window}"
    # A little longer than the window, so that the counter never expires mid-window.
    cache.add(name, 0, timeout=WINDOW_SECONDS + 60)
    try:
        used = cache.incr(name)
    except ValueError:  # evicted between add and incr: start the window again
        cache.set(name, 1, timeout=WINDOW_SECONDS + 60)
        used = 1
    return Allowance(
        limit=settings.HERALD_API_RATE_LIMIT,
        used=used,
        reset_in=(window + 1) * WINDOW_SECONDS - now,
    )
