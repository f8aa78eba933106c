"""Demo wire sources: one per format, reading feeds shipped in `feeds/`, with
near-duplicates across agencies, updated versions, a cancellation and routing rules,
so that `herald ingest --once` shows ingest, clustering and routing offline."""

from pathlib import Path

from django.db import transaction

from herald.editions.models import Edition
from herald.ingest.models import RoutingRule, RuleAction, Source
from herald.stories.models import Section

FEEDS = Path(__file__).resolve().parent / "feeds"

SOURCES = (
    # slug, name, format, folder, agency, credit format, auto-publish
    (
        "meridian",
        "Meridian Press Agency",
        "rss",
        "rss",
        "Meridian Press Agency",
        "(MPA/{photographer})",
        True,
    ),
    ("kestrel", "Kestrel Press", "atom", "atom", "Kestrel Press", "(Kestrel)", True),
    (
        "orient",
        "Orient News Service",
        "newsml-g2",
        "newsml-g2",
        "Orient News Service",
        "(ONS)",
        False,
    ),
    ("gulf-wire", "Gulf Wire", "ninjs", "ninjs", "Gulf Wire", "({agency})", True),
)

RULES: tuple[tuple[str, str, str, list[str], list[str], str], ...] = (
    # name, country, keywords, edition slugs, section slugs, action
    (
        "Japan datelines to Japan Herald",
        "JP",
        "",
        ["japan-herald"],
        [],
        RuleAction.PUBLISH,
    ),
    (
        "India datelines to India Herald",
        "IN",
        "",
        ["india-herald"],
        [],
        RuleAction.PUBLISH,
    ),
    (
        "Gulf news to Gulf Herald",
        "",
        "Dubai, Saudi, Oman, Abu Dhabi",
        ["gulf-herald"],
        ["business"],
        RuleAction.PUBLISH,
    ),
    (
        "Canada datelines to Canada Herald",
        "CA",
        "",
        ["canada-herald"],
        [],
        RuleAction.REVIEW,
    ),
    (
        "Britain datelines to Britain Herald",
        "GB",
        "",
        ["britain-herald"],
        [],
        RuleAction.PUBLISH,
    ),
)


@transaction.atomic
def seed_sources() -> dict[str, int]:
    """Create or refresh the demo sources and rules; safe to run again."""
    world = Section.objects.filter(slug="world").first()
    sections = {s.slug: s for s in Section.objects.all()}
    editions = {e.slug: e for e in Edition.objects.all()}
    made = 0
    for slug, name, fmt, folder, agency, credit, publish in SOURCES:
        source, created = Source.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "format": fmt,
                "url": "",
                "drop_folder": str(FEEDS / folder),
                "agency": agency,
                "credit_format": credit,
                "auto_publish": publish,
                "licence_notes": "Demo feed written for Herald; free to republish.",
                "poll_interval": 300,
            },
        )
        made += created
        if world is not None:
            source.default_sections.set([world])
    for position, (name, country, words, on, into, action) in enumerate(RULES):
        rule, _ = RoutingRule.objects.update_or_create(
            name=name,
            defaults={
                "position": position,
                "country": country,
                "keywords": words,
                "action": action,
                "stop": False,
            },
        )
        rule.editions.set([editions[s] for s in on if s in editions])
        rule.sections.set([sections[s] for s in into if s in sections])
    return {"sources_added": made}
