"""Purge the caching proxies when a story changes (sent after commit), and the pages
of the editions a story is taken off."""

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed

from herald.edge import keys as edge_keys
from herald.stories.models import Story
from herald.stories.signals import story_changed

logger = logging.getLogger(__name__)


def queue_purge(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """Queue the purge of the stories' pages, one job for the whole send. The
    change is committed already: a queue that cannot take the job is logged, and the
    pages then expire by s-maxage, rather than failing the editor's action."""
    if not settings.HERALD_PURGE_URLS:
        return
    from herald.edge.tasks import purge_story_task

    try:
        purge_story_task.enqueue(story_ids=list(story_ids))
    except Exception:
        logger.exception(
            "Could not queue the purge of changed stories.",
            extra={"story_ids": story_ids},
        )


def purge_editions_left(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    using: str,
    **kwargs: Any,
) -> None:
    """A story taken off editions (`story.editions.set/remove/clear`, or the same
    from the edition's side): the keys of the pages there that showed it are read
    now, before the removal, since story_changed's purge reads the story's editions
    after commit and no longer finds these; the purge is queued after commit."""
    if action not in ("pre_remove", "pre_clear") or not settings.HERALD_PURGE_URLS:
        return
    left: dict[int, set[int]]
    if reverse:  # edition.stories.remove(...) or .clear()
        if pk_set is None:
            pk_set = set(instance.stories.values_list("pk", flat=True))
        left = {story_id: {instance.pk} for story_id in pk_set}
    else:
        if pk_set is None:
            pk_set = set(instance.editions.values_list("pk", flat=True))
        left = {instance.pk: set(pk_set)}
    keys = edge_keys.editions_left_keys(left)
    if keys:
        transaction.on_commit(lambda: _queue_keys(keys), using=using)


def _queue_keys(keys: list[str]) -> None:
    from herald.core.tasks import queue_purge_everywhere

    try:
        queue_purge_everywhere(keys)
    except Exception:
        logger.exception(
            "Could not queue the purge of the editions a story left.",
            extra={"keys": keys},
        )


def connect() -> None:
    """Connect the receivers (from EdgeConfig.ready)."""
    story_changed.connect(queue_purge, dispatch_uid="edge.queue_purge")
    m2m_changed.connect(
        purge_editions_left,
        sender=Story.editions.through,
        dispatch_uid="edge.purge_editions_left",
    )
