"""Queued work for discovery: thin adapters that take ids and call a function."""

from django_tasks import task

from herald.discovery.related import store_related
from herald.discovery.search import get_backend
from herald.discovery.search.base import DOCUMENT_FIELDS
from herald.stories.models import Story


@task()
def compute_related(story_id: int) -> int:
    """Store the story's More Information lists; safe to run twice."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return 0
    return store_related(story)


@task()
def update_search_index(story_id: int) -> bool:
    """Index the story if it is published, else remove it; safe to run twice."""
    story = Story.objects.filter(pk=story_id).only(*DOCUMENT_FIELDS).first()
    if story is None:
        get_backend().remove_story(story_id)
        return False
    return get_backend().index_story(story)
