"""Turn what a reader typed into search terms that no backend can misread.

No user text ever reaches a full-text query language. The reader's text is cut to
`MAX_QUERY_LENGTH`, split into words (runs of letters and digits), "quoted phrases"
and words ending in `*` (prefixes of at least `MIN_PREFIX` letters); everything else
(operators, brackets, colons, quotes left open) is only a word separator. Each
backend then builds its own query from these terms, quoting every word.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
# Shorter prefixes match so many words that they cost much and find little.
MIN_PREFIX = 3

_WORD = re.compile(r"[^\W_]+")
_WORD_OR_PREFIX = re.compile(r"([^\W_]+)(\*?)")
# ASCII and typographic double quotes open and close phrases alike.
_QUOTE = re.compile(r"[\"“”„‟«»]")


@dataclass(frozen=True)
class Term:
    """One thing every result must contain: a word, a phrase, or a word's prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def folded(self) -> str:
        """The words as `word_pairs` splits and folds them, space-separated."""
        return " ".join(_WORD.findall(_fold(" ".join(self.words))))

    @property
    def pairs(self) -> tuple[str, ...]:
        """The word pairs a text holding this phrase holds (see `word_pairs`)."""
        return tuple(dict.fromkeys(_pairs_of(self.folded.split())))


# --- Word pairs -------------------------------------------------------------------
# Full-text indexes find a phrase of common words slowly: they read each word's
# positions in every story that holds it. So the index also keeps each text's
# adjacent word pairs (`harbour_bridge`), folded and split as the parser splits a
# query: a story holding a phrase holds all of its pairs, and a pair is rare, so
# the pairs find the few candidates on which the phrase itself is then checked.
PAIR_JOIN = "_"  # a separator to both parsers, so it cannot occur inside a word


def _fold(text: str) -> str:
    """Lower case without diacritics, as SQLite's unicode61 tokenizer folds."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _pairs_of(words: list[str]) -> Iterable[str]:
    return (f"{a}{PAIR_JOIN}{b}" for a, b in pairwise(words))


def phrase_pairs(terms: Iterable[Term]) -> tuple[str, ...]:
    """The pairs of every phrase among `terms`: all of them in each match."""
    return tuple(dict.fromkeys(pair for term in terms for pair in term.pairs))


def word_pairs(*texts: str) -> str:
    """The distinct adjacent word pairs of each text, space-separated; pairs never
    span two texts (a phrase never spans two columns)."""
    pairs: dict[str, None] = {}
    for text in texts:
        pairs.update(dict.fromkeys(_pairs_of(_WORD.findall(_fold(text)))))
    return " ".join(pairs)


def parse_query(text: str) -> tuple[Term, ...]:
    """The terms of `text`, in order, without repeats; empty when it has no words.

    Text inside double quotes is a phrase (a quote left open runs to the end). A word
    directly followed by `*` is a prefix when it is at least `MIN_PREFIX` letters long.
    """
    terms: list[Term] = []
    for index, part in enumerate(_QUOTE.split(text[:MAX_QUERY_LENGTH])):
        if index % 2:  # inside quotes
            words = tuple(w.lower() for w in _WORD.findall(part))
            if words:
                terms.append(Term(words))
            continue
        for match in _WORD_OR_PREFIX.finditer(part):
            word = match.group(1).lower()
            prefix = bool(match.group(2)) and len(word) >= MIN_PREFIX
            terms.append(Term((word,), prefix=prefix))
    unique = list(dict.fromkeys(terms))
    return tuple(unique[:MAX_TERMS])


def holds_phrase(text: str | None, folded: str) -> bool:
    """Whether `text` holds the words of `folded` (a `Term.folded`) in a row, as
    split and folded for the pairs. The pairs find every text holding the phrase;
    this rules out those holding its pairs apart, for phrases of three words or
    more."""
    if not text or not folded:
        return False
    return f" {folded} " in " " + " ".join(_WORD.findall(_fold(text))) + " "
