"""The syndication API's rate limit: requests per key per hour, counted by
herald.core.ratelimit in Django's cache (a fixed window, atomic on Redis, so the limit
holds across processes once the cache is shared)."""

from dataclasses import dataclass

from django.conf import settings

from herald.core import ratelimit

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
    limit = ratelimit.Limit("api-key", settings.HERALD_API_RATE_LIMIT, WINDOW_SECONDS)
    verdict = ratelimit.hit(limit, str(key_id))
    return Allowance(limit=limit.count, used=verdict.hits, reset_in=verdict.retry_after)
