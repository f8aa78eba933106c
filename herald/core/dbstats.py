"""Keep SQLite's query planner statistics fresh: ANALYZE after every migrate.

Without statistics SQLite's planner guesses how selective each index is, and at
100,000 stories it guesses wrong for some queries (the news sitemap read the whole
`story_public` index; with statistics it takes the index on embargo_until).
`analysis_limit` bounds the rows ANALYZE reads per index, so it stays quick on a
large database. Whatever fills a database in bulk (`rebuild_search_index`, a
seed) should call `refresh_statistics` afterwards too. PostgreSQL's autovacuum
analyzes on its own.
"""

from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

ANALYSIS_LIMIT = 1000


def refresh_statistics(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Re-gather the planner's statistics of a SQLite database; True when run."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


def analyze_after_migrate(
    sender: Any,
    using: str = DEFAULT_DB_ALIAS,
    plan: list[Any] | None = None,
    **kwargs: Any,
) -> None:
    """post_migrate is sent once for each app with models, after the whole
    migrate: gather the statistics once, with the last. A flush sends it too,
    without a plan; an emptied database needs no statistics."""
    if plan is None:
        return
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if with_models and sender is with_models[-1]:
        refresh_statistics(using)
