"""Near-duplicate detection: MinHash over word shingles, LSH bands in the database.

An item's text (headline, standfirst, body) is normalized (accents folded, case
folded, punctuation and common words dropped) and cut into overlapping word
shingles. Its MinHash signature is split into bands; each band hashes to a bucket
stored in `LSHBand`. Items sharing any bucket are candidates, and a candidate counts
as a duplicate when the signatures estimate a Jaccard similarity at or above
`HERALD_INGEST_DUPLICATE_THRESHOLD`. The threshold was chosen on the labelled pairs
in `herald/ingest/tests/duplicate_pairs.py` (see CONTEXT.md).
"""

import hashlib
import re
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from herald.core.sanitize import html_to_text

NUM_PERM = 128
# 64 bands of 2 rows: a pair at Jaccard 0.2 shares a bucket with probability 0.93,
# at 0.3 with 0.998, so candidates cover every pair near the threshold and the
# exact estimate from the signatures decides.
BANDS = 64
ROWS = NUM_PERM // BANDS
SHINGLE = 2
SEED = 1

_COMMON = """
    a an and are as at be been but by for from had has have he her his i in into is
    it its of on or over said says she that the their them they this to was were will
    with after before about also than then there these those which who would could
    up out new not no we our you your more most one two three
"""
STOPWORDS = frozenset(_COMMON.split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalize(text: str) -> list[str]:
    """Words of `text` without accents, case, punctuation or common words."""
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    plain = folded
    return [w for w in _WORD.findall(plain) if w not in STOPWORDS]


def shingles(words: list[str], size: int = SHINGLE) -> set[bytes]:
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {
        " ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)
    }


def item_text(headline: str, standfirst: str, body_html: str) -> str:
    return f"{headline}\n{standfirst}\n{html_to_text(body_html)}"


def _sha1_32(data: bytes) -> int:
    """datasketch's default hash (sha1_hash32), the same values, a little faster:
    stored signatures and LSH bands stay valid."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")  # noqa: S324 - not for security


# Making the permutations is the costly part of a MinHash; copies share them.
_PROTOTYPE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_sha1_32)


def signature(text: str) -> np.ndarray:
    """The MinHash signature (NUM_PERM unsigned 32-bit values) of `text`."""
    minhash = _PROTOTYPE.copy()
    parts = list(shingles(normalize(text), SHINGLE))
    if parts:
        minhash.update_batch(parts)
    return np.asarray(minhash.hashvalues, dtype="<u4")


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<u4")


def is_empty(sig: np.ndarray) -> bool:
    """No words to compare: such an item never joins a cluster."""
    return bool(np.all(sig == EMPTY))


EMPTY = np.uint32(0xFFFFFFFF)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    if is_empty(a) or is_empty(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / NUM_PERM


def buckets(sig: np.ndarray) -> list[int]:
    """One signed 64-bit bucket per band; the band number is part of the hash."""
    if is_empty(sig):
        return []
    values = sig.astype("<u4")
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(
            struct.pack("<H", band) + chunk, digest_size=8
        ).digest()
        out.append(struct.unpack("<q", digest)[0])
    return out


@dataclass(frozen=True)
class Match:
    item_id: int
    cluster_id: int | None
    similarity: float


def best_match(
    sig: np.ndarray,
    candidates: Iterable[tuple[int, int | None, bytes]],
    threshold: float,
) -> Match | None:
    """The most similar candidate at or above `threshold`, ties to the oldest."""
    rows = list(candidates)
    if not rows:
        return None
    # All candidates at once: one comparison of the signatures as a matrix.
    matrix = np.frombuffer(b"".join(bytes(data) for _, _, data in rows), dtype="<u4")
    matrix = matrix.reshape(len(rows), NUM_PERM)
    scores = np.count_nonzero(matrix == sig, axis=1) / NUM_PERM
    empty = np.all(matrix == EMPTY, axis=1) | is_empty(sig)
    best: Match | None = None
    for (item_id, cluster_id, _), raw_score, blank in zip(
        rows, scores.tolist(), empty.tolist(), strict=True
    ):
        score = 0.0 if blank else float(raw_score)
        if score < threshold:
            continue
        if (
            best is None
            or score > best.similarity
            or (score == best.similarity and item_id < best.item_id)
        ):
            best = Match(item_id, cluster_id, score)
    return best
