"""The picture library and a story's pictures: an upload re-encoded into a library
Picture, a story's use of it (StoryImage, with renditions cropped around the
picture's focal point and words of its own), and every change to either.

Files and transactions: new files are written before the commit, and a file a row
no longer names is removed only after the commit, once no row names it (the demo's
stories share files). An action that fails removes the files it wrote; a caller's
transaction rolled back after the action returned leaves them unnamed on disk,
never a row naming a missing file.

Locks: a story's row before a picture's row, in every action, so that two actions
never wait on each other."""

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image

from herald.accounts.models import User
from herald.core.images import (
    CENTRE,
    Rendition,
    decode_upload,
    original_of,
    preview_of,
    renditions_of,
)
from herald.stories.actions.common import locked
from herald.stories.actions.revisions import log_event
from herald.stories.models import Picture, Story, StoryImage
from herald.stories.signals import announce
from herald.stories.workflow import Status, can_edit

logger = logging.getLogger("herald.stories.actions")

RENDITION_FIELDS = ("large", "medium", "small")
PICTURE_DETAILS = ("creator", "rights", "keywords")
PICTURE_FILES = ("original", "preview")
# Stories readers see, or will see without another person's look: their pictures
# need alt text.
NEEDS_ALT_TEXT = frozenset({Status.PUBLISHED, Status.SCHEDULED})
ALT_TEXT_NEEDED = (
    "Describe the picture for readers who cannot see it: a published or scheduled "
    "story's pictures need alt text."
)


# --- who may -------------------------------------------------------------------
def can_change_picture(
    user: User, picture: Picture, stories: Iterable[Story] | None = None
) -> bool:
    """May `user` change `picture`'s words or focal point? The change reaches every
    story that uses it, so they must be able to edit each of those stories; a
    picture no story uses is for editors and for whoever uploaded it."""
    if not user.is_contributor:
        return False
    if user.is_admin:
        return True
    if stories is None:
        stories = Story.objects.filter(images__picture=picture).distinct()
    stories = list(stories)
    if not stories:
        return user.is_editor or picture.uploaded_by_id == user.pk
    return all(can_edit(user, story) for story in stories)


def require_alt_text(story: Story) -> None:
    """Refuse (ValidationError) when a picture of `story` has no alt text: call
    before the story is published or scheduled."""
    missing = story.images.filter(alt_text="").count()
    if missing:
        raise ValidationError(
            f"{ALT_TEXT_NEEDED} {missing} picture(s) of this story have none."
        )


# --- the library -----------------------------------------------------------------
@transaction.atomic
def create_picture(
    *,
    by: User | None,
    upload: IO[bytes],
    caption: str,
    credit: str,
    alt_text: str,
    focal: tuple[float, float] = CENTRE,
    details: Mapping[str, str] | None = None,
) -> Picture:
    """Re-encode `upload` into a new library picture (uncropped, with a preview).
    `details` are what an agency tells of it: creator, rights, keywords.

    `by` is None only for the system (the demo seeder, a release's approval,
    ingest).
    """
    if by is not None and not by.is_contributor:
        raise PermissionDenied("Only newsroom staff add pictures.")
    with _new_files() as written:
        picture, _ = _picture_from(
            upload, by, caption, credit, alt_text, focal, written, details
        )
    logger.info("Library picture added.", extra={"picture_id": picture.pk})
    return picture


@transaction.atomic
def update_picture(
    picture: Picture,
    *,
    by: User,
    caption: str,
    credit: str,
    alt_text: str,
    focal_x: float,
    focal_y: float,
) -> Picture:
    """Change a library picture. New words reach each story use whose words are
    still the picture's old ones (a use given its own words keeps them); a new
    focal point re-crops the renditions of every use, in this transaction."""
    # Stories first, then the picture (the order every action locks in).
    story_ids = set(
        StoryImage.objects.filter(picture=picture).values_list("story_id", flat=True)
    )
    stories = list(
        Story.objects.select_for_update().filter(pk__in=story_ids).order_by("pk")
    )
    current = Picture.objects.select_for_update().get(pk=picture.pk)
    uses = list(StoryImage.objects.filter(picture=current).select_related("story"))
    # A use added before our story locks is committed by now; its story is read too.
    by_story = {u.story_id: u.story for u in uses} | {s.pk: s for s in stories}
    if not can_change_picture(by, current, by_story.values()):
        raise PermissionDenied(
            "This picture is also used by stories you may not edit; ask an editor "
            "of those editions or an admin."
        )
    words = _words(caption=caption, credit=credit, alt_text=alt_text, alt_needed=True)
    old = {name: getattr(current, name) for name in words}
    focal = (float(focal_x), float(focal_y))
    focal_changed = focal != current.focal
    for name, value in words.items():
        setattr(current, name, value)
    current.focal_x, current.focal_y = focal
    current.full_clean(exclude=list(PICTURE_FILES))
    changed_words = [name for name in words if words[name] != old[name]]
    if not changed_words and not focal_changed:
        return current
    touched: set[int] = set()
    for name in changed_words:
        unchanged = [u for u in uses if getattr(u, name) == old[name]]
        if unchanged:
            StoryImage.objects.filter(pk__in=[u.pk for u in unchanged]).update(
                **{name: words[name]}
            )
            touched.update(u.story_id for u in unchanged)
    with _new_files() as written:
        if focal_changed and uses:
            # One rendering for every use: they show the same crop of one picture.
            renditions = renditions_of(_decode(current), focal=focal)
            names = _write_renditions(renditions, f"picture-{current.pk}", written)
            StoryImage.objects.filter(pk__in=[u.pk for u in uses]).update(
                **names, width=renditions[0].width, height=renditions[0].height
            )
            _discard_after_commit(
                getattr(u, field).name for u in uses for field in RENDITION_FIELDS
            )
            touched.update(u.story_id for u in uses)
        current.save()
        what = ", ".join(
            [name.replace("_", " ") for name in changed_words]
            + (["focal point"] if focal_changed else [])
        )
        for story_id in sorted(touched):
            _log(by_story[story_id], by, f"Picture {current.pk} changed: {what}.")
        _touched(touched)
    logger.info(
        "Library picture changed.",
        extra={"picture_id": current.pk, "stories": len(touched)},
    )
    return current


@transaction.atomic
def delete_picture(picture: Picture, *, by: User | None) -> None:
    """Remove a library picture no story uses, and its files after commit. `by`
    is None only for the system (ingest, when an agency's usage rights end)."""
    current = Picture.objects.select_for_update().get(pk=picture.pk)
    if by is not None and not by.is_admin:
        raise PermissionDenied("Only admins remove pictures from the library.")
    if StoryImage.objects.filter(picture=current).exists():
        raise ValidationError("Stories use this picture; remove it from them first.")
    files = [getattr(current, name).name for name in PICTURE_FILES]
    current.delete()
    _discard_after_commit(files)


# --- a story's pictures ---------------------------------------------------------------
@transaction.atomic
def attach_image(
    story: Story,
    *,
    by: User | None,
    upload: IO[bytes],
    caption: str,
    credit: str,
    alt_text: str,
    position: int | None = None,
) -> StoryImage:
    """Re-encode `upload` into a new library picture and attach it to `story`,
    after its other pictures unless `position` says where.

    `by` is None only for the demo seeder and ingest, which act for the system.
    """
    current = locked(story)
    _check_edit(by, current)
    with _new_files() as written:
        picture, image = _picture_from(
            upload, by, caption, credit, alt_text, CENTRE, written
        )
        use = _use(current, picture, image, written, position=position)
        _changed(current, by, f"Picture {picture.pk} added: {use.caption}")
    return use


@transaction.atomic
def attach_picture(
    story: Story,
    *,
    by: User | None,
    picture: Picture,
    caption: str | None = None,
    credit: str | None = None,
    alt_text: str | None = None,
    position: int | None = None,
) -> StoryImage:
    """Use library `picture` on `story`: renditions cropped around its focal point,
    and its words unless others are given for this story."""
    current = locked(story)
    _check_edit(by, current)
    chosen = Picture.objects.select_for_update().get(pk=picture.pk)
    words = _words(
        caption=chosen.caption if caption is None else caption,
        credit=chosen.credit if credit is None else credit,
        alt_text=chosen.alt_text if alt_text is None else alt_text,
        alt_needed=current.status in NEEDS_ALT_TEXT,
    )
    with _new_files() as written:
        use = _use(
            current, chosen, _decode(chosen), written, position=position, **words
        )
        _changed(current, by, f"Picture {chosen.pk} added: {use.caption}")
    return use


@transaction.atomic
def update_story_image(
    image: StoryImage,
    *,
    by: User,
    caption: str,
    credit: str,
    alt_text: str,
) -> StoryImage:
    """Change the words of one story's use of a picture (the library's picture and
    other stories keep theirs)."""
    current = locked(image.story)
    _check_edit(by, current)
    row = StoryImage.objects.get(pk=image.pk, story=current)
    words = _words(
        caption=caption,
        credit=credit,
        alt_text=alt_text,
        alt_needed=current.status in NEEDS_ALT_TEXT,
    )
    changed = [name for name, value in words.items() if getattr(row, name) != value]
    if not changed:
        return row
    for name in changed:
        setattr(row, name, words[name])
    row.full_clean(exclude=["story", "picture", *RENDITION_FIELDS])
    row.save(update_fields=changed)
    what = ", ".join(name.replace("_", " ") for name in changed)
    _changed(current, by, f"Picture {row.picture_id or row.pk} changed: {what}.")
    return row


@transaction.atomic
def remove_story_image(image: StoryImage, *, by: User) -> None:
    """Take a picture off a story; the library keeps the picture, and the use's
    renditions go after commit."""
    current = locked(image.story)
    _check_edit(by, current)
    row = StoryImage.objects.get(pk=image.pk, story=current)
    files = [getattr(row, name).name for name in RENDITION_FIELDS]
    row.delete()
    _discard_after_commit(files)
    _changed(current, by, f"Picture {row.picture_id or image.pk} removed.")


@transaction.atomic
def reorder_story_images(story: Story, *, by: User, order: Sequence[int]) -> None:
    """Put `story`'s pictures in `order` (all of its StoryImage ids, first first)."""
    current = locked(story)
    _check_edit(by, current)
    rows = {row.pk: row for row in StoryImage.objects.filter(story=current)}
    if len(order) != len(rows) or set(order) != set(rows):
        raise ValidationError("Give the order of every picture of the story, once.")
    moved = []
    for position, pk in enumerate(order):
        if rows[pk].position != position:
            rows[pk].position = position
            moved.append(rows[pk])
    if not moved:
        return
    StoryImage.objects.bulk_update(moved, ["position"])
    _changed(current, by, "Pictures reordered.")


# --- the parts ---------------------------------------------------------------
def _check_edit(by: User | None, story: Story) -> None:
    if by is not None and not can_edit(by, story):
        raise PermissionDenied("You may not edit this story.")


def _words(
    *, caption: str, credit: str, alt_text: str, alt_needed: bool
) -> dict[str, str]:
    words = {
        "caption": caption.strip(),
        "credit": credit.strip(),
        "alt_text": alt_text.strip(),
    }
    for name in ("caption", "credit"):
        if not words[name]:
            raise ValidationError({name: "This field is required."})
    if alt_needed and not words["alt_text"]:
        raise ValidationError({"alt_text": ALT_TEXT_NEEDED})
    return words


def _picture_from(
    upload: IO[bytes],
    by: User | None,
    caption: str,
    credit: str,
    alt_text: str,
    focal: tuple[float, float],
    written: list[str],
    details: Mapping[str, str] | None = None,
) -> tuple[Picture, Image.Image]:
    """A new library picture from `upload` (saved), and the decoded image."""
    words = _words(caption=caption, credit=credit, alt_text=alt_text, alt_needed=True)
    for name, value in (details or {}).items():
        if name not in PICTURE_DETAILS:
            raise ValueError(f"{name!r} is not a picture detail")
        field = Picture._meta.get_field(name)
        words[name] = value.strip()[: field.max_length]  # type: ignore[union-attr]
    image = decode_upload(upload)
    original = original_of(image)
    picture = Picture(
        **words,
        focal_x=focal[0],
        focal_y=focal[1],
        width=original.width,
        height=original.height,
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    stem = f"picture-{timezone.now():%Y%m%d-%H%M%S%f}"
    for rendition in (original, preview_of(image)):
        field = getattr(picture, rendition.name)
        field.save(
            f"{stem}-{rendition.name}.jpg", ContentFile(rendition.content), save=False
        )
        written.append(field.name)
    picture.full_clean()
    picture.save()
    return picture, image


def _use(
    story: Story,
    picture: Picture,
    image: Image.Image,
    written: list[str],
    *,
    position: int | None,
    caption: str | None = None,
    credit: str | None = None,
    alt_text: str | None = None,
) -> StoryImage:
    """Save `story`'s new use of `picture`, rendered from its decoded `image`."""
    renditions = renditions_of(image, focal=picture.focal)
    if position is None:
        last = StoryImage.objects.filter(story=story).aggregate(last=Max("position"))
        position = 0 if last["last"] is None else last["last"] + 1
    use = StoryImage(
        story=story,
        picture=picture,
        position=position,
        caption=picture.caption if caption is None else caption,
        credit=picture.credit if credit is None else credit,
        alt_text=picture.alt_text if alt_text is None else alt_text,
        width=renditions[0].width,
        height=renditions[0].height,
        **_write_renditions(renditions, f"story-{story.pk}", written),
    )
    use.full_clean()
    use.save()
    return use


def _decode(picture: Picture) -> Image.Image:
    try:
        with picture.original.open("rb") as f:
            return decode_upload(f)
    except OSError as exc:
        raise ValidationError(
            "The library's copy of this picture is missing; upload it again."
        ) from exc


def _write_renditions(
    renditions: list[Rendition], stem: str, written: list[str]
) -> dict[str, str]:
    """Write the renditions as StoryImage's files; their stored names, by field."""
    stem = f"{stem}-{timezone.now():%H%M%S%f}"
    names = {}
    for rendition in renditions:
        field = _file_field(StoryImage, rendition.name)
        name = field.generate_filename(None, f"{stem}-{rendition.name}.jpg")
        names[rendition.name] = field.storage.save(name, ContentFile(rendition.content))
        written.append(names[rendition.name])
    return names


def _file_field(model: type[models.Model], name: str) -> models.FileField:
    field = model._meta.get_field(name)
    assert isinstance(field, models.FileField)
    return field


@contextmanager
def _new_files() -> Iterator[list[str]]:
    """Collect the names of files written inside; remove them if it fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        _delete(written)
        raise


def _discard_after_commit(names: Iterable[str]) -> None:
    """Once committed, remove the files among `names` that no row names."""
    pending = [n for n in dict.fromkeys(names) if n]
    if pending:
        transaction.on_commit(lambda: _delete(_unnamed(pending)), robust=True)


def _unnamed(names: list[str]) -> list[str]:
    named: set[str] = set()
    for field in RENDITION_FIELDS:
        rows = StoryImage.objects.filter(**{f"{field}__in": names})
        named.update(rows.values_list(field, flat=True))
    for field in PICTURE_FILES:
        pictures = Picture.objects.filter(**{f"{field}__in": names})
        named.update(pictures.values_list(field, flat=True))
    return [n for n in names if n not in named]


def _delete(names: Iterable[str]) -> None:
    storage = _file_field(StoryImage, "large").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not remove an image file.", extra={"file": name})


def _log(story: Story, by: User | None, note: str) -> None:
    # The system's own attachments (demo, a release's approval) are told by the
    # story's creation event; the log records what people did.
    if by is not None:
        log_event(story, "picture", by=by, before=story.status, note=note[:500])


def _changed(story: Story, by: User | None, note: str) -> None:
    _log(story, by, note)
    _touched({story.pk})


def _touched(story_ids: set[int]) -> None:
    """Stories whose pictures changed: a new content version, and after commit the
    announcement that purges their pages."""
    if not story_ids:
        return
    ids = sorted(story_ids)
    Story.objects.filter(pk__in=ids).update(modified_at=timezone.now())
    transaction.on_commit(lambda: announce(ids))
