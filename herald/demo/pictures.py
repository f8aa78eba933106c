"""The demo's pictures: generated landscapes, attached through the stories' actions
and shared between stories once their renditions exist."""

import io
import math
import random

from PIL import Image, ImageDraw

from herald.stories import actions
from herald.stories.models import Place, Story, StoryImage

PALETTES = (
    (29, 53, 87),
    (140, 28, 19),
    (11, 93, 59),
    (107, 78, 0),
    (27, 67, 50),
    (164, 22, 26),
    (60, 60, 110),
    (0, 95, 115),
)


def demo_picture(rng: random.Random, label: str) -> bytes:
    """A generated landscape picture (sky, hills, sun, skyline) as PNG bytes."""
    width, height = 1200, 800
    base = rng.choice(PALETTES)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(c + (235 - c) * (1 - t) * 0.8) for c in base),
        )
    sun_x, sun_y = rng.randint(150, 1050), rng.randint(120, 300)
    draw.ellipse([sun_x - 70, sun_y - 70, sun_x + 70, sun_y + 70], fill=(250, 214, 120))
    for layer in range(3):
        shade = tuple(max(0, int(c * (0.75 - layer * 0.2))) for c in base)
        phase, amp = rng.random() * 6, 40 + layer * 25
        top = 430 + layer * 110
        points = [
            (x, top + amp * math.sin(x / (140 + layer * 40) + phase))
            for x in range(0, width + 20, 20)
        ]
        draw.polygon([(0, height), *points, (width, height)], fill=shade)
    x = 0
    while x < width:
        w, h = rng.randint(30, 90), rng.randint(60, 260)
        draw.rectangle([x, height - h, x + w, height], fill=(25, 25, 35))
        x += w + rng.randint(4, 20)
    draw.text((24, 24), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def attach_picture(
    story: Story, pictures: dict[int, StoryImage], index: int, place: Place
) -> None:
    """Attach demo picture `index`; its renditions are made once and then shared."""
    caption = f"A view over {place.name}, {place.country}."
    if index not in pictures:
        pictures[index] = actions.attach_image(
            story,
            by=None,
            # Its own generator, so that the story stream is the same on a re-run.
            upload=io.BytesIO(
                demo_picture(random.Random(index), f"Herald demo {index + 1}")
            ),
            caption=caption,
            credit="Herald demo image",
            alt_text=(
                "Illustration of hills and a city skyline at sunset, "
                f"standing in for {place.name}"
            ),
        )
        return
    shared = pictures[index]
    StoryImage.objects.create(
        story=story,
        picture=shared.picture,  # a use of the library picture the first one made
        caption=caption,
        credit=shared.credit,
        alt_text=shared.alt_text,
        width=shared.width,
        height=shared.height,
        large=shared.large.name,
        medium=shared.medium.name,
        small=shared.small.name,
    )
