"""Re-encode uploaded images into renditions; the uploaded bytes are never kept.

An upload is decoded once under the byte and pixel caps (`decode_upload`). From the
decoded image come the library's copy (`original_of`, uncropped), a small uncropped
`preview_of` for the desk, and the reader-facing renditions (`renditions_of`), which
are cropped around a focal point when the picture is wider or taller than reader
layouts take (`ASPECT_RANGE`)."""

import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]
# name -> longest side in pixels. "large" is the master kept for the story page.
RENDITION_WIDTHS = {"large": 1600, "medium": 800, "small": 400}
# The widest and the tallest shape (width / height) that reader layouts take: the
# story page, the teasers and the newsletter show one rendition set in one shape, so
# the three renditions share it. Within the range a picture keeps its own shape
# (3:2, 16:9 and 2:1 pass untouched); outside it, a panorama is cut to 2:1 and a
# tall portrait to 4:5, around the focal point.
ASPECT_RANGE = (4 / 5, 2 / 1)
# The library's copy of an upload: twice the large rendition, so that a crop around
# any focal point still fills the large rendition.
ORIGINAL_LONGEST = 3200
# The desk's uncropped preview: the library list and the focal point picker.
PREVIEW_LONGEST = 480
# The centre of the picture, where a focal point starts.
CENTRE = (0.5, 0.5)


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    content: bytes  # JPEG


def decode_upload(upload: IO[bytes]) -> Image.Image:
    """Decode `upload` under the caps: an RGB image, turned upright by its EXIF.

    Raises ValidationError for a file that is too large in bytes or pixels (a
    decompression bomb included), truncated, or not a JPEG, PNG, WebP or GIF image.
    """
    max_bytes = settings.HERALD_IMAGE_MAX_BYTES
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB."
        )
    max_pixels = settings.HERALD_IMAGE_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    f"The image has {width}×{height} pixels, more than the "
                    f"{max_pixels:,} allowed."
                )
            probe.load()
            return ImageOps.exif_transpose(probe).convert("RGB")
    except Image.DecompressionBombError as exc:
        # Pillow's own guard fires on opening, before the size can be read.
        raise ValidationError(
            f"The image has more pixels than the {max_pixels:,} allowed."
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # OSError: truncated or corrupt data; SyntaxError and ValueError: malformed
        # headers some of Pillow's decoders report that way.
        raise ValidationError(
            "The file is not a readable JPEG, PNG, WebP or GIF image."
        ) from exc


def crop_box(
    width: int,
    height: int,
    *,
    focal: tuple[float, float] = CENTRE,
    aspect_range: tuple[float, float] | None = ASPECT_RANGE,
) -> tuple[int, int, int, int]:
    """The (left, top, right, bottom) box of a `width`×`height` picture that the
    renditions show: all of it when its shape is within `aspect_range` (or there is
    no range), else the largest box of the nearest shape in the range, centred on
    the focal point (fractions of the width and height) as far as the edges allow."""
    if aspect_range is None:
        return (0, 0, width, height)
    lowest, highest = aspect_range
    aspect = width / height
    fx, fy = (min(max(f, 0.0), 1.0) for f in focal)
    if aspect > highest:
        cut = max(1, min(width, round(height * highest)))
        left = min(max(round(fx * width - cut / 2), 0), width - cut)
        return (left, 0, left + cut, height)
    if aspect < lowest:
        cut = max(1, min(height, round(width / lowest)))
        top = min(max(round(fy * height - cut / 2), 0), height - cut)
        return (0, top, width, top + cut)
    return (0, 0, width, height)


def _jpeg(name: str, image: Image.Image, longest: int, quality: int) -> Rendition:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return Rendition(name, copy.width, copy.height, out.getvalue())


def original_of(image: Image.Image) -> Rendition:
    """The library's copy of a decoded upload: uncropped, at most ORIGINAL_LONGEST."""
    return _jpeg("original", image, ORIGINAL_LONGEST, quality=90)


def preview_of(image: Image.Image) -> Rendition:
    """The desk's small uncropped preview of a decoded upload."""
    return _jpeg("preview", image, PREVIEW_LONGEST, quality=82)


def renditions_of(
    image: Image.Image,
    *,
    focal: tuple[float, float] = CENTRE,
    aspect_range: tuple[float, float] | None = ASPECT_RANGE,
) -> list[Rendition]:
    """JPEG renditions at RENDITION_WIDTHS of `image` cropped by `crop_box`; all
    three have the same shape."""
    box = crop_box(image.width, image.height, focal=focal, aspect_range=aspect_range)
    framed = image.crop(box) if box != (0, 0, image.width, image.height) else image
    return [
        _jpeg(name, framed, longest, quality=82)
        for name, longest in RENDITION_WIDTHS.items()
    ]


def make_renditions(
    upload: IO[bytes],
    *,
    focal: tuple[float, float] = CENTRE,
    aspect_range: tuple[float, float] | None = ASPECT_RANGE,
) -> list[Rendition]:
    """Decode `upload` safely and return JPEG renditions at RENDITION_WIDTHS,
    cropped around `focal` where the picture is outside `aspect_range`.

    Raises ValidationError for a file that is too large in bytes or pixels, or that
    is not a JPEG, PNG, WebP or GIF image.
    """
    return renditions_of(decode_upload(upload), focal=focal, aspect_range=aspect_range)
