"""Public pages are the same for every reader: cache their rendering, mark them
cacheable for shared caches, and answer conditional GETs with 304.

The render cache is keyed by the *content version* (the latest `modified_at` of any
story, which every action in `herald.stories.actions` sets) and by host and path, and
each entry lives at most `HERALD_PAGE_MAX_AGE` seconds: the same promise the
`Cache-Control` header makes to proxies. A change in the desk is on every page at
once; what changes with time alone (an embargo lifting) shows within max-age.

Every public response also names what it shows in an `xkey` header (the keys of
`herald.edge.keys`: each story on it, the edition, the page kind with its section,
place or author, the feeds), so that a change to a story purges exactly those pages
from the caching proxies.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, overload

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

from herald.edge import keys as edge_keys

View = Callable[..., HttpResponse]
CACHED_STATUSES = (200, 410)


def content_version() -> str:
    """Changes whenever any story changes; one indexed read."""
    from herald.stories.models import Story

    latest: datetime | None = Story.objects.aggregate(v=Max("modified_at"))["v"]
    return latest.isoformat() if latest else "empty"


def _key(request: HttpRequest, version: str) -> str:
    raw = f"{version}|{request.get_host()}|{request.get_full_path()}"
    return "page:" + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def page_keys(request: HttpRequest, keys: Iterable[str]) -> None:
    """Name more things the page being rendered shows (e.g. the stories of a list);
    they go into its `xkey` header."""
    found: set[str] | None = getattr(request, "_herald_keys", None)
    if found is None:
        found = set()
        request._herald_keys = found  # type: ignore[attr-defined]
    found.update(keys)


def story_keys(request: HttpRequest, stories: Iterable[Any]) -> None:
    """The key of every story shown on the page (teasers, lists, feeds)."""
    page_keys(request, (edge_keys.story_key(story.pk) for story in stories))


def _keys(request: HttpRequest, kind: str, kwargs: dict[str, Any]) -> str:
    edition = getattr(request, "edition", None)
    found: set[str] = set(getattr(request, "_herald_keys", ()))
    if edition is None:
        found.add(edge_keys.NETWORK_KEY)
    else:
        found.add(edge_keys.edition_key(edition.pk))
        if kind and kind != "story":
            found.add(edge_keys.page_key(edition.pk, kind, kwargs.get("slug")))
    if kind == "story" and "pk" in kwargs:
        found.add(edge_keys.story_key(kwargs["pk"]))
    return " ".join(sorted(found))


def _finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    max_age = settings.HERALD_PAGE_MAX_AGE
    patch_cache_control(
        response,
        public=True,
        max_age=max_age,
        s_maxage=max_age,
        stale_while_revalidate=max_age * 5,
    )
    if response.status_code == 200 and not response.streaming:
        if not response.has_header("ETag"):
            digest = hashlib.blake2b(response.content, digest_size=16).hexdigest()
            response["ETag"] = quote_etag(digest)
        conditional = get_conditional_response(
            request, etag=response["ETag"], response=response
        )
        if conditional is not None:
            return conditional
    return response


@overload
def public_page(view: View, *, kind: str = "") -> View: ...
@overload
def public_page(view: None = None, *, kind: str = "") -> Callable[[View], View]: ...


def public_page(
    view: View | None = None, *, kind: str = ""
) -> View | Callable[[View], View]:
    """Serve from the render cache when it can; send Cache-Control, an ETag, an
    `xkey` header and 304s; never set a cookie.

    `kind` names the page for purging (`herald.edge.keys.PAGE_KINDS`): a story page
    is keyed by its id (its `pk` argument), a list by its `slug` argument."""
    if kind and kind not in edge_keys.PAGE_KINDS:
        raise ValueError(f"Unknown page kind {kind!r}; see herald.edge.keys.")
    if view is None:
        return functools.partial(public_page, kind=kind)
    page_view = view

    @functools.wraps(page_view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        use_cache = settings.HERALD_RENDER_CACHE and request.method in ("GET", "HEAD")
        key = _key(request, content_version()) if use_cache else ""
        if use_cache and (hit := cache.get(key)) is not None:
            status, content_type, etag, keys, body = hit
            response = HttpResponse(body, status=status, content_type=content_type)
            if etag:
                response["ETag"] = etag
            response["xkey"] = keys
            return _finish(request, response)
        response = page_view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        if response.status_code not in CACHED_STATUSES:
            return response
        if hasattr(response, "render") and callable(response.render):
            response.render()
        response["xkey"] = _keys(request, kind, kwargs)
        response = _finish(request, response)
        if use_cache and response.status_code in CACHED_STATUSES:
            hit = (
                response.status_code,
                response["Content-Type"],
                response.get("ETag", ""),
                response["xkey"],
                response.content,
            )
            cache.set(key, hit, timeout=settings.HERALD_PAGE_MAX_AGE)
        return response

    return wrapped
