"""The demo network: six editions, staff in every role, and a few hundred stories.

`seed_demo` can run again safely: everything is found or created by a natural key,
and stories are only added for the (edition, slug) pairs that do not exist yet.
"""

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.roles import Role
from herald.core.text import unique_slug
from herald.demo.content import SECTION_SLUGS, make_story
from herald.demo.pictures import attach_picture
from herald.demo.releases import seed_releases
from herald.demo.wire import seed_sources
from herald.discovery.related import store_related
from herald.editions.models import Edition
from herald.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from herald.stories import actions
from herald.stories.models import (
    Author,
    Place,
    Provenance,
    Section,
    Story,
    StoryImage,
    Tag,
)

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "herald-demo-2026"  # noqa: S105 - printed for the demo's staff logins
STORIES_PER_EDITION = 60


@dataclass(frozen=True)
class DemoEdition:
    name: str
    slug: str
    tagline: str
    time_zone: str
    language: str
    countries: str
    regions: str
    primary: str
    accent: str
    country: str
    cities: tuple[str, ...]


EDITIONS = (
    DemoEdition(
        "Japan Herald",
        "japan-herald",
        "News from Tokyo to Okinawa",
        "Asia/Tokyo",
        "en",
        "JP",
        "Japan",
        "#8c1c13",
        "#8c1c13",
        "Japan",
        ("Tokyo", "Osaka", "Sapporo", "Fukuoka", "Nagoya", "Kyoto"),
    ),
    DemoEdition(
        "India Herald",
        "india-herald",
        "The subcontinent, every morning",
        "Asia/Kolkata",
        "en-IN",
        "IN",
        "India",
        "#0b5d3b",
        "#a33c00",
        "India",
        ("New Delhi", "Mumbai", "Bengaluru", "Chennai", "Kolkata", "Hyderabad"),
    ),
    DemoEdition(
        "Gulf Herald",
        "gulf-herald",
        "News of the Gulf states",
        "Asia/Dubai",
        "en",
        "AE,QA,OM,BH,KW",
        "The Gulf",
        "#6b4e00",
        "#8a1538",
        "United Arab Emirates",
        ("Dubai", "Abu Dhabi", "Sharjah", "Al Ain", "Ras Al Khaimah"),
    ),
    DemoEdition(
        "Canada Herald",
        "canada-herald",
        "Coast to coast to coast",
        "America/Toronto",
        "en-CA",
        "CA",
        "Canada",
        "#a4161a",
        "#1d3557",
        "Canada",
        ("Toronto", "Vancouver", "Montreal", "Ottawa", "Calgary", "Halifax"),
    ),
    DemoEdition(
        "East Africa Herald",
        "east-africa-herald",
        "Kenya, Uganda, Tanzania and beyond",
        "Africa/Nairobi",
        "en",
        "KE,UG,TZ,RW",
        "East Africa",
        "#1b4332",
        "#9c4400",
        "Kenya",
        ("Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret"),
    ),
    DemoEdition(
        "Britain Herald",
        "britain-herald",
        "The news of the four nations",
        "Europe/London",
        "en-GB",
        "GB",
        "The United Kingdom",
        "#1d3557",
        "#b5172b",
        "United Kingdom",
        ("London", "Manchester", "Edinburgh", "Cardiff", "Belfast", "Bristol"),
    ),
)

SECTIONS = {
    "world": ("World", "What is happening beyond our borders."),
    "business": ("Business", "Companies, markets and the economy."),
    "politics": ("Politics", "Government, parliament and elections."),
    "technology": ("Technology", "Science, technology and the digital economy."),
    "sport": ("Sport", "Results, clubs and the people behind them."),
    "environment": ("Environment", "Climate, nature and energy."),
    "health": ("Health", "Medicine, hospitals and public health."),
    "culture": ("Culture", "Arts, books, film, food and festivals."),
}
AUTHORS = (
    "Aiko Tanaka",
    "Rohan Mehta",
    "Layla Haddad",
    "Claire Tremblay",
    "Wanjiru Kamau",
    "Owen Pritchard",
    "Kenji Mori",
    "Priya Raman",
    "Omar Farouk",
    "Sophie Gagnon",
    "Daniel Otieno",
    "Fiona MacLeod",
)
AGENCIES = (
    ("Meridian Press Agency", "(MPA)"),
    ("Continental News Service", "(CNS)"),
    ("Pacific Wire", "(PW)"),
)


def _editions() -> list[Edition]:
    editions = []
    for pos, d in enumerate(EDITIONS):
        edition, _ = Edition.objects.update_or_create(
            slug=d.slug,
            defaults={
                "name": d.name,
                "tagline": d.tagline,
                "host_names": f"{d.slug}.example.com",
                "time_zone": d.time_zone,
                "language": d.language,
                "countries": d.countries,
                "regions": d.regions,
                "logo_text": d.name,
                "primary_colour": d.primary,
                "accent_colour": d.accent,
                "contact_email": f"newsroom@{d.slug}.example.com",
                "newsletter_sender_name": f"{d.name} Daily",
                "newsletter_sender_email": f"daily@{d.slug}.example.com",
                "position": pos,
            },
        )
        edition.full_clean()
        editions.append(edition)
    return editions


def _user(username: str, role: str, editions: list[Edition], name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        first, _, last = name.partition(" ")
        user = User(
            username=username,
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@herald.example.com",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.editions.set(editions)
    return user


def seed(
    *, stories_per_edition: int = STORIES_PER_EDITION, out: Any = None
) -> dict[str, int]:
    """Create or complete the demo network; returns counts of what was added."""
    rng = random.Random(2026)  # the same demo every time
    with transaction.atomic():
        editions = _editions()
        sections = {
            slug: Section.objects.update_or_create(
                slug=slug, defaults={"name": name, "description": desc, "position": i}
            )[0]
            for i, (slug, (name, desc)) in enumerate(SECTIONS.items())
        }
        admin = _user("admin", Role.ADMIN, editions, "Ada Admin")
        editors = {
            e.slug: _user(
                f"editor-{e.slug.split('-')[0]}",
                Role.EDITOR,
                [e],
                f"{e.name.split()[0]} Editor",
            )
            for e in editions
        }
        for e in editions:
            _user(
                f"writer-{e.slug.split('-')[0]}",
                Role.CONTRIBUTOR,
                [e],
                f"{e.name.split()[0]} Writer",
            )
        authors = [
            Author.objects.get_or_create(slug=unique_slug(n), defaults={"name": n})[0]
            for n in AUTHORS
        ]
    added = 0
    pictures: dict[int, StoryImage] = {}
    now = timezone.now()
    for spec, edition in zip(EDITIONS, editions, strict=True):
        places = [
            Place.objects.get_or_create(
                name=city,
                country=spec.country,
                defaults={
                    "slug": unique_slug(f"{city}-{spec.country}"),
                    "country_code": spec.countries.split(",")[0],
                },
            )[0]
            for city in spec.cities
        ]
        editor = editors[edition.slug]
        existing = set(
            Story.objects.filter(origin_edition=edition).values_list("slug", flat=True)
        )
        for i in range(stories_per_edition):
            section_slug = SECTION_SLUGS[i % len(SECTION_SLUGS)]
            place = rng.choice(places)
            content = make_story(rng, section_slug, place.name, place.country)
            slug = f"{unique_slug(content.headline)[:180]}-{i}"
            # Draw every random choice before deciding to skip, so a re-run makes
            # the same stories for the same slugs.
            wire = rng.random() < 0.3
            agency = rng.choice(AGENCIES)
            story_authors = rng.sample(authors, k=1 if rng.random() < 0.8 else 2)
            extra_editions = [
                e for e in editions if e != edition and rng.random() < 0.08
            ]
            age = timedelta(minutes=rng.randint(10, 60 * 24 * 12))
            with_image = rng.random() < 0.45
            picture_index = rng.randrange(24)
            if slug in existing:
                continue
            tags = [
                Tag.objects.get_or_create(slug=unique_slug(t), defaults={"name": t})[0]
                for t in content.tags
            ]
            with transaction.atomic():
                story = actions.create_story(
                    by=admin if extra_editions else editor,
                    editions=[edition, *extra_editions],
                    headline=content.headline,
                    slug=slug,
                    standfirst=content.standfirst,
                    body="".join(f"<p>{p}</p>" for p in content.paragraphs),
                    dateline_city=place.name,
                    dateline_country=place.country,
                    dateline_place=place,
                    dateline_date=(now - age).date(),
                    provenance=Provenance.WIRE if wire else Provenance.STAFF,
                    agency=agency[0] if wire else "",
                    agency_credit=agency[1] if wire else "",
                    primary_section=sections[section_slug],
                    origin_edition=edition,
                    is_featured=i < 3,
                    places=[place],
                    tags=tags,
                    authors=[] if wire else story_authors,
                )
                _place_in_time(story, i=i, n=stories_per_edition, age=age, by=admin)
                if with_image:
                    attach_picture(story, pictures, picture_index, place)
            added += 1
        if out is not None:
            out.write(f"  {edition.name}: {stories_per_edition} stories\n")
    _subscribers(editions, list(sections.values()))
    wire_sources = seed_sources()
    # Back-dating above happened after each story's list was queued; compute every
    # More Information list now, against the whole demo network.
    for story in Story.objects.public().prefetch_related("editions"):
        store_related(story)
    seed_releases(password=DEMO_PASSWORD, out=out)
    return {"editions": len(editions), "stories_added": added, **wire_sources}


def _place_in_time(story: Story, *, i: int, n: int, age: timedelta, by: User) -> None:
    """Give the demo a believable mix: mostly published over the last twelve days,
    a few drafts, stories in review, scheduled, corrected and one retracted."""
    if i == n - 1:
        return  # a draft
    if i == n - 2:
        actions.submit_for_review(story, by=by)
        return
    if i in (n - 3, n - 4):
        hours = 2 if i == n - 3 else 20
        actions.schedule_story(story, by=by, at=timezone.now() + timedelta(hours=hours))
        return
    actions.publish_story(story, by=by)
    # Back-date publication so the demo has a history; readers see these times.
    Story.objects.filter(pk=story.pk).update(published_at=timezone.now() - age)
    story.refresh_from_db()
    if i == n - 5:
        actions.retract_story(
            story,
            by=by,
            note="The report relied on a document that proved not to be authentic.",
        )
    elif i % 9 == 4:
        actions.add_correction(
            story,
            by=by,
            text="An earlier version of this story gave the wrong date "
            "for the meeting.",
        )


def _subscribers(editions: list[Edition], sections: list[Section]) -> None:
    """Confirmed subscribers at example.org on every edition, so an issue can be
    sent to a local mail server at once. Some choose sections; most take all."""
    rng = random.Random(7)
    now = timezone.now()
    for edition in editions:
        for n in range(1, 21):
            subscriber, _ = Subscriber.objects.get_or_create(
                email=f"{edition.slug.split('-')[0]}-reader{n}@example.org"
            )
            subscription, made = Subscription.objects.get_or_create(
                subscriber=subscriber,
                edition=edition,
                defaults={"status": SubscriptionStatus.CONFIRMED, "confirmed_at": now},
            )
            if made and n % 3 == 0:
                subscription.sections.set(rng.sample(sections, k=3))
