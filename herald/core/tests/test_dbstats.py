"""SQLite's planner statistics are gathered after a migrate, never on PostgreSQL."""

import pytest
from django.apps import apps
from django.db import connection

from herald.core.dbstats import analyze_after_migrate, refresh_statistics

pytestmark = pytest.mark.django_db


def _stat_tables() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return int(cursor.fetchone()[0])


def test_statistics_are_gathered_on_sqlite_only() -> None:
    ran = refresh_statistics()
    assert ran is (connection.vendor == "sqlite")
    if ran:
        assert _stat_tables() == 1


def test_statistics_are_gathered_once_a_migrate_ends_not_after_a_flush() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("statistics are SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    analyze_after_migrate(last, plan=None)  # a flush
    assert _stat_tables() == 0
    first = apps.get_app_config("stories")
    analyze_after_migrate(first, plan=[])  # a migrate, other apps to come
    assert _stat_tables() == 0
    analyze_after_migrate(last, plan=[])
    assert _stat_tables() == 1
