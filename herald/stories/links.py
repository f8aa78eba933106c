"""Absolute URLs of stories on editions, and the canonical policy."""

from django.http import HttpRequest

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.stories.models import Story


def story_url(
    story: Story, edition: Edition, request: HttpRequest | None = None
) -> str:
    """The absolute URL of `story` as `edition` shows it."""
    return edition_origin(edition, request) + story.get_absolute_url()


def canonical_url(
    story: Story, edition: Edition, request: HttpRequest | None = None
) -> str:
    """The one URL search engines should index for `story` seen on `edition`.

    It is the origin edition's page, unless `edition` gave the story a local version
    (its own headline and standfirst): then that edition's page is its own canonical.
    """
    if edition.pk != story.origin_edition_id and story.has_local_version(edition):
        return story_url(story, edition, request)
    return story_url(story, story.origin_edition, request)
