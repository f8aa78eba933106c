"""Receivers that keep discovery up to date when a story changes."""

from typing import Any

from herald.stories.signals import story_changed


def queue_related(sender: Any, story_id: int, **kwargs: Any) -> None:
    """Recompute the story's More Information lists in the task queue."""
    from herald.discovery.tasks import compute_related

    compute_related.enqueue(story_id=story_id)


story_changed.connect(queue_related, dispatch_uid="discovery.queue_related")
