"""Re-encode uploaded images into renditions; the uploaded bytes are never kept."""

import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]
# name -> longest side in pixels. "large" is the master kept for the story page.
RENDITION_WIDTHS = {"large": 1600, "medium": 800, "small": 400}


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    content: bytes  # JPEG


def make_renditions(upload: IO[bytes]) -> list[Rendition]:
    """Decode `upload` safely and return JPEG renditions at RENDITION_WIDTHS.

    Raises ValidationError for a file that is too large in bytes or pixels, or that
    is not a JPEG, PNG, WebP or GIF image.
    """
    max_bytes = settings.HERALD_IMAGE_MAX_BYTES
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB."
        )
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            width, height = probe.size
            if width * height > settings.HERALD_IMAGE_MAX_PIXELS:
                raise ValidationError(
                    f"The image has {width}×{height} pixels, more than the "
                    f"{settings.HERALD_IMAGE_MAX_PIXELS:,} allowed."
                )
            probe.load()
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        raise ValidationError(
            "The file is not a readable JPEG, PNG, WebP or GIF image."
        ) from exc
    renditions = []
    for name, longest in RENDITION_WIDTHS.items():
        copy = image.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        renditions.append(Rendition(name, copy.width, copy.height, out.getvalue()))
    return renditions
