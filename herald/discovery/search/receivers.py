"""Keep the search index up to date: queue an update whenever a story changes."""

from typing import Any

from herald.stories.signals import story_changed


def queue_search_update(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """story_changed is sent after commit, so the task sees what was saved. One
    task for every send, however many stories it names."""
    from herald.discovery.tasks import update_search_index

    update_search_index.enqueue(story_ids=list(story_ids))


story_changed.connect(queue_search_update, dispatch_uid="discovery.search.update")
