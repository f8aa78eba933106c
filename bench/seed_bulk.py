"""Seed a benchmark database with published stories fast, through bulk_create."""

# Editions, sections, places, authors, then stories with their editions, sections,
# authors and places through the M2M through models. bench/pages.py runs it in a
# subprocess whose environment names the database (HERALD_VAR_DIR or
# HERALD_DATABASE_URL); alone:
#   DJANGO_SETTINGS_MODULE=herald.settings HERALD_VAR_DIR=/tmp/x \
#       .venv/bin/python bench/seed_bulk.py --stories 5000 --out /tmp/x/seed.json

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import django


def _split(text: str) -> list[str]:
    return text.split()


# Colours that reach WCAG AA (4.5:1) against white, checked again below.
COLOURS = [
    ("#1d3557", "#b5172b"),
    ("#14213d", "#9d0208"),
    ("#003049", "#a4161a"),
    ("#2b2d42", "#8d0801"),
    ("#1b4332", "#9b2226"),
    ("#3c096c", "#ae2012"),
    ("#283618", "#7f4f24"),
    ("#22223b", "#6a040f"),
    ("#023e8a", "#bc4749"),
    ("#432818", "#0b525b"),
]
TIME_ZONES = [
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Europe/Berlin",
    "Africa/Nairobi",
    "America/Sao_Paulo",
    "Asia/Singapore",
    "UTC",
]
SECTIONS = [
    "World",
    "Business",
    "Politics",
    "Technology",
    "Science",
    "Sport",
    "Culture",
    "Opinion",
]
COUNTRIES = [
    ("Japan", "JP", ["Tokyo", "Osaka", "Kyoto", "Sapporo", "Fukuoka"]),
    ("United Kingdom", "GB", ["London", "Manchester", "Leeds", "Glasgow", "Bristol"]),
    ("United States", "US", ["Boston", "Denver", "Seattle", "Austin", "Chicago"]),
    ("India", "IN", ["Mumbai", "Delhi", "Pune", "Chennai", "Kolkata"]),
    ("Australia", "AU", ["Sydney", "Perth", "Hobart", "Darwin", "Brisbane"]),
    ("Germany", "DE", ["Berlin", "Hamburg", "Munich", "Cologne", "Leipzig"]),
    ("Kenya", "KE", ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret"]),
    ("Brazil", "BR", ["Recife", "Manaus", "Curitiba", "Salvador", "Belem"]),
    ("Singapore", "SG", ["Singapore", "Jurong", "Tampines", "Woodlands", "Bedok"]),
    ("France", "FR", ["Paris", "Lyon", "Lille", "Nantes", "Marseille"]),
]
FIRST = _split("Aiko Ben Chloe Dev Elena Femi Goro Hana Ivan Jun Kofi Lena Mia Nils")
LAST = _split("Abe Brown Costa Dube Evans Fischer Gupta Hayashi Ito Jones Kim Lopez")
AGENCIES = ["Reuters", "AP", "Kyodo", "AFP", "PTI"]
WORDS = _split(
    "council harbour plan approve budget minister report growth market share "
    "school hospital water power station rail line bridge court ruling vote "
    "election mayor region farmers harvest price rise fall record season team "
    "match final coach league festival museum exhibit artist film study "
    "researchers university data climate storm flood heat drought policy "
    "agreement talks trade export import company profit loss workers union "
    "strike wage housing rent city centre traffic airport port shipping "
    "fishing tourism visitors hotel night market police inquiry officials "
    "residents community volunteers charity fund grant project phase week "
    "month year morning evening local national global early late new old "
    "small large quiet busy rapid slow public private open closed first last"
)
VERBS = _split(
    "said announced confirmed expects reported warned plans agreed rejected "
    "approved delayed opened closed raised cut extended reviewed launched"
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(7, 13))]
    words.insert(rng.randint(2, 4), rng.choice(VERBS))
    words += ["in", "the", rng.choice(WORDS), rng.choice(WORDS)]
    return " ".join(words).capitalize() + "."


def _headline(rng: random.Random, city: str) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 7))]
    words.insert(2, rng.choice(VERBS))
    return f"{city} " + " ".join(words)


def _body(rng: random.Random, pool: list[str]) -> str:
    """Five or six already-clean <p> paragraphs, about 400 words in all."""
    paragraphs = []
    for _ in range(rng.randint(5, 6)):
        sentences = rng.choices(pool, k=rng.randint(3, 4))
        paragraphs.append("<p>" + " ".join(sentences) + "</p>")
    return "".join(paragraphs)


def seed(stories: int, editions: int, batch: int, rng: random.Random) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from herald.editions.models import Edition, contrast_ratio
    from herald.stories.models import Author, Place, Section, Story

    if Story.objects.exists() or Edition.objects.exists():
        raise SystemExit("seed_bulk: the database already holds stories or editions.")

    started = time.monotonic()
    edition_objs = []
    for i in range(1, editions + 1):
        primary, accent = COLOURS[(i - 1) % len(COLOURS)]
        for colour in (primary, accent):
            assert contrast_ratio(colour, "#ffffff") >= 4.5, colour
        country = COUNTRIES[(i - 1) % len(COUNTRIES)]
        edition = Edition(
            name=f"Bench Herald {i}",
            slug=f"bench-{i}",
            tagline=f"News from {country[0]}",
            host_names=f"bench-{i}.herald.test",
            time_zone=TIME_ZONES[(i - 1) % len(TIME_ZONES)],
            countries=country[1],
            regions=country[0],
            logo_text=f"Bench Herald {i}",
            primary_colour=primary,
            accent_colour=accent,
            contact_email=f"news@bench-{i}.herald.test",
            newsletter_sender_name=f"Bench Herald {i}",
            newsletter_sender_email=f"daily@bench-{i}.herald.test",
            position=i,
        )
        edition.full_clean()
        edition_objs.append(edition)
    edition_objs = Edition.objects.bulk_create(edition_objs)
    section_objs = Section.objects.bulk_create(
        Section(name=name, slug=slugify(name), position=i)
        for i, name in enumerate(SECTIONS)
    )
    place_objs = Place.objects.bulk_create(
        Place(
            name=city,
            slug=slugify(f"{city}-{code}"),
            country=country,
            country_code=code,
        )
        for country, code, cities in COUNTRIES
        for city in cities
    )
    author_objs = Author.objects.bulk_create(
        Author(
            name=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}",
            slug=f"{slugify(FIRST[i % len(FIRST)])}-{slugify(LAST[i % len(LAST)])}-{i}",
            bio="Reporter for the Herald network.",
        )
        for i in range(40)
    )
    print(
        f"seed: {len(edition_objs)} editions, {len(section_objs)} sections, "
        f"{len(place_objs)} places, {len(author_objs)} authors",
        flush=True,
    )

    pool = [_sentence(rng) for _ in range(4000)]
    now = timezone.now() - timedelta(minutes=5)
    span = timedelta(days=365).total_seconds()
    edition_through = Story.editions.through
    section_through = Story.sections.through
    author_through = Story.authors.through
    place_through = Story.places.through
    first_edition_ids: list[int] = []

    done = 0
    while done < stories:
        size = min(batch, stories - done)
        objs = []
        for n in range(done, done + size):
            place = rng.choice(place_objs)
            origin = rng.choice(edition_objs)
            section = rng.choice(section_objs)
            wire = rng.random() < 0.25
            agency = rng.choice(AGENCIES) if wire else ""
            # Newer ids are newer stories, as in a real newsroom, with some jitter.
            offset = span * (1 - n / stories) + rng.uniform(0, 3600)
            published: datetime = now - timedelta(seconds=offset)
            headline = _headline(rng, place.name)[:200]
            objs.append(
                Story(
                    headline=headline,
                    slug=slugify(headline)[:200],
                    standfirst=rng.choice(pool) if rng.random() < 0.7 else "",
                    body=_body(rng, pool),
                    agency_credit=f"({agency})" if wire else "",
                    dateline_city=place.name,
                    dateline_country=place.country,
                    dateline_place=place,
                    dateline_date=published.date(),
                    provenance="wire" if wire else "staff",
                    agency=agency,
                    primary_section=section,
                    origin_edition=origin,
                    is_featured=rng.random() < 0.005,
                    status="published",
                    created_at=published - timedelta(hours=2),
                    modified_at=published,
                    published_at=published,
                )
            )
        with transaction.atomic():
            created = Story.objects.bulk_create(objs)
            e_rows, s_rows, a_rows, p_rows = [], [], [], []
            for story in created:
                assert story.pk is not None, "bulk_create returned no primary keys"
                chosen = {story.origin_edition_id}
                for _ in range(rng.randint(0, 2)):
                    chosen.add(rng.choice(edition_objs).pk)
                for edition_id in chosen:
                    e_rows.append(
                        edition_through(story_id=story.pk, edition_id=edition_id)
                    )
                if edition_objs[0].pk in chosen:
                    first_edition_ids.append(story.pk)
                sections = {story.primary_section_id}
                if rng.random() < 0.3:
                    sections.add(rng.choice(section_objs).pk)
                for section_id in sections:
                    s_rows.append(
                        section_through(story_id=story.pk, section_id=section_id)
                    )
                n_authors = (
                    rng.randint(0, 1)
                    if story.provenance == "wire"
                    else rng.randint(1, 2)
                )
                for author in rng.sample(author_objs, n_authors):
                    a_rows.append(
                        author_through(story_id=story.pk, author_id=author.pk)
                    )
                p_rows.append(
                    place_through(story_id=story.pk, place_id=story.dateline_place_id)
                )
            edition_through.objects.bulk_create(e_rows)
            section_through.objects.bulk_create(s_rows)
            author_through.objects.bulk_create(a_rows)
            place_through.objects.bulk_create(p_rows)
        done += size
        print(
            f"seed: {done}/{stories} stories ({time.monotonic() - started:.1f} s)",
            flush=True,
        )

    # PostgreSQL's autovacuum would analyze the new rows soon; SQLite has no such
    # thing and Herald runs no ANALYZE, so its planner works without statistics.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    sample_ids = rng.sample(first_edition_ids, min(200, len(first_edition_ids)))
    by_id = {
        s.pk: s
        for s in Story.objects.filter(pk__in=sample_ids).only("slug", "headline")
    }
    sample = [
        {"id": pk, "slug": by_id[pk].slug, "headline": by_id[pk].headline}
        for pk in sample_ids
    ]
    return {
        "seconds": round(time.monotonic() - started, 1),
        "stories": stories,
        "editions": [{"id": e.pk, "slug": e.slug} for e in edition_objs],
        "first_edition_stories": len(first_edition_ids),
        "sample": sample,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--editions", type=int, default=10)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--out", type=Path, required=True, help="JSON summary file")
    args = parser.parse_args(argv)
    if args.stories < 1 or args.editions < 1:
        parser.error("--stories and --editions must be at least 1")
    django.setup()
    summary = seed(args.stories, args.editions, args.batch, random.Random(args.seed))
    args.out.write_text(json.dumps(summary, indent=1))
    print(f"seed: done in {summary['seconds']} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
