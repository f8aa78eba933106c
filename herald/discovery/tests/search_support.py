"""What the search tests share: indexing stories, searching, reading the results."""

from __future__ import annotations

from typing import Any

from herald.discovery.search import SearchPage, SearchQuery, get_backend
from herald.editions.models import Edition
from herald.stories.models import Story

JAPAN = "japan-herald.localhost"


def index(*stories: Story) -> None:
    backend = get_backend()
    for story in stories:
        story.refresh_from_db()
        backend.index_story(story)


def find(text: str, edition: Edition, **filters: Any) -> SearchPage:
    return get_backend().search(
        SearchQuery(text=text, edition_id=edition.pk, **filters)
    )


def link(story: Story) -> str:
    return f'href="{story.get_absolute_url()}"'


def found_ids(text: str, edition: Edition, **filters: Any) -> list[int]:
    return [hit.story_id for hit in find(text, edition, **filters).hits]
