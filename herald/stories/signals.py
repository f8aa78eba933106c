"""Signals other apps listen to. Sent after the transaction commits."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

# Stories' public faces may have changed: published, updated, corrected, retracted,
# or given an image. Payload: story_ids, a list of one or more story ids. Send it
# with `announce`, never directly, so that a batch (below) can gather the sends.
story_changed = Signal()

# The ids gathered by the innermost open `batched_story_changes`, if any.
_batch: ContextVar[dict[int, None] | None] = ContextVar("story_changes", default=None)


def announce(story_ids: Iterable[int]) -> None:
    """Send story_changed for `story_ids` now, or add them to the open batch.
    Call it after commit (herald.stories.actions does, through on_commit)."""
    ids = list(dict.fromkeys(story_ids))
    if not ids:
        return
    batch = _batch.get()
    if batch is not None:
        batch.update(dict.fromkeys(ids))
        return
    story_changed.send(sender=_sender(), story_ids=ids)


@contextmanager
def batched_story_changes() -> Iterator[None]:
    """Gather the story_changed sends made inside (after their commits) into one
    send, with every id, on leaving, even by an exception: stories committed
    before it are announced. A change rolled back never reaches the batch, as
    on_commit hooks of a rolled-back transaction do not run. Used by bulk work
    such as ingest, so one poll queues one task per kind, not one per story."""
    if _batch.get() is not None:
        # An outer batch gathers these too.
        yield
        return
    gathered: dict[int, None] = {}
    token = _batch.set(gathered)
    try:
        yield
    finally:
        _batch.reset(token)
        announce(gathered)


def _sender() -> type:
    from herald.stories.models import Story

    return Story
