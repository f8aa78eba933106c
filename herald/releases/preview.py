"""A release shown as the story page shows a story (herald.web.preview), before
any story exists."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from herald.editions.models import Edition
from herald.releases.models import NewsRelease, ReleaseImage
from herald.releases.text import render_body
from herald.stories.models import Provenance, Section, Story
from herald.web import preview as web_preview


class _Nothing:
    """Stands for an empty relation of a story that is not saved."""

    def all(self) -> list[Any]:
        return []

    def exists(self) -> bool:
        return False


@dataclass(frozen=True)
class _File:
    url: str


class _PreviewImage:
    def __init__(self, image: ReleaseImage) -> None:
        url = image.image.url
        self.large = self.medium = self.small = _File(url)
        self.width, self.height = image.image.width, image.image.height
        self.caption, self.credit = image.caption, image.credit
        self.alt_text = image.alt_text or image.caption[:250]


class PreviewStory:
    """The story a release would become: a Story not saved, whose relations are
    empty, so the story template renders it exactly as it would the real one."""

    authors = corrections = places = tags = local_versions = _Nothing()
    byline = ""
    updated_at = None
    pk = None  # not saved, so the page shows it without one of its own

    def __init__(self, release: NewsRelease, section: Section, public_at: datetime):
        self._story = Story(
            headline=release.headline,
            standfirst=release.summary,
            body=render_body(release.body),
            dateline_city=release.dateline_city,
            dateline_country=release.dateline_country,
            provenance=Provenance.RELEASE,
            primary_section=section,
        )
        self.public_at = public_at
        self.image_list: list[_PreviewImage] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._story, name)


# The sections a release of each category lands in by default, best first.
CATEGORY_SECTIONS = {
    "business": ("business",),
    "community": ("community", "local", "world"),
    "sports": ("sport", "sports"),
    "personnel": ("business", "people"),
    "events": ("events", "culture"),
    "arts": ("culture", "arts"),
    "other": ("world",),
}


def section_for(release: NewsRelease) -> Section:
    """The section a release of this category lands in by default (the moderator
    may choose another): the first that exists of its category's, else the first
    section; unsaved when the network has none yet."""
    slugs = CATEGORY_SECTIONS.get(release.category, ())
    found = {s.slug: s for s in Section.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug in found:
            return found[slug]
    return Section.objects.first() or Section(
        name=release.get_category_display(), slug=release.category
    )


def render_preview(
    request: HttpRequest, release: NewsRelease, edition: Edition
) -> HttpResponse:
    """The release as `edition`'s story page would show it, marked as a preview."""
    story = PreviewStory(
        release, section_for(release), release.release_at or timezone.now()
    )
    first = release.images.first()
    story.image_list = [_PreviewImage(first)] if first else []
    # PreviewStory stands in for a Story (see its docstring).
    return web_preview.render_preview(request, cast(Story, story), edition)
