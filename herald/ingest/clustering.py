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
from typing import Any

import numpy as np
from datasketch import MinHash
from django.db import connection

from herald.core.inserts import execute
from herald.core.sanitize import html_to_text
from herald.ingest.models import Cluster, LSHBand, WireItem

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


# The permutations (a, b) of datasketch's MinHash for this seed (its default
# "affine32" scheme): making them is the costly part of a MinHash, so once.
_PROTOTYPE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_sha1_32)
_A, _B = (np.asarray(values, dtype=np.uint32) for values in _PROTOTYPE.permutations)
# datasketch's pre-mix of each hash (the MurmurHash3 32-bit finalizer).
_FMIX = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))


def signature(text: str) -> np.ndarray:
    """The MinHash signature (NUM_PERM unsigned 32-bit values) of `text`.

    The values of datasketch's MinHash.update_batch (affine32 scheme, sha1_hash32)
    over the shingles, computed with the shingles' hashes read as one array
    instead of one Python int each; a test compares the two value for value."""
    parts = shingles(normalize(text), SHINGLE)
    if not parts:
        return np.full(NUM_PERM, EMPTY, dtype="<u4")
    sha1 = hashlib.sha1
    digests = b"".join([sha1(part).digest()[:4] for part in parts])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint32).reshape(-1, 1)
    s1, m1, s2, m2, s3 = _FMIX
    hashes = hashes ^ (hashes >> s1)
    hashes = hashes * m1
    hashes = hashes ^ (hashes >> s2)
    hashes = hashes * m2
    hashes = hashes ^ (hashes >> s3)
    return (hashes * _A + _B).min(axis=0).astype("<u4")


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


# Each band's hash input opens with its number.
_BAND_PREFIXES = [struct.pack("<H", band) for band in range(BANDS)]
_BAND_BYTES = ROWS * 4


def buckets(sig: np.ndarray) -> list[int]:
    """One signed 64-bit bucket per band; the band number is part of the hash."""
    if is_empty(sig):
        return []
    values = sig.astype("<u4").tobytes()
    blake2b, size = hashlib.blake2b, _BAND_BYTES
    digests = b"".join(
        [
            blake2b(
                prefix + values[band * size : (band + 1) * size], digest_size=8
            ).digest()
            for band, prefix in enumerate(_BAND_PREFIXES)
        ]
    )
    return np.frombuffer(digests, dtype="<i8").tolist()


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
    # All candidates at once: one comparison of the signatures as a matrix, and
    # only those at or above the threshold looked at one by one.
    matrix = np.frombuffer(b"".join(bytes(data) for _, _, data in rows), dtype="<u4")
    matrix = matrix.reshape(len(rows), NUM_PERM)
    scores = np.count_nonzero(matrix == sig, axis=1) / NUM_PERM
    if is_empty(sig):
        scores[:] = 0.0
    else:
        scores[np.all(matrix == EMPTY, axis=1)] = 0.0
    kept = np.flatnonzero(scores >= threshold).tolist()
    if not kept:
        return None
    top = max(float(scores[i]) for i in kept)
    index = min((i for i in kept if scores[i] == top), key=lambda i: rows[i][0])
    item_id, cluster_id, _ = rows[index]
    return Match(item_id, cluster_id, top)


# --- the LSH index in the database -------------------------------------------------
def index(
    wire: WireItem, buckets: list[int], *, stored: list[int] | None = None
) -> None:
    """Store the item's LSH buckets in one executemany (building 64 model instances
    per item was the largest cost of ingest), each bucket once: the table is keyed
    by (bucket, item). `stored` is what the item's previous signature put there:
    only the buckets that changed are then deleted and inserted."""
    table = connection.ops.quote_name(LSHBand._meta.db_table)
    new = dict.fromkeys(buckets)  # in band order, each bucket once
    added = list(new)
    if stored is not None:
        old = set(stored)
        gone = [bucket for bucket in dict.fromkeys(stored) if bucket not in new]
        added = [bucket for bucket in added if bucket not in old]
        if gone:
            marks = ", ".join(["%s"] * len(gone))
            execute(
                f"DELETE FROM {table} WHERE item_id = %s "  # noqa: S608 - fixed names
                f"AND bucket IN ({marks})",
                [wire.pk, *gone],
            )
    if added:
        execute(
            f"INSERT INTO {table} (bucket, item_id) VALUES (%s, %s)",  # noqa: S608 - fixed names
            [(bucket, wire.pk) for bucket in added],
            many=True,
        )


def find_cluster(
    buckets: list[int], sig: Any, *, threshold: float, exclude: int | None = None
) -> tuple[Match | None, dict[int, bytes], dict[int, int | None]]:
    """The best candidate sharing an LSH bucket, in one query; with the candidates'
    signatures by id (the cluster lead is often among them)."""
    if not buckets:
        return None, {}, {}
    # Raw SQL: this runs once per new item, and building the ORM query cost more
    # than running it. The bucket index finds the candidates.
    item, band, cluster = (
        connection.ops.quote_name(m._meta.db_table)
        for m in (WireItem, LSHBand, Cluster)
    )
    marks = ", ".join(["%s"] * len(buckets))
    sql = (
        f"SELECT w.id, w.cluster_id, w.signature, c.lead_id FROM {item} w "  # noqa: S608 - fixed names
        f"JOIN {cluster} c ON c.id = w.cluster_id "
        f"WHERE w.id IN (SELECT b.item_id FROM {band} b WHERE b.bucket IN ({marks})) "
        "AND w.id <> %s"
    )
    rows = execute(sql, [*buckets, exclude or 0]).fetchall()
    signatures = {pk: bytes(data) for pk, _, data, _ in rows}
    leads: dict[int, int | None] = {cluster: lead for _, cluster, _, lead in rows}
    match = best_match(
        sig, ((pk, cluster, data) for pk, cluster, data, _ in rows), threshold
    )
    return match, signatures, leads


def similarity_to_lead(
    lead_id: int | None, sig: Any, known: dict[int, bytes] | None = None
) -> float:
    if lead_id is None:
        return 0.0
    data = (known or {}).get(lead_id)
    if data is None:
        row = WireItem.objects.filter(pk=lead_id).values_list("signature").first()
        data = bytes(row[0]) if row else None
    return similarity(sig, from_bytes(data)) if data else 0.0
