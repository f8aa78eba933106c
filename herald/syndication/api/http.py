"""What every API response shares: JSON errors, the key check, the rate limit, and
the caching headers (private: a response depends on the partner's key)."""

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.views.decorators.csrf import csrf_exempt

from herald.syndication.api.keys import find_key, note_use
from herald.syndication.api.ratelimit import Allowance, count_request
from herald.syndication.models import ApiKey

SAFE_METHODS = ("GET", "HEAD")


class ApiError(Exception):
    """Answer the request with `status` and a JSON body naming the problem."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Access:
    """Who is asking: the key, its partner, and the editions it may read."""

    key: ApiKey
    allowance: Allowance
    allowed_editions: frozenset[int] | None  # None: every edition

    def may_read(self, edition_id: int) -> bool:
        return self.allowed_editions is None or edition_id in self.allowed_editions


def error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _not_allowed() -> JsonResponse:
    response = error(405, "Only GET and HEAD are allowed here.")
    response["Allow"] = ", ".join(SAFE_METHODS)
    return response


def _raw_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-Api-Key", "").strip()


def _unauthorized(message: str) -> JsonResponse:
    response = error(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="herald-ninjs"'
    patch_vary_headers(response, ("Authorization", "X-Api-Key"))
    return response


def _rate_headers(response: HttpResponse, allowance: Allowance) -> None:
    response["X-RateLimit-Limit"] = str(allowance.limit)
    response["X-RateLimit-Remaining"] = str(allowance.remaining)
    response["X-RateLimit-Reset"] = str(allowance.reset_in)


PartnerView = Callable[..., HttpResponse]


def partner_api(view: PartnerView) -> Callable[..., HttpResponse]:
    """Let in GET and HEAD with a usable key under its rate limit, call
    `view(request, access, ...)`, and turn an ApiError into its JSON answer.

    The key is checked before the rate limit is counted, so that requests without
    a key cannot use up a partner's allowance.
    """

    @csrf_exempt  # the key, not a cookie, authenticates; and only reads are allowed
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return _not_allowed()
        raw = _raw_key(request)
        if not raw:
            return _unauthorized(
                "An API key is required: send 'Authorization: Bearer <key>' "
                "or 'X-Api-Key: <key>'."
            )
        key = find_key(raw)
        if key is None:
            return _unauthorized("The API key is not valid or has been revoked.")
        allowance = count_request(key.pk)
        response: HttpResponse
        if allowance.exceeded:
            response = error(
                429,
                f"The rate limit of {allowance.limit} requests an hour is used up; "
                f"try again in {allowance.reset_in} seconds.",
            )
            response["Retry-After"] = str(allowance.reset_in)
        else:
            note_use(key)
            editions = frozenset(key.partner.editions.values_list("pk", flat=True))
            access = Access(key, allowance, editions or None)
            try:
                response = view(request, access, *args, **kwargs)
            except ApiError as exc:
                response = error(exc.status, exc.message)
        _rate_headers(response, allowance)
        patch_vary_headers(response, ("Authorization", "X-Api-Key"))
        return response

    return wrapped


def public_api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let in GET and HEAD without a key (the OpenAPI document, unknown paths)."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return _not_allowed()
        return view(request, *args, **kwargs)

    return wrapped


def json_body(data: Any) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def conditional_json(
    request: HttpRequest, data: Any, last_modified: datetime | None
) -> HttpResponse:
    """`data` as JSON with an ETag (a hash of the body), Last-Modified and private
    caching, or a 304 when the client's copy is current."""
    body = json_body(data)
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = quote_etag(hashlib.blake2b(body, digest_size=16).hexdigest())
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = f"private, max-age={settings.HERALD_PAGE_MAX_AGE}"
    patch_vary_headers(response, ("Authorization", "X-Api-Key"))
    conditional = get_conditional_response(
        request, etag=response["ETag"], last_modified=timestamp, response=response
    )
    return conditional if conditional is not None else response
