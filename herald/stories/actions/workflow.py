"""Every change to a story's workflow state, text or corrections goes through a verb
here, so the desk, the worker and code behave alike and every change is recorded."""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.images import make_renditions
from herald.core.inserts import execute, insert, insert_rows, update_columns
from herald.core.sanitize import sanitize_html
from herald.core.text import unique_slug
from herald.editions.models import Edition
from herald.stories.models import Correction, Revision, Story, StoryEvent, StoryImage
from herald.stories.signals import announce
from herald.stories.workflow import (
    ALLOWED_TRANSITIONS,
    Status,
    TransitionNotAllowed,
    can_edit,
    can_move,
    can_publish,
)

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("headline", "standfirst", "body")


def _locked(story: Story) -> Story:
    """Re-read `story` under a row lock. Call inside a transaction."""
    return Story.objects.select_for_update().get(pk=story.pk)


def _last_revision_number(pk: int) -> int:
    """The highest revision number of story `pk`, 0 when it has none: the one
    place revisions are numbered from, by the desk and by the wire alike."""
    quote = connection.ops.quote_name
    row = execute(
        f"SELECT MAX(number) FROM {quote(Revision._meta.db_table)} "  # noqa: S608 - fixed names
        "WHERE story_id = %s",
        [pk],
    ).fetchone()
    return (row[0] if row else None) or 0


def _record_revision(story: Story, *, by: User | None, note: str) -> Revision:
    return Revision.objects.create(
        story=story,
        number=_last_revision_number(story.pk) + 1,
        headline=story.headline,
        standfirst=story.standfirst,
        body=story.body,
        note=note,
        created_by=by,
    )


def _log(
    story: Story, action: str, *, by: User | None, before: str, note: str = ""
) -> None:
    StoryEvent.objects.create(
        story=story,
        action=action,
        from_status=before,
        to_status=story.status,
        note=note,
        by=by,
    )


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
    story.places.set(_with_dateline_place(story, places))
    story.tags.set(tags)
    _record_revision(story, by=by, note="Created")
    _log(story, "create", by=by, before="")
    return story


@transaction.atomic
def update_story(
    story: Story,
    *,
    by: User,
    editions: Iterable[Edition] | None = None,
    note: str = "",
    **changes: Any,
) -> Story:
    """Apply `changes` to `story`, recording a revision when its text changed.

    A text change to a published story sets its update time, which readers see.
    Changing a published story's editions needs an editor of the new editions.
    """
    current = _locked(story)
    if not can_edit(by, current):
        raise PermissionDenied("You may not edit this story.")
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
            _with_dateline_place(current, many.get("places", current.places.all()))
        )
    for name in ("authors", "tags"):
        if name in many:
            getattr(current, name).set(many[name])
    if text_changed:
        _record_revision(current, by=by, note=note or "Edited")
    _log(current, "edit", by=by, before=current.status, note=note)
    _announce(current)
    _copy_into(story, current)
    return current


def _with_dateline_place(story: Story, places: Iterable[Any]) -> set[Any]:
    """A story is always listed under the place of its dateline."""
    chosen = set(places)
    if story.dateline_place_id:
        chosen.add(story.dateline_place)
    return chosen


def _announce(story: Story) -> None:
    """Tell other apps (related stories, search) after commit that `story` changed.
    Inside `herald.stories.signals.batched_story_changes` the send joins the batch's
    one send."""
    pk = story.pk
    transaction.on_commit(lambda: announce([pk]))


def _copy_into(target: Story, source: Story) -> None:
    """Refresh the caller's instance so that it sees what was saved."""
    for field in Story._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _move(
    story: Story,
    to: str,
    *,
    by: User | None,
    action: str,
    note: str = "",
    **updates: Any,
) -> Story:
    """Move `story` to state `to` under a row lock, after checking the map and `by`."""
    current = _locked(story)
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
    _log(current, action, by=by, before=before, note=note)
    _announce(current)
    logger.info(
        "Story moved.", extra={"story_id": current.pk, "from": before, "to": to}
    )
    _copy_into(story, current)
    return current


@transaction.atomic
def submit_for_review(story: Story, *, by: User) -> Story:
    """Hand a draft to the editors."""
    return _move(story, Status.IN_REVIEW, by=by, action="submit")


@transaction.atomic
def return_to_draft(story: Story, *, by: User, note: str = "") -> Story:
    """Send a story in review, or a scheduled one, back to draft."""
    return _move(
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
    current = _move(story, Status.SCHEDULED, by=by, action="schedule", scheduled_for=at)
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
    current = _move(
        story,
        Status.PUBLISHED,
        by=by,
        action="publish",
        note=note,
        published_at=now,
        scheduled_for=None,
    )
    if not current.revisions.exists():
        _record_revision(current, by=by, note="Published")
    return current


@transaction.atomic
def retract_story(story: Story, *, by: User, note: str) -> Story:
    """Take a published story down; its page then says it was retracted and why."""
    if not note.strip():
        raise ValidationError({"note": "Say why the story is retracted."})
    return _move(
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
    current = _locked(story)
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
    _log(current, "correct", by=by, before=current.status, note=text.strip())
    _announce(current)
    return correction


@transaction.atomic
def attach_image(
    story: Story,
    *,
    by: User | None,
    upload: IO[bytes],
    caption: str,
    credit: str,
    alt_text: str,
    position: int = 0,
) -> StoryImage:
    """Re-encode `upload` into renditions and attach them to `story`.

    `by` is None only for the demo seeder and ingest, which act for the system.
    """
    if by is not None and not can_edit(by, story):
        raise PermissionDenied("You may not edit this story.")
    for name, value in (
        ("caption", caption),
        ("credit", credit),
        ("alt_text", alt_text),
    ):
        if not value.strip():
            raise ValidationError({name: "This field is required."})
    renditions = {r.name: r for r in make_renditions(upload)}
    stem = f"story-{story.pk}-{timezone.now():%H%M%S%f}"
    image = StoryImage(
        story=story,
        position=position,
        caption=caption.strip(),
        credit=credit.strip(),
        alt_text=alt_text.strip(),
        width=renditions["large"].width,
        height=renditions["large"].height,
    )
    for name, rendition in renditions.items():
        getattr(image, name).save(
            f"{stem}-{name}.jpg", ContentFile(rendition.content), save=False
        )
    image.full_clean()
    image.save()
    Story.objects.filter(pk=story.pk).update(modified_at=timezone.now())
    _announce(story)
    return image


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


@transaction.atomic
def publish_release_story(
    *,
    by: User,
    editions: list[Edition],
    at: datetime | None,
    images: Iterable[tuple[IO[bytes], str, str]] = (),
    **fields: Any,
) -> Story:
    """Create a story with news-release provenance from a release that `by` approved,
    live on `editions` now, or scheduled for `at` (the worker publishes it then).

    The release's moderation is the decision, so `by` moderates rather than writes:
    the caller has checked that `by` may decide on the release for `editions`.
    `images` are (file, caption, credit); each is re-encoded like any story image.
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
    story.places.set(_with_dateline_place(story, ()))
    _record_revision(story, by=by, note="Created from a news release")
    _log(story, "create", by=by, before="", note="News release approved")
    _log(
        story,
        "schedule" if scheduled else "publish",
        by=by,
        before=Status.DRAFT,
        note="News release approved",
    )
    for position, (upload, caption, credit) in enumerate(images):
        attach_image(
            story,
            by=None,
            upload=upload,
            caption=caption,
            credit=credit,
            alt_text=caption[:250],
            position=position,
        )
    _announce(story)
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


# --- wire copy: changes made for the system by ingest, with no user -------------------
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
    place_ids = {p.pk for p in _with_dateline_place(story, places)}
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
    _insert_system_revision(story, 1, note=note, at=now)
    move = "publish" if publish else "submit"
    _insert_system_events(
        story.pk,
        [("create", "", Status.DRAFT), (move, Status.DRAFT, target)],
        note=note,
        at=now,
    )
    _announce(story)
    return story


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


def _insert_system_revision(
    story: Story, number: int, *, note: str, at: datetime
) -> None:
    """INSERT revision `number` of `story`'s text, made by the system (no user)."""
    row = (
        story.pk,
        number,
        story.headline,
        story.standfirst,
        story.body,
        note,
        at,
        None,
    )
    insert_rows(Revision, _REVISION_COLUMNS, [row])


def _insert_system_events(
    story_id: int, moves: Iterable[tuple[str, str, str]], *, note: str, at: datetime
) -> None:
    """INSERT the (action, from status, to status) events of `story_id`, made by
    the system (no user), in one statement."""
    rows = [(story_id, a, before, after, note, at, None) for a, before, after in moves]
    insert_rows(StoryEvent, _EVENT_COLUMNS, rows)


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
        number = _last_revision_number(story.pk) + 1
        _insert_system_revision(story, number, note=note, at=now)
    _insert_system_events(story.pk, [("edit", status, status)], note=note, at=now)
    _announce(story)


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
    current = _locked(story)
    if current.status == Status.PUBLISHED:
        return _move(
            story,
            Status.RETRACTED,
            by=None,
            action="retract",
            note=note,
            retracted_at=timezone.now(),
            retraction_note=note,
        )
    if current.status in {Status.IN_REVIEW, Status.SCHEDULED}:
        return _move(
            story, Status.DRAFT, by=None, action="return", note=note, scheduled_for=None
        )
    return current
