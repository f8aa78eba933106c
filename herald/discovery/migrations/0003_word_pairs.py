"""Index each search entry's adjacent word pairs, so that phrases are found fast.

Adds `SearchEntry.pairs`, fills it from the entries' text, and indexes it: on
SQLite a second FTS5 table (`discovery_search_pairs`, rowids only, no positions)
kept in step by triggers; on PostgreSQL a GIN index over the pairs as an array.
The update trigger of the text index now fires only when the text changes, so that
filling the pairs does not index every story again.
"""

from typing import Any

from django.db import migrations, models

from herald.discovery.search.query import word_pairs

FILL_BATCH = 1000

TEXT_COLUMNS = "headline, standfirst, body, dateline"
SQLITE_TEXT_UPDATE = f"""
    CREATE TRIGGER discovery_searchentry_au
    AFTER UPDATE OF {TEXT_COLUMNS} ON discovery_searchentry
    BEGIN
        INSERT INTO discovery_search_fts(
            discovery_search_fts, rowid, {TEXT_COLUMNS}
        ) VALUES (
            'delete', old.story_id, old.headline, old.standfirst, old.body,
            old.dateline
        );
        INSERT INTO discovery_search_fts(rowid, {TEXT_COLUMNS})
        VALUES (new.story_id, new.headline, new.standfirst, new.body, new.dateline);
    END
"""
SQLITE_TEXT_UPDATE_BEFORE = """
    CREATE TRIGGER discovery_searchentry_au AFTER UPDATE ON discovery_searchentry
    BEGIN
        INSERT INTO discovery_search_fts(
            discovery_search_fts, rowid, headline, standfirst, body, dateline
        ) VALUES (
            'delete', old.story_id, old.headline, old.standfirst, old.body,
            old.dateline
        );
        INSERT INTO discovery_search_fts(rowid, headline, standfirst, body, dateline)
        VALUES (new.story_id, new.headline, new.standfirst, new.body, new.dateline);
    END
"""
# Pairs are whole tokens: '_' joins the two words and is a token character here.
SQLITE_PAIRS = [
    """
    CREATE VIRTUAL TABLE discovery_search_pairs USING fts5(
        pairs, content='discovery_searchentry', content_rowid='story_id',
        detail='none', tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
    )
    """,
    "INSERT INTO discovery_search_pairs(discovery_search_pairs) VALUES ('rebuild')",
    """
    CREATE TRIGGER discovery_searchentry_pairs_ai
    AFTER INSERT ON discovery_searchentry
    BEGIN
        INSERT INTO discovery_search_pairs(rowid, pairs)
        VALUES (new.story_id, new.pairs);
    END
    """,
    """
    CREATE TRIGGER discovery_searchentry_pairs_ad
    AFTER DELETE ON discovery_searchentry
    BEGIN
        INSERT INTO discovery_search_pairs(discovery_search_pairs, rowid, pairs)
        VALUES ('delete', old.story_id, old.pairs);
    END
    """,
    """
    CREATE TRIGGER discovery_searchentry_pairs_au
    AFTER UPDATE OF pairs ON discovery_searchentry
    BEGIN
        INSERT INTO discovery_search_pairs(discovery_search_pairs, rowid, pairs)
        VALUES ('delete', old.story_id, old.pairs);
        INSERT INTO discovery_search_pairs(rowid, pairs)
        VALUES (new.story_id, new.pairs);
    END
    """,
]
SQLITE_PAIRS_DROP = [
    "DROP TRIGGER IF EXISTS discovery_searchentry_pairs_au",
    "DROP TRIGGER IF EXISTS discovery_searchentry_pairs_ad",
    "DROP TRIGGER IF EXISTS discovery_searchentry_pairs_ai",
    "DROP TABLE IF EXISTS discovery_search_pairs",
]
POSTGRES_PAIRS = [
    "CREATE INDEX discovery_searchentry_pairs ON discovery_searchentry "
    "USING gin (string_to_array(pairs, ' '))",
    "ANALYZE discovery_searchentry",
]
POSTGRES_PAIRS_DROP = ["DROP INDEX IF EXISTS discovery_searchentry_pairs"]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql)


def fill_pairs(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # Filling the pairs must not index each story's text again.
        _run(
            schema_editor,
            ["DROP TRIGGER IF EXISTS discovery_searchentry_au", SQLITE_TEXT_UPDATE],
        )
    entry_model = apps.get_model("discovery", "SearchEntry")
    entries = entry_model.objects.using(schema_editor.connection.alias)
    last = 0
    while True:
        batch = list(
            entries.filter(story_id__gt=last)
            .order_by("story_id")
            .only("story_id", "headline", "standfirst", "body", "dateline")[
                :FILL_BATCH
            ]
        )
        if not batch:
            break
        for entry in batch:
            entry.pairs = word_pairs(
                entry.headline, entry.standfirst, entry.body, entry.dateline
            )
        entries.bulk_update(batch, ["pairs"])
        last = batch[-1].story_id
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_PAIRS)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_PAIRS)


def drop_pairs(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(
            schema_editor,
            [
                *SQLITE_PAIRS_DROP,
                "DROP TRIGGER IF EXISTS discovery_searchentry_au",
                SQLITE_TEXT_UPDATE_BEFORE,
            ],
        )
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_PAIRS_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0002_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="pairs",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_pairs, drop_pairs),
    ]
