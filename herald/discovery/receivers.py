"""Receivers that keep discovery up to date when a story changes."""

from typing import Any

from herald.stories.signals import story_changed


def queue_related(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """Recompute the stories' More Information lists in the task queue: one task
    for every send, however many stories it names."""
    from herald.discovery.tasks import compute_related

    compute_related.enqueue(story_ids=list(story_ids))


story_changed.connect(queue_related, dispatch_uid="discovery.queue_related")
