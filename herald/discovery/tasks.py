"""Queued work for discovery: thin adapters that take ids and call a function."""

from django_tasks import task

from herald.discovery.related import store_related
from herald.stories.models import Story


@task()
def compute_related(story_id: int) -> int:
    """Store the story's More Information lists; safe to run twice."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return 0
    return store_related(story)
