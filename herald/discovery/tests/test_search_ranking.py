"""Search: ranking, phrases and snippets, on SQLite (FTS5) and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from herald.discovery.search.query import Term, holds_phrase, word_pairs
from herald.discovery.tests.search_support import find, found_ids, index
from herald.editions.models import Edition
from herald.stories.models import LocalVersion, Place, Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


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
