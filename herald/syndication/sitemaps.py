"""Sitemaps for search engines: each edition's index, its story pages, its Google
News sitemap, and the robots.txt that names them.

Django's `django.contrib.sitemaps` is not used: it pages with `?p=` rather than the
`/sitemap-stories-<page>.xml` URLs of our contract, takes the domain from the sites
framework rather than the edition, and calls Python per item on model instances.
Here each response is one or two queries over only the columns it shows, however
many stories there are. The XML is joined from escaped strings rather than rendered
by a template: a page holds thousands of URLs, and the template engine spends about
twenty times as long on each.
"""

# ruff: noqa: S608, S611 - the raw SQL here wraps SQL that the ORM compiled, and every
# value in it is a query parameter.

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import connections
from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import RFC3986_SUBDELIMS
from django.views.decorators.http import require_safe

from herald.core.timefmt import iso_local
from herald.edge.caching import public_page
from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.stories.models import LocalVersion, Provenance, Section, Story
from herald.stories.querysets import StoryQuerySet

XML_TYPE = "application/xml; charset=utf-8"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
# Google News reads at most 1,000 URLs of the last two days from a news sitemap.
NEWS_MAX_URLS = 1000
NEWS_WINDOW = timedelta(hours=48)
# The protocol allows at most 50,000 URLs in one sitemap file.
MAX_PAGE_SIZE = 50_000

# When readers first saw the story: publication, or the embargo's end. Neither
# argument is null for a public story, so SQLite's NULL-greedy MAX() is safe.
PUBLIC_AT = Greatest(
    F("published_at"),
    Coalesce(F("embargo_until"), F("published_at")),
    output_field=DateTimeField(),
)
# The last change a crawler would see: the latest update, else the publication.
LASTMOD = Greatest(
    Coalesce(F("updated_at"), F("published_at")),
    PUBLIC_AT,
    output_field=DateTimeField(),
)


class Entry(NamedTuple):
    """One `<url>` of a sitemap or `<sitemap>` of an index."""

    loc: str
    lastmod: str = ""


class NewsEntry(NamedTuple):
    """One `<url>` of the news sitemap."""

    loc: str
    publication_date: str
    title: str


# --- Reads ---------------------------------------------------------------------


def canonical_parts(
    edition: Edition, now: datetime | None = None
) -> tuple[StoryQuerySet, StoryQuerySet]:
    """Public stories whose canonical URL is their page on `edition` (the rule of
    `herald.editions.links.canonical_url`), in two parts that never share a story:
    those from `edition`, and those from elsewhere on it that it gave a local
    version. Two parts, read as a UNION, rather than one OR: each part then walks
    its own index (the first, `story_origin_public`, holds every column the
    index and story pages read but the slug)."""
    public = Story.objects.public(now)
    own = public.filter(origin_edition=edition)
    # A local version counts only where the story is on the edition too. Both
    # joins meet at most one row a story (one local version per edition).
    local = public.filter(local_versions__edition=edition, editions=edition).exclude(
        origin_edition=edition
    )
    return own, local


def _union_sql(
    parts: tuple[StoryQuerySet, StoryQuerySet], *fields: str
) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters of the UNION ALL of `parts`, each read as `fields`."""
    own, local = (part.order_by().values_list(*fields) for part in parts)
    sql, params = own.union(local, all=True).query.sql_with_params()
    return sql, tuple(params)


def story_page(
    edition: Edition, page: int, size: int
) -> "QuerySet[Story, tuple[int, str, datetime]]":
    """(id, slug, lastmod) of page `page` (from 1) of the edition's canonical
    stories in id order, so that new stories land on the last page and crawlers
    need not fetch the earlier ones again. The page's ids come from the indexes
    alone; only its own rows are read."""
    ids, params = _union_sql(canonical_parts(edition), "id")
    page_ids = RawSQL(
        f"SELECT id FROM ({ids}) AS canonical ORDER BY id LIMIT %s OFFSET %s",
        (*params, size, (page - 1) * size),
    )
    return (
        Story.objects.filter(pk__in=page_ids)
        .annotate(lastmod=LASTMOD)
        .order_by("id")
        .values_list("id", "slug", "lastmod")
    )


def page_lastmods(edition: Edition, size: int) -> list[datetime | None]:
    """The latest change on each story page of `edition`, one item a page, in one
    query over the indexes that never brings the stories themselves into Python."""
    parts = tuple(part.annotate(lastmod=LASTMOD) for part in canonical_parts(edition))
    rows, params = _union_sql(parts, "id", "lastmod")
    connection = connections[Story.objects.db]
    sql = f"""
        SELECT page, max(lastmod) FROM (
            SELECT (row_number() OVER (ORDER BY id) - 1) / %s AS page, lastmod
            FROM ({rows}) AS canonical
        ) AS numbered
        GROUP BY page ORDER BY page
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, (size, *params))
        found = cursor.fetchall()
    return [_aware(lastmod, connection) for _, lastmod in found]


def _aware(value: Any, connection: Any) -> datetime | None:
    """A datetime read by raw SQL, as the ORM would have given it."""
    if value is None or isinstance(value, datetime):
        return value
    # SQLite gives the text of an expression's value, in UTC.
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a datetime from {connection.vendor}: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def news_stories(
    edition: Edition, now: datetime
) -> "QuerySet[Story, tuple[int, str, datetime, str]]":
    """(id, slug, public_at, title) of the edition's stories that readers first saw
    in the last 48 hours, newest first, at most NEWS_MAX_URLS, without news
    releases. The title is the edition's local headline where it has one."""
    since = now - NEWS_WINDOW
    local_headline = LocalVersion.objects.filter(
        story=OuterRef("pk"), edition=edition
    ).values("headline")[:1]
    arms = []
    for part in canonical_parts(edition, now):
        recent = (
            part.exclude(provenance=Provenance.RELEASE)
            .annotate(
                public_at=PUBLIC_AT,
                title=Coalesce(Subquery(local_headline), F("headline")),
            )
            .values_list("id", "slug", "public_at", "title")
            .order_by()  # the arms of a UNION take no ORDER BY of their own
        )
        # Published lately (the index on published_at), or published earlier
        # under an embargo that lifted lately: those few ids come from the index
        # on embargo_until first, or SQLite may walk every earlier publication.
        lifted = Story.objects.filter(embargo_until__gte=since).values("pk")
        arms.append(recent.filter(published_at__gte=since))
        arms.append(recent.filter(published_at__lt=since, pk__in=lifted))
    first, *rest = arms
    return first.union(*rest, all=True).order_by("-public_at", "-id")[:NEWS_MAX_URLS]


# --- XML ---------------------------------------------------------------------------

# Characters XML 1.0 forbids; a wire headline may carry one, and one would make
# the whole file unreadable to a crawler.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _lastmod(entry: Entry) -> str:
    return f"<lastmod>{entry.lastmod}</lastmod>" if entry.lastmod else ""


def _document(root: str, namespaces: str, items: Iterable[str]) -> HttpResponse:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} {namespaces}>\n'
    body = "".join([head, *items, f"</{root}>\n"])
    return HttpResponse(body, content_type=XML_TYPE)


def urlset(entries: Iterable[Entry]) -> HttpResponse:
    return _document(
        "urlset",
        f'xmlns="{SITEMAP_NS}"',
        (f"<url><loc>{_text(e.loc)}</loc>{_lastmod(e)}</url>\n" for e in entries),
    )


def sitemapindex(entries: Iterable[Entry]) -> HttpResponse:
    return _document(
        "sitemapindex",
        f'xmlns="{SITEMAP_NS}"',
        (
            f"<sitemap><loc>{_text(e.loc)}</loc>{_lastmod(e)}</sitemap>\n"
            for e in entries
        ),
    )


def news_urlset(
    entries: Iterable[NewsEntry], *, name: str, language: str
) -> HttpResponse:
    publication = (
        f"<news:publication><news:name>{_text(name)}</news:name>"
        f"<news:language>{_text(language)}</news:language></news:publication>"
    )
    return _document(
        "urlset",
        f'xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}"',
        (
            f"<url><loc>{_text(e.loc)}</loc><news:news>{publication}"
            f"<news:publication_date>{e.publication_date}</news:publication_date>"
            f"<news:title>{_text(e.title)}</news:title></news:news></url>\n"
            for e in entries
        ),
    )


def news_language(language: str) -> str:
    """The ISO 639 code Google News wants for a BCP 47 tag: `en-IN` → `en`, but
    Chinese keeps its script as `zh-cn` (simplified) or `zh-tw` (traditional)."""
    parts = language.replace("_", "-").lower().split("-")
    if parts[0] == "zh":
        traditional = {"hant", "tw", "hk", "mo"}
        return "zh-tw" if traditional & set(parts[1:]) else "zh-cn"
    return parts[0]


# --- Views ---------------------------------------------------------------------


def _page_size() -> int:
    return max(1, min(settings.HERALD_SITEMAP_PAGE_SIZE, MAX_PAGE_SIZE))


def _edition(request: HttpRequest) -> Edition:
    edition = getattr(request, "edition", None)
    if edition is None:
        raise Http404("No edition answers on this host.")
    return edition


def _story_urls(edition: Edition, request: HttpRequest) -> Callable[[int, str], str]:
    """Build story URLs on `edition` as `Story.get_absolute_url` does, reversing the
    pattern once rather than once for each of a page's thousands of URLs."""
    origin = edition_origin(edition, request)
    head, _, tail = reverse("web:story", kwargs={"pk": 1, "slug": "-"}).rpartition(
        "/1/-/"
    )
    safe = RFC3986_SUBDELIMS + "~:@"  # what reverse() leaves unquoted

    def url(pk: int, slug: str) -> str:
        return f"{origin}{head}/{pk}/{quote(slug, safe=safe)}/{tail}"

    return url


def _absolute(origin: str, name: str, **kwargs: object) -> str:
    return origin + reverse(f"sitemaps:{name}", kwargs=kwargs or None)


@require_safe
@public_page(kind="sitemap")
def index(request: HttpRequest) -> HttpResponse:
    """The edition's sitemap index: its pages sitemap and each story page."""
    edition = _edition(request)
    origin = edition_origin(edition, request)
    lastmods = page_lastmods(edition, _page_size())
    return sitemapindex(
        [
            Entry(_absolute(origin, "pages")),
            *(
                Entry(
                    _absolute(origin, "stories", page=n),
                    iso_local(lastmod, edition.time_zone) if lastmod else "",
                )
                for n, lastmod in enumerate(lastmods, 1)
            ),
        ]
    )


@require_safe
@public_page(kind="sitemap")
def pages(request: HttpRequest) -> HttpResponse:
    """The edition's home and section pages."""
    edition = _edition(request)
    origin = edition_origin(edition, request)
    sections = Section.objects.values_list("slug", flat=True)
    return urlset(
        [
            Entry(origin + reverse("web:home")),
            *(
                Entry(origin + reverse("web:section", kwargs={"slug": slug}))
                for slug in sections
            ),
        ]
    )


@require_safe
@public_page(kind="sitemap")
def stories(request: HttpRequest, page: int) -> HttpResponse:
    """One page of the edition's canonical stories, in one query."""
    edition = _edition(request)
    if page < 1:
        raise Http404("Sitemap pages start at 1.")
    rows = list(story_page(edition, page, _page_size()))
    if not rows:
        raise Http404("No such sitemap page.")
    url, zone = _story_urls(edition, request), edition.time_zone
    return urlset(Entry(url(pk, slug), iso_local(at, zone)) for pk, slug, at in rows)


@require_safe
@public_page(kind="sitemap")
def news(request: HttpRequest) -> HttpResponse:
    """The Google News sitemap of the edition, in one query."""
    edition = _edition(request)
    url, zone = _story_urls(edition, request), edition.time_zone
    return news_urlset(
        (
            NewsEntry(url(pk, slug), iso_local(at, zone), title)
            for pk, slug, at, title in news_stories(edition, timezone.now())
        ),
        name=edition.name,
        language=news_language(edition.language),
    )


@require_safe
@public_page(kind="sitemap")
def robots(request: HttpRequest) -> HttpResponse:
    """Keep crawlers out of the desk and name the edition's sitemaps. A host of no
    edition (the network index) gets the rules alone."""
    edition = getattr(request, "edition", None)
    sitemaps: list[str] = []
    if edition is not None:
        origin = edition_origin(edition, request)
        sitemaps = [_absolute(origin, "index"), _absolute(origin, "news")]
    body = render_to_string("syndication/sitemaps/robots.txt", {"sitemaps": sitemaps})
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
