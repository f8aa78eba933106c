"""Search on PostgreSQL: a weighted tsvector per entry under a GIN index, ranked
with ts_rank_cd(), snippets from ts_headline().

The tsquery is built from parsed terms with plainto_tsquery (words),
phraseto_tsquery (phrases) and to_tsquery only for a prefix, whose operand is one
quoted word of letters and digits; so no reader's text is parsed as tsquery syntax.
"""

# ruff: noqa: S608 - SQL here joins constants and quoted table names; every value
# that comes from a reader or a story is a query parameter.

from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db.models.expressions import CombinedExpression

from herald.discovery.models import SearchEntry
from herald.discovery.search.base import (
    CANDIDATES,
    MARK_END,
    MARK_START,
    RECENCY_DAYS,
    BaseSearchBackend,
    SearchQuery,
)
from herald.discovery.search.query import Term, phrase_pairs

# No stemming and no stop words, as on SQLite: the same words find the same stories.
CONFIG = "simple"
# ts_rank_cd weights in the order {D, C, B, A}: body, dateline, standfirst, headline;
# the same proportions as bm25's on SQLite.
WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# Rank normalization 1: divide by 1 + log(length), so long bodies do not win by size.
NORMALIZATION = 1
HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
SNIPPET_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
    "ShortWord=2, MaxFragments=1"
)
ELLIPSIS = "…"


def tsquery(terms: tuple[Term, ...]) -> tuple[str, list[Any]]:
    """SQL for the AND of every term, with its parameters."""
    parts, params = [], []
    for term in terms:
        if term.prefix:
            # One word of letters and digits in quotes; escape anyway.
            word = term.words[0].replace("\\", "\\\\").replace("'", "''")
            parts.append("to_tsquery(%s::regconfig, %s)")
            params += [CONFIG, f"'{word}':*"]
        elif term.is_phrase:
            parts.append("phraseto_tsquery(%s::regconfig, %s)")
            params += [CONFIG, " ".join(term.words)]
        else:
            parts.append("plainto_tsquery(%s::regconfig, %s)")
            params += [CONFIG, term.words[0]]
    return "(" + " && ".join(parts) + ")", params


def vector() -> CombinedExpression:
    return (
        SearchVector("headline", weight="A", config=CONFIG)
        + SearchVector("standfirst", weight="B", config=CONFIG)
        + SearchVector("dateline", weight="C", config=CONFIG)
        + SearchVector("body", weight="D", config=CONFIG)
    )


class PostgresSearchBackend(BaseSearchBackend):
    vendor = "postgresql"
    subquery_fence = "OFFSET 0"

    def _after_write(self, story_ids: list[int]) -> None:
        SearchEntry.objects.using(self.using).filter(story_id__in=story_ids).update(
            vector=vector()
        )

    def _after_rebuild(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.entries_table}")

    def _range_check(self, condition: str) -> str:
        # The search already walks only the range's ids (_id_bounds). Given the
        # bare condition as well, the planner multiplies the two selectivities as
        # if independent, expects a handful of rows, and reads every entry of the
        # range through the public_at index; wrapped, it is only checked.
        return f"COALESCE({condition}, FALSE)"

    def _candidates(
        self, query: SearchQuery, terms: tuple[Term, ...], now: datetime
    ) -> tuple[str, list[Any]] | None:
        """The newest CANDIDATES matches readers may see, or None when a date
        range holds no entry at all.

        Words alone: walking story ids down from the newest, checking each entry,
        finds the newest matches of a common word at once; a date range bounds
        that walk to its ids. A phrase's words are often all common, so its
        candidates come from the GIN index of word pairs instead, materialized
        first (OFFSET 0), so that the planner cannot turn back to the walk."""
        bounds = self._id_bounds(query)
        if bounds is None:
            return None
        conditions, params = self._conditions(query, now, "e.story_id")
        tsq, tsq_params = tsquery(terms)
        pairs = phrase_pairs(terms)
        among, among_params = "", []
        if pairs:
            among = (
                f"e.story_id IN (SELECT p.story_id FROM {self.entries_table} AS p "
                "WHERE string_to_array(p.pairs, ' ') @> %s::text[] "
                f"{self.subquery_fence}) AND"
            )
            among_params = [list(pairs)]
        sql = f"""
            SELECT e.story_id, e.vector, e.public_at
            FROM {self.entries_table} AS e
            WHERE {among} e.story_id BETWEEN %s AND %s AND e.vector @@ {tsq}
                AND {conditions}
            ORDER BY e.story_id DESC
            LIMIT {CANDIDATES}
        """
        return sql, [*among_params, *bounds, *tsq_params, *params]

    def _rank(
        self, query: SearchQuery, terms: tuple[Term, ...], now: datetime
    ) -> list[tuple[int, float, int]]:
        built = self._candidates(query, terms, now)
        if built is None:
            return []
        candidates, params = built
        tsq, tsq_params = tsquery(terms)
        sql = f"""
            WITH candidates AS ({candidates})
            SELECT story_id,
                   ts_rank_cd('{WEIGHTS}'::float4[], vector, {tsq}, {NORMALIZATION})
                   * (1.0 + {RECENCY_DAYS} / ({RECENCY_DAYS} + GREATEST(0.0,
                       EXTRACT(EPOCH FROM (%s::timestamptz - public_at)) / 86400.0)))
                   AS score,
                   count(*) OVER () AS total
            FROM candidates
            ORDER BY score DESC, story_id DESC
            LIMIT %s OFFSET %s
        """
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, *tsq_params, now, query.size, query.offset])
            return [(int(r[0]), float(r[1]), int(r[2])) for r in cursor.fetchall()]

    def _count(self, query: SearchQuery, terms: tuple[Term, ...], now: datetime) -> int:
        built = self._candidates(query, terms, now)
        if built is None:
            return 0
        candidates, params = built
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({candidates}) AS c", params)
            return int(cursor.fetchone()[0])

    def _marks(
        self, terms: tuple[Term, ...], story_ids: list[int]
    ) -> dict[int, tuple[str, str]]:
        tsq, tsq_params = tsquery(terms)
        sql = f"""
            WITH q AS (SELECT {tsq} AS query)
            SELECT e.story_id,
                   ts_headline(%s::regconfig, e.headline, q.query, %s),
                   ts_headline(%s::regconfig, e.body, q.query, %s),
                   ts_headline(%s::regconfig, e.standfirst, q.query, %s),
                   e.body, e.standfirst
            FROM {self.entries_table} AS e CROSS JOIN q
            WHERE e.story_id = ANY(%s)
        """
        params = [
            *tsq_params,
            CONFIG,
            HEADLINE_OPTIONS,
            CONFIG,
            SNIPPET_OPTIONS,
            CONFIG,
            SNIPPET_OPTIONS,
            story_ids,
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = {}
        for story_id, headline, body_snip, stand_snip, body, standfirst in rows:
            # The body's passage with a match; else the standfirst's; else the lead.
            snippet, text = body_snip, body
            if MARK_START not in body_snip and MARK_START in stand_snip:
                snippet, text = stand_snip, standfirst
            found[int(story_id)] = (headline, _with_ellipses(snippet, text))
        return found


def _with_ellipses(snippet: str, text: str) -> str:
    """Mark a passage cut from inside `text` with ellipses, as FTS5 does."""
    plain = snippet.replace(MARK_START, "").replace(MARK_END, "").strip()
    if not plain:
        return snippet
    before = "" if text.startswith(plain) else ELLIPSIS
    after = "" if text.rstrip().endswith(plain) else ELLIPSIS
    return f"{before}{snippet}{after}"
