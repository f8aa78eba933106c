"""Attach an image to a story: the upload re-encoded into renditions."""

from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.images import make_renditions
from herald.stories.actions.common import announce_change
from herald.stories.models import Story, StoryImage
from herald.stories.workflow import can_edit


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
    announce_change(story)
    return image
