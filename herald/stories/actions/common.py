"""What every story action shares: the row lock, the dateline place rule, the
after-commit announcement and the refresh of the caller's instance."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from herald.stories.models import Story
from herald.stories.signals import announce

TEXT_FIELDS = ("headline", "standfirst", "body")


def locked(story: Story) -> Story:
    """Re-read `story` under a row lock. Call inside a transaction."""
    return Story.objects.select_for_update().get(pk=story.pk)


def with_dateline_place(story: Story, places: Iterable[Any]) -> set[Any]:
    """A story is always listed under the place of its dateline."""
    chosen = set(places)
    if story.dateline_place_id:
        chosen.add(story.dateline_place)
    return chosen


def announce_change(story: Story) -> None:
    """Tell other apps (related stories, search) after commit that `story` changed.
    Inside `herald.stories.signals.batched_story_changes` the send joins the batch's
    one send."""
    pk = story.pk
    transaction.on_commit(lambda: announce([pk]))


def copy_into(target: Story, source: Story) -> None:
    """Refresh the caller's instance so that it sees what was saved."""
    for field in Story._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
