"""Workflow moves of a story (review, schedule, publish, retract) and corrections,
each checked against the transition map and the user's role."""

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.stories.actions.common import announce_change, copy_into, locked
from herald.stories.actions.images import require_alt_text
from herald.stories.actions.revisions import log_event, record_revision
from herald.stories.models import Correction, Story
from herald.stories.workflow import (
    ALLOWED_TRANSITIONS,
    Status,
    TransitionNotAllowed,
    can_move,
    can_publish,
)

# One logger for the app's action API, whichever module of it logs.
logger = logging.getLogger("herald.stories.actions")


def move(
    story: Story,
    to: str,
    *,
    by: User | None,
    action: str,
    note: str = "",
    **updates: Any,
) -> Story:
    """Move `story` to state `to` under a row lock, after checking the map and `by`."""
    current = locked(story)
    before = current.status
    if to not in ALLOWED_TRANSITIONS[before]:
        raise TransitionNotAllowed(
            f"A story that is {Status(before).label.lower()} cannot move to "
            f"{Status(to).label.lower()}."
        )
    if by is not None and not can_move(by, current, to):
        raise PermissionDenied(f"You may not {action} this story.")
    current.status = to
    current.modified_at = timezone.now()
    for field, value in updates.items():
        setattr(current, field, value)
    current.save(update_fields=["status", "modified_at", *updates])
    log_event(current, action, by=by, before=before, note=note)
    announce_change(current)
    logger.info(
        "Story moved.", extra={"story_id": current.pk, "from": before, "to": to}
    )
    copy_into(story, current)
    return current


@transaction.atomic
def submit_for_review(story: Story, *, by: User) -> Story:
    """Hand a draft to the editors."""
    return move(story, Status.IN_REVIEW, by=by, action="submit")


@transaction.atomic
def return_to_draft(story: Story, *, by: User, note: str = "") -> Story:
    """Send a story in review, or a scheduled one, back to draft."""
    return move(
        story, Status.DRAFT, by=by, action="return", note=note, scheduled_for=None
    )


@transaction.atomic
def schedule_story(story: Story, *, by: User, at: datetime) -> Story:
    """Schedule `story` to go live at `at`; the worker publishes it then.

    The schedule lives in the story row, so a restart loses nothing: a task is
    queued for the time, and the worker's sweep publishes anything overdue.
    """
    if at <= timezone.now():
        raise ValidationError({"scheduled_for": "Choose a time in the future."})
    require_alt_text(story)
    current = move(story, Status.SCHEDULED, by=by, action="schedule", scheduled_for=at)
    from herald.stories.tasks import publish_scheduled_story

    transaction.on_commit(
        lambda: publish_scheduled_story.using(run_after=at).enqueue(story_id=current.pk)
    )
    return current


@transaction.atomic
def publish_story(story: Story, *, by: User | None, note: str = "") -> Story:
    """Put `story` live on its editions now (or when its embargo lifts).

    `by` is None only for the scheduler, which publishes what an editor scheduled.
    """
    now = timezone.now()
    if by is not None:
        # The scheduler publishes what was checked when it was scheduled.
        require_alt_text(story)
    current = move(
        story,
        Status.PUBLISHED,
        by=by,
        action="publish",
        note=note,
        published_at=now,
        scheduled_for=None,
    )
    if not current.revisions.exists():
        record_revision(current, by=by, note="Published", at=timezone.now())
    return current


@transaction.atomic
def retract_story(story: Story, *, by: User, note: str) -> Story:
    """Take a published story down; its page then says it was retracted and why."""
    if not note.strip():
        raise ValidationError({"note": "Say why the story is retracted."})
    return move(
        story,
        Status.RETRACTED,
        by=by,
        action="retract",
        note=note,
        retracted_at=timezone.now(),
        retraction_note=note.strip(),
    )


@transaction.atomic
def add_correction(story: Story, *, by: User, text: str) -> Correction:
    """Append a correction to a published story; it shows on the story page."""
    current = locked(story)
    if current.status != Status.PUBLISHED:
        raise TransitionNotAllowed("Only a published story takes corrections.")
    if not can_publish(by, current):
        raise PermissionDenied("You may not correct this story.")
    if not text.strip():
        raise ValidationError({"text": "Write the correction."})
    correction = Correction.objects.create(
        story=current, text=text.strip(), created_by=by
    )
    now = timezone.now()
    Story.objects.filter(pk=current.pk).update(updated_at=now, modified_at=now)
    log_event(current, "correct", by=by, before=current.status, note=text.strip())
    announce_change(current)
    return correction


def publish_due_stories(now: datetime | None = None) -> int:
    """Publish every scheduled story whose time has come. Safe to run twice, and
    from several workers at once: each story is moved under its row lock."""
    count = 0
    for pk in Story.objects.due(now).values_list("pk", flat=True):
        with transaction.atomic():
            story = Story.objects.select_for_update().filter(pk=pk).first()
            if story is None or story.status != Status.SCHEDULED:
                continue
            if story.scheduled_for and story.scheduled_for > (now or timezone.now()):
                continue
            publish_story(story, by=None, note="Published on schedule")
            count += 1
    return count
