"""Counting the syndication API's requests against its limit
(herald.syndication.limits), in Django's cache through herald.core.ratelimit: a fixed
window, atomic on Redis, so the limit holds across processes once the cache is shared.
"""

from dataclasses import dataclass

from herald.core import ratelimit
from herald.syndication.limits import api_key_limit


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
    limit = api_key_limit()
    verdict = ratelimit.hit(limit, str(key_id))
    return Allowance(limit=limit.count, used=verdict.hits, reset_in=verdict.retry_after)
