"""Teasers are cut at a word boundary and end in '...'."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald.core.text import cut_at_word

TEXT = (
    "Officials in Tokyo said on Monday that the new harbour bridge would open in May."
)


def test_cut_falls_on_a_word_boundary() -> None:
    cut = cut_at_word(TEXT, 30)
    assert cut == "Officials in Tokyo said on..."
    assert len(cut) <= 30


def test_short_text_still_ends_in_ellipsis_without_double_punctuation() -> None:
    assert cut_at_word("The bridge opens.", 100) == "The bridge opens..."


def test_punctuation_before_the_cut_is_dropped() -> None:
    assert (
        cut_at_word("Tokyo, Osaka, and Kyoto, all three, agreed", 20)
        == "Tokyo, Osaka, and..."
    )


def test_single_long_word_is_cut_inside() -> None:
    assert cut_at_word("a" * 50, 10) == "a" * 7 + "..."


def test_whitespace_is_collapsed() -> None:
    assert cut_at_word("one\n\n  two\tthree", 100) == "one two three..."


def test_tiny_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        cut_at_word(TEXT, 3)


words = st.lists(
    st.text(alphabet="abcdefghij", min_size=1, max_size=12), min_size=1, max_size=40
)


@given(words, st.integers(min_value=4, max_value=200))
def test_cut_never_exceeds_the_limit_and_never_splits_a_word(
    parts: list[str], limit: int
) -> None:
    text = " ".join(parts)
    cut = cut_at_word(text, limit)
    assert len(cut) <= limit
    assert cut.endswith("...")
    if len(parts[0]) > limit - 3 and len(text) > limit - 3:
        # A first word longer than the room is cut inside the word.
        assert cut == parts[0][: limit - 3] + "..."
    else:
        kept = cut[:-3].split()
        assert kept == parts[: len(kept)]
