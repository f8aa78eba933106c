"""Polling sources: re-polls, failed fetches, leases, the due-source sweep, the
poll task, and storing a poll's items in batches."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from herald.ingest import polling, storing
from herald.ingest.models import Cluster, LSHBand, Outcome, Source, WireItem
from herald.ingest.polling import Fetched, store
from herald.ingest.sources.items import ParsedFeed
from herald.ingest.tests.factories import ItemFactory
from herald.stories.models import Revision, Story

pytestmark = pytest.mark.django_db


def _now() -> datetime:
    return datetime.now(UTC)


def test_repolling_the_same_items_a_thousand_times_creates_nothing_new(
    wire_source: Source, make_item: ItemFactory
) -> None:
    feed = ParsedFeed(
        items=tuple(make_item(f"urn:mpa:{i}", headline=f"H {i} " * 5) for i in range(3))
    )
    first = store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())
    assert first.items_new == 3
    counts = (WireItem.objects.count(), Story.objects.count(), Revision.objects.count())
    for _ in range(1000):
        log = store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())
        assert (log.items_new, log.items_updated, log.items_ignored) == (0, 0, 3)
    assert counts == (
        WireItem.objects.count(),
        Story.objects.count(),
        Revision.objects.count(),
    )


def test_failed_fetch_is_recorded_on_the_source(wire_source: Source) -> None:
    log = store(wire_source, "timed out after 20 s", started=_now())
    assert log.outcome == Outcome.ERROR
    wire_source.refresh_from_db()
    assert wire_source.last_error == "timed out after 20 s"
    assert wire_source.failures_in_row == 1
    assert wire_source.last_success_at is None
    assert wire_source.next_poll_at > _now()


def test_a_held_lease_stops_a_second_poll(wire_source: Source) -> None:
    token = polling.acquire_lease(wire_source)
    assert token
    assert polling.acquire_lease(wire_source) is None
    summary = polling.poll_source(wire_source)
    assert summary.skipped
    polling.release_lease(wire_source, token)
    assert polling.acquire_lease(wire_source)


def test_an_expired_lease_can_be_taken(wire_source: Source) -> None:
    assert polling.acquire_lease(wire_source, now=_now() - timedelta(hours=1))
    assert polling.acquire_lease(wire_source)


def test_due_sources_are_queued_once(wire_source: Source) -> None:
    Source.objects.update(next_poll_at=_now() - timedelta(minutes=1))
    assert polling.enqueue_due_sources() == 1
    assert polling.enqueue_due_sources() == 0


def test_poll_task_polls_the_source_and_skips_a_paused_one(
    wire_source: Source, tmp_path: object
) -> None:
    from pathlib import Path

    from herald.ingest.tasks import poll_source_task

    folder = Path(str(tmp_path)) / "drop"
    folder.mkdir()
    Source.objects.filter(pk=wire_source.pk).update(drop_folder=str(folder))
    assert poll_source_task.call(source_id=wire_source.pk) == "ok"
    assert wire_source.fetches.count() == 1
    Source.objects.filter(pk=wire_source.pk).update(is_active=False)
    assert poll_source_task.call(source_id=wire_source.pk) == "gone"
    assert wire_source.fetches.count() == 1


WORDS = [
    "harbour",
    "tariff",
    "glacier",
    "senate",
    "vaccine",
    "orbit",
    "drought",
    "lantern",
    "ferry",
    "quarry",
    "mural",
    "reactor",
    "saffron",
    "tunnel",
    "violin",
    "walrus",
]


def _distinct_feed(make_item: ItemFactory, count: int) -> ParsedFeed:
    """`count` items that tell different news, so each becomes a story."""
    items = []
    for i in range(count):
        words = [f"{w}{i}" for w in WORDS]
        items.append(
            make_item(
                f"urn:mpa:batch:{i}",
                headline=f"Item {i}: {' '.join(words[:4])}",
                body_html=f"<p>{' '.join(words)}.</p>",
            )
        )
    return ParsedFeed(items=tuple(items))


def test_an_invalid_item_in_the_middle_of_a_batch_rolls_back_alone(
    wire_source: Source, make_item: ItemFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "BATCH_SIZE", 3)
    real = storing.story_actions.create_wire_story

    def refuse_item_2(**kwargs: object) -> Story:
        # Called after the item's cluster was inserted: its savepoint must undo it.
        if str(kwargs["headline"]).startswith("Item 1:"):
            raise ValidationError("The story was refused.")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(storing.story_actions, "create_wire_story", refuse_item_2)
    feed = _distinct_feed(make_item, 5)
    log = store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())
    assert (log.items_new, log.items_failed) == (4, 1)
    assert log.outcome == Outcome.WARNING
    assert "feed: item 'urn:mpa:batch:1': The story was refused." in log.message
    stored = set(WireItem.objects.values_list("guid", flat=True))
    assert stored == {f"urn:mpa:batch:{i}" for i in (0, 2, 3, 4)}
    assert Story.objects.count() == 4
    assert Cluster.objects.count() == 4
    assert LSHBand.objects.exclude(item__guid__in=stored).count() == 0
    assert LSHBand.objects.count() == 4 * 64
    # The failed item was not stored, so the next poll tries it again.
    monkeypatch.setattr(storing.story_actions, "create_wire_story", real)
    again = store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())
    assert (again.items_new, again.items_ignored, again.items_failed) == (1, 4, 0)
    assert Story.objects.count() == 5


class PowerCut(BaseException):
    """Stands for the process dying: nothing catches it on the way out."""


def _store_dying_at_item_4(
    wire_source: Source, feed: ParsedFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Store `feed` with the process dying as item 4 becomes a story."""
    real = storing.story_actions.create_wire_story

    def cut_at_item_4(**kwargs: object) -> Story:
        if str(kwargs["headline"]).startswith("Item 4:"):
            raise PowerCut
        return real(**kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(storing.story_actions, "create_wire_story", cut_at_item_4)
        with pytest.raises(PowerCut):
            store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())


@pytest.mark.parametrize(
    ("limit", "value", "kept"),
    [
        # Batches of 3: the first committed; of the second, item 3 was stored in
        # its savepoint but never committed, so nothing of that batch is left.
        ("BATCH_SIZE", 3, 3),
        # No time at all: each batch stores one item (never none) and commits it,
        # so items 0 to 3 are kept, where one batch of 6 would keep none.
        ("BATCH_SECONDS", 0.0, 4),
    ],
)
def test_a_crash_in_a_batch_loses_its_items_and_the_next_poll_stores_each_once(
    wire_source: Source,
    make_item: ItemFactory,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: float,
    kept: int,
) -> None:
    monkeypatch.setattr(polling, limit, value)
    feed = _distinct_feed(make_item, 6)
    _store_dying_at_item_4(wire_source, feed, monkeypatch)
    assert set(WireItem.objects.values_list("guid", flat=True)) == {
        f"urn:mpa:batch:{i}" for i in range(kept)
    }
    assert Story.objects.count() == kept
    assert Cluster.objects.count() == kept
    log = store(wire_source, Fetched(feeds=[("feed", feed)]), started=_now())
    assert (log.items_new, log.items_ignored, log.items_failed) == (6 - kept, kept, 0)
    assert WireItem.objects.count() == Story.objects.count() == 6
    assert LSHBand.objects.count() == 6 * 64
    assert sorted(Revision.objects.values_list("story__headline", flat=True)) == sorted(
        item.headline for item in feed.items
    )
