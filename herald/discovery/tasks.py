"""Queued work for discovery: thin adapters that take ids and call a function."""

from django.core.exceptions import ValidationError
from django_tasks import task

from herald.discovery.related import store_related
from herald.discovery.search import get_backend
from herald.discovery.search.base import DOCUMENT_FIELDS
from herald.stories.models import Story


def _ids(story_ids: list[int] | None, story_id: int | None) -> list[int]:
    """The ids a task was queued with: a list, or (tasks queued before lists) one."""
    ids = list(story_ids or [])
    if story_id is not None:
        ids.append(story_id)
    if not ids:
        raise ValidationError("Name the stories: story_ids (or story_id).")
    return list(dict.fromkeys(ids))


@task()
def compute_related(
    story_ids: list[int] | None = None, story_id: int | None = None
) -> int:
    """Store the More Information lists of each story still there; safe to run
    twice. Returns how many lists were stored."""
    stored = 0
    for pk in _ids(story_ids, story_id):
        story = Story.objects.filter(pk=pk).first()
        if story is not None:
            stored += store_related(story)
    return stored


@task()
def update_search_index(
    story_ids: list[int] | None = None, story_id: int | None = None
) -> int:
    """Index each story that is published, else remove it; safe to run twice.
    Returns how many stories the index now holds of these."""
    ids = _ids(story_ids, story_id)
    stories = Story.objects.filter(pk__in=ids).only(*DOCUMENT_FIELDS).in_bulk()
    backend = get_backend()
    indexed = 0
    for pk in ids:
        story = stories.get(pk)
        if story is None:
            backend.remove_story(pk)
        elif backend.index_story(story):
            indexed += 1
    return indexed
