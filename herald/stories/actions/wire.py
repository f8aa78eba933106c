"""Wire copy: stories created, updated and withdrawn for the system by ingest, with
no user, many a second, so written with raw statements (herald.core.inserts)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from herald.core.inserts import execute, insert, insert_rows, update_columns
from herald.core.sanitize import sanitize_html
from herald.core.text import unique_slug
from herald.editions.models import Edition
from herald.stories.actions.common import (
    TEXT_FIELDS,
    announce_change,
    locked,
    with_dateline_place,
)
from herald.stories.actions.revisions import (
    record_events,
    record_revision,
)
from herald.stories.actions.workflow import move
from herald.stories.models import Story
from herald.stories.workflow import Status


# No savepoint: ingest calls it inside the item's transaction, where a failure
# rolls the whole item back anyway (two statements fewer per story).
@transaction.atomic(savepoint=False)
def create_wire_story(
    *,
    editions: Iterable[Edition],
    sections: Iterable[Any] = (),
    places: Iterable[Any] = (),
    tag_ids: Iterable[int] = (),
    publish: bool,
    note: str,
    **fields: Any,
) -> Story:
    """Create a story from a wire item, published at once or in review.

    Ingest acts for the system, so no user is checked; the source's and the routing
    rules' settings decided the editions. `fields` must name the origin edition and
    the primary section (instances read from the database), and the origin edition
    must be one of `editions`. Ingest creates many stories a second, so the story
    starts in its final state with its events, and it and its relations, revision
    and events are written with raw INSERTs, a statement per table.
    """
    story = Story(created_by=None, **fields)
    if not story.slug:
        story.slug = unique_slug(story.headline)
    chosen = list(dict.fromkeys(editions))
    if story.origin_edition not in chosen:
        raise ValidationError({"editions": "The origin edition must be one of them."})
    # The related rows were just read by the caller; only the values need checking.
    story.full_clean(
        exclude=["slug", "origin_edition", "primary_section", "dateline_place"]
    )
    now = timezone.now()
    target = Status.PUBLISHED if publish else Status.IN_REVIEW
    story.status = target
    story.created_at = story.modified_at = now
    if publish:
        story.published_at = now
    # Raw INSERTs (herald.core.inserts): what Story.save() does, it does here.
    story.sanitize_body()
    insert(story)
    insert_rows(
        Story.editions.through,
        ("story_id", "edition_id"),
        [(story.pk, e.pk) for e in chosen],
    )
    section_ids = dict.fromkeys([story.primary_section_id, *(s.pk for s in sections)])
    insert_rows(
        Story.sections.through,
        ("story_id", "section_id"),
        [(story.pk, pk) for pk in section_ids],
    )
    place_ids = {p.pk for p in with_dateline_place(story, places)}
    insert_rows(
        Story.places.through,
        ("story_id", "place_id"),
        [(story.pk, pk) for pk in place_ids],
    )
    insert_rows(
        Story.tags.through,
        ("story_id", "tag_id"),
        [(story.pk, pk) for pk in dict.fromkeys(tag_ids)],
    )
    record_revision(story, by=None, note=note, at=now, number=1)
    step = "publish" if publish else "submit"
    record_events(
        story.pk,
        [("create", "", Status.DRAFT), (step, Status.DRAFT, target)],
        by=None,
        note=note,
        at=now,
    )
    announce_change(story)
    return story


def update_wire_story(story: Story, *, note: str, **changes: Any) -> Story:
    """Apply a newer wire version to `story` and record a revision when its text
    changed. A retracted story stays as it is (returned unchanged).

    Like `create_wire_story`, for the system and many times a second: the changed
    columns are validated as `full_clean` would, before any statement; then the
    row is locked and read in one raw SELECT, written in one raw UPDATE, and the
    revision and event INSERTed raw. `story` is refreshed with what was read and
    written, and returned.
    """
    values = _clean_wire_changes(changes)
    # No savepoint, as for create_wire_story: nothing raised in the block but a
    # database error, which spoils the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        row = _lock_wire_text(story.pk)
        if row is not None:
            _apply_wire_changes(story, row, values, note)
    if row is None:
        raise Story.DoesNotExist("Story matching query does not exist.")
    return story


def _apply_wire_changes(
    story: Story, row: tuple[str, str, str, str], values: dict[str, Any], note: str
) -> None:
    status, *text = row
    story.status = status
    for name, value in zip(TEXT_FIELDS, text, strict=True):
        setattr(story, name, value)
    if status == Status.RETRACTED:
        return
    text_changed = any(
        k in values and values[k] != getattr(story, k) for k in TEXT_FIELDS
    )
    if "body" in values:  # what Story.save() does
        values["body"] = sanitize_html(values["body"])
    now = timezone.now()
    values["modified_at"] = now
    if text_changed and status == Status.PUBLISHED:
        values["updated_at"] = now
    for name, value in values.items():
        setattr(story, name, value)
    update_columns(Story, story.pk, values)
    if text_changed:
        record_revision(story, by=None, note=note, at=now)
    record_events(story.pk, [("edit", status, status)], by=None, note=note, at=now)
    announce_change(story)


def _lock_wire_text(pk: int) -> tuple[str, str, str, str] | None:
    """The story's status and text (None if it is gone), its row locked (where
    the database locks rows) for the rest of the transaction."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("status", *TEXT_FIELDS))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    row = execute(
        f"SELECT {columns} FROM {quote(Story._meta.db_table)} "  # noqa: S608 - fixed names
        f"WHERE id = %s{lock}",
        [pk],
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def _clean_wire_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` by attname, each value cleaned by its field as `full_clean` does
    (related rows are instances the caller read from the database, not checked
    again); every invalid field is reported in one ValidationError."""
    values: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in changes.items():
        field = Story._meta.get_field(name)
        if field.many_to_many or field.one_to_many or not field.concrete:
            raise ValueError(f"{name} is not a column of a story.")
        if field.is_relation:
            values[field.attname] = value.pk if value is not None else None  # type: ignore[union-attr]
            continue
        try:
            values[field.attname] = field.clean(value, None)  # type: ignore[union-attr]
        except ValidationError as error:
            errors[name] = error.error_list
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def withdraw_wire_story(story: Story, *, note: str) -> Story:
    """The agency canceled the item: retract a published story, and take one that
    is not yet public back to draft (out of the review queue or schedule)."""
    current = locked(story)
    if current.status == Status.PUBLISHED:
        return move(
            story,
            Status.RETRACTED,
            by=None,
            action="retract",
            note=note,
            retracted_at=timezone.now(),
            retraction_note=note,
        )
    if current.status in {Status.IN_REVIEW, Status.SCHEDULED}:
        return move(
            story, Status.DRAFT, by=None, action="return", note=note, scheduled_for=None
        )
    return current


def withdraw_expired_stories(now: datetime | None = None) -> int:
    """Withdraw every story whose usage rights have ended (Story.expires_at, from
    its source's terms): a published one is retracted (410 on its page, gone from
    lists, feeds, sitemaps, search and the API, the proxy purged), one not yet
    public goes back to draft; the reason is recorded on it. Safe to run twice and
    from several workers: each story moves under its row lock."""
    moment = now or timezone.now()
    count = 0
    expired = Story.objects.filter(
        expires_at__lte=moment,
        status__in=(Status.PUBLISHED, Status.SCHEDULED, Status.IN_REVIEW),
    )
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            story = Story.objects.select_for_update().filter(pk=pk).first()
            if story is None or story.expires_at is None or story.expires_at > moment:
                continue
            if story.status not in (
                Status.PUBLISHED,
                Status.SCHEDULED,
                Status.IN_REVIEW,
            ):
                continue
            ended = story.expires_at.strftime("%d %b %Y %H:%M UTC")
            agency = story.agency or "the agency"
            withdraw_wire_story(
                story, note=f"Usage rights ended {ended} under {agency}'s terms."
            )
            count += 1
    return count
