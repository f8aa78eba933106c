"""What an issue holds, loaded for its email and its archive page, and the
archive's URLs."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Prefetch
from django.urls import reverse

from herald.core.timefmt import format_local
from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.newsletter.models import Issue
from herald.stories.links import story_url
from herald.stories.models import LocalVersion, Provenance, Section, Story


@dataclass
class IssueContents:
    """An issue's stories, loaded and in order: what its email and its archive
    page show. Stories no longer public (retracted since) are left out."""

    top: list[Story]
    sections: list[tuple[Section, list[Story]]]
    releases: list[Story]

    def all_stories(self) -> list[Story]:
        return [
            *self.top,
            *(s for _, items in self.sections for s in items),
            *self.releases,
        ]


def issue_contents(
    issue: Issue, section_ids: frozenset[int] | None = None
) -> IssueContents:
    """The issue's stories; with `section_ids`, only those sections (plus the top
    stories and news releases, which everyone gets)."""
    data: dict[str, Any] = issue.contents or {}
    by_section = {int(k): list(v) for k, v in (data.get("sections") or {}).items()}
    if section_ids is not None:
        by_section = {k: v for k, v in by_section.items() if k in section_ids}
    top_ids, release_ids = list(data.get("top") or []), list(data.get("releases") or [])
    wanted = {*top_ids, *release_ids, *(i for ids in by_section.values() for i in ids)}
    edition = issue.edition
    stories = {
        s.pk: s
        for s in Story.objects.public()
        .for_edition(edition)
        .filter(pk__in=wanted)
        .select_related("primary_section")
        .prefetch_related(Prefetch("images", to_attr="image_list"))
    }
    # This edition's own headlines, where it wrote them.
    for local in LocalVersion.objects.filter(story_id__in=stories, edition=edition):
        story = stories[local.story_id]
        story.headline, story.standfirst = local.headline, local.standfirst

    def pick(ids: list[int]) -> list[Story]:
        return [stories[i] for i in ids if i in stories]

    sections = [
        (section, pick(by_section[section.pk]))
        for section in Section.objects.filter(pk__in=by_section)
    ]
    return IssueContents(
        top=pick(top_ids),
        sections=[(s, items) for s, items in sections if items],
        releases=pick(release_ids),
    )


@dataclass(frozen=True)
class Teaser:
    """One story as the email shows it: every field is plain text or a URL."""

    headline: str
    url: str
    dateline: str
    text: str
    kicker: str
    when: str
    provenance: str
    is_release: bool
    image_url: str = ""
    image_alt: str = ""


def teaser(story: Story, edition: Edition, *, with_image: bool = False) -> Teaser:
    image_url = image_alt = ""
    images = getattr(story, "image_list", [])
    if with_image and images:
        url = images[0].medium.url
        image_url = url if urlsplit(url).scheme else edition_origin(edition) + url
        image_alt = images[0].alt_text
    public_at = story.public_at
    return Teaser(
        headline=story.headline,
        url=story_url(story, edition),
        dateline=story.dateline,
        text=story.teaser_text(),
        kicker=story.primary_section.name,
        when=format_local(public_at, edition.time_zone) if public_at else "",
        provenance=story.provenance_label,
        is_release=story.provenance == Provenance.RELEASE,
        image_url=image_url,
        image_alt=image_alt,
    )


def archive_path() -> str:
    return reverse("newsletter:archive")


def archive_issue_path(local_date: date) -> str:
    """`/newsletter/archive/2025-04-05/`: zero-padded, the one spelling."""
    return reverse(
        "newsletter:archive_issue",
        kwargs={
            "year": f"{local_date.year:04d}",
            "month": f"{local_date.month:02d}",
            "day": f"{local_date.day:02d}",
        },
    )


def archive_url(edition: Edition, local_date: date) -> str:
    return edition_origin(edition) + archive_issue_path(local_date)
