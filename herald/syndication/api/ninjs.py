"""A story as an IPTC ninjs 2.2 item (https://iptc.org/standards/ninjs/).

Where ninjs has no field of its own, the mapping is:
- provenance: the first `infosources` entry has role "originator" and the literal
  `staff`, `wire` or `release` (the values of the `provenance` filter); a news
  release also carries the genre "News release" and an editorial note saying so;
- sections and tags: `subjects`, told apart by the literal `section:<slug>` or
  `tag:<slug>`; places: `places` (rel "located" for the dateline's place);
- the story's id and web pages: `altids` with the roles `herald-id`, `canonical`
  and `url`;
- a retracted story: `pubstatus` "canceled", no text, and the retraction in
  `ednote`.
"""

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from django.http import HttpRequest
from django.urls import reverse

from herald.core.images import RENDITION_WIDTHS
from herald.core.sanitize import html_to_text
from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.stories.links import story_url
from herald.stories.models import Provenance, Story, StoryImage
from herald.stories.workflow import Status

NINJS_VERSION = "2.2"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"
RELEASE_LABEL = "News release"


def item_uri(story: Story) -> str:
    """The item's identifier: the same on every edition and for every partner,
    and stable when host names or the slug change."""
    return f"urn:herald:story:{story.pk}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def context_edition(
    story: Story, wanted: Edition | None, allowed: frozenset[int] | None
) -> Edition:
    """The edition whose language and pages the item shows: the one asked for, else
    the origin edition, else (for a partner limited to other editions) the first of
    the story's editions the partner may read."""
    if wanted is not None:
        return wanted
    origin = story.origin_edition
    if allowed is None or origin.pk in allowed:
        return origin
    for edition in story.editions.all():
        if edition.pk in allowed:
            return edition
    return origin


def _local_version(story: Story, edition: Edition) -> Any:
    if edition.pk == story.origin_edition_id:
        return None
    versions = getattr(story, "local_version_list", None)
    if versions is None:
        versions = list(story.local_versions.all())
    return next((v for v in versions if v.edition_id == edition.pk), None)


def _fit(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size Pillow's `thumbnail((longest, longest))` gives an image of this size.

    Renditions are cut from the upload, whose size is not kept; computed from the
    large rendition, a smaller one's size may be a pixel off when the upload was
    larger than the large rendition.
    """
    if width <= longest and height <= longest:
        return width, height
    aspect = width / height

    def nearest(number: float, error: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=error), 1)

    if aspect <= 1:
        return nearest(longest * aspect, lambda n: abs(aspect - n / longest)), longest
    return longest, nearest(
        longest / aspect, lambda n: 0 if n == 0 else abs(aspect - longest / n)
    )


def _picture(image: StoryImage, number: int, origin: str) -> dict[str, Any]:
    renditions = []
    for name, longest in RENDITION_WIDTHS.items():
        width, height = _fit(image.width, image.height, longest)
        renditions.append(
            {
                "name": name,
                "href": urljoin(origin + "/", getattr(image, name).url),
                "contenttype": "image/jpeg",
                "width": width,
                "height": height,
            }
        )
    return {
        "name": "featureimage" if number == 1 else f"picture{number}",
        "uri": f"urn:herald:image:{image.pk}",
        "type": "picture",
        "representationtype": "full",
        "by": image.credit,
        "copyrightholder": image.credit,
        "descriptions": [
            {"role": "caption", "contenttype": "text/plain", "value": image.caption},
            {"role": "alt", "contenttype": "text/plain", "value": image.alt_text},
        ],
        "renditions": renditions,
    }


def _infosources(story: Story, origin_url: str) -> list[dict[str, Any]]:
    publisher = story.origin_edition
    if story.provenance == Provenance.WIRE:
        source: dict[str, Any] = {"name": story.agency or "Wire"}
    elif story.provenance == Provenance.RELEASE:
        source = {"name": RELEASE_LABEL}
    else:
        source = {"name": publisher.name, "uri": origin_url}
    source.update(role="originator", literal=story.provenance)
    return [
        source,
        {
            "name": publisher.name,
            "role": "publisher",
            "uri": origin_url,
            "literal": f"edition:{publisher.slug}",
        },
    ]


def _subjects(story: Story, origin: str) -> list[dict[str, Any]]:
    sections = sorted(
        story.sections.all(), key=lambda s: s.pk != story.primary_section_id
    )
    subjects: list[dict[str, Any]] = [
        {
            "name": s.name,
            "rel": "about",
            "literal": f"section:{s.slug}",
            "uri": origin + reverse("web:section", kwargs={"slug": s.slug}),
        }
        for s in sections
    ]
    subjects += [
        {"name": t.name, "rel": "about", "literal": f"tag:{t.slug}"}
        for t in story.tags.all()
    ]
    return subjects


def _places(story: Story, origin: str) -> list[dict[str, Any]]:
    places = sorted(story.places.all(), key=lambda p: p.pk != story.dateline_place_id)
    return [
        {
            "name": str(p),
            "rel": "located" if p.pk == story.dateline_place_id else "about",
            "literal": f"place:{p.slug}",
            "uri": origin + reverse("web:place", kwargs={"slug": p.slug}),
        }
        for p in places
    ]


def _content(story: Story, standfirst: str, origin: str) -> dict[str, Any]:
    """The text, byline, dateline, subjects and pictures of a usable item."""
    text = html_to_text(story.body)
    teaser = " ".join(part for part in (story.dateline, story.teaser_text()) if part)
    descriptions = [{"role": "teaser", "contenttype": "text/plain", "value": teaser}]
    if standfirst:
        descriptions.insert(
            0, {"role": "summary", "contenttype": "text/plain", "value": standfirst}
        )
    content: dict[str, Any] = {
        "descriptions": descriptions,
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": story.body_with_dateline(),
                "charcount": len(text),
                "wordcount": len(text.split()),
            }
        ],
        "subjects": _subjects(story, origin),
        "places": _places(story, origin),
    }
    if story.byline:
        content["by"] = story.byline
    if story.dateline_city:
        content["located"] = ", ".join(
            part for part in (story.dateline_city, story.dateline_country) if part
        )
    images = getattr(story, "image_list", None)
    if images is None:
        images = list(story.images.all())
    if images:
        content["associations"] = [
            _picture(image, n, origin) for n, image in enumerate(images, start=1)
        ]
    return content


def _rights(story: Story, public_at: datetime) -> dict[str, Any]:
    """A news release is labelled as one; other stories name their rights holder."""
    if story.provenance == Provenance.RELEASE:
        return {
            "genres": [{"name": RELEASE_LABEL, "literal": "news-release"}],
            "ednote": f"{RELEASE_LABEL}: supplied by its submitter and published "
            "after moderation. Label it as a news release.",
        }
    holder = story.agency if story.provenance == Provenance.WIRE else ""
    holder = holder or story.origin_edition.name
    return {
        "copyrightholder": holder,
        "copyrightnotice": f"Copyright {public_at.year} {holder}.",
    }


def story_item(
    story: Story,
    *,
    edition: Edition,
    request: HttpRequest | None,
) -> dict[str, Any]:
    """`story` as `edition` shows it, as a ninjs 2.2 item. Load `story` with
    `queries.for_ninjs` so that this makes no query."""
    public_at = story.public_at or story.published_at or story.created_at
    changed = getattr(story, "changed_at", None) or story.modified_at
    origin = edition_origin(edition, request)
    origin_url = edition_origin(story.origin_edition, request)
    local = _local_version(story, edition)
    page = story_url(story, edition, request)
    canonical = page if local else story_url(story, story.origin_edition, request)
    cancelled = story.status == Status.RETRACTED
    item: dict[str, Any] = {
        "uri": item_uri(story),
        "standard": {
            "name": "ninjs",
            "version": NINJS_VERSION,
            "schema": NINJS_SCHEMA,
        },
        "type": "text",
        "profile": "text-photo" if getattr(story, "image_list", None) else "text-only",
        "representationtype": "partial" if cancelled else "full",
        "version": str(getattr(story, "version", 0) or 1),
        "firstcreated": iso(public_at),
        "versioncreated": iso(max(changed, public_at)),
        "pubstatus": "canceled" if cancelled else "usable",
        "language": story.language_on(edition),
        "slugline": story.slug,
        "headlines": [
            {"role": "main", "value": local.headline if local else story.headline}
        ],
        "altids": [
            {"role": "herald-id", "value": str(story.pk)},
            {"role": "canonical", "value": canonical},
            {"role": "url", "value": page},
        ],
        "infosources": _infosources(story, origin_url),
    }
    if story.embargo_until:
        item["embargoed"] = iso(story.embargo_until)
    if cancelled:
        note = story.retraction_note or "The story was retracted."
        item["ednote"] = f"Retracted: {note} Remove this story."
        return item
    standfirst = local.standfirst if local else story.standfirst
    item.update(_content(story, standfirst, origin))
    item.update(_rights(story, public_at))
    return item
