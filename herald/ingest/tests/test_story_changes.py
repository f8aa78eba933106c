"""A poll announces its stories once: one story_changed send, one task per kind."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from herald.discovery.models import SearchEntry
from herald.discovery.tasks import compute_related, update_search_index
from herald.ingest import storing
from herald.ingest.models import Source, WireItem
from herald.ingest.polling import Fetched, store
from herald.ingest.sources.items import ParsedFeed
from herald.ingest.tests.factories import ItemFactory
from herald.stories import actions as story_actions
from herald.stories.models import Story
from herald.stories.signals import announce, batched_story_changes, story_changed

# Real commits: story_changed is sent after commit.
pytestmark = pytest.mark.django_db(transaction=True)

TOPICS = [
    ("Parliament passes the fisheries reform bill", "fishing quotas coastal towns"),
    ("Central bank holds interest rates steady", "inflation currency lending"),
    ("Heavy snow closes mountain passes in Nagano", "avalanche skiers roads"),
]


@pytest.fixture
def sends() -> Iterator[list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        kwargs.pop("signal", None)
        received.append(kwargs)

    story_changed.connect(receiver, dispatch_uid="test.sends")
    yield received
    story_changed.disconnect(dispatch_uid="test.sends")


def _feed(make_item: ItemFactory) -> ParsedFeed:
    return ParsedFeed(
        items=tuple(
            make_item(
                f"urn:mpa:{n}",
                headline=headline,
                body_html=f"<p>{headline}: {words}, officials said on Monday.</p>",
            )
            for n, (headline, words) in enumerate(TOPICS)
        )
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _tasks(name: str) -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path__endswith=f".{name}"))


def test_a_poll_sends_story_changed_once_with_every_new_story(
    wire_source: Source, make_item: ItemFactory, sends: list[dict[str, Any]]
) -> None:
    log = store(wire_source, Fetched(feeds=[("f", _feed(make_item))]), started=_now())
    assert log.items_new == 3
    ids = set(Story.objects.values_list("pk", flat=True))
    assert len(ids) == 3
    assert len(sends) == 1
    assert set(sends[0]["story_ids"]) == ids


def test_a_poll_queues_one_related_and_one_search_task_for_all_its_stories(
    wire_source: Source, make_item: ItemFactory
) -> None:
    store(wire_source, Fetched(feeds=[("f", _feed(make_item))]), started=_now())
    ids = set(Story.objects.values_list("pk", flat=True))
    related, search = _tasks("compute_related"), _tasks("update_search_index")
    assert len(related) == len(search) == 1
    assert set(related[0].args_kwargs["kwargs"]["story_ids"]) == ids
    assert set(search[0].args_kwargs["kwargs"]["story_ids"]) == ids


def test_the_tasks_process_every_story_of_the_list(
    wire_source: Source, make_item: ItemFactory
) -> None:
    store(wire_source, Fetched(feeds=[("f", _feed(make_item))]), started=_now())
    ids = list(Story.objects.values_list("pk", flat=True))
    assert update_search_index.call(story_ids=[*ids, 999_999]) == 3
    assert set(SearchEntry.objects.values_list("story_id", flat=True)) == set(ids)
    assert compute_related.call(story_ids=ids) >= 0
    # A task queued before lists, with one id, still runs.
    assert update_search_index.call(story_id=ids[0]) == 1


def test_a_single_story_change_is_sent_at_once_as_a_list_of_one(
    wire_source: Source, make_item: ItemFactory, sends: list[dict[str, Any]]
) -> None:
    store(wire_source, Fetched(feeds=[("f", _feed(make_item))]), started=_now())
    story = Story.objects.order_by("pk").first()
    assert story is not None
    sends.clear()
    story_actions.update_wire_story(story, note="desk fix", standfirst="New.")
    assert sends == [{"story_ids": [story.pk]}]


def test_a_rolled_back_item_is_not_announced_and_the_rest_are(
    wire_source: Source,
    make_item: ItemFactory,
    sends: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = story_actions.create_wire_story
    calls = []

    def crash_on_second(**kwargs: Any) -> Story:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(storing.story_actions, "create_wire_story", crash_on_second)
    with pytest.raises(RuntimeError):
        store(wire_source, Fetched(feeds=[("f", _feed(make_item))]), started=_now())
    story = Story.objects.get()
    assert WireItem.objects.count() == 1
    assert sends == [{"story_ids": [story.pk]}]


def test_nested_batches_send_once_when_the_outer_one_closes(
    sends: list[dict[str, Any]],
) -> None:
    with batched_story_changes():
        with batched_story_changes():
            announce([1, 2])
        announce([2, 3])
        assert sends == []
    assert [s["story_ids"] for s in sends] == [[1, 2, 3]]
