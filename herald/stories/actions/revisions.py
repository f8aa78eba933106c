"""The one writer of a story's revisions and workflow events, for the desk and the
wire alike: raw INSERTs (herald.core.inserts), since ingest writes many a second."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.utils import timezone

from herald.accounts.models import User
from herald.core.inserts import execute, insert_rows
from herald.stories.models import Revision, Story, StoryEvent

# Rows, not instances: building the model instances cost more than writing them.
_REVISION_COLUMNS = (
    "story_id",
    "number",
    "headline",
    "standfirst",
    "body",
    "note",
    "created_at",
    "created_by_id",
)
_EVENT_COLUMNS = (
    "story_id",
    "action",
    "from_status",
    "to_status",
    "note",
    "at",
    "by_id",
)


def last_revision_number(pk: int) -> int:
    """The highest revision number of story `pk`, 0 when it has none: the one
    place revisions are numbered from, by the desk and by the wire alike."""
    quote = connection.ops.quote_name
    row = execute(
        f"SELECT MAX(number) FROM {quote(Revision._meta.db_table)} "  # noqa: S608 - fixed names
        "WHERE story_id = %s",
        [pk],
    ).fetchone()
    return (row[0] if row else None) or 0


def record_revision(
    story: Story,
    *,
    by: User | None,
    note: str,
    at: datetime,
    number: int | None = None,
) -> None:
    """INSERT the next revision of `story`'s text as it stands, made by `by` (None
    for the system). `number` skips the numbering read where the caller knows it
    (1 for a story just created)."""
    if number is None:
        number = last_revision_number(story.pk) + 1
    row = (
        story.pk,
        number,
        story.headline,
        story.standfirst,
        story.body,
        note,
        at,
        by.pk if by is not None else None,
    )
    insert_rows(Revision, _REVISION_COLUMNS, [row])


def record_events(
    story_id: int,
    moves: Iterable[tuple[str, str, str]],
    *,
    by: User | None,
    note: str,
    at: datetime,
) -> None:
    """INSERT the (action, from status, to status) events of `story_id`, made by
    `by` (None for the system or the scheduler), in one statement."""
    by_id = by.pk if by is not None else None
    rows = [(story_id, a, before, after, note, at, by_id) for a, before, after in moves]
    insert_rows(StoryEvent, _EVENT_COLUMNS, rows)


def log_event(
    story: Story, action: str, *, by: User | None, before: str, note: str = ""
) -> None:
    """Record one move of `story` (to its current status), made now."""
    record_events(
        story.pk,
        [(action, before, story.status)],
        by=by,
        note=note,
        at=timezone.now(),
    )
