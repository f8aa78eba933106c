"""Receivers that keep discovery up to date when a story changes: its More
Information lists and the search index. Connected in DiscoveryConfig.ready()."""

from typing import Any

from herald.stories.signals import story_changed


def queue_related(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """Recompute the stories' More Information lists in the task queue: one task
    for every send, however many stories it names."""
    from herald.discovery.tasks import compute_related

    compute_related.enqueue(story_ids=list(story_ids))


def queue_search_update(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """story_changed is sent after commit, so the task sees what was saved. One
    task for every send, however many stories it names."""
    from herald.discovery.tasks import update_search_index

    update_search_index.enqueue(story_ids=list(story_ids))


def connect() -> None:
    story_changed.connect(queue_related, dispatch_uid="discovery.queue_related")
    story_changed.connect(queue_search_update, dispatch_uid="discovery.search.update")
