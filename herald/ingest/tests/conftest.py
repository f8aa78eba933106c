"""Fixtures for ingest tests: sources with defaults, and a parsed-item builder."""

import pytest

from herald.editions.models import Edition
from herald.ingest.models import Source
from herald.ingest.tests.factories import ItemFactory, make_item, make_source
from herald.stories.models import Section, Tag


@pytest.fixture
def wire_source(japan: Edition, section: Section) -> Source:
    source = make_source("mpa")
    source.default_editions.set([japan])
    source.default_sections.set([section])
    source.default_tags.set([Tag.objects.create(name="Wire", slug="wire")])
    return source


@pytest.fixture
def other_source(japan: Edition, section: Section) -> Source:
    source = make_source(
        "kpa", agency="Kestrel Press", credit_format="({agency})", auto_publish=True
    )
    source.default_editions.set([japan])
    source.default_sections.set([section])
    return source


@pytest.fixture(name="make_item")
def make_item_fixture() -> ItemFactory:
    return make_item
