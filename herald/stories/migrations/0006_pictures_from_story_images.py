"""Every story image from before the library into it: one Picture for each distinct
large rendition (the demo's stories share files, and so share a picture), made
from a copy of that file, with the words of its first use and a centred focal
point. The story images keep their renditions; they change only when the picture's
focal point does. An image whose file is missing or unreadable stays without a
picture (the column is nullable for it)."""

import io
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import migrations
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger("herald.stories.migrations")

# herald.core.images.PREVIEW_LONGEST when this was written: a migration keeps its
# own copy, so that it does the same whatever that module becomes.
PREVIEW_LONGEST = 480
# Marks the files this migration made, so that going back removes only those.
MARK = "-from-image-"


def _preview(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        image.load()
        copy = image.convert("RGB")
    copy.thumbnail((PREVIEW_LONGEST, PREVIEW_LONGEST), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def into_library(apps: Any, schema_editor: Any) -> None:
    StoryImage = apps.get_model("stories", "StoryImage")
    Picture = apps.get_model("stories", "Picture")
    made: dict[str, int] = {}
    folder = f"pictures/{timezone.now():%Y/%m}"
    images = (
        StoryImage.objects.filter(picture__isnull=True)
        .select_related("story")
        .order_by("id")
    )
    for image in images.iterator(chunk_size=500):
        name = image.large.name
        if name not in made:
            storage = image.large.storage
            try:
                with storage.open(name, "rb") as f:
                    data = f.read()
                preview = _preview(data)
            except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
                logger.warning(
                    "Story image left out of the library: its file is unreadable.",
                    extra={"image_id": image.pk, "file": name},
                )
                continue
            stem = f"{folder}/picture{MARK}{image.pk}"
            picture = Picture.objects.create(
                original=storage.save(f"{stem}-original.jpg", ContentFile(data)),
                preview=storage.save(f"{stem}-preview.jpg", ContentFile(preview)),
                caption=image.caption,
                credit=image.credit,
                alt_text=image.alt_text or image.caption[:250],
                width=image.width,
                height=image.height,
                uploaded_at=image.story.created_at,
            )
            made[name] = picture.pk
        StoryImage.objects.filter(pk=image.pk).update(picture_id=made[name])


def out_of_library(apps: Any, schema_editor: Any) -> None:
    StoryImage = apps.get_model("stories", "StoryImage")
    Picture = apps.get_model("stories", "Picture")
    ours = Picture.objects.filter(original__contains=MARK)
    StoryImage.objects.filter(picture__in=ours).update(picture=None)
    for picture in ours.iterator():
        for file in (picture.original, picture.preview):
            file.storage.delete(file.name)
    ours.delete()


class Migration(migrations.Migration):
    dependencies = [("stories", "0005_picture_library")]

    operations = [migrations.RunPython(into_library, out_of_library)]
