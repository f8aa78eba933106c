"""Structured data for story pages: schema.org NewsArticle JSON-LD, escaped so that
no story text can end the script element, and Open Graph / Twitter tags."""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from herald.core.timefmt import iso_local
from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.stories.links import canonical_url, story_url
from herald.stories.models import Provenance, Story

# Characters that could end a <script> element or open a comment inside it.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """`<script type="application/ld+json">` holding `data`, safe from `</script>`
    and `<!--` in any string inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = (
        text.translate(_ESCAPES)
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def _images(story: Story, origin: str) -> list[dict[str, Any]]:
    return [
        {
            "@type": "ImageObject",
            "url": origin + image.large.url,
            "width": image.width,
            "height": image.height,
            "caption": image.caption,
            "creditText": image.credit,
            "copyrightNotice": image.credit,
        }
        for image in getattr(story, "image_list", None) or story.images.all()
    ]


def news_article(
    story: Story, edition: Edition, request: HttpRequest | None
) -> dict[str, Any]:
    """The schema.org description of `story` as `edition` shows it."""
    origin = edition_origin(edition, request)
    zone = edition.time_zone
    published = story.public_at
    release = story.provenance == Provenance.RELEASE
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        # A news release is not reporting: it is an Article with that genre.
        "@type": "Article" if release else "NewsArticle",
        "headline": story.headline[:110],
        "description": story.standfirst or story.teaser_text(),
        "url": story_url(story, edition, request),
        "mainEntityOfPage": canonical_url(story, edition, request),
        "inLanguage": story.language_on(edition),
        "isAccessibleForFree": True,
        "articleSection": story.primary_section.name,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": edition.name,
            "url": origin + "/",
        },
    }
    if published:
        data["datePublished"] = iso_local(published, zone)
        data["dateModified"] = iso_local(story.updated_at or published, zone)
    authors = list(story.authors.all())
    if authors:
        data["author"] = [
            {"@type": "Person", "name": a.name, "url": f"{origin}/author/{a.slug}/"}
            for a in authors
        ]
    elif story.wire_byline:
        # The agency's writer, with the agency beside them (not twice).
        data["author"] = [{"@type": "Person", "name": story.wire_byline}]
        if story.agency:
            data["author"].append({"@type": "Organization", "name": story.agency})
    elif story.agency:
        data["author"] = [{"@type": "Organization", "name": story.agency}]
    else:
        data["author"] = [{"@type": "Organization", "name": edition.name}]
    images = _images(story, origin)
    if images:
        data["image"] = images
    keywords = [t.name for t in story.tags.all()]
    if keywords:
        data["keywords"] = keywords
    if release:
        data["genre"] = "News release"
    elif story.dateline_city:
        data["dateline"] = story.dateline.rstrip(":")
        place: dict[str, Any] = {"@type": "Place", "name": story.dateline_city}
        if story.dateline_country:
            place["address"] = {
                "@type": "PostalAddress",
                "addressLocality": story.dateline_city,
                "addressCountry": story.dateline_place.country_code
                if story.dateline_place
                else story.dateline_country,
            }
        data["locationCreated"] = place
    if story.provenance == Provenance.WIRE and story.agency:
        agency = {"@type": "Organization", "name": story.agency}
        data["sourceOrganization"] = agency
        data["isBasedOn"] = {
            "@type": "NewsArticle",
            "headline": story.headline[:110],
            "publisher": agency,
        }
    return data


def social_tags(
    story: Story, edition: Edition, request: HttpRequest | None
) -> list[tuple[str, str, str]]:
    """(attribute, name, content) triples for Open Graph and Twitter meta tags."""
    origin = edition_origin(edition, request)
    description = story.standfirst or story.teaser_text()
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:site_name", edition.name),
        ("property", "og:title", story.headline),
        ("property", "og:description", description),
        ("property", "og:url", canonical_url(story, edition, request)),
        ("property", "og:locale", edition.language.replace("-", "_")),
        ("property", "article:section", story.primary_section.name),
    ]
    if story.public_at:
        tags.append(
            (
                "property",
                "article:published_time",
                iso_local(story.public_at, edition.time_zone),
            )
        )
    if story.updated_at:
        tags.append(
            (
                "property",
                "article:modified_time",
                iso_local(story.updated_at, edition.time_zone),
            )
        )
    images = getattr(story, "image_list", None) or list(story.images.all())
    card = "summary"
    if images:
        image = images[0]
        card = "summary_large_image"
        tags += [
            ("property", "og:image", origin + image.large.url),
            ("property", "og:image:width", str(image.width)),
            ("property", "og:image:height", str(image.height)),
            ("property", "og:image:alt", image.alt_text),
            ("name", "twitter:image", origin + image.large.url),
            ("name", "twitter:image:alt", image.alt_text),
        ]
    tags += [
        ("name", "twitter:card", card),
        ("name", "twitter:title", story.headline),
        ("name", "twitter:description", description),
    ]
    return tags
