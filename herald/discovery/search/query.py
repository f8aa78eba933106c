"""Turn what a reader typed into search terms that no backend can misread.

No user text ever reaches a full-text query language. The reader's text is cut to
`MAX_QUERY_LENGTH`, split into words (runs of letters and digits), "quoted phrases"
and words ending in `*` (prefixes of at least `MIN_PREFIX` letters); everything else
(operators, brackets, colons, quotes left open) is only a word separator. Each
backend then builds its own query from these terms, quoting every word.
"""

import re
from dataclasses import dataclass

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
