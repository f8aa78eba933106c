"""Search: ranked, highlighted, filtered, paginated, safe with any query, and never
showing what readers may not see, on SQLite (FTS5) and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import StoryFactory, make_edition
from herald.accounts.models import User
from herald.discovery.models import SearchEntry
from herald.discovery.search import SearchPage, SearchQuery, get_backend, parse_query
from herald.discovery.search.query import Term, holds_phrase, word_pairs
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import LocalVersion, Place, Section, Story

pytestmark = pytest.mark.django_db
JAPAN = "japan-herald.localhost"

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


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=JAPAN)


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


# --- Ranking --------------------------------------------------------------------------


def test_headline_match_ranks_above_body_match(
    make_story: StoryFactory, japan: Edition
) -> None:
    in_body = make_story(
        headline="Council meets on Monday",
        body="<p>The lighthouse on the point will be repainted, officials said.</p>",
    )
    in_headline = make_story(
        headline="Lighthouse to be repainted",
        body="<p>Work on the point starts next week, officials said.</p>",
        ago=timedelta(days=3),
    )
    index(in_body, in_headline)
    assert found_ids("lighthouse", japan) == [in_headline.pk, in_body.pk]


def test_a_phrase_in_the_headline_ranks_above_one_in_the_body(
    make_story: StoryFactory, japan: Edition
) -> None:
    in_body = make_story(
        headline="Traffic news",
        body="<p>Repairs to the harbour bridge start in May.</p>",
    )
    in_headline = make_story(
        headline="Harbour bridge to close for repairs",
        body="<p>Repairs start in May.</p>",
        ago=timedelta(days=3),
    )
    index(in_body, in_headline)
    assert found_ids('"harbour bridge"', japan) == [in_headline.pk, in_body.pk]


def test_newer_of_two_equally_relevant_stories_ranks_first(
    make_story: StoryFactory, japan: Edition
) -> None:
    text = {"headline": "Ferry timetable changes", "body": "<p>Ferries change.</p>"}
    older = make_story(ago=timedelta(days=20), **text)
    newer = make_story(ago=timedelta(hours=2), **text)
    index(older, newer)
    page = find("ferry", japan)
    assert [h.story_id for h in page.hits] == [newer.pk, older.pk]
    assert page.hits[0].score > page.hits[1].score


def test_prefixes_phrases_and_words_find_what_they_say(
    make_story: StoryFactory, japan: Edition, tokyo: Place
) -> None:
    council = make_story(
        headline="City council approves harbour budget",
        body="<p>The city council voted for new harbours.</p>",
    )
    other = make_story(
        headline="Budget for the city",
        body="<p>The council of the region met in the old city hall.</p>",
    )
    mumbai = make_story(headline="Mumbai museum opens", dateline_city="Mumbai")
    index(council, other, mumbai)
    assert found_ids("harbours", japan) == [council.pk]  # words are not stemmed
    assert found_ids("harb*", japan) == [council.pk]
    assert found_ids("mus*", japan) == [mumbai.pk]  # a prefix is not stemmed either
    assert set(found_ids("council city", japan)) == {council.pk, other.pk}
    assert found_ids('"city council"', japan) == [council.pk]
    assert found_ids("council tokyo", japan)  # the dateline is searched too
    assert found_ids("council volcano", japan) == []  # every word must match


def test_a_phrase_matches_only_its_words_in_a_row_within_one_text(
    make_story: StoryFactory, japan: Edition
) -> None:
    # Each story holds both word pairs of "new harbour bridge", but only the first
    # holds the phrase: a phrase is never found from its pairs alone.
    whole = make_story(
        headline="Ferry news",
        body="<p>Work on the new, harbour bridge starts in May.</p>",
    )
    apart = make_story(
        headline="Ferry news",
        body="<p>A new harbour opens. The harbour bridge closes.</p>",
    )
    across = make_story(
        headline="The plan for a new",
        standfirst="Harbour bridge plans",
        body="<p>Nothing here.</p>",
    )
    index(whole, apart, across)
    assert found_ids('"new harbour bridge"', japan) == [whole.pk]
    assert set(found_ids('"harbour bridge"', japan)) == {whole.pk, apart.pk, across.pk}
    assert set(found_ids('"new harbour"', japan)) == {apart.pk, whole.pk}
    assert found_ids('"new harbour bridge" ferry', japan) == [whole.pk]
    assert found_ids('"new harbour bridge" volcano', japan) == []
    # Its snippet marks the phrase's words.
    snippet = find('"new harbour bridge"', japan).hits[0].snippet_html
    assert "<mark>harbour</mark>" in snippet


def test_a_phrase_is_found_whatever_the_case_and_accents_of_the_query(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(
        headline="Zürich Harbour bridge reopens",
        body="<p>The café owners of Zürich were glad.</p>",
    )
    index(story)
    assert found_ids('"ZÜRICH harbour bridge"', japan) == [story.pk]
    assert found_ids('"café owners of zürich"', japan) == [story.pk]


def test_word_pairs_fold_case_and_accents_and_never_span_two_texts() -> None:
    assert word_pairs("Zürich Harbour-bridge", "Closes today") == (
        "zurich_harbour harbour_bridge closes_today"
    )
    assert Term(("new", "harbour", "bridge")).pairs == ("new_harbour", "harbour_bridge")
    assert holds_phrase("A new, Harbour bridge.", "new harbour bridge")
    assert not holds_phrase("A new harbour. The harbour bridge.", "new harbour bridge")


# --- Snippets -------------------------------------------------------------------------


def test_snippets_mark_matches_and_escape_story_text(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story(
        headline="<script>alert(1)</script> Harbour plan",
        body="<p>Residents said the harbour &lt;img src=x onerror=alert(2)&gt; plan "
        "would \ue000change\ue001 the waterfront for good.</p>",
    )
    index(story)
    body = client.get("/search/?q=harbour").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Harbour</mark> plan" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(2)&gt;" in body
    assert "the <mark>harbour</mark> &lt;img" in body
    assert "<mark>change</mark>" not in body  # story text cannot forge a mark
    assert '<span class="dateline">TOKYO, Japan:</span>' in body


def test_paragraphs_stay_separate_words_in_snippets(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(
        headline="Port report",
        body="<p>Trade rose by half.</p><p>Shipping grew too.</p>",
    )
    index(story)
    assert found_ids("halfshipping", japan) == []
    hit = find("shipping", japan).hits[0]
    assert "half. <mark>Shipping</mark> grew" in hit.snippet_html


def test_snippet_falls_back_to_the_lead_when_only_the_headline_matches(
    client: Client, make_story: StoryFactory
) -> None:
    story = make_story(
        headline="Volcano alert raised", body="<p>Officials told residents to wait.</p>"
    )
    index(story)
    hit = find("volcano", story.origin_edition).hits[0]
    assert "Officials told residents to wait." in hit.snippet_html
    assert "<mark>Volcano</mark>" in hit.headline_html


def test_results_show_time_provenance_and_release_label(
    client: Client, make_story: StoryFactory
) -> None:
    release = make_story(headline="Bakery opens second shop", provenance="release")
    wire = make_story(headline="Bakery chain grows", provenance="wire", agency="Kyodo")
    Story.objects.filter(pk=release.pk).update(
        published_at=datetime(2025, 4, 4, 16, 0, tzinfo=UTC)
    )
    index(release, wire)
    body = client.get("/search/?q=bakery").content.decode()
    assert '<span class="label label--release">News release</span>' in body
    assert "Wire: Kyodo" in body
    assert "05 Apr 2025, 01:00 GMT+9" in body
    assert f'href="{release.get_absolute_url()}"' in body
    assert "2 stories found" in body


def test_an_editions_local_headline_is_shown(
    client: Client, make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Harbour plan approved")
    LocalVersion.objects.create(story=story, edition=japan, headline="Port plan: yes")
    index(story)
    body = client.get("/search/?q=harbour").content.decode()
    assert "Port plan: yes" in body


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


# --- What readers may not see ---------------------------------------------------------


def test_embargoed_and_retracted_stories_are_never_found(
    make_story: StoryFactory, japan: Edition, admin_user: User
) -> None:
    visible = make_story(headline="Harvest festival begins")
    embargoed = make_story(
        headline="Harvest figures under embargo",
        embargo_until=timezone.now() + timedelta(hours=2),
    )
    retracted = make_story(headline="Harvest story retracted")
    index(visible, embargoed, retracted)
    actions.retract_story(retracted, by=admin_user, note="Wrong figures.")
    # Whatever the index holds, the reader's query checks the story row.
    index(retracted)
    assert found_ids("harvest", japan) == [visible.pk]
    get_backend().rebuild()
    assert found_ids("harvest", japan) == [visible.pk]
    assert not SearchEntry.objects.filter(story=retracted).exists()
    # The embargo lifts: the story is found with no change to the index.
    later = timezone.now() + timedelta(hours=3)
    assert set(found_ids("harvest", japan, now=later)) == {visible.pk, embargoed.pk}


def test_a_stale_entry_of_a_retracted_story_is_still_hidden(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Harvest story retracted")
    index(story)
    Story.objects.filter(pk=story.pk).update(status="retracted")  # no signal
    assert found_ids("harvest", japan) == []


def test_drafts_and_scheduled_stories_are_not_indexed(
    make_story: StoryFactory, admin_user: User
) -> None:
    draft = make_story(headline="Harvest draft", publish=False)
    scheduled = make_story(headline="Harvest scheduled", publish=False)
    actions.schedule_story(
        scheduled, by=admin_user, at=timezone.now() + timedelta(hours=1)
    )
    assert get_backend().index_story(draft) is False
    assert get_backend().index_story(scheduled) is False
    get_backend().rebuild()
    assert not SearchEntry.objects.exists()


def test_a_story_on_three_editions_is_found_once_on_each_and_not_elsewhere(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    gulf = make_edition("gulf-herald", "Gulf Herald", "Asia/Dubai")
    canada = make_edition("canada-herald", "Canada Herald", "America/Toronto")
    story = make_story(headline="Trade summit opens", editions=[japan, india, gulf])
    index(story)
    for edition in (japan, india, gulf):
        assert found_ids("trade summit", edition) == [story.pk]
        page = Client(HTTP_HOST=f"{edition.slug}.localhost").get("/search/?q=trade")
        assert page.content.decode().count(f'href="{story.get_absolute_url()}"') == 1
    assert found_ids("trade summit", canada) == []


def test_unknown_host_answers_404(japan: Edition) -> None:
    assert Client(HTTP_HOST="nowhere.localhost").get("/search/?q=x").status_code == 404


def test_search_page_is_public_and_cacheable(client: Client, japan: Edition) -> None:
    response = client.get("/search/?q=harbour")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and not response.cookies
    assert (
        client.get(
            "/search/?q=harbour", HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, follow">' in body
    assert "<fieldset" in body and "<legend>Filter results</legend>" in body
    for name in ("search-q", "id_section", "id_place", "id_provenance", "id_from"):
        assert f'for="{name}"' in body and f'id="{name}"' in body


# --- Keeping the index up to date -----------------------------------------------------


def test_rebuild_command_indexes_existing_stories_and_is_idempotent(
    make_story: StoryFactory, japan: Edition, capsys: Any
) -> None:
    stories = [make_story(headline=f"Marathon route {i}") for i in range(3)]
    draft = make_story(headline="Marathon draft", publish=False)
    SearchEntry.objects.create(
        story=draft, headline="Marathon stale", public_at=timezone.now()
    )
    assert found_ids("marathon", japan) == []
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "3 stories indexed, 1 entries removed" in out
    assert set(found_ids("marathon", japan)) == {s.pk for s in stories}
    call_command("rebuild_search_index")
    assert "3 stories indexed, 0 entries removed" in capsys.readouterr().out
    assert sorted(found_ids("marathon", japan)) == sorted(s.pk for s in stories)
    assert SearchEntry.objects.count() == 3


def test_deleting_a_story_removes_its_entry(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Marathon route")
    index(story)
    Story.objects.filter(pk=story.pk).delete()
    assert not SearchEntry.objects.exists()
    index(make_story(headline="Marathon again"))
    assert len(found_ids("marathon", japan)) == 1


@pytest.mark.django_db(transaction=True)
def test_publishing_correcting_and_retracting_update_the_index_through_the_queue(
    make_story: StoryFactory, japan: Edition, admin_user: User
) -> None:
    story = make_story(headline="Glacier survey published", publish=False)
    actions.publish_story(story, by=admin_user)
    assert found_ids("glacier", japan) == []  # not until the worker runs
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("glacier", japan) == [story.pk]
    actions.update_story(
        story, by=admin_user, body="<p>The survey found the ice sheet thinning.</p>"
    )
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("ice sheet", japan) == [story.pk]
    actions.add_correction(story, by=admin_user, text="The survey began in May.")
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("glacier", japan) == [story.pk]
    actions.retract_story(story, by=admin_user, note="The survey was not real.")
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("glacier", japan) == []
    assert not SearchEntry.objects.filter(story=story).exists()
    call_command("worker", "--batch", verbosity=0)  # running again changes nothing
    assert not SearchEntry.objects.exists()
