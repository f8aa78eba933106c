"""Raw INSERTs store what the ORM's save() stores, value for value."""

from datetime import UTC, date, datetime

import pytest
from django.forms.models import model_to_dict

from herald.core.inserts import insert, insert_many, insert_rows
from herald.editions.models import Edition
from herald.ingest.models import Cluster, ItemState, Source, WireItem
from herald.ingest.tests.conftest import make_source
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
