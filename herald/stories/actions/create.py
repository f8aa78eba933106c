"""A story written on the desk (create, edit) or made from an approved news
release; both record their revisions and events through revisions.py."""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.text import unique_slug
from herald.editions.models import Edition
from herald.stories.actions.common import (
    TEXT_FIELDS,
    announce_change,
    copy_into,
    locked,
    with_dateline_place,
)
from herald.stories.actions.images import attach_image
from herald.stories.actions.revisions import log_event, record_revision
from herald.stories.models import Story
from herald.stories.workflow import Status, can_edit, can_publish

# One logger for the app's action API, whichever module of it logs.
logger = logging.getLogger("herald.stories.actions")


def _check_editions(
    by: User, origin: Edition, editions: Iterable[Edition]
) -> list[Edition]:
    editions = list(editions)
    if not editions:
        raise ValidationError({"editions": "Choose at least one edition."})
    if origin not in editions:
        raise ValidationError({"editions": "The origin edition must be one of them."})
    scope = by.edition_ids()
    if origin.pk not in scope:
        raise PermissionDenied(f"You do not work on {origin.name}.")
    if not by.is_admin and by.is_editor:
        outside = [e.name for e in editions if e.pk not in scope]
        if outside:
            raise PermissionDenied(f"You do not edit {', '.join(outside)}.")
    return editions


@transaction.atomic
def create_story(
    *,
    by: User,
    editions: Iterable[Edition],
    sections: Iterable[Any] = (),
    authors: Iterable[Any] = (),
    places: Iterable[Any] = (),
    tags: Iterable[Any] = (),
    **fields: Any,
) -> Story:
    """Create a draft written by `by` and record its first revision."""
    if not by.is_contributor:
        raise PermissionDenied("Only newsroom staff write stories.")
    story = Story(created_by=by, **fields)
    if not story.slug:
        story.slug = unique_slug(story.headline)
    chosen = _check_editions(by, story.origin_edition, editions)
    story.full_clean(exclude=["slug"])
    story.save()
    story.editions.set(chosen)
    story.sections.set({story.primary_section, *sections})
    story.authors.set(authors)
    story.places.set(with_dateline_place(story, places))
    story.tags.set(tags)
    record_revision(story, by=by, note="Created", at=timezone.now())
    log_event(story, "create", by=by, before="")
    return story


@transaction.atomic
def update_story(
    story: Story,
    *,
    by: User,
    editions: Iterable[Edition] | None = None,
    note: str = "",
    base_version: datetime | None = None,
    **changes: Any,
) -> Story:
    """Apply `changes` to `story`, recording a revision when its text changed.

    A text change to a published story sets its update time, which readers see.
    Changing a published story's editions needs an editor of the new editions.
    With `base_version` (the story's `modified_at` when the editor opened it), a
    story changed since then is refused rather than saved over.
    """
    current = locked(story)
    if not can_edit(by, current):
        raise PermissionDenied("You may not edit this story.")
    if base_version is not None and current.modified_at != base_version:
        raise ValidationError(
            "Someone saved this story a moment ago; open it again to see their "
            "changes before saving yours.",
            code="stale",
        )
    many = {
        k: changes.pop(k)
        for k in ("sections", "authors", "places", "tags")
        if k in changes
    }
    text_changed = any(
        k in changes and changes[k] != getattr(current, k) for k in TEXT_FIELDS
    )
    for field, value in changes.items():
        setattr(current, field, value)
    if editions is not None:
        chosen = _check_editions(by, current.origin_edition, editions)
        if current.status in {Status.SCHEDULED, Status.PUBLISHED} and not can_publish(
            by, current, {e.pk for e in chosen}
        ):
            raise PermissionDenied("You may not publish on those editions.")
    current.full_clean()
    now = timezone.now()
    current.modified_at = now
    if text_changed and current.status == Status.PUBLISHED:
        current.updated_at = now
    current.save()
    if editions is not None:
        current.editions.set(chosen)
    if "sections" in many or "primary_section" in changes:
        sections = many.get("sections", current.sections.all())
        current.sections.set({current.primary_section, *sections})
    if "places" in many or "dateline_place" in changes:
        current.places.set(
            with_dateline_place(current, many.get("places", current.places.all()))
        )
    for name in ("authors", "tags"):
        if name in many:
            getattr(current, name).set(many[name])
    if text_changed:
        record_revision(current, by=by, note=note or "Edited", at=timezone.now())
    log_event(current, "edit", by=by, before=current.status, note=note)
    announce_change(current)
    copy_into(story, current)
    return current


@transaction.atomic
def publish_release_story(
    *,
    by: User,
    editions: list[Edition],
    at: datetime | None,
    images: Iterable[tuple[IO[bytes], str, str, str]] = (),
    **fields: Any,
) -> Story:
    """Create a story with news-release provenance from a release that `by` approved,
    live on `editions` now, or scheduled for `at` (the worker publishes it then).

    The release's moderation is the decision, so `by` moderates rather than writes:
    the caller has checked that `by` may decide on the release for `editions`.
    `images` are (file, caption, credit, alt text); each is re-encoded like any
    story image, and one sent without alt text (before it was asked for) takes
    its caption's.
    """
    from herald.stories.models import Provenance

    if not editions:
        raise ValidationError({"editions": "Choose at least one edition."})
    now = timezone.now()
    story = Story(
        created_by=by,
        provenance=Provenance.RELEASE,
        origin_edition=editions[0],
        **fields,
    )
    story.slug = story.slug or unique_slug(story.headline)
    scheduled = at is not None and at > now
    if scheduled:
        story.status, story.scheduled_for = Status.SCHEDULED, at
    else:
        story.status, story.published_at = Status.PUBLISHED, now
    story.full_clean(exclude=["slug"])
    story.save()
    story.editions.set(editions)
    story.sections.set({story.primary_section})
    story.places.set(with_dateline_place(story, ()))
    record_revision(story, by=by, note="Created from a news release", at=timezone.now())
    log_event(story, "create", by=by, before="", note="News release approved")
    log_event(
        story,
        "schedule" if scheduled else "publish",
        by=by,
        before=Status.DRAFT,
        note="News release approved",
    )
    for position, (upload, caption, credit, alt_text) in enumerate(images):
        attach_image(
            story,
            by=None,
            upload=upload,
            caption=caption,
            credit=credit,
            alt_text=alt_text or caption[:250],
            position=position,
        )
    announce_change(story)
    if scheduled:
        from herald.stories.tasks import publish_scheduled_story

        assert at is not None
        transaction.on_commit(
            lambda: publish_scheduled_story.using(run_after=at).enqueue(
                story_id=story.pk
            )
        )
    logger.info(
        "News release story created.",
        extra={"story_id": story.pk, "status": story.status},
    )
    return story
