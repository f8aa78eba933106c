"""Absolute URLs of editions (a story's URL on an edition is herald.stories.links)."""

from django.conf import settings
from django.http import HttpRequest

from herald.editions.models import Edition


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
