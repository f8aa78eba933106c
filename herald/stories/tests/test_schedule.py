"""Scheduled stories go live through the task queue, and survive restarts."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from herald.accounts.models import User
from herald.stories import actions
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import Status


@pytest.mark.django_db(transaction=True)
def test_schedule_queues_a_task_for_the_time_and_the_worker_publishes_it(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(publish=False)
    at = timezone.now() + timedelta(seconds=30)
    actions.schedule_story(story, by=admin_user, at=at)
    task = DBTaskResult.objects.get(task_path__endswith="publish_scheduled_story")
    assert task.run_after == at
    assert task.args_kwargs["kwargs"] == {"story_id": story.pk}
    # Not yet due: a worker pass leaves it scheduled.
    call_command("worker", "--batch", verbosity=0)
    assert Story.objects.get(pk=story.pk).status == Status.SCHEDULED
    # The time comes (as if the worker had been down meanwhile): it goes live.
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    Story.objects.filter(pk=story.pk).update(
        scheduled_for=timezone.now() - timedelta(seconds=1)
    )
    call_command("worker", "--batch", verbosity=0)
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.events.first().by is None  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_a_schedule_whose_task_was_lost_is_published_by_the_sweep(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(publish=False)
    actions.schedule_story(
        story, by=admin_user, at=timezone.now() + timedelta(minutes=5)
    )
    DBTaskResult.objects.all().delete()  # the queue lost it (a restart, a wiped queue)
    Story.objects.filter(pk=story.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    call_command("worker", "--batch", verbosity=0)
    assert Story.objects.get(pk=story.pk).status == Status.PUBLISHED


@pytest.mark.django_db
def test_publishing_due_stories_twice_publishes_once(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(publish=False)
    actions.schedule_story(
        story, by=admin_user, at=timezone.now() + timedelta(minutes=5)
    )
    later = timezone.now() + timedelta(minutes=6)
    assert actions.publish_due_stories(later) == 1
    assert actions.publish_due_stories(later) == 0
    assert story.events.filter(action="publish").count() == 1


@pytest.mark.django_db
def test_a_story_sent_back_to_draft_is_not_published_by_its_old_schedule(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(publish=False)
    actions.schedule_story(
        story, by=admin_user, at=timezone.now() + timedelta(minutes=5)
    )
    actions.return_to_draft(story, by=admin_user)
    assert actions.publish_due_stories(timezone.now() + timedelta(hours=1)) == 0
    assert Story.objects.get(pk=story.pk).status == Status.DRAFT
