"""Search requests: filters, pagination, and any query answered safely."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herald.discovery.search import SearchQuery, get_backend, parse_query
from herald.discovery.search.query import Term
from herald.discovery.tests.search_support import found_ids, index, link
from herald.editions.models import Edition
from herald.stories.models import Place, Section, Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    '""',
    '"unclosed',
    "*",
    "a*",
    "-",
    "NOT",
    "AND OR",
    "(",
    ")",
    ":",
    "^",
    "col:term",
    "headline:harbour",
    "NEAR(a b)",
    "NEAR(harbour plan, 2)",
    "harbour AND",
    "OR harbour",
    "{headline}: harbour",
    "harbour*",
    "*harbour",
    "h*",
    '"harbour plan"*',
    "'",
    "\\",
    "%",
    "_",
    "🦀🚢 harbour 🌊",
    "x" * 500,
    "harbour " * 80,
    "'; DROP TABLE stories_story; --",
    "1; SELECT * FROM sqlite_master",
    "«»„“”‘’—–…·¿¡",
    "港湾 計画",
    "\u0000",
    "\ue000harbour\ue001",
    "\u0301\u200b",
]


# --- Filters --------------------------------------------------------------------------


@pytest.fixture
def filtered(
    make_story: StoryFactory, section: Section, tokyo: Place
) -> dict[str, Story]:
    sport = Section.objects.create(name="Sport", slug="sport")
    osaka = Place.objects.create(
        name="Osaka", slug="osaka-japan", country="Japan", country_code="JP"
    )
    stories = {
        "world": make_story(headline="Typhoon world news"),
        "sport": make_story(headline="Typhoon stops the match", primary_section=sport),
        "osaka": make_story(
            headline="Typhoon reaches Osaka",
            dateline_place=osaka,
            dateline_city="Osaka",
        ),
        "wire": make_story(headline="Typhoon wire copy", provenance="wire"),
        "release": make_story(headline="Typhoon relief drive", provenance="release"),
    }
    Story.objects.filter(pk=stories["world"].pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC)  # 5 April in Tokyo
    )
    Story.objects.filter(pk=stories["sport"].pk).update(
        published_at=datetime(2025, 4, 5, 15, 30, tzinfo=UTC)  # 6 April, 00:30
    )
    index(*stories.values())
    return stories


def _headlines(client: Client, query: str) -> list[str]:
    response = client.get("/search/?q=typhoon&" + query)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    return [h for h in FILTER_HEADLINES if h in body]


FILTER_HEADLINES = [
    "<mark>Typhoon</mark> world news",
    "<mark>Typhoon</mark> stops the match",
    "<mark>Typhoon</mark> reaches Osaka",
    "<mark>Typhoon</mark> wire copy",
    "<mark>Typhoon</mark> relief drive",
]


def test_every_filter_narrows_the_results(
    client: Client, filtered: dict[str, Story]
) -> None:
    world, sport, osaka, wire, release = FILTER_HEADLINES
    assert len(_headlines(client, "")) == 5
    assert _headlines(client, "section=sport") == [sport]
    assert _headlines(client, "place=osaka-japan") == [osaka]
    assert set(_headlines(client, "place=tokyo-japan")) == {world, sport, wire, release}
    assert _headlines(client, "provenance=wire") == [wire]
    assert _headlines(client, "provenance=release") == [release]
    # Dates are the edition's local days, both ends included.
    assert _headlines(client, "from=2025-04-05&to=2025-04-05") == [world]
    assert _headlines(client, "from=2025-04-06&to=2025-04-06") == [sport]
    assert _headlines(client, "to=2025-04-04") == []
    assert len(_headlines(client, "from=2025-04-06")) == 4
    assert _headlines(client, "section=world&to=2025-04-06") == [world]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("section=nowhere", "Choose a section from the list."),
        ("place=atlantis", "Choose a place from the list."),
        ("provenance=rumour", "Choose a source from the list."),
        ("from=yesterday", "Enter a date such as 2025-04-30."),
        ("to=2025-13-45", "Enter a date such as 2025-04-30."),
        ("from=0001-01-01", "Choose a date from 1800 to 2200."),
        ("from=2025-05-02&to=2025-05-01", "The start date is after the end date."),
        ("page=abc", "The page number is not valid."),
        ("page=0", "The page number is not valid."),
        ("page=-3", "The page number is not valid."),
    ],
)
def test_a_bad_filter_or_page_is_a_400_with_a_clear_message(
    client: Client, japan: Edition, section: Section, query: str, message: str
) -> None:
    response = client.get("/search/?q=typhoon&" + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'role="alert"' in body
    assert 'for="search-q"' in body  # the form is there to fix it


# --- Pagination -----------------------------------------------------------------------


def test_results_are_paginated_by_page_number(
    client: Client, make_story: StoryFactory, settings: Any
) -> None:
    settings.HERALD_SEARCH_PAGE_SIZE = 2
    stories = [
        make_story(headline=f"Festival day {i}", ago=timedelta(hours=i))
        for i in range(5)
    ]
    index(*stories)
    first = client.get("/search/?q=festival").content.decode()
    assert "5 stories found" in first and "page 1 of 3" in first
    assert link(stories[0]) in first and link(stories[2]) not in first
    assert 'rel="next" href="?q=festival&amp;page=2"' in first
    third = client.get("/search/?q=festival&page=3").content.decode()
    assert link(stories[4]) in third and link(stories[0]) not in third
    assert '<ol class="results" start="5">' in third
    assert 'rel="prev" href="?q=festival&amp;page=2"' in third
    pages = [
        client.get(f"/search/?q=festival&page={n}").content.decode() for n in (1, 2, 3)
    ]
    for story in stories:
        assert sum(page.count(link(story)) for page in pages) == 1


@pytest.mark.parametrize("page", ["4", "99", "1" + "0" * 30])
def test_a_page_past_the_last_says_where_results_end(
    client: Client, make_story: StoryFactory, settings: Any, page: str
) -> None:
    settings.HERALD_SEARCH_PAGE_SIZE = 2
    index(*[make_story(headline=f"Festival day {i}") for i in range(5)])
    response = client.get(f"/search/?q=festival&page={page}")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"There is no page {page}: the results end on page 3." in body
    assert 'href="?q=festival&amp;page=3"' in body


# --- Hostile queries ------------------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE)
def test_any_query_answers_200(
    client: Client, make_story: StoryFactory, query: str
) -> None:
    index(make_story(headline="Harbour plan approved"))
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_queries_never_reach_the_query_language(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Harbour plan approved", body="<p>Not the port.</p>")
    index(story)
    assert found_ids("harbour OR volcano", japan) == []  # OR is no operator
    assert found_ids("headline:harbour", japan) == []  # no column "headline" word
    assert found_ids("NEAR(harbour plan)", japan) == []  # "near" is a word
    assert found_ids('"harbour plan', japan) == [story.pk]  # unclosed quote
    assert found_ids("plan -port", japan) == [story.pk]  # "-" is not NOT
    assert Story.objects.filter(pk=story.pk).exists()
    assert found_ids("'; DROP TABLE stories_story; --", japan) == []


def test_an_empty_or_wordless_query_asks_for_words(
    client: Client, japan: Edition
) -> None:
    empty = client.get("/search/").content.decode()
    assert "Type a word or two above to search the stories of Japan Herald." in empty
    wordless = client.get("/search/", {"q": "*** ?!"}).content.decode()
    assert "has no words to search for" in wordless


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=100))
def test_arbitrary_text_never_raises(japan: Edition, text: str) -> None:
    page = get_backend().search(SearchQuery(text=text, edition_id=japan.pk))
    assert page.hits == [] and page.total == 0


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=100))
def test_arbitrary_text_never_raises_over_stories(
    searchable: Edition, text: str
) -> None:
    page = get_backend().search(SearchQuery(text=text, edition_id=searchable.pk))
    assert page.total == len(page.hits) <= 3


@pytest.fixture
def searchable(make_story: StoryFactory, japan: Edition) -> Edition:
    index(
        make_story(headline="Harbour plan: the council says “yes” (at last)"),
        make_story(headline="Ünïcödé naïve café in Ōsaka", body="<p>港湾 計画</p>"),
        make_story(headline="Rates AND NOT OR NEAR prices", body="<p>a* b- c^</p>"),
    )
    return japan


def test_parsing_keeps_only_words_phrases_and_prefixes() -> None:
    assert parse_query('harb* "city council" -port NEAR(a b) x*') == (
        Term(("harb",), prefix=True),
        Term(("city", "council")),
        Term(("port",)),
        Term(("near",)),
        Term(("a",)),
        Term(("b",)),
        Term(("x",)),
    )
    assert parse_query('"unclosed phrase here') == (
        Term(("unclosed", "phrase", "here")),
    )
    assert parse_query("***") == ()
    assert parse_query("a " * 50) == (Term(("a",)),)
    assert len(parse_query(" ".join(f"w{i}" for i in range(50)))) == 10
