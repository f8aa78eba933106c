"""The ninjs API: a page of items (latest first, or a changes feed), one item, and
the OpenAPI document. The edition comes from a parameter, else from the host."""

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from herald.editions.models import Edition
from herald.stories.models import Place, Provenance, Section, Story
from herald.stories.querysets import StoryQuerySet
from herald.syndication.api import cursor as cursors
from herald.syndication.api import queries
from herald.syndication.api.http import (
    Access,
    ApiError,
    conditional_json,
    error,
    partner_api,
    public_api,
)
from herald.syndication.api.ninjs import context_edition, story_item
from herald.syndication.api.openapi import document

# The query parameters each view reads; the OpenAPI document must list the same.
LIST_PARAMS = frozenset(
    {"edition", "section", "place", "updated_since", "provenance", "cursor", "limit"}
)
ITEM_PARAMS = frozenset({"edition"})
MAX_LIMIT = 100
LATEST, CHANGES = "latest", "changes"
# "+09:00" arrives as " 09:00" when a client does not percent-encode the "+".
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def _params(request: HttpRequest, known: frozenset[str]) -> dict[str, str]:
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise ApiError(
            400,
            f"Unknown parameter {', '.join(unknown)}; "
            f"this endpoint takes {', '.join(sorted(known))}.",
        )
    values = {name: request.GET.get(name, "") for name in request.GET}
    return {name: value for name, value in values.items() if value}


def _edition(request: HttpRequest, access: Access, slug: str | None) -> Edition | None:
    """The edition asked for, else the edition of the host; 403 if the partner may
    not read it."""
    if slug:
        edition = Edition.objects.active().filter(slug=slug).first()
        if edition is None:
            raise ApiError(400, f"There is no edition {slug!r}.")
    else:
        edition = getattr(request, "edition", None)
    if edition is not None and not access.may_read(edition.pk):
        raise ApiError(403, f"Your API key does not give access to {edition.name}.")
    return edition


def _in_scope(
    stories: StoryQuerySet, edition: Edition | None, access: Access
) -> StoryQuerySet:
    if edition is not None:
        return stories.for_edition(edition)
    if access.allowed_editions is not None:
        # A subquery, not a join, so a story on two such editions comes once.
        on_allowed = Story.editions.through.objects.filter(
            edition_id__in=access.allowed_editions
        ).values("story_id")
        return stories.filter(pk__in=on_allowed)
    return stories


def _picks_edition(edition: Edition | None, access: Access) -> bool:
    """Must each item's edition be picked from the story's editions? Only for a
    partner limited to some editions, when no edition was asked for."""
    return edition is None and access.allowed_editions is not None


def _limit(raw: str | None) -> int:
    if raw is None:
        return min(settings.HERALD_API_PAGE_SIZE, MAX_LIMIT)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def _since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", raw))
    except ValueError as exc:
        raise ApiError(
            400, "updated_since must be an ISO 8601 date and time with an offset."
        ) from exc
    if moment.tzinfo is None:
        raise ApiError(
            400,
            "updated_since needs a UTC offset, e.g. 2025-04-05T09:00:00+09:00 "
            "or 2025-04-05T00:00:00Z.",
        )
    return moment


def _filtered(params: dict[str, str], stories: StoryQuerySet) -> StoryQuerySet:
    if "section" in params:
        section = Section.objects.filter(slug=params["section"]).first()
        if section is None:
            raise ApiError(400, f"There is no section {params['section']!r}.")
        stories = stories.filter(sections=section)
    if "place" in params:
        place = Place.objects.filter(slug=params["place"]).first()
        if place is None:
            raise ApiError(400, f"There is no place {params['place']!r}.")
        stories = stories.filter(places=place)
    if "provenance" in params:
        if params["provenance"] not in Provenance.values:
            raise ApiError(
                400, f"provenance must be one of {', '.join(Provenance.values)}."
            )
        stories = stories.filter(provenance=params["provenance"])
    return stories


def _page(
    stories: Any, params: dict[str, str], mode: str, since: datetime | None
) -> Any:
    """Order `stories` for `mode` and keep those after the cursor."""
    position = None
    if "cursor" in params:
        try:
            position = cursors.decode(params["cursor"], mode)
        except cursors.BadCursor as exc:
            raise ApiError(400, str(exc)) from exc
    if mode == CHANGES:
        stories = stories.filter(changed_at__gte=since).order_by("changed_at", "id")
        if position:
            at, pk = position
            stories = stories.filter(Q(changed_at__gt=at) | Q(changed_at=at, id__gt=pk))
        return stories
    return stories.order_by("-published_at", "-id").before(position)


def _last_modified(items: list[Story]) -> datetime | None:
    """The latest change among the items, or anywhere in the pool if later: a
    story leaving a listing (retracted, moved to another section) changes the
    listing without changing any item still in it."""
    anywhere = Story.objects.aggregate(v=Max("modified_at"))["v"]
    times = [t for t in (anywhere, *(s.changed_at for s in items)) if t]  # type: ignore[attr-defined]
    return max(times) if times else None


@partner_api
def items(request: HttpRequest, access: Access) -> HttpResponse:
    """A page of ninjs items: the latest first, or with `updated_since` every
    change since then (retracted stories as canceled), oldest change first."""
    params = _params(request, LIST_PARAMS)
    edition = _edition(request, access, params.get("edition"))
    limit = _limit(params.get("limit"))
    since = _since(params.get("updated_since"))
    mode = CHANGES if since else LATEST
    stories = queries.served(timezone.now(), with_cancelled=since is not None)
    stories = _filtered(params, _in_scope(stories, edition, access))
    loaded = queries.for_ninjs(stories, with_editions=_picks_edition(edition, access))
    page = list(_page(loaded, params, mode, since)[: limit + 1])
    more, page = len(page) > limit, page[:limit]
    next_url = None
    if more:
        last = page[-1]
        at = last.changed_at if mode == CHANGES else last.published_at  # type: ignore[attr-defined]
        query = {**params, "cursor": cursors.encode(mode, at, last.pk)}
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    body = {
        "items": [
            story_item(
                s,
                edition=context_edition(s, edition, access.allowed_editions),
                request=request,
            )
            for s in page
        ],
        "next": next_url,
    }
    response = conditional_json(request, body, _last_modified(page))
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response


@partner_api
def item(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """One ninjs item; a retracted story answers with pubstatus "canceled"."""
    params = _params(request, ITEM_PARAMS)
    edition = _edition(request, access, params.get("edition"))
    stories = queries.served(timezone.now(), with_cancelled=True).filter(pk=pk)
    story = queries.for_ninjs(
        _in_scope(stories, edition, access),
        with_editions=_picks_edition(edition, access),
    ).first()
    if story is None:
        raise ApiError(404, f"There is no item {pk} for you.")
    data = story_item(
        story,
        edition=context_edition(story, edition, access.allowed_editions),
        request=request,
    )
    return conditional_json(request, data, story.changed_at)  # type: ignore[attr-defined]


@public_api
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 description of this API; anyone may read it."""
    response = JsonResponse(document(request.build_absolute_uri("/").rstrip("/")))
    response["Cache-Control"] = f"public, max-age={settings.HERALD_PAGE_MAX_AGE}"
    return response


@public_api
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error(
        404, "There is nothing at this address; see /api/ninjs/v2/openapi.json."
    )
