"""Public pages are the same for every reader: mark them cacheable and answer
conditional GETs with 304."""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag

View = Callable[..., HttpResponse]


def public_page(view: View) -> View:
    """Send Cache-Control, an ETag of the body and 304s; never a cookie."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code not in (
            200,
            410,
        ):
            return response
        if hasattr(response, "render") and callable(response.render):
            response.render()
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

    return wrapped
