"""Purge the caching proxies when a story changes (sent after commit)."""

import logging
from typing import Any

from django.conf import settings

from herald.stories.signals import story_changed

logger = logging.getLogger(__name__)


def queue_purge(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """Queue the purge of the stories' pages, one job for the whole send. The
    change is committed already: a queue that cannot take the job is logged, and the
    pages then expire by s-maxage, rather than failing the editor's action."""
    if not settings.HERALD_PURGE_URLS:
        return
    from herald.core.tasks import purge_story_task

    try:
        purge_story_task.enqueue(story_ids=list(story_ids))
    except Exception:
        logger.exception(
            "Could not queue the purge of changed stories.",
            extra={"story_ids": story_ids},
        )


story_changed.connect(queue_purge, dispatch_uid="core.queue_purge")
