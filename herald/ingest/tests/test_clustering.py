"""The duplicate threshold against the labelled pairs, and the persisted LSH index."""

from collections import Counter

import pytest
from django.conf import settings

from herald.ingest import clustering
from herald.ingest.tests.duplicate_pairs import PAIRS


def test_labelled_set_has_forty_pairs_of_every_kind() -> None:
    kinds = Counter(p.kind for p in PAIRS)
    assert len(PAIRS) >= 40
    assert set(kinds) == {"rewrite", "update", "names", "topic"}
    assert kinds["topic"] >= 15


def test_threshold_separates_duplicates_from_same_topic_stories() -> None:
    threshold = settings.HERALD_INGEST_DUPLICATE_THRESHOLD
    tp = fp = fn = 0
    missed = []
    for pair in PAIRS:
        score = clustering.similarity(
            clustering.signature(pair.a), clustering.signature(pair.b)
        )
        said = score >= threshold
        tp += said and pair.duplicate
        fp += said and not pair.duplicate
        fn += (not said) and pair.duplicate
        if said != pair.duplicate:
            missed.append((pair.kind, round(score, 3), pair.a[:40]))
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(f"threshold {threshold}: precision {precision:.3f}, recall {recall:.3f}")
    print("wrong:", missed)
    # Honest floors: the set is small; today both are 1.0 at 0.2 (see CONTEXT.md).
    assert precision >= 0.9
    assert recall >= 0.9


def test_duplicates_share_an_lsh_bucket() -> None:
    shared = 0
    duplicates = [p for p in PAIRS if p.duplicate]
    for pair in duplicates:
        a = set(clustering.buckets(clustering.signature(pair.a)))
        b = set(clustering.buckets(clustering.signature(pair.b)))
        shared += bool(a & b)
    assert shared == len(duplicates)


@pytest.mark.parametrize("text", ["", "   ", "the and of"])
def test_text_without_words_matches_nothing(text: str) -> None:
    sig = clustering.signature(text)
    assert clustering.buckets(sig) == []
    assert clustering.similarity(sig, sig) == 0.0


def test_normalizing_folds_accents_case_and_common_words() -> None:
    assert clustering.normalize("The Café in SÃO Paulo, said officials.") == [
        "cafe",
        "sao",
        "paulo",
        "officials",
    ]


def test_signature_survives_the_database_round_trip() -> None:
    sig = clustering.signature("Typhoon Shanshan makes landfall in Kyushu")
    assert (clustering.from_bytes(clustering.to_bytes(sig)) == sig).all()
