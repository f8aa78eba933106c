"""Absolute URLs of editions and of stories on them, and the canonical policy."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

from herald.editions.models import Edition

if TYPE_CHECKING:
    from herald.stories.models import Story


def _is_dev_host(name: str) -> bool:
    suffix = settings.HERALD_DEV_HOST_SUFFIX
    return bool(suffix) and (
        name.endswith(suffix) or name in {"localhost", "127.0.0.1", "testserver"}
    )


def edition_origin(edition: Edition, request: HttpRequest | None = None) -> str:
    """`https://japanherald.com`, or `http://japan-herald.localhost:8000` when the
    request came to a development host. No trailing slash."""
    if request is not None:
        name, _, port = request.get_host().partition(":")
        if _is_dev_host(name):
            suffix = settings.HERALD_DEV_HOST_SUFFIX
            return (
                f"{request.scheme}://{edition.slug}{suffix}{':' + port if port else ''}"
            )
    hosts = edition.hosts
    if hosts:
        return f"{settings.HERALD_PUBLIC_SCHEME}://{hosts[0]}"
    return f"http://{edition.slug}{settings.HERALD_DEV_HOST_SUFFIX}"


def story_url(
    story: "Story", edition: Edition, request: HttpRequest | None = None
) -> str:
    """The absolute URL of `story` as `edition` shows it."""
    return edition_origin(edition, request) + story.get_absolute_url()


def canonical_url(
    story: "Story", edition: Edition, request: HttpRequest | None = None
) -> str:
    """The one URL search engines should index for `story` seen on `edition`.

    It is the origin edition's page, unless `edition` gave the story a local version
    (its own headline and standfirst): then that edition's page is its own canonical.
    """
    if edition.pk != story.origin_edition_id and story.has_local_version(edition):
        return story_url(story, edition, request)
    return story_url(story, story.origin_edition, request)
