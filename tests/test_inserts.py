"""Raw INSERTs store what the ORM's save() stores, value for value."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from herald.core.inserts import (
    execute,
    insert,
    insert_many,
    insert_rows,
    update,
    update_columns,
)
from herald.editions.models import Edition
from herald.ingest.models import Cluster, ItemState, Source, WireItem
from herald.ingest.tests.factories import make_source
from herald.stories.models import Section, Story, StoryEvent
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


def _item(guid: str, source: Source) -> WireItem:
    return WireItem(
        source=source,
        guid=guid,
        version=3,
        source_updated_at=datetime(2026, 3, 3, 1, 30, 15, 123456, tzinfo=UTC),
        content_hash="abc",
        raw="<item>é</item>",
        headline="Quake",
        parsed={"images": [], "places": ["Tokyo"], "n": 1.5},
        state=ItemState.STORY,
        urgency=None,
        similarity=0.75,
        signature=b"\x00\xff\x10",
        received_at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        updated_at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
    )


def test_insert_stores_what_save_stores_and_sets_the_key(japan: Edition) -> None:
    source = make_source("raw")
    cluster = Cluster(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    insert(cluster)
    assert cluster.pk == Cluster.objects.get().pk
    saved = _item("by-save", source)
    saved.cluster = cluster
    saved.save()
    raw = _item("by-insert", source)
    raw.cluster = cluster
    insert(raw)
    assert raw.pk is not None and not raw._state.adding
    a = model_to_dict(WireItem.objects.get(pk=saved.pk), exclude=["id", "guid"])
    b = model_to_dict(WireItem.objects.get(pk=raw.pk), exclude=["id", "guid"])
    assert a == b
    assert bytes(WireItem.objects.get(pk=raw.pk).signature) == b"\x00\xff\x10"
    # Datetimes are compared as datetimes by the database, as the ORM's are.
    assert (
        WireItem.objects.filter(
            source_updated_at=datetime(2026, 3, 3, 1, 30, 15, 123456, tzinfo=UTC)
        ).count()
        == 2
    )


def test_insert_many_and_insert_rows_write_every_row(
    japan: Edition, section: Section
) -> None:
    story = Story(
        headline="H",
        slug="h",
        body="<p>b</p>",
        origin_edition=japan,
        primary_section=section,
        dateline_date=date(2026, 3, 3),
        status=Status.PUBLISHED,
    )
    insert(story)
    assert Story.objects.get().status == Status.PUBLISHED
    insert_rows(
        Story.editions.through, ("story_id", "edition_id"), [(story.pk, japan.pk)]
    )
    insert_rows(Story.tags.through, ("story_id", "tag_id"), [])
    assert list(Story.objects.get().editions.all()) == [japan]
    insert_many(
        [
            StoryEvent(story_id=story.pk, action="create", to_status=Status.DRAFT),
            StoryEvent(story_id=story.pk, action="publish", to_status=Status.PUBLISHED),
        ]
    )
    assert sorted(StoryEvent.objects.values_list("action", flat=True)) == [
        "create",
        "publish",
    ]


def _stored_columns(pk: int) -> tuple[object, ...]:
    """The row as the database holds it (no field conversion)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT source_updated_at, received_at, updated_at, parsed, "
            "signature, state, note FROM ingest_wireitem WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def test_an_aware_time_in_any_zone_is_stored_as_save_stores_it(
    japan: Edition,
) -> None:
    source = make_source("zones")
    tokyo = timezone(timedelta(hours=9))
    at = datetime(2026, 3, 3, 10, 30, 15, 5, tzinfo=tokyo)
    saved, raw = _item("by-save", source), _item("by-insert", source)
    for item in (saved, raw):
        item.source_updated_at = item.received_at = at
    saved.save()
    insert(raw)
    assert _stored_columns(saved.pk) == _stored_columns(raw.pk)
    assert WireItem.objects.filter(received_at=at.astimezone(UTC)).count() == 2


def test_update_writes_what_save_writes(japan: Edition) -> None:
    source = make_source("updates")
    saved, raw = _item("by-save", source), _item("by-update", source)
    saved.save()
    insert(raw)
    later = datetime(2026, 3, 4, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    for item in (saved, raw):
        item.updated_at = later
        item.parsed = {"places": ["Osaka"]}
        item.signature = b"\x01\x02"
        item.state, item.note = ItemState.DUPLICATE, "Same news."
    saved.save()
    update(raw)
    assert _stored_columns(saved.pk) == _stored_columns(raw.pk)
    a = model_to_dict(WireItem.objects.get(pk=saved.pk), exclude=["id", "guid"])
    b = model_to_dict(WireItem.objects.get(pk=raw.pk), exclude=["id", "guid"])
    assert a == b


def test_update_of_a_row_that_is_gone_or_never_was_is_refused(
    japan: Edition,
) -> None:
    source = make_source("gone")
    item = _item("gone", source)
    with pytest.raises(ValueError, match="not stored"):
        update(item)
    insert(item)
    WireItem.objects.filter(pk=item.pk).delete()
    with pytest.raises(ObjectDoesNotExist, match="gone"):
        update(item)


def test_update_columns_writes_only_the_named_columns_as_save_would(
    japan: Edition,
) -> None:
    source = make_source("columns")
    saved, raw = _item("by-save", source), _item("by-columns", source)
    saved.save()
    insert(raw)
    later = datetime(2026, 3, 5, 9, 15, tzinfo=timezone(timedelta(hours=9)))
    saved.updated_at, saved.note = later, "Moved."
    saved.save(update_fields=["updated_at", "note"])
    # By field name and by attname alike; the other columns stay as stored.
    update_columns(WireItem, raw.pk, {"updated_at": later, "note": "Moved."})
    assert _stored_columns(saved.pk) == _stored_columns(raw.pk)
    cluster = Cluster.objects.create()
    update_columns(WireItem, raw.pk, {"cluster_id": cluster.pk})
    assert WireItem.objects.get(pk=raw.pk).cluster_id == cluster.pk
    update_columns(WireItem, raw.pk, {})  # nothing to write: no statement


def test_a_refused_statement_raises_djangos_error_and_writes_nothing() -> None:
    source = make_source("dup")
    insert(_item("urn:dup", source))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(_item("urn:dup", source))
    assert WireItem.objects.filter(guid="urn:dup").count() == 1
    # Django's DatabaseError, not the driver's (OperationalError on SQLite,
    # ProgrammingError on PostgreSQL).
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("SELECT no_such_column FROM ingest_wireitem")


def test_a_statement_in_a_transaction_marked_for_rollback_is_refused() -> None:
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            execute("SELECT 1")


def test_statements_read_and_count_as_queries_where_django_records_them() -> None:
    source = make_source("counted")
    item = _item("urn:counted", source)
    with CaptureQueriesContext(connection) as captured:
        insert(item)
        row = execute(
            "SELECT guid, version FROM ingest_wireitem WHERE id = %s", [item.pk]
        ).fetchone()
    assert tuple(row) == ("urn:counted", 3)
    assert len(captured.captured_queries) == 2
    # Outside capture (on SQLite, the driver's own cursor) the same answer.
    again = execute(
        "SELECT guid, version FROM ingest_wireitem WHERE id = %s", [item.pk]
    ).fetchone()
    assert tuple(again) == ("urn:counted", 3)
    rows = execute(
        "SELECT id FROM ingest_wireitem WHERE guid LIKE %s AND id >= %s",
        ["urn:%%", 0],
    ).fetchall()
    assert [r[0] for r in rows] == [item.pk]
