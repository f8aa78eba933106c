"""The keys public pages carry and the keys a story change makes stale (the purge
transport that sends them is `herald.core.purge`).

Keys (the `xkey` header of a public response, space-separated):

- `story-<id>`: the story's page on every edition, and every page that shows it;
- `ed-<edition id>`: every page of an edition; `network`: the network index;
- `ed-<edition id>-<kind>` for the home, feeds, sitemaps, search and the newsletter
  pages of an edition, and `ed-<edition id>-<kind>-<slug>` for a section, place or
  author list.
"""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from herald.stories.models import Story

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
