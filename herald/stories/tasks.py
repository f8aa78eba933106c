"""Queued work for stories: thin adapters that take ids and call an action."""

from django.utils import timezone
from django_tasks import task

from herald.stories.actions import publish_due_stories
from herald.stories.models import Story
from herald.stories.workflow import Status


@task()
def publish_scheduled_story(story_id: int) -> bool:
    """Publish the story if it is still scheduled and due; safe to run twice."""
    story = Story.objects.filter(pk=story_id, status=Status.SCHEDULED).first()
    if story is None or (story.scheduled_for and story.scheduled_for > timezone.now()):
        return False
    return publish_due_stories() > 0


@task()
def publish_due_stories_task() -> int:
    return publish_due_stories()
