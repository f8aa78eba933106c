"""Routing rules: what they match, the order they run in, publish or review."""

import pytest

from herald.editions.models import Edition
from herald.ingest.models import RoutingRule, RuleAction, Source, WireItem
from herald.ingest.sources.items import Subject
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import ItemFactory, make_source
from herald.stories.models import Place, Section, Story
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_source(japan: Edition) -> Source:
    return make_source("bare", auto_publish=True)


def rule(
    name: str, *, editions: list[Edition], sections: list[Section], **kw: object
) -> RoutingRule:
    made = RoutingRule.objects.create(name=name, **kw)  # type: ignore[arg-type]
    made.editions.set(editions)
    made.sections.set(sections)
    return made


def run(source: Source, item: object) -> WireItem:
    ingest_item(Context.for_source(source), item)  # type: ignore[arg-type]
    return WireItem.objects.latest("pk")


def test_country_rule_puts_the_story_on_its_editions_for_review(
    bare_source: Source,
    make_item: ItemFactory,
    japan: Edition,
    india: Edition,
    section: Section,
) -> None:
    # The origin edition is the first of the rule's editions in desk order.
    Edition.objects.filter(pk=india.pk).update(position=2)
    rule(
        "Japan news",
        editions=[japan, india],
        sections=[section],
        country="JP",
        action=RuleAction.REVIEW,
    )
    Place.objects.create(name="Tokyo", slug="tokyo", country="Japan", country_code="JP")
    wire = run(bare_source, make_item())
    story = wire.story
    assert story is not None
    assert story.origin_edition == japan
    assert set(story.editions.all()) == {japan, india}
    assert story.status == Status.IN_REVIEW
    assert "Japan news" in wire.note


def test_rules_run_in_order_and_a_stopping_rule_ends_the_run(
    bare_source: Source,
    make_item: ItemFactory,
    japan: Edition,
    india: Edition,
    section: Section,
) -> None:
    sport = Section.objects.create(name="Sport", slug="sport", position=5)
    rule(
        "Quakes",
        position=1,
        editions=[japan],
        sections=[section],
        keywords="earthquake, tsunami",
        action=RuleAction.PUBLISH,
        stop=False,
    )
    rule(
        "Subject",
        position=2,
        editions=[],
        sections=[sport],
        subject="medtop:06000000",
        action=RuleAction.PUBLISH,
        stop=True,
    )
    rule(
        "Never",
        position=3,
        editions=[india],
        sections=[section],
        keywords="earthquake",
        action=RuleAction.PUBLISH,
    )
    item = make_item(subjects=(Subject("environment", "medtop:06000000"),))
    story = run(bare_source, item).story
    assert story is not None
    assert story.status == Status.PUBLISHED
    assert list(story.editions.all()) == [japan]
    assert story.primary_section == section
    assert set(story.sections.all()) == {section, sport}


def test_review_wins_when_matching_rules_disagree(
    bare_source: Source, make_item: ItemFactory, japan: Edition, section: Section
) -> None:
    rule(
        "A",
        position=1,
        editions=[japan],
        sections=[section],
        keywords="aomori",
        action=RuleAction.PUBLISH,
        stop=False,
    )
    rule(
        "B",
        position=2,
        editions=[],
        sections=[],
        keywords="tsunami",
        action=RuleAction.REVIEW,
    )
    assert run(bare_source, make_item()).story.status == Status.IN_REVIEW  # type: ignore[union-attr]


def test_keywords_match_whole_words_only(
    bare_source: Source, make_item: ItemFactory, japan: Edition, section: Section
) -> None:
    rule("Art", editions=[japan], sections=[section], keywords="art")
    wire = run(bare_source, make_item(headline="Party starts", body_html="<p>Go.</p>"))
    assert wire.story is None


def test_source_rule_applies_only_to_its_source(
    bare_source: Source, make_item: ItemFactory, japan: Edition, section: Section
) -> None:
    other = make_source("other")
    rule("Other only", editions=[japan], sections=[section], source=other)
    assert run(bare_source, make_item()).story is None
    assert run(
        other,
        make_item(
            "x2",
            headline="Unrelated harbour plan approved",
            body_html="<p>Council voted.</p>",
        ),
    ).story


def test_place_rule_matches_the_dateline_city(
    bare_source: Source,
    make_item: ItemFactory,
    japan: Edition,
    section: Section,
    tokyo: Place,
) -> None:
    rule(
        "Tokyo",
        editions=[japan],
        sections=[section],
        place=tokyo,
        action=RuleAction.PUBLISH,
    )
    assert run(bare_source, make_item()).story.status == Status.PUBLISHED  # type: ignore[union-attr]
    assert Story.objects.get().dateline_place == tokyo


def test_a_rule_needs_something_to_match(japan: Edition) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        RoutingRule(name="Everything").full_clean()
