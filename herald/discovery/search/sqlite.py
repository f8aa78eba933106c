"""Search on SQLite: an FTS5 table over the search entries, ranked with bm25()
(or, for a query with a phrase, by where its matches are).

The FTS5 table `discovery_search_fts` (migration 0002) indexes `SearchEntry` rows as
external content, with rowid = story id; triggers keep it in step with the rows.
Queries are built from parsed terms only, each word double-quoted, so FTS5's own
syntax (AND, NEAR, column filters, ^, brackets) never reaches MATCH.
"""

# ruff: noqa: S608 - SQL here joins constants and quoted table names; every value
# that comes from a reader or a story is a query parameter.

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from herald.core.dbstats import refresh_statistics
from herald.discovery.search.base import (
    CANDIDATES,
    MARK_END,
    MARK_START,
    RECENCY_DAYS,
    BaseSearchBackend,
    SearchQuery,
)
from herald.discovery.search.query import Term, holds_phrase, phrase_pairs

FTS = "discovery_search_fts"
# The word pairs of each entry: rowids only (migration 0003).
PAIRS = "discovery_search_pairs"
PHRASE_FUNCTION = "herald_holds_phrase"
TEXT_COLUMNS = ("headline", "standfirst", "body", "dateline")
# bm25() weights by column: headline, standfirst, body, dateline.
WEIGHTS = "10.0, 4.0, 1.0, 2.0"
SNIPPET_TOKENS = 32
ELLIPSIS = "…"
# After a rebuild, merge the index's segments in steps of about this many pages,
# each in its own short transaction, so that writers never wait long.
MERGE_PAGES = 1000
MAX_MERGE_STEPS = 10_000


def _quoted(words: Iterable[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def match_expression(terms: tuple[Term, ...], phrases: bool = True) -> str:
    """An FTS5 query in which every word is a quoted string: all terms must match.
    With `phrases` false, a phrase asks only for each of its words."""
    parts = []
    for term in terms:
        if term.is_phrase and not phrases:
            parts += [_quoted([word]) for word in term.words]
        else:
            parts.append(_quoted(term.words) + ("*" if term.prefix else ""))
    return " ".join(parts)


def pairs_expression(pairs: tuple[str, ...]) -> str:
    """An FTS5 query for the pairs table: every pair, each a quoted token."""
    return " ".join('"' + pair.replace('"', '""') + '"' for pair in pairs)


class SqliteSearchBackend(BaseSearchBackend):
    vendor = "sqlite"

    def _relevance(self, terms: tuple[Term, ...]) -> str:
        """Positive, higher is better. bm25() must count every story holding each
        term, which for common words costs as much as the search itself; so a
        query with a phrase counts the matches of its words in the headline,
        standfirst and dateline instead (each match adds one character)."""
        if not any(term.is_phrase for term in terms):
            return f"-bm25({FTS}, {WEIGHTS})"
        counts = [
            f"{weight} * (length(highlight({FTS}, {column}, char(1), '')) "
            f"- length({FTS}.{name}))"
            for column, name, weight in (
                (0, "headline", 10.0),
                (1, "standfirst", 4.0),
                (3, "dateline", 2.0),
            )
        ]
        return "(1.0 + " + " + ".join(counts) + ")"

    def _candidates(
        self, query: SearchQuery, terms: tuple[Term, ...], now: datetime
    ) -> tuple[str, list[Any]] | None:
        """The newest CANDIDATES matches readers may see, or None when a date
        range holds no entry at all.

        The outer loop walks matches newest first and stops after CANDIDATES that
        pass the conditions; CROSS JOIN keeps it the outer loop. Without a phrase
        that loop is the text index. FTS5 finds a phrase of common words slowly
        (it reads every position of each word), and checking one for a single
        row that lacks it reads on to the end of the index; so with a phrase the
        pairs table is the loop, the text index is asked only for each row's
        words, and a phrase of three words or more, whose pairs may stand apart,
        is checked on the row's text (`holds_phrase`)."""
        bounds = self._id_bounds(query)
        if bounds is None:
            return None
        pairs = phrase_pairs(terms)
        if not pairs:
            conditions, params = self._conditions(query, now, f"{FTS}.rowid")
            sql = f"""
                SELECT {FTS}.rowid AS story_id, {self._relevance(terms)} AS relevance,
                       e.public_at AS public_at
                FROM {FTS} CROSS JOIN {self.entries_table} AS e
                    ON e.story_id = {FTS}.rowid
                WHERE {FTS} MATCH %s AND {FTS}.rowid BETWEEN %s AND %s
                    AND {conditions}
                ORDER BY {FTS}.rowid DESC
                LIMIT {CANDIDATES}
            """
            return sql, [match_expression(terms), *bounds, *params]
        conditions, params = self._conditions(query, now, f"{PAIRS}.rowid")
        checks, check_params = [], []
        for term in terms:
            if len(term.folded.split()) > 2:
                in_any = " OR ".join(
                    f"{PHRASE_FUNCTION}(e.{column}, %s)" for column in TEXT_COLUMNS
                )
                checks.append(f"AND ({in_any})")
                check_params += [term.folded] * len(TEXT_COLUMNS)
        sql = f"""
            SELECT {PAIRS}.rowid AS story_id, {self._relevance(terms)} AS relevance,
                   e.public_at AS public_at
            FROM {PAIRS}
                CROSS JOIN {FTS} ON {FTS}.rowid = {PAIRS}.rowid
                CROSS JOIN {self.entries_table} AS e ON e.story_id = {PAIRS}.rowid
            WHERE {PAIRS} MATCH %s AND {FTS} MATCH %s
                AND {PAIRS}.rowid BETWEEN %s AND %s AND {conditions}
                {" ".join(checks)}
            ORDER BY {PAIRS}.rowid DESC
            LIMIT {CANDIDATES}
        """
        match = [pairs_expression(pairs), match_expression(terms, phrases=False)]
        return sql, [*match, *bounds, *params, *check_params]

    def _register_functions(self) -> None:
        """Make `holds_phrase` callable from this connection's SQL."""
        self.connection.ensure_connection()
        self.connection.connection.create_function(
            PHRASE_FUNCTION, 2, holds_phrase, deterministic=True
        )

    def _rank(
        self, query: SearchQuery, terms: tuple[Term, ...], now: datetime
    ) -> list[tuple[int, float, int]]:
        built = self._candidates(query, terms, now)
        if built is None:
            return []
        self._register_functions()
        candidates, params = built
        # The boost is 2 when new, 1.5 after RECENCY_DAYS, and tends to 1.
        sql = f"""
            WITH candidates AS ({candidates})
            SELECT story_id,
                   relevance * (1.0 + {RECENCY_DAYS} / ({RECENCY_DAYS}
                       + max(0.0, julianday(%s) - julianday(public_at)))) AS score,
                   count(*) OVER () AS total
            FROM candidates
            ORDER BY score DESC, story_id DESC
            LIMIT %s OFFSET %s
        """
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, self._adapt(now), query.size, query.offset])
            return [(int(r[0]), float(r[1]), int(r[2])) for r in cursor.fetchall()]

    def _count(self, query: SearchQuery, terms: tuple[Term, ...], now: datetime) -> int:
        built = self._candidates(query, terms, now)
        if built is None:
            return 0
        self._register_functions()
        candidates, params = built
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({candidates})", params)
            return int(cursor.fetchone()[0])

    def _marks(
        self, terms: tuple[Term, ...], story_ids: list[int]
    ) -> dict[int, tuple[str, str]]:
        # Auxiliary functions need the MATCH of their own query, so this second
        # query runs them for the page's rows only; FTS5 seeks to each rowid. A
        # phrase of three words or more makes that seek slow (see _candidates):
        # its words are marked wherever they stand then.
        exact = all(len(term.words) <= 2 for term in terms)
        marks = [MARK_START, MARK_END]
        snippet = f"%s, %s, '{ELLIPSIS}', {SNIPPET_TOKENS}"
        placeholders = ", ".join(["%s"] * len(story_ids))
        sql = f"""
            SELECT rowid, highlight({FTS}, 0, %s, %s),
                   snippet({FTS}, 2, {snippet}), snippet({FTS}, 1, {snippet})
            FROM {FTS}
            WHERE {FTS} MATCH %s AND rowid IN ({placeholders})
        """
        match = match_expression(terms, phrases=exact)
        params = [*marks, *marks, *marks, match, *story_ids]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = {}
        for story_id, headline, body, standfirst in rows:
            # The body's passage with a match; else the standfirst's; else the lead.
            text = body
            if MARK_START not in (body or "") and MARK_START in (standfirst or ""):
                text = standfirst
            found[int(story_id)] = (headline or "", text or "")
        return found

    def _after_rebuild(self) -> None:
        # Merge every segment into one, as 'optimize' does, but a bounded step
        # per transaction: a negative 'merge' starts merging all segments, and
        # positive ones carry it on. A step with nothing left to do changes
        # nothing (sqlite3's total_changes).
        raw = self.connection.connection
        pages = -MERGE_PAGES
        for _ in range(MAX_MERGE_STEPS):
            before = raw.total_changes
            with (
                transaction.atomic(using=self.using),
                self.connection.cursor() as cursor,
            ):
                cursor.execute(
                    f"INSERT INTO {FTS}({FTS}, rank) VALUES ('merge', %s)", [pages]
                )
            if raw.total_changes == before:
                break
            pages = MERGE_PAGES
        # A rebuild rewrites the index's rows: let the planner see them anew.
        refresh_statistics(self.using)
