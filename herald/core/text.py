"""Text helpers: teaser cutting and slugs."""

import re

from django.utils.text import slugify

_TRAILING = re.compile(r"[\s,;:.!?\-–—]+$")


def cut_at_word(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, ending in "...".

    The ellipsis is always added, since a teaser is a cut from a longer story; any
    punctuation the cut leaves at the end is dropped first. A single word longer
    than the limit is cut inside the word rather than returned whole.
    """
    text = " ".join(text.split())
    if limit < 4:
        raise ValueError("A teaser needs room for at least one letter and '...'.")
    budget = limit - 3
    if len(text) > budget:
        cut = text[: budget + 1]
        space = cut.rfind(" ")
        text = cut[:space] if space > 0 else text[:budget]
    return _TRAILING.sub("", text) + "..."


def unique_slug(text: str, max_length: int = 200) -> str:
    """A URL slug for `text`; "story" when nothing sluggable is left."""
    return slugify(text)[:max_length].strip("-") or "story"
