"""For tests of a migration: the test database moved to a migration and back, and
what a table's constraints and indexes are."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

Target = list[tuple[str, str]]


def migrate(target: Target) -> None:
    """Migrate the test database to `target` ([(app label, migration name)]), and
    tell the apps, as `herald migrate` does (the stories app re-creates the search
    indexes a table rebuild on SQLite dropped)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    plan = executor.migration_plan(target)
    executor.migrate(target)
    emit_post_migrate_signal(
        verbosity=0, interactive=False, db=connection.alias, plan=plan
    )


def latest() -> Target:
    """Every app's last migration: the schema the rest of the suite expects."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@contextmanager
def migrated_back(before: Target) -> Iterator[None]:
    """The database at `before` for the block, and at every app's last migration
    again once it ends, however it ends (not merely the migration under test: a
    later one, added since, must not be left unapplied for the tests after)."""
    migrate(before)
    try:
        yield
    finally:
        migrate(latest())


def table_constraints(table: str) -> dict[str, dict[str, Any]]:
    """The constraints and indexes of `table`, as Django's introspection gives
    them."""
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)
