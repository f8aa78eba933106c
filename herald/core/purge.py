"""Purging caching proxies by key: the keys pages carry, the keys a story change
purges, and the backend that sends the purge (Varnish with xkey; one small interface
so that a hosted CDN's API can be added beside it).

Keys (the `xkey` header of a public response, space-separated):

- `story-<id>`: the story's page on every edition, and every page that shows it;
- `ed-<edition id>`: every page of an edition; `network`: the network index;
- `ed-<edition id>-<kind>` for the home, feeds, sitemaps, search and the newsletter
  pages of an edition, and `ed-<edition id>-<kind>-<slug>` for a section, place or
  author list.
"""

import abc
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from herald.stories.models import Story

logger = logging.getLogger(__name__)

NETWORK_KEY = "network"
# Page kinds of public_page(kind=...); the last three are lists keyed by their slug.
PAGE_KINDS = frozenset(
    {
        "home",
        "story",
        "feed",
        "sitemap",
        "search",
        "brand",
        "section",
        "place",
        "author",
    }
)
LIST_KINDS = frozenset({"section", "place", "author"})
# The pages of an edition that list any of its stories (beside the lists above).
EDITION_KINDS = ("home", "feed", "sitemap", "search")


def story_key(story_id: int) -> str:
    return f"story-{story_id}"


def edition_key(edition_id: int) -> str:
    return f"ed-{edition_id}"


def page_key(edition_id: int, kind: str, slug: str | None = None) -> str:
    """The key of one kind of page of an edition (a list's key names its slug)."""
    if kind not in PAGE_KINDS:
        raise ValueError(f"Unknown page kind {kind!r}.")
    if kind == "story":
        raise ValueError("A story page's key is story_key(id), on every edition.")
    if kind in LIST_KINDS:
        if not slug:
            raise ValueError(f"A {kind} page key needs the {kind}'s slug.")
        return f"ed-{edition_id}-{kind}-{slug}"
    return f"ed-{edition_id}-{kind}"


def story_change_keys(story_id: int) -> list[str]:
    """What a change to the story makes stale: its page on every edition (and every
    page showing it), and on each of its editions the home, the feeds, the sitemaps,
    search and the lists of its sections, places and authors."""
    from herald.stories.models import Story

    keys = {story_key(story_id)}
    story = (
        Story.objects.filter(pk=story_id)
        .prefetch_related("editions", "sections", "places", "authors")
        .first()
    )
    if story is None:
        return sorted(keys)
    keys.update(_shown_on(story, [edition.pk for edition in story.editions.all()]))
    return sorted(keys)


def editions_left_keys(left: Mapping[int, Iterable[int]]) -> list[str]:
    """What stories leaving editions make stale there: `left` maps a story id to the
    ids of the editions it is taken off. Each such edition's home, feeds, sitemaps,
    search and the lists of the story's sections, places and authors showed it, and
    none of them is among the keys of the story's editions any more once it has
    left. Read before the removal, while the story still lists what it showed."""
    from herald.stories.models import Story

    keys: set[str] = set()
    stories = Story.objects.filter(pk__in=list(left)).prefetch_related(
        "sections", "places", "authors"
    )
    for story in stories:
        edition_ids = sorted(set(left[story.pk]))
        if edition_ids:
            keys.add(story_key(story.pk))
            keys.update(_shown_on(story, edition_ids))
    return sorted(keys)


def _shown_on(story: "Story", edition_ids: Iterable[int]) -> set[str]:
    """The keys of the pages of `edition_ids` that list `story` (its sections,
    places and authors prefetched)."""
    lists = [
        *(("section", s.slug) for s in story.sections.all()),
        *(("place", p.slug) for p in story.places.all()),
        *(("author", a.slug) for a in story.authors.all()),
    ]
    keys: set[str] = set()
    for edition_id in edition_ids:
        for kind in EDITION_KINDS:
            keys.add(page_key(edition_id, kind))
        keys.update(page_key(edition_id, kind, slug) for kind, slug in lists)
    return keys


class PurgeError(Exception):
    """A proxy did not confirm the purge; try again later."""


@dataclass(frozen=True)
class PurgeBackend(abc.ABC):
    """Where purges go. `targets` are the endpoints tried independently (one
    request each per change), so one that is down delays only its own purge."""

    @abc.abstractmethod
    def targets(self) -> Sequence[str]: ...

    @abc.abstractmethod
    def purge(self, target: str, keys: Sequence[str]) -> None:
        """Drop every cached object carrying any of `keys`, or raise PurgeError."""


@dataclass(frozen=True)
class VarnishBackend(PurgeBackend):
    """Varnish with the xkey vmod and deploy/varnish/herald.vcl: one `PURGE` request
    a proxy whose `xkey-purge` header lists every key."""

    urls: tuple[str, ...]
    timeout: float

    def targets(self) -> Sequence[str]:
        return self.urls

    def purge(self, target: str, keys: Sequence[str]) -> None:
        request = urllib.request.Request(  # noqa: S310 (http(s) checked in settings)
            target.rstrip("/") + "/",
            method="PURGE",
            headers={"xkey-purge": " ".join(keys)},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise PurgeError(f"{target} answered {exc.code} to PURGE.") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PurgeError(f"{target} could not be reached: {exc}") from exc
        if status != 200:
            raise PurgeError(f"{target} answered {status} to PURGE.")


def get_backend() -> PurgeBackend:
    return VarnishBackend(
        urls=tuple(settings.HERALD_PURGE_URLS), timeout=settings.HERALD_PURGE_TIMEOUT
    )


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …)."""
    return int(min(2**attempt, 300))


def purge_now(target: str, keys: Iterable[str]) -> None:
    """Purge `keys` on one target now; raises PurgeError when it fails."""
    keys = sorted(set(keys))
    if keys:
        get_backend().purge(target, keys)
