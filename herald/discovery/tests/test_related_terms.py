"""Stored term counts: written with the search entry, read by related stories only
while they are of the story's current version, tokenised from the text otherwise."""

import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from herald.accounts.models import User
from herald.discovery import related
from herald.discovery.models import StoryTerms
from herald.discovery.related import (
    _idf_cosine,
    _Terms,
    choose_related,
    decode_terms,
    encode_terms,
    story_terms,
)
from herald.discovery.search import get_backend
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

TYPHOON = (
    "<p>Typhoon Kirin is forecast to reach Okinawa on Thursday with winds of 180 km/h, "
    "the meteorological agency said, urging residents to prepare for flooding.</p>"
)
BUDGET = (
    "<p>The city council of Sapporo approved a budget for new snow ploughs and "
    "heated pavements after a long debate about winter costs.</p>"
)

# Stored terms that share three words with the typhoon story (not so many that it
# would count as the same news).
SHARED = encode_terms(Counter({"typhoon": 2, "kirin": 2, "okinawa": 1, "sapporo": 1}))


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Each test starts and ends with nothing tokenised in this process."""
    related._TERMS.clear()
    yield
    related._TERMS.clear()


def _index(*stories: Story) -> None:
    backend = get_backend()
    for story in stories:
        assert backend.index_story(Story.objects.get(pk=story.pk))


def _pair(make_story: StoryFactory) -> tuple[Story, Story]:
    """A typhoon story and a budget story that share no words."""
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON)
    budget = make_story(
        headline="Sapporo approves winter budget", body=BUDGET, ago=timedelta(hours=2)
    )
    return story, budget


def _by_words(story: Story, edition: Edition) -> list[int]:
    return [
        c.story.pk
        for c in choose_related(story, edition)
        if any(r.startswith("similar words:") for r in c.reasons)
    ]


def test_indexing_stores_the_terms_of_the_version_indexed(
    make_story: StoryFactory,
) -> None:
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON)
    _index(story)
    row = StoryTerms.objects.get(story=story)
    assert row.modified_at == story.modified_at
    stored = decode_terms(row.counts)
    assert stored == story_terms(story)
    # The order of first use is kept: scores are summed in it.
    assert list(stored) == list(story_terms(story))
    assert stored["typhoon"] == 3  # twice in the headline, once in the lead


def test_terms_round_trip_keeps_words_of_any_script_and_their_order() -> None:
    counts = story_terms(
        Story(headline="Ōsaka 東京都 café", standfirst="Ōsaka again", body="<p>x</p>")
    )
    assert list(decode_terms(encode_terms(counts)).items()) == list(counts.items())


def test_choices_read_the_stored_terms_of_candidates(
    make_story: StoryFactory, japan: Edition
) -> None:
    story, budget = _pair(make_story)
    _index(budget)
    assert budget.pk not in _by_words(story, japan)
    # Stored terms of the same version are what the candidate is scored by: with
    # three of the typhoon story's words stored for it, the budget story shares them.
    related._TERMS.clear()
    StoryTerms.objects.filter(story=budget).update(counts=SHARED)
    assert budget.pk in _by_words(story, japan)


def test_terms_stored_for_an_older_version_are_never_used(
    make_story: StoryFactory, japan: Edition, admin_user: User
) -> None:
    story, budget = _pair(make_story)
    _index(budget)
    StoryTerms.objects.filter(story=budget).update(counts=SHARED)
    # The story changes after it was indexed: its stored terms are of an older
    # version, so its text is tokenised again.
    actions.update_story(budget, by=admin_user, standfirst="Ploughs for Sapporo.")
    budget.refresh_from_db()
    assert StoryTerms.objects.get(story=budget).modified_at != budget.modified_at
    assert budget.pk not in _by_words(story, japan)


def test_a_candidate_without_stored_terms_is_tokenised_to_the_same_choices(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON)
    others = [
        make_story(
            headline=f"Typhoon Kirin update {n}",
            body=TYPHOON if n % 2 else BUDGET,
            ago=timedelta(hours=n + 1),
        )
        for n in range(6)
    ]

    def chosen() -> list[tuple[int, float, list[str]]]:
        related._TERMS.clear()
        return [(c.story.pk, c.score, c.reasons) for c in choose_related(story, japan)]

    from_text = chosen()
    _index(*others)
    assert StoryTerms.objects.count() == len(others)
    assert chosen() == from_text  # the same to the bit from stored terms
    StoryTerms.objects.filter(story__in=others[:3]).delete()  # rows of old entries
    assert chosen() == from_text


def test_rebuild_fills_terms_and_drops_those_of_unpublished_stories(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON)
    retracted = make_story(headline="Sapporo approves winter budget", body=BUDGET)
    _index(story, retracted)
    actions.retract_story(retracted, by=admin_user, note="Wrong figures.")
    StoryTerms.objects.filter(story=story).delete()
    call_command("rebuild_search_index", verbosity=0)
    row = StoryTerms.objects.get(story=story)
    assert row.modified_at == story.modified_at
    assert decode_terms(row.counts) == story_terms(story)
    assert not StoryTerms.objects.filter(story=retracted).exists()


def test_taking_a_story_out_of_the_index_drops_its_terms(
    make_story: StoryFactory,
) -> None:
    story = make_story(headline="Typhoon Kirin heads for Okinawa", body=TYPHOON)
    _index(story)
    get_backend().remove_story(story.pk)
    assert not StoryTerms.objects.filter(story=story).exists()


@pytest.mark.django_db(transaction=True)
def test_the_task_queue_keeps_stored_terms_in_step_with_each_change(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(
        publish=False, headline="Typhoon Kirin heads for Okinawa", body=TYPHOON
    )
    actions.publish_story(story, by=admin_user)
    call_command("worker", "--batch", verbosity=0)
    story.refresh_from_db()
    row = StoryTerms.objects.get(story=story)
    assert row.modified_at == story.modified_at
    assert "sapporo" not in decode_terms(row.counts)

    actions.update_story(story, by=admin_user, headline="Typhoon Kirin spares Sapporo")
    call_command("worker", "--batch", verbosity=0)
    story.refresh_from_db()
    row = StoryTerms.objects.get(story=story)
    assert row.modified_at == story.modified_at
    assert decode_terms(row.counts) == story_terms(story)
    assert decode_terms(row.counts)["sapporo"] == 2  # the headline counts twice


def _plain_idf_cosine(
    own: dict[str, float], text: _Terms, idf: dict[str, float]
) -> float:
    """The IDF cosine as first written, term by term in the candidate's order."""
    pairs = zip(text.words, text.weights, strict=True)
    weights = [w * idf[t] for t, w in pairs]
    norm = sum([w * w for w in weights])
    if not norm:
        return 0.0
    pairs = zip(text.words, weights, strict=True)
    return sum([own[t] * w for t, w in pairs if t in own]) / math.sqrt(norm)


def test_idf_cosine_is_to_the_bit_that_of_the_plain_sum_over_a_corpus() -> None:
    corpus = json.loads((Path(__file__).parent / "related_corpus.json").read_text())
    texts = [
        story_terms(Story(headline=s["headline"], standfirst=s["standfirst"],
                          body="".join(f"<p>{p}</p>" for p in s["body"])))
        for s in corpus["stories"]
    ] + [Counter()]  # fmt: skip
    terms = [_Terms.of(t) for t in texts]
    df = Counter(t for counts in texts for t in counts)
    idf = {t: math.log((len(texts) + 1) / (d + 0.5)) for t, d in df.items()}
    disjoint = 0
    for own in terms[:40]:
        own_vec = own.vector(idf)
        for cand in terms:
            fast = _idf_cosine(own_vec, cand, idf)
            assert fast.hex() == _plain_idf_cosine(own_vec, cand, idf).hex()
            disjoint += fast == 0.0
    assert disjoint > 100  # the shortcut for stories sharing no term is covered
