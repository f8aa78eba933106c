"""Migration 0002: the LSH bands move to a table keyed by (bucket, item), rows kept."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from herald.core.tests.migrations import migrate, migrated_back, table_constraints
from herald.ingest.models import LSHBand, WireItem

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ingest", "0001_sources_items_clusters_rules")]
AFTER = [("ingest", "0002_lshband_bucket_item_key")]


@pytest.fixture
def at_0001() -> Iterator[None]:
    with migrated_back(BEFORE):
        yield


def make_source(slug: str) -> int:
    """A source as 0001 knew it (today's model has columns added since)."""
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    source = apps.get_model("ingest", "Source").objects.create(
        slug=slug, name=slug, format="rss", agency=slug.upper(), url="https://x.test/"
    )
    return int(source.pk)


def _item(source_id: int, guid: str) -> WireItem:
    # WireItem's table is the same in 0001 and today.
    return WireItem.objects.create(
        source_id=source_id, guid=guid, content_hash="x", raw="", headline=guid
    )


def _old_band(item: WireItem, bucket: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ingest_lshband (item_id, bucket) VALUES (%s, %s)",
            [item.pk, bucket],
        )


def _key_columns() -> list[str]:
    constraints = table_constraints(LSHBand._meta.db_table)
    (key,) = [c for c in constraints.values() if c["primary_key"]]
    return list(key["columns"])


def test_migration_keeps_every_band_once_keyed_by_bucket_and_item(
    at_0001: None,
) -> None:
    source = make_source("mpa")
    first, second = _item(source, "a"), _item(source, "b")
    for bucket in (-(2**63), -5, 7, 2**63 - 1):
        _old_band(first, bucket)
    _old_band(second, 7)
    _old_band(second, 7)  # two bands of one item that hashed alike
    migrate(AFTER)

    rows = sorted(LSHBand.objects.values_list("bucket", "item_id"))
    assert rows == sorted(
        [
            (-(2**63), first.pk),
            (-5, first.pk),
            (7, first.pk),
            (2**63 - 1, first.pk),
            (7, second.pk),
        ]
    )
    assert _key_columns() == ["bucket", "item_id"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name = %s",
                [LSHBand._meta.db_table],
            )
            assert cursor.fetchone()[0].endswith("WITHOUT ROWID")
    # Deleting an item deletes its bands (through the item index).
    second.delete()
    assert not LSHBand.objects.filter(item_id=second.pk).exists()
    assert LSHBand.objects.filter(item=first).count() == 4


def test_migration_back_to_0001_gives_each_band_its_id_again(at_0001: None) -> None:
    source = make_source("mpa")
    migrate(AFTER)
    item = _item(source, "a")
    LSHBand.objects.create(bucket=11, item=item)
    LSHBand.objects.create(bucket=-3, item=item)
    migrate(BEFORE)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, bucket, item_id FROM ingest_lshband ORDER BY bucket")
        rows = cursor.fetchall()
    assert [(bucket, item_id) for _, bucket, item_id in rows] == [
        (-3, item.pk),
        (11, item.pk),
    ]
    assert all(pk is not None for pk, _, _ in rows)
    assert len({pk for pk, _, _ in rows}) == 2
