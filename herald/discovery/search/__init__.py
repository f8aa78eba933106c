"""Search: one interface, with the backend chosen by the database in use."""

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

from herald.discovery.search.base import (
    CANDIDATES,
    RebuildReport,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
)
from herald.discovery.search.query import parse_query

__all__ = [
    "CANDIDATES",
    "RebuildReport",
    "SearchBackend",
    "SearchHit",
    "SearchPage",
    "SearchQuery",
    "get_backend",
    "parse_query",
]


def get_backend(using: str = DEFAULT_DB_ALIAS) -> SearchBackend:
    """SQLite FTS5 on SQLite, full-text search on PostgreSQL."""
    vendor = connections[using].vendor
    if vendor == "sqlite":
        from herald.discovery.search.sqlite import SqliteSearchBackend

        return SqliteSearchBackend(using)
    if vendor == "postgresql":
        from herald.discovery.search.postgres import PostgresSearchBackend

        return PostgresSearchBackend(using)
    raise ImproperlyConfigured(f"Herald has no search backend for {vendor}.")
