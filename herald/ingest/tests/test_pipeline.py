"""Storing parsed items: stories, versions, cancellation, duplicates and bands."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError

from herald.ingest import clustering, storing
from herald.ingest.models import Cluster, ItemState, LSHBand, Source, WireItem
from herald.ingest.polling import Fetched, store
from herald.ingest.sources.items import ParsedFeed, PubStatus, WireImage
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import ItemFactory, make_source
from herald.stories.models import Place, Provenance, Story
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


def ingest(source: Source, *items: object) -> list[str]:
    ctx = Context.for_source(source)
    return [ingest_item(ctx, item) for item in items]  # type: ignore[arg-type]


def test_new_item_becomes_a_published_wire_story_with_credit_and_dateline(
    wire_source: Source, make_item: ItemFactory, tokyo: Place
) -> None:
    item = make_item(
        images=(WireImage(url="https://x.example/a.jpg", photographer="Li Wei"),)
    )
    assert ingest(wire_source, item) == ["new"]
    wire = WireItem.objects.get()
    story = wire.story
    assert story is not None
    assert wire.state == ItemState.STORY
    assert wire.raw == item.raw
    assert story.status == Status.PUBLISHED
    assert story.provenance == Provenance.WIRE
    assert story.agency == "Meridian Press Agency"
    assert story.agency_credit == "(MPA/Li Wei)"
    assert story.dateline_place == tokyo
    assert [t.slug for t in story.tags.all()] == ["wire"]
    assert story.created_by is None


def test_credit_without_photographer_drops_the_empty_part(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item())
    assert Story.objects.get().agency_credit == "(MPA)"


def test_dateline_date_keeps_the_offset_of_the_place(
    wire_source: Source, make_item: ItemFactory
) -> None:
    # 23:30 at +02:00 is already the next day in UTC; the dateline keeps the local day.
    local = datetime(2026, 3, 3, 23, 30, tzinfo=timezone(timedelta(hours=2)))
    ingest(wire_source, make_item(first_created=local, updated_at=local))
    story = Story.objects.get()
    assert str(story.dateline_date) == "2026-03-03"
    wire = WireItem.objects.get()
    assert wire.first_created == datetime(2026, 3, 3, 21, 30, tzinfo=UTC)


def test_source_without_auto_publish_queues_for_review(
    wire_source: Source, make_item: ItemFactory
) -> None:
    Source.objects.filter(pk=wire_source.pk).update(auto_publish=False)
    wire_source.refresh_from_db()
    ingest(wire_source, make_item())
    assert Story.objects.get().status == Status.IN_REVIEW


def test_newer_version_updates_the_same_story_and_records_a_revision(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(version=1))
    story = Story.objects.get()
    revisions = story.revisions.count()
    result = ingest(
        wire_source,
        make_item(version=2, headline="Magnitude 6.8 quake: three injured"),
    )
    assert result == ["updated"]
    story.refresh_from_db()
    assert story.headline == "Magnitude 6.8 quake: three injured"
    assert story.revisions.count() == revisions + 1
    assert story.updated_at is not None
    assert WireItem.objects.get().version == 2


def test_older_or_equal_version_is_ignored(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(version=3, headline="Third"))
    assert ingest(
        wire_source,
        make_item(version=2, headline="Second"),
        make_item(version=3, headline="Third again"),
    ) == ["ignored", "ignored"]
    assert Story.objects.get().headline == "Third"


def test_without_versions_the_update_time_decides(
    wire_source: Source, make_item: ItemFactory
) -> None:
    at = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)
    ingest(wire_source, make_item(updated_at=at))
    older = make_item(updated_at=at - timedelta(hours=1), headline="Older")
    newer = make_item(updated_at=at + timedelta(hours=1), headline="Newer")
    assert ingest(wire_source, older, newer) == ["ignored", "updated"]
    assert Story.objects.get().headline == "Newer"


def test_without_version_or_time_a_changed_text_is_an_update(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(updated_at=None))
    same = make_item(updated_at=None)
    changed = make_item(updated_at=None, headline="Quake: tsunami advisory lifted")
    assert ingest(wire_source, same, changed) == ["ignored", "updated"]


def test_cancellation_retracts_the_published_story(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(version=1))
    ingest(wire_source, make_item(version=2, pubstatus=PubStatus.CANCELED))
    story = Story.objects.get()
    assert story.status == Status.RETRACTED
    assert "Canceled by Meridian Press Agency" in story.retraction_note
    assert WireItem.objects.get().state == ItemState.CANCELED


def test_cancellation_takes_a_story_in_review_back_to_draft(
    wire_source: Source, make_item: ItemFactory
) -> None:
    Source.objects.filter(pk=wire_source.pk).update(auto_publish=False)
    wire_source.refresh_from_db()
    ingest(wire_source, make_item(version=1))
    ingest(wire_source, make_item(version=2, pubstatus=PubStatus.CANCELED))
    assert Story.objects.get().status == Status.DRAFT


def test_withheld_item_waits_and_becomes_a_story_when_usable(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(version=1, pubstatus=PubStatus.WITHHELD))
    assert WireItem.objects.get().state == ItemState.WITHHELD
    assert not Story.objects.exists()
    ingest(wire_source, make_item(version=2))
    assert WireItem.objects.get().state == ItemState.STORY
    assert Story.objects.get().status == Status.PUBLISHED


def test_another_agencys_copy_joins_the_cluster_without_a_new_story(
    wire_source: Source, other_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item())
    rewrite = make_item(
        "kpa-77",
        headline="Strong 6.8 quake hits off Aomori, tsunami advisory issued",
        body_html="<p>A strong earthquake of magnitude 6.8 hit off Aomori prefecture "
        "in northern Japan on Tuesday morning, the Japan Meteorological Agency said, "
        "issuing a tsunami advisory for the Pacific coast of Aomori and Iwate.</p>"
        "<p>Bullet train services were halted while tracks were inspected.</p>",
    )
    assert ingest(other_source, rewrite) == ["duplicate"]
    lead, copy = WireItem.objects.order_by("pk")
    assert copy.state == ItemState.DUPLICATE
    assert copy.story is None
    assert copy.cluster_id == lead.cluster_id
    assert 0.2 <= copy.similarity < 1.0
    assert Story.objects.count() == 1
    assert Cluster.objects.count() == 1


def test_unrelated_item_on_the_same_topic_starts_its_own_cluster(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item())
    other = make_item(
        "urn:mpa:2",
        headline="Magnitude 5.9 earthquake shakes Tokyo",
        body_html="<p>A magnitude 5.9 earthquake shook Tokyo and surrounding "
        "prefectures on Friday evening. There was no tsunami warning and trains "
        "resumed after a short halt.</p>",
    )
    ingest(wire_source, other)
    assert Cluster.objects.count() == 2
    assert Story.objects.count() == 2


def test_new_version_of_an_item_is_an_update_not_a_duplicate(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(version=1))
    ingest(wire_source, make_item(version=2, headline="Quake update"))
    assert WireItem.objects.count() == 1
    assert Cluster.objects.count() == 1
    assert WireItem.objects.get().state == ItemState.STORY


def test_same_guid_from_another_source_is_another_item(
    wire_source: Source, other_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item("shared-guid", version=5))
    # Another feed reuses the guid with other news: it must not touch the story.
    other = make_item(
        "shared-guid",
        version=9,
        headline="Sapporo snow festival opens",
        body_html="<p>The Sapporo Snow Festival opened on Sunday with about 200 snow "
        "and ice sculptures in Odori Park.</p>",
    )
    assert ingest(other_source, other) == ["new"]
    assert WireItem.objects.count() == 2
    first = Story.objects.get(wire_items__source=wire_source)
    assert first.headline.startswith("Magnitude 6.8")
    assert Story.objects.count() == 2


def test_item_without_edition_or_section_waits_unrouted(
    make_item: ItemFactory, japan: object
) -> None:
    source = make_source("bare")
    ingest(source, make_item())
    wire = WireItem.objects.get()
    assert wire.state == ItemState.UNROUTED
    assert "No edition or section" in wire.note
    assert not Story.objects.exists()


def test_a_crash_while_storing_leaves_no_half_imported_item(
    wire_source: Source, make_item: ItemFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(storing.story_actions, "create_wire_story", crash)
    with pytest.raises(RuntimeError):
        ingest(wire_source, make_item())
    assert not WireItem.objects.exists()
    assert not LSHBand.objects.exists()
    assert not Cluster.objects.exists()


def test_item_with_an_unusable_guid_is_refused_and_counted(
    wire_source: Source, make_item: ItemFactory
) -> None:
    with pytest.raises(ValidationError):
        ingest(wire_source, make_item("x" * 501))
    feed = ParsedFeed(items=(make_item("x" * 501), make_item("ok")))
    log = store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())
    assert (log.items_new, log.items_failed) == (1, 1)
    assert "no usable id" in log.message


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_newer_version_leaves_exactly_the_bands_of_its_new_text(
    wire_source: Source, make_item: ItemFactory
) -> None:
    ingest(wire_source, make_item(version=1))
    longer = make_item(
        version=2, body_html=BODY_V2, headline="Quake: tsunami advisory lifted"
    )
    assert ingest(wire_source, longer) == ["updated"]
    wire = WireItem.objects.get()
    expected = clustering.buckets(
        clustering.signature(
            clustering.item_text(longer.headline, longer.standfirst, longer.body_html)
        )
    )
    stored = list(LSHBand.objects.filter(item=wire).values_list("bucket", flat=True))
    assert sorted(stored) == sorted(expected)
    assert len(stored) == clustering.BANDS
    # Some bands changed and some did not: both paths ran.
    first = clustering.buckets(
        clustering.signature(clustering.item_text(make_item().headline, "", BODY_V1))
    )
    assert 0 < len(set(first) & set(expected)) < clustering.BANDS


BODY_V1 = (
    "<p>A magnitude 6.8 earthquake struck off the coast of Aomori prefecture on "
    "Tuesday morning, the Japan Meteorological Agency said.</p><p>A tsunami "
    "advisory was issued for the Pacific coast of Aomori and Iwate, and bullet "
    "train services were halted while tracks were inspected.</p>"
)
BODY_V2 = BODY_V1 + "<p>The advisory was lifted in the afternoon.</p>"
