"""The desk search's indexes (migration 0008), kept after every migrate.

They are raw SQL, one kind per database, so Django's model state does not know
them, and on SQLite a later migration that rebuilds stories_story (adding a NOT
NULL column does) drops them with the old table. After each migrate, once 0008
is applied, this creates any that are missing; the statements are 0008's own.
"""

import importlib
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = ("stories", "0008_desk_search_indexes")


def ensure_search_indexes(
    sender: Any,
    using: str = DEFAULT_DB_ALIAS,
    plan: list[Any] | None = None,
    **kwargs: Any,
) -> None:
    """post_migrate receiver: re-create a dropped search index (a flush, which
    sends the signal without a plan, changes no schema)."""
    if plan is None or sender.label != "stories":
        return
    connection = connections[using]
    if MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return  # migrated back before the indexes, or not yet there
    migration = importlib.import_module(
        "herald.stories.migrations.0008_desk_search_indexes"
    )
    statements = {
        "sqlite": migration.SQLITE_CREATE,
        "postgresql": migration.POSTGRES_CREATE,
    }.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(
                statement.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
            )
