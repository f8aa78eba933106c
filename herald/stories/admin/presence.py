"""Who else has a story open in the desk.

Each open change page says so when it loads and then every `BEAT` seconds (the
page's script, with the autosave); a mark older than `FRESH` seconds has left.
The marks live in the cache, which every web process shares once Redis is
configured (HERALD_REDIS_URL); with the in-memory default, in one process.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

BEAT = 30
FRESH = 75


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    since: float
    seen: float


def _key(story_id: int) -> str:
    return f"desk:presence:story:{story_id}"


def mark_open(story_id: int, user_id: int, name: str) -> list[Viewer]:
    """Note that `user_id` has the story open; return the others who have."""
    now = time.time()
    marks: dict[int, tuple[str, float, float]] = cache.get(_key(story_id)) or {}
    fresh = {u: m for u, m in marks.items() if now - m[2] <= FRESH}
    since = fresh[user_id][1] if user_id in fresh else now
    fresh[user_id] = (name, since, now)
    # Last writer wins between two processes at the same instant; the next beat
    # puts a lost mark back.
    cache.set(_key(story_id), fresh, FRESH * 2)
    return [
        Viewer(user_id=u, name=m[0], since=m[1], seen=m[2])
        for u, m in sorted(fresh.items(), key=lambda item: item[1][1])
        if u != user_id
    ]


def mark_closed(story_id: int, user_id: int) -> None:
    marks: dict[int, tuple[str, float, float]] = cache.get(_key(story_id)) or {}
    if marks.pop(user_id, None) is not None:
        cache.set(_key(story_id), marks, FRESH * 2)
