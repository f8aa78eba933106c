"""What every search backend promises, and the parts they share: the index rows,
the reader-visibility and filter conditions, ranking constants and safe snippets.

The index holds only published stories (`SearchEntry`, with copies of the story's
public time and provenance for filtering). The query itself keeps to entries that
are public now and whose story is on the reader's edition (read live from the
story's editions), and every result is checked again against its story row
(published, at or after its publication time, past any embargo) before it is shown.
So a stale index can lose a result for a moment but never show one it should not.

Ranking: among the `CANDIDATES` most recent matching stories (by story id, which
follows publication), full-text relevance (headline above standfirst above body)
times a recency boost that halves its extra weight after `RECENCY_DAYS`. Bounding the
candidates keeps a search of a word found in most stories as fast as a rare one (at
100,000 stories, all of a word's matches cannot be ranked in 20 ms); for such a word
the best of the newest 300 are what a news reader wants anyway.
"""

# ruff: noqa: S608 - SQL here joins constants and quoted table names; every value
# that comes from a reader or a story is a query parameter.

import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from herald.core.sanitize import html_to_text
from herald.discovery.models import SearchEntry
from herald.discovery.related import forget_terms, write_terms
from herald.discovery.search.query import Term, parse_query, word_pairs
from herald.stories.models import Story
from herald.stories.workflow import Status

CANDIDATES = 300
RECENCY_DAYS = 30.0
# A tsvector holds at most 1 MB; no story needs more text than this to be found.
MAX_TEXT_CHARS = 100_000
REBUILD_BATCH = 500
# Private-use characters mark matches in snippets; they are removed from indexed
# text, so story text can never forge a mark.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)
_BLOCK_END = re.compile(
    r"</(?:p|li|h[1-6]|blockquote|pre|td|th|tr|caption|figcaption)>|<br\s*/?>", re.I
)
DOCUMENT_FIELDS = (
    "modified_at",
    "published_at",
    "embargo_until",
    "provenance",
    "headline",
    "standfirst",
    "body",
    "dateline_city",
    "dateline_country",
    "status",
)

# What a result shows and what the visibility check reads; not the body.
SHOWN_FIELDS = (
    "headline",
    "slug",
    "dateline_city",
    "dateline_country",
    "provenance",
    "agency",
    "status",
    "published_at",
    "embargo_until",
    "primary_section__name",
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SearchQuery:
    """One reader's search on one edition. `starts`/`ends` bound the time a story
    became public (inclusive/exclusive); `page` counts from 1."""

    text: str
    edition_id: int
    section_id: int | None = None
    place_id: int | None = None
    provenance: str = ""
    starts: datetime | None = None
    ends: datetime | None = None
    page: int = 1
    page_size: int | None = None
    now: datetime | None = None

    @property
    def terms(self) -> tuple[Term, ...]:
        return parse_query(self.text)

    @property
    def size(self) -> int:
        return self.page_size or settings.HERALD_SEARCH_PAGE_SIZE

    @property
    def offset(self) -> int:
        # Never past the candidates: a huge page number must not overflow SQL.
        return min((max(self.page, 1) - 1) * self.size, CANDIDATES)


@dataclass
class SearchHit:
    story_id: int
    score: float
    headline_html: SafeString
    snippet_html: SafeString
    story: Story | None = None


@dataclass
class SearchPage:
    """One page of results. `total` counts the candidates found, at most
    `CANDIDATES`; `capped` says there may be more, older ones."""

    query: SearchQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def capped(self) -> bool:
        return self.total >= CANDIDATES

    @property
    def num_pages(self) -> int:
        return -(-self.total // self.query.size)

    @property
    def out_of_range(self) -> bool:
        return self.page > max(self.num_pages, 1)


@dataclass
class RebuildReport:
    indexed: int
    removed: int
    seconds: float


class SearchBackend(Protocol):
    """A full-text index of published stories and the search over it."""

    vendor: str

    def index_story(self, story: Story) -> bool:
        """Index `story` if it is published, else remove it; True when indexed."""
        ...

    def remove_story(self, story_id: int) -> None: ...

    def rebuild(self, progress: Progress | None = None) -> RebuildReport:
        """Rewrite every entry from the stories, in batches; remove the rest."""
        ...

    def search(self, query: SearchQuery) -> SearchPage: ...


def clean_text(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def document(story: Story) -> dict[str, Any]:
    """The index row of `story`: its text as plain text, and what filters need."""
    dateline = " ".join(p for p in (story.dateline_city, story.dateline_country) if p)
    # A space after each block, so that "...half.</p><p>Tokyo" stays two words.
    body = _BLOCK_END.sub(r"\g<0> ", story.body)
    texts = {
        "headline": clean_text(story.headline),
        "standfirst": clean_text(story.standfirst),
        "body": clean_text(html_to_text(body))[:MAX_TEXT_CHARS],
        "dateline": clean_text(dateline),
    }
    return {
        "public_at": story.public_at,
        "provenance": story.provenance,
        **texts,
        "pairs": word_pairs(*texts.values()),
    }


def marked_to_html(text: str) -> SafeString:
    """Escape `text` entirely, then turn the private match marks into <mark>."""
    html = _MARKED.sub(r"<mark>\1</mark>", str(escape(text)))
    # Safe: every character of the story text was escaped on the line above.
    return mark_safe(clean_text(html))  # noqa: S308


class BaseSearchBackend(ABC):
    """Writes `SearchEntry` rows and builds the reader conditions; subclasses rank."""

    vendor = ""
    # What keeps the planner from merging a subquery into the query around it.
    subquery_fence = ""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    @property
    def connection(self) -> Any:
        return connections[self.using]

    # --- Writing ---------------------------------------------------------------
    def index_story(self, story: Story) -> bool:
        if story.status != Status.PUBLISHED:
            self.remove_story(story.pk)
            return False
        with transaction.atomic(using=self.using):
            self._write([story])
        return True

    def remove_story(self, story_id: int) -> None:
        with transaction.atomic(using=self.using):
            SearchEntry.objects.using(self.using).filter(story_id=story_id).delete()
            forget_terms([story_id], self.using)

    def _write(self, stories: Sequence[Story]) -> None:
        now = timezone.now()
        entries = [
            SearchEntry(story_id=s.pk, indexed_at=now, **document(s)) for s in stories
        ]
        SearchEntry.objects.using(self.using).bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["story"],
            update_fields=[
                "public_at",
                "provenance",
                "headline",
                "standfirst",
                "body",
                "dateline",
                "pairs",
                "indexed_at",
            ],
        )
        # The terms related stories score by, in the same transaction: so they
        # are of the very text just indexed.
        write_terms(stories, self.using)
        self._after_write([s.pk for s in stories])

    def _after_write(self, story_ids: list[int]) -> None:  # noqa: B027 - optional
        """Hook: derive what the database indexes from the rows just written."""

    def rebuild(self, progress: Progress | None = None) -> RebuildReport:
        started = time.monotonic()
        published = Story.objects.using(self.using).filter(status=Status.PUBLISHED)
        total = published.count()
        indexed, last_pk = 0, 0
        while True:
            batch = list(
                published.filter(pk__gt=last_pk)
                .order_by("pk")
                .only(*DOCUMENT_FIELDS)[:REBUILD_BATCH]
            )
            if not batch:
                break
            # One transaction a batch: readers and writers wait for none of them long.
            with transaction.atomic(using=self.using):
                self._write(batch)
            indexed += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(indexed, total)
        removed = self._remove_unpublished()
        self._after_rebuild()
        return RebuildReport(indexed, removed, round(time.monotonic() - started, 2))

    def _remove_unpublished(self) -> int:
        stale = SearchEntry.objects.using(self.using).exclude(
            story__status=Status.PUBLISHED
        )
        removed = 0
        while ids := list(stale.values_list("story_id", flat=True)[:REBUILD_BATCH]):
            with transaction.atomic(using=self.using):
                SearchEntry.objects.using(self.using).filter(story_id__in=ids).delete()
                forget_terms(ids, self.using)
            removed += len(ids)
        return removed

    def _after_rebuild(self) -> None:  # noqa: B027 - optional hook
        """Hook: compact or analyze the index after a rebuild."""

    # --- Searching -------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchPage:
        terms = query.terms
        if not terms:
            return SearchPage(query)
        now = query.now or timezone.now()
        rows = self._rank(query, terms, now)
        if rows:
            total = rows[0][2]
        else:
            total = self._count(query, terms, now) if query.offset else 0
        marks = self._marks(terms, [row[0] for row in rows]) if rows else {}
        stories = (
            Story.objects.using(self.using)
            .select_related("primary_section")
            .only(*SHOWN_FIELDS)
            .in_bulk([row[0] for row in rows])
        )
        hits = []
        for story_id, score, _ in rows:
            story = stories.get(story_id)
            if story is None or not story.is_public(now):
                continue  # a stale entry: the story changed since it was indexed
            headline, snippet = marks.get(story_id, ("", ""))
            hits.append(
                SearchHit(
                    story_id=story_id,
                    score=float(score),
                    headline_html=marked_to_html(headline or story.headline),
                    snippet_html=marked_to_html(snippet),
                    story=story,
                )
            )
        return SearchPage(query, hits, total)

    @abstractmethod
    def _rank(
        self, query: SearchQuery, terms: tuple[Term, ...], now: datetime
    ) -> list[tuple[int, float, int]]:
        """(story id, score, total candidates) for the page, best first."""

    @abstractmethod
    def _count(self, query: SearchQuery, terms: tuple[Term, ...], now: datetime) -> int:
        """How many candidates there are (for a page past the last)."""

    @abstractmethod
    def _marks(
        self, terms: tuple[Term, ...], story_ids: list[int]
    ) -> dict[int, tuple[str, str]]:
        """story id → (headline, snippet), matches between MARK_START and MARK_END."""

    # --- SQL shared by the backends -----------------------------------------------
    def _id_bounds(self, query: SearchQuery) -> tuple[int, int] | None:
        """The least and greatest story id in the query's date range (from the
        entries' public_at index), so that the search walks only that stretch of
        ids; None when the range holds no entry."""
        if query.starts is None and query.ends is None:
            return (0, 2**63 - 1)
        where, params = [], []
        if query.starts is not None:
            where.append("public_at >= %s")
            params.append(self._adapt(query.starts))
        if query.ends is not None:
            where.append("public_at < %s")
            params.append(self._adapt(query.ends))
        # The fence keeps PostgreSQL from answering min() and max() by walking the
        # primary key from each end; the range's ids come from its own index.
        sql = f"""
            SELECT min(story_id), max(story_id) FROM (
                SELECT story_id FROM {self.entries_table}
                WHERE {" AND ".join(where)} {self.subquery_fence}
            ) AS in_range
        """
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            low, high = cursor.fetchone()
        if low is None:
            return None
        return (int(low), int(high))

    def _adapt(self, moment: datetime) -> Any:
        return self.connection.ops.adapt_datetimefield_value(moment)

    @staticmethod
    def _column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return str(field.column)

    def _exists(self, model: type[Model], other: str, story_id_sql: str) -> str:
        """`story_id_sql` is linked to the row %s of `other` through `model`."""
        qn = self.connection.ops.quote_name
        meta = model._meta
        story = qn(self._column(model, "story"))
        target = qn(self._column(model, other))
        return (
            f"EXISTS (SELECT 1 FROM {qn(meta.db_table)} AS m "
            f"WHERE m.{story} = {story_id_sql} AND m.{target} = %s)"
        )

    def _conditions(
        self, query: SearchQuery, now: datetime, story_id_sql: str
    ) -> tuple[str, list[Any]]:
        """Entries public now on the edition, and the query's filters, over the
        entries table as alias `e`."""
        sql = [
            "e.public_at <= %s",
            self._exists(Story.editions.through, "edition", story_id_sql),
        ]
        params: list[Any] = [self._adapt(now), query.edition_id]
        if query.section_id is not None:
            sql.append(self._exists(Story.sections.through, "section", story_id_sql))
            params.append(query.section_id)
        if query.place_id is not None:
            sql.append(self._exists(Story.places.through, "place", story_id_sql))
            params.append(query.place_id)
        if query.provenance:
            sql.append("e.provenance = %s")
            params.append(query.provenance)
        if query.starts is not None:
            sql.append(self._range_check("e.public_at >= %s"))
            params.append(self._adapt(query.starts))
        if query.ends is not None:
            sql.append(self._range_check("e.public_at < %s"))
            params.append(self._adapt(query.ends))
        return " AND ".join(sql), params

    def _range_check(self, condition: str) -> str:
        """A date range condition as the backend's planner should see it."""
        return condition

    @property
    def entries_table(self) -> str:
        return str(self.connection.ops.quote_name(SearchEntry._meta.db_table))
