"""Reader pages of an edition: home, story, and the section, place and author lists."""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from herald.core.timefmt import format_local
from herald.discovery.related import related_for_page
from herald.edge import keys as edge_keys
from herald.edge.caching import page_keys, public_page, story_keys
from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.stories.links import canonical_url
from herald.stories.models import Author, Place, Section, Story
from herald.stories.querysets import StoryQuerySet
from herald.stories.workflow import Status
from herald.syndication.structured import json_ld_script, news_article, social_tags


def _edition(request: HttpRequest) -> Edition:
    edition = getattr(request, "edition", None)
    if edition is None:
        raise Http404("No edition answers on this host.")
    return edition


def _edition_stories(edition: Edition) -> StoryQuerySet:
    return Story.objects.public().for_edition(edition).latest_first()


@require_safe
@public_page(kind="home")
def home(request: HttpRequest) -> HttpResponse:
    edition = getattr(request, "edition", None)
    if edition is None:
        editions = [
            (e, edition_origin(e, request) + "/") for e in Edition.objects.active()
        ]
        return render(request, "web/network.html", {"editions": editions})
    stories = _edition_stories(edition).select_related("primary_section")
    featured = list(stories.filter(is_featured=True)[:5])
    top_ids = {s.pk for s in featured}
    latest = [s for s in stories[:20] if s.pk not in top_ids]
    if len(featured) < 5:
        featured += latest[: 5 - len(featured)]
        top_ids = {s.pk for s in featured}
        latest = [s for s in latest if s.pk not in top_ids]
    sections = _nav_sections()
    blocks = []
    for section in sections:
        items = list(
            stories.filter(primary_section=section).exclude(pk__in=top_ids)[:4]
        )
        if items:
            blocks.append((section, items))
    teasers = [*featured, *latest, *(s for _, items in blocks for s in items)]
    story_keys(request, teasers)
    # One images query for every teaser on the page, not one per block.
    prefetch_related_objects(
        teasers,
        Prefetch("images", to_attr="image_list"),
    )
    return render(
        request,
        "web/home.html",
        {
            "lead": featured[0] if featured else None,
            "top": featured[1:],
            "latest": latest[:10],
            "blocks": blocks,
            "sections": sections,
        },
    )


def _nav_sections() -> list[Section]:
    return list(Section.objects.all())


@require_safe
@public_page(kind="story")
def story(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    edition = _edition(request)
    item = get_object_or_404(
        Story.objects.for_edition(edition)
        .filter(status__in=[Status.PUBLISHED, Status.RETRACTED])
        .for_page(),
        pk=pk,
    )
    if item.status == Status.PUBLISHED and not item.is_public():
        raise Http404("No such story.")
    if slug != item.slug:
        return HttpResponsePermanentRedirect(item.get_absolute_url())
    return render_story(request, item, edition)


def render_story(
    request: HttpRequest, item: Story, edition: Edition, *, preview: bool = False
) -> HttpResponse:
    """The story page as `edition` shows it; previews (herald.web.preview) use it
    too, for a stored story or for one not saved yet (`item.pk` is None)."""
    if item.status == Status.RETRACTED:
        return render(
            request,
            "web/retracted.html",
            {
                "edition": edition,
                "story": item,
                "sections": _nav_sections(),
                "preview": preview,
            },
            status=410,
        )
    local = next(
        (v for v in item.local_versions.all() if v.edition_id == edition.pk), None
    )
    if local is not None:
        # This edition's own headline and standfirst, for this page only.
        item.headline, item.standfirst = local.headline, local.standfirst
    if item.pk is None:
        # A story not saved yet (a news release's preview) has no page of its own:
        # no related list, no structured data, and its address is the preview's.
        return render(
            request,
            "web/story.html",
            {
                **_story_context(item, edition, preview),
                "related": [],
                "canonical": request.build_absolute_uri(request.path),
                "json_ld": "",
                "social": [],
            },
        )
    related = related_for_page(item, edition)
    story_keys(request, related)
    return render(
        request,
        "web/story.html",
        {
            **_story_context(item, edition, preview),
            "related": related,
            "canonical": canonical_url(item, edition, request),
            "json_ld": json_ld_script(news_article(item, edition, request)),
            "social": social_tags(item, edition, request),
        },
    )


def _story_context(item: Story, edition: Edition, preview: bool) -> dict[str, Any]:
    """What the story page shows of `item` itself, saved or not."""
    return {
        "edition": edition,
        "story": item,
        "sections": _nav_sections(),
        "image": next(iter(getattr(item, "image_list", [])), None),
        "preview": preview,
        "preview_state": preview_state(item, edition) if preview else "",
    }


def preview_state(item: Story, edition: Edition) -> str:
    """What a preview says of the story's real state; empty once readers see it."""
    zone = edition.time_zone
    if item.pk is None:
        return "News release, not approved yet: not published"
    if item.status == Status.SCHEDULED and item.scheduled_for:
        return f"Scheduled: goes live {format_local(item.scheduled_for, zone)}"
    if item.status == Status.PUBLISHED:
        if item.embargo_until and item.embargo_until > timezone.now():
            until = format_local(item.embargo_until, zone)
            return f"Embargoed until {until}: not public yet"
        return ""
    return f"{item.get_status_display()}, not published"


def _cursor(request: HttpRequest) -> tuple[datetime, int] | None:
    raw = request.GET.get("before")
    if not raw:
        return None
    try:
        micros, _, pk = raw.partition("-")
        at = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        return at, int(pk)
    except (ValueError, OverflowError, OSError) as exc:
        raise BadRequest("The page link is not valid.") from exc


def _page(request: HttpRequest, stories: StoryQuerySet) -> dict[str, Any]:
    size = settings.HERALD_PAGE_SIZE
    items = list(stories.before(_cursor(request)).for_teasers()[: size + 1])
    more = len(items) > size
    items = items[:size]
    story_keys(request, items)
    next_cursor = None
    if more and items[-1].published_at:
        last = items[-1]
        assert last.published_at is not None
        next_cursor = f"{int(last.published_at.timestamp() * 1_000_000)}-{last.pk}"
    return {
        "items": items,
        "next_cursor": next_cursor,
        "is_first": "before" not in request.GET,
    }


def _list(
    request: HttpRequest,
    title: str,
    kind: str,
    stories: StoryQuerySet,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "title": title,
        "kind": kind,
        "sections": _nav_sections(),
        **(extra or {}),
    }
    context.update(_page(request, stories))
    return render(request, "web/list.html", context)


@require_safe
@public_page(kind="section")
def section(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request)
    obj = get_object_or_404(Section, slug=slug)
    return _list(
        request,
        obj.name,
        "Section",
        _edition_stories(edition).filter(sections=obj),
        {"section": obj, "description": obj.description},
    )


@require_safe
@public_page(kind="place")
def place(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request)
    obj = get_object_or_404(Place, slug=slug)
    return _list(
        request, str(obj), "Place", _edition_stories(edition).filter(places=obj)
    )


@require_safe
@public_page(kind="author")
def author(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(request)
    obj = get_object_or_404(Author, slug=slug)
    return _list(
        request,
        obj.name,
        "Author",
        _edition_stories(edition).filter(authors=obj),
        {"description": obj.bio},
    )


@require_safe
@public_page(kind="brand")
def brand_css(request: HttpRequest) -> HttpResponse:
    """The edition's colours as CSS variables (CSP allows no inline styles)."""
    edition = getattr(request, "edition", None)
    if edition is None and request.GET.get("edition"):
        # A desk preview on the network's host wears the edition's colours.
        edition = get_object_or_404(Edition, slug=request.GET["edition"])
        page_keys(request, [edge_keys.edition_key(edition.pk)])
    primary = edition.primary_colour if edition else "#1d3557"
    accent = edition.accent_colour if edition else "#b5172b"
    css = f":root{{--brand:{primary};--accent:{accent};}}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the database answers, and how the task queue stands."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except Exception as exc:  # report, do not raise: this page exists to say so
        body.update(status="error", database=f"error: {exc.__class__.__name__}")
        return JsonResponse(body, status=503)
    from herald.core.queue import queue_status

    try:
        body["queue"] = queue_status()
    except Exception as exc:  # report, do not raise: this page exists to say so
        body.update(status="error", queue=f"error: {exc.__class__.__name__}")
        return JsonResponse(body, status=503)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response
