"""Uploads are decoded under caps and re-encoded; the uploaded bytes are never kept."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from herald.core.images import make_renditions


def _png(width: int, height: int) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    return out


def test_renditions_are_jpeg_at_three_sizes() -> None:
    renditions = {r.name: r for r in make_renditions(_png(2400, 1600))}
    assert (renditions["large"].width, renditions["large"].height) == (1600, 1067)
    assert renditions["medium"].width == 800 and renditions["small"].width == 400
    for r in renditions.values():
        assert r.content[:3] == b"\xff\xd8\xff"  # JPEG, whatever came in


@override_settings(HERALD_IMAGE_MAX_PIXELS=1000 * 1000)
def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(ValidationError, match="pixels"):
        make_renditions(_png(1200, 1000))


@override_settings(HERALD_IMAGE_MAX_BYTES=1000)
def test_too_many_bytes_are_refused() -> None:
    with pytest.raises(ValidationError, match="larger than"):
        make_renditions(_png(600, 600))


@pytest.mark.parametrize(
    "payload",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"GIF89a\x00\x00garbage",
        b"%PDF-1.4 not an image",
        b"",
    ],
)
def test_non_images_and_svg_are_refused(payload: bytes) -> None:
    with pytest.raises(ValidationError, match="not a readable"):
        make_renditions(io.BytesIO(payload))
