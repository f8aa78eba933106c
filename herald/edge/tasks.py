"""Queued work of the public edge: purging what a change to stories made stale."""

from django_tasks import task

from herald.core.tasks import queue_purge_everywhere
from herald.edge import keys as edge_keys


@task()
def purge_story_task(story_ids: list[int]) -> list[str]:
    """Purge what a change to the stories made stale, on every proxy: one request
    per proxy. A proxy that fails gets its own retry; the others are done."""
    keys = sorted({key for pk in story_ids for key in edge_keys.story_change_keys(pk)})
    queue_purge_everywhere(keys)
    return keys
