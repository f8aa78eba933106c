"""Migration 0004: the story FK indexes that composite indexes cover are dropped."""

from collections.abc import Iterator

import pytest

from herald.core.tests.migrations import migrated_back, table_constraints
from herald.stories.models import Story

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("stories", "0003_sitemap_indexes")]


def _indexed_columns() -> list[list[str]]:
    constraints = table_constraints(Story._meta.db_table)
    return [
        list(c["columns"])
        for c in constraints.values()
        if c["index"] and not c["primary_key"] and not c["foreign_key"]
    ]


@pytest.fixture
def at_0003() -> Iterator[None]:
    with migrated_back(BEFORE):
        yield


def test_the_story_table_has_no_index_that_a_composite_one_leads_with() -> None:
    indexed = _indexed_columns()
    assert ["primary_section_id"] not in indexed
    assert ["origin_edition_id"] not in indexed
    leads = {tuple(columns[:1]) for columns in indexed if len(columns) > 1}
    assert {("primary_section_id",), ("origin_edition_id",)} <= leads


def test_the_migration_back_restores_the_one_column_indexes(at_0003: None) -> None:
    indexed = _indexed_columns()
    assert ["primary_section_id"] in indexed
    assert ["origin_edition_id"] in indexed
