"""The story workflow: the named states, the one map of allowed moves, and who may
make each move. The `actions` package consults this module; nothing else does."""

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from herald.accounts.models import User
    from herald.stories.models import Story


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}),
    Status.IN_REVIEW: frozenset({Status.DRAFT, Status.SCHEDULED, Status.PUBLISHED}),
    Status.SCHEDULED: frozenset({Status.DRAFT, Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.RETRACTED}),
    Status.RETRACTED: frozenset(),
}

# Moves that put a story in front of readers, or take it away, need an editor of
# every edition the story is on. Contributors only move their drafts to review.
EDITOR_MOVES = {Status.SCHEDULED, Status.PUBLISHED, Status.RETRACTED}


class TransitionNotAllowed(Exception):
    """The workflow map has no move from the story's state to the one asked for."""


def can_edit(user: "User", story: "Story") -> bool:
    """May `user` change the text, byline and metadata of `story`?"""
    if not user.is_active:
        return False
    if user.is_admin:
        return True
    if story.status == Status.RETRACTED:
        return False
    if user.is_editor:
        return story.origin_edition_id in user.edition_ids()
    if user.is_contributor:
        return (
            story.created_by_id == user.pk
            and story.status == Status.DRAFT
            and story.origin_edition_id in user.edition_ids()
        )
    return False


def can_publish(
    user: "User", story: "Story", edition_ids: set[int] | None = None
) -> bool:
    """May `user` put `story` on (or take it off) all of its editions?"""
    if not user.is_active or not user.is_editor:
        return False
    if user.is_admin:
        return True
    targets = edition_ids if edition_ids is not None else story.edition_id_set()
    scope = user.edition_ids()
    return bool(targets) and targets <= scope and story.origin_edition_id in scope


def can_move(user: "User", story: "Story", target: str) -> bool:
    """May `user` move `story` to `target`, given its current state?"""
    if target not in ALLOWED_TRANSITIONS[story.status]:
        return False
    if target in EDITOR_MOVES or story.status == Status.SCHEDULED:
        return can_publish(user, story)
    if story.status == Status.IN_REVIEW and target == Status.DRAFT:
        # The writer may pull a story back; an editor may send it back.
        return (
            user.is_editor and can_edit(user, story)
        ) or story.created_by_id == user.pk
    return can_edit(user, story)


def moves_for(user: "User", story: "Story") -> list[str]:
    """The states `user` may move `story` to now, in workflow order."""
    return [s for s in Status.values if can_move(user, story, s)]
