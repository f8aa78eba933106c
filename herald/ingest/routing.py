"""Routing: which editions and sections a wire story goes to, and whether it is
published at once or queued for review. Pure functions over plain data, so that a
rule can be tried against recent items before it is saved."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from herald.core.sanitize import html_to_text
from herald.ingest.models import RoutingRule, RuleAction, Source, WireItem
from herald.stories.models import Place


@dataclass(frozen=True)
class RuleSpec:
    """What a rule matches and where it sends a story, saved or not."""

    name: str
    source_id: int | None = None
    country: str = ""
    place_id: int | None = None
    place_name: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    edition_ids: tuple[int, ...] = ()
    section_ids: tuple[int, ...] = ()
    publish: bool = False
    stop: bool = True

    @classmethod
    def build(
        cls,
        rule: RoutingRule,
        *,
        edition_ids: Iterable[int],
        section_ids: Iterable[int],
    ) -> "RuleSpec":
        place: Place | None = rule.place
        return cls(
            name=rule.name,
            source_id=rule.source_id,
            country=rule.country.strip().casefold(),
            place_id=rule.place_id,
            place_name=place.name.casefold() if place else "",
            subject=rule.subject.strip().casefold(),
            keywords=split_keywords(rule.keywords),
            edition_ids=tuple(edition_ids),
            section_ids=tuple(section_ids),
            publish=rule.action == RuleAction.PUBLISH,
            stop=rule.stop,
        )


def split_keywords(text: str) -> tuple[str, ...]:
    return tuple(k.strip().casefold() for k in text.split(",") if k.strip())


def load_rules() -> list[RuleSpec]:
    """The active rules, in order, with their editions and sections."""
    rules = (
        RoutingRule.objects.filter(is_active=True)
        .select_related("place")
        .prefetch_related("editions", "sections")
    )
    return [
        RuleSpec.build(
            rule,
            edition_ids=[e.pk for e in rule.editions.all()],
            section_ids=[s.pk for s in rule.sections.all()],
        )
        for rule in rules
    ]


@dataclass(frozen=True)
class Facts:
    """What rules look at in a wire item."""

    source_id: int
    countries: frozenset[str]
    place_id: int | None
    place_names: frozenset[str]
    subjects: frozenset[str]
    keywords: frozenset[str]
    text: str

    @classmethod
    def of(
        cls, item: WireItem, place: Place | None, aliases: "CountryAliases"
    ) -> "Facts":
        parsed: dict[str, Any] = item.parsed or {}
        countries = {item.dateline_country.casefold()}
        countries |= aliases(item.dateline_country)
        if place is not None:
            countries |= {place.country.casefold(), place.country_code.casefold()}
        subjects = set()
        for subject in parsed.get("subjects", []):
            subjects |= {subject.get("name", "").casefold()}
            subjects |= {subject.get("code", "").casefold()}
        names = {p.casefold() for p in parsed.get("places", [])}
        names.add(item.dateline_city.casefold())
        text = " ".join(
            (item.headline, item.standfirst, html_to_text(item.body_html))
        ).casefold()
        return cls(
            source_id=item.source_id,
            countries=frozenset(countries - {""}),
            place_id=place.pk if place else None,
            place_names=frozenset(names - {""}),
            subjects=frozenset(subjects - {""}),
            keywords=frozenset(k.casefold() for k in parsed.get("keywords", [])),
            text=text,
        )


class CountryAliases:
    """A country's name and ISO code as the Place table knows them, so that a rule
    for "JP" matches a dateline that says "Japan" (and back). Cached per instance."""

    def __init__(self) -> None:
        self.known: dict[str, frozenset[str]] = {}

    def __call__(self, country: str) -> frozenset[str]:
        key = country.strip().casefold()
        if not key:
            return frozenset()
        if key not in self.known:
            rows = (
                Place.objects.filter(
                    Q(country__iexact=key) | Q(country_code__iexact=key)
                )
                .values_list("country", "country_code")
                .distinct()
            )
            self.known[key] = frozenset(
                v.casefold() for row in rows for v in row if v
            ) | {key}
        return self.known[key]


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def matches(rule: RuleSpec, facts: Facts) -> bool:
    """Every criterion the rule sets must hold; criteria left empty are ignored."""
    if rule.source_id is not None and rule.source_id != facts.source_id:
        return False
    if rule.country and rule.country not in facts.countries:
        return False
    if rule.place_id is not None and not (
        rule.place_id == facts.place_id or rule.place_name in facts.place_names
    ):
        return False
    if rule.subject and rule.subject not in facts.subjects:
        return False
    return not rule.keywords or any(
        k in facts.keywords or _has_phrase(facts.text, k) for k in rule.keywords
    )


@dataclass
class Route:
    """Where a story goes: editions and sections in order (the first of each is
    the origin edition and the primary section), and whether it goes live."""

    edition_ids: list[int] = field(default_factory=list)
    section_ids: list[int] = field(default_factory=list)
    publish: bool = False
    rules: list[str] = field(default_factory=list)

    @property
    def routed(self) -> bool:
        return bool(self.edition_ids and self.section_ids)


def route(
    facts: Facts,
    rules: Sequence[RuleSpec],
    *,
    edition_ids: Sequence[int],
    section_ids: Sequence[int],
    auto_publish: bool,
) -> Route:
    """Start from the source's defaults and apply the matching rules in order.

    Each match adds its editions and sections; a rule that stops ends the run.
    When rules matched, the story is published only if every one of them says
    publish (review wins); otherwise the source's own setting decides.
    """
    result = Route(list(edition_ids), list(section_ids), auto_publish)
    verdicts = []
    for rule in rules:
        if not matches(rule, facts):
            continue
        result.rules.append(rule.name)
        verdicts.append(rule.publish)
        for pk in rule.edition_ids:
            if pk not in result.edition_ids:
                result.edition_ids.append(pk)
        for pk in rule.section_ids:
            if pk not in result.section_ids:
                result.section_ids.append(pk)
        if rule.stop:
            break
    if verdicts:
        result.publish = all(verdicts)
    return result


def source_defaults(source: Source) -> tuple[list[int], list[int], list[int]]:
    """The source's default edition, section and tag ids, editions and sections in
    desk order (so the first is the origin edition and the primary section)."""
    return (
        list(
            source.default_editions.order_by("position", "name").values_list(
                "pk", flat=True
            )
        ),
        list(
            source.default_sections.order_by("position", "name").values_list(
                "pk", flat=True
            )
        ),
        list(source.default_tags.values_list("pk", flat=True)),
    )
