"""Indexes for the desk's story search (StoryAdmin.search_fields).

The admin searches a word as a substring of four columns: `LIKE '%word%'` on
SQLite, `UPPER(col) LIKE UPPER('%word%')` on PostgreSQL. No b-tree can seek such
a pattern, so each search counted its matches over the whole table, bodies and
all (bench/desk_list.py, 100,000 stories: 210 ms for the count on SQLite).

- SQLite: one index holding the four columns (and the origin edition, which an
  editor's scope filters on) lets the count read that index alone, about a
  twentieth of the table's size, instead of the table.
- PostgreSQL: a trigram GIN index on UPPER(col) for each column, which the
  planner combines (BitmapOr) for the OR of the four LIKEs. pg_trgm is a trusted
  extension (PostgreSQL 13+): a database owner may create it.
"""

from django.db import migrations

SEARCHED = ("headline", "standfirst", "dateline_city", "agency")

SQLITE_CREATE = [
    "CREATE INDEX story_desk_search ON stories_story "
    "(headline, standfirst, dateline_city, agency, origin_edition_id)"
]
SQLITE_DROP = ["DROP INDEX IF EXISTS story_desk_search"]

POSTGRES_CREATE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX story_desk_search_{column} ON stories_story "
    f"USING gin (UPPER({column}) gin_trgm_ops)"
    for column in SEARCHED
]
# The extension stays: another database object may use it by then.
POSTGRES_DROP = [f"DROP INDEX IF EXISTS story_desk_search_{column}" for column in SEARCHED]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_desk_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
