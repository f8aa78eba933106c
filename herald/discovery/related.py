"""Related stories ("More Information"): score, choose, explain and store them.

For a story on one edition, the candidates are that edition's public stories of the
last `WINDOW_DAYS` days and any older ones sharing a place or tag with it. Each
candidate scores by TF-IDF cosine over headline, standfirst and lead (inverse
document frequencies from the candidate pool), shared places, shared sections and
tags, and recency. The list never holds the story itself, a story twice, or two
near-duplicates (cosine ≥ `DUPLICATE_COSINE`, standing in for ingest clusters until
they exist), and falls back to the latest in the section when too few are similar.
"""

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from operator import mul

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import CharField, F, Q
from django.db.models.functions import Cast
from django.db.models.lookups import In

from herald.core.sanitize import html_to_text
from herald.editions.models import Edition
from herald.stories.models import Story

WINDOW_DAYS = 45
MAX_CANDIDATES = 200  # recent stories; up to a third as many more sharing places/tags
SHARING_SCAN = 2000  # newest stories per place or tag looked at for those
TERMS_CACHE_SIZE = 50_000
MIN_SCORE = 0.2  # needs shared words or places, not only recency
DUPLICATE_COSINE = 0.8
HALF_LIFE_DAYS = 10.0
WEIGHTS = {"text": 0.6, "places": 0.2, "subjects": 0.1, "recency": 0.1}

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP_TEXT = """
    about above after again against along also among and another any are around
    because been before being below between both but can could did does doing down
    during each even ever every few for from further had has have having her here
    hers him his how however into its itself just last least less made make many
    may more most much must near need new next not now off once one only other our
    out over own per said same say says she should since some still such than that
    the their them then there these they this those though three through told too
    two under until upon very was way well were what when where whether which while
    who whom whose why will with within without would year years yet you your"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def _lead(body: str, paragraphs: int = 2) -> str:
    parts = body.split("</p>")
    return html_to_text("</p>".join(parts[:paragraphs]))


def _terms(headline: str, standfirst: str, body: str) -> Counter[str]:
    # The headline counts twice: it says best what the story is about.
    text = " ".join([headline, headline, standfirst, _lead(body)])
    return Counter(tokens(text))


@dataclass(frozen=True, slots=True)
class _Terms:
    """What scoring needs of a candidate's text, worked out once per version: its
    terms in the order they first occur and their sublinear weights (1 + log of the
    count), which IDF then scales, so that scoring takes no logarithm per
    candidate. Two flat tuples, not a dict and pairs: the garbage collector stops
    tracking tuples of strings and floats, so the cache does not make each of the
    process's full collections longer (one took 80 ms of a list at 100,000 stories).
    """

    words: tuple[str, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, counts: Counter[str]) -> "_Terms":
        return cls(tuple(counts), tuple(1 + math.log(c) for c in counts.values()))

    def vector(self, idf: dict[str, float] | None) -> dict[str, float]:
        """Unit vector of the sublinear weights, times IDF when given."""
        if idf is None:
            vector = dict(zip(self.words, self.weights, strict=True))
        else:
            vector = {
                t: w * idf.get(t, 0.0)
                for t, w in zip(self.words, self.weights, strict=True)
            }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}


# (story id, modified_at as the database's text) -> its _Terms. Kept in this
# process so that a worker
# computing many lists tokenises each candidate once; a change to a story changes
# its modified_at, and so its key.
_TERMS: dict[tuple[int, str], _Terms] = {}


def _remember_terms(pk: int, modified: str, terms: Counter[str]) -> _Terms:
    if len(_TERMS) >= TERMS_CACHE_SIZE:
        _TERMS.clear()
    entry = _TERMS[(pk, modified)] = _Terms.of(terms)
    return entry


def story_terms(story: Story) -> Counter[str]:
    """Term counts of the text that says what a story is about."""
    return _terms(story.headline, story.standfirst, story.body)


def encode_terms(terms: Counter[str]) -> str:
    """`StoryTerms.counts`: a JSON object that keeps the terms' order."""
    return json.dumps(terms, ensure_ascii=False, separators=(",", ":"))


def decode_terms(counts: str) -> Counter[str]:
    return Counter(json.loads(counts))


def write_terms(stories: Sequence[Story], using: str = DEFAULT_DB_ALIAS) -> None:
    """Store the term counts of `stories` as they are now (search indexing calls
    this in the transaction that writes their entries), replacing older ones."""
    from herald.discovery.models import StoryTerms

    rows = [
        StoryTerms(
            story_id=s.pk,
            modified_at=s.modified_at,
            counts=encode_terms(story_terms(s)),
        )
        for s in stories
    ]
    StoryTerms.objects.using(using).bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["story"],
        update_fields=["modified_at", "counts"],
    )


def forget_terms(story_ids: Sequence[int], using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the stored term counts of stories taken out of the search index."""
    from herald.discovery.models import StoryTerms

    StoryTerms.objects.using(using).filter(story_id__in=story_ids).delete()


@dataclass
class Choice:
    story: Story
    score: float
    reasons: list[str] = field(default_factory=list)
    cosine: float = 0.0  # plain-term similarity to the story being read


@dataclass
class _Candidate:
    pk: int
    text: _Terms
    public_at: datetime
    places: set[int] = field(default_factory=set)
    subjects: set[tuple[str, int]] = field(default_factory=set)


def _idf_cosine(own: dict[str, float], text: _Terms, idf: dict[str, float]) -> float:
    """`_cosine(own, text.vector(idf))[0]`, summed in the same order (so to the
    same bits), from the cached sublinear weights. `idf` holds every term of the
    candidates. A candidate sharing no term with the story scores exactly 0.0 (an
    empty sum), so its weights are not worked out."""
    words = text.words
    if own.keys().isdisjoint(words):
        return 0.0
    weights = list(map(mul, text.weights, map(idf.__getitem__, words)))
    norm = sum(map(mul, weights, weights))
    if not norm:
        return 0.0
    # The terms the story lacks add 0.0 * w, exactly +0.0 (weights and IDF are
    # positive), which leaves the sum of the shared ones to the bit: each term is
    # looked up in C rather than tested in Python.
    dot = sum(map(mul, map(own.get, words, repeat(0.0)), weights))
    return dot / math.sqrt(norm)


def _cosine(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    if len(a) > len(b):
        a, b = b, a
    shared = [(a[t] * b[t], t) for t in a if t in b]
    shared.sort(reverse=True)
    return sum(v for v, _ in shared), [t for _, t in shared[:3]]


def _story_in(ids: list[int]) -> In:
    """`story_id__in=ids` as the same SQL, built without `story_id__in`'s check of
    each id as a related object's key: ~0.6 ms less a query at 270 ids."""
    return In(F("story_id"), ids)


def _version() -> Cast:
    """A row's `modified_at` as the database's text of it, which only the cache and
    the stored terms' check compare: equal texts are equal times, and no datetime
    is made of it (a third of the candidates' rows' conversions). Were two writers
    to spell one time differently, the terms would only be tokenised again."""
    return Cast("modified_at", CharField())


def _candidate_terms(versions: list[tuple[int, str]]) -> dict[int, _Terms]:
    """The terms of each (story id, modified_at): from this process's cache, else
    those stored when the story was indexed if counted from this very version,
    else from its text, tokenised (a story indexed before `StoryTerms` existed, or
    changed since it was indexed)."""
    from herald.discovery.models import StoryTerms

    found = {pk: _TERMS[(pk, mod)] for pk, mod in versions if (pk, mod) in _TERMS}
    wanted = {(pk, mod) for pk, mod in versions if pk not in found}
    if wanted:
        stored = StoryTerms.objects.filter(_story_in([pk for pk, _ in wanted]))
        for pk, mod, counts in stored.values_list("story_id", _version(), "counts"):
            if (pk, mod) in wanted:
                found[pk] = _remember_terms(pk, mod, decode_terms(counts))
    missing = [pk for pk, _ in wanted if pk not in found]
    if missing:
        texts = Story.objects.filter(pk__in=missing).values_list(
            "pk", _version(), "headline", "standfirst", "body"
        )
        for pk, mod, h, sf, body in texts:
            found[pk] = _remember_terms(pk, mod, _terms(h, sf, body))
    return found


def _candidates(story: Story, edition: Edition) -> list[_Candidate]:
    """The edition's recent public stories and older ones sharing a place or tag,
    read as plain rows (no model instances): this runs for every publication."""
    anchor = story.public_at or story.modified_at
    place_ids = [p.pk for p in story.places.all()]
    tag_ids = [t.pk for t in story.tags.all()]
    pool = Story.objects.public().for_edition(edition).exclude(pk=story.pk)
    recent = pool.filter(published_at__gte=anchor - timedelta(days=WINDOW_DAYS))
    # Each candidate's id and what its recency and the text cache need.
    columns = ("pk", "published_at", "embargo_until", _version())
    rows = list(recent.latest_first().values_list(*columns)[:MAX_CANDIDATES])
    # Older stories sharing a place or tag: the newest SHARING_SCAN of each
    # place's and tag's, walked on the (place, story) and (tag, story) indexes
    # (migration 0004), kept to those on the edition on its (story, edition)
    # index, and only then checked against the pool: so only the story rows of
    # the edition's are read, not one for each of the thousands. As subqueries:
    # thousands of ids through Python cost more than the query.
    on_edition = Story.editions.through.objects.filter(edition=edition)
    sharing = Q()
    for through, column, values in (
        (Story.places.through, "place_id", place_ids),
        (Story.tags.through, "tag_id", tag_ids),
    ):
        if values:
            newest = (
                through.objects.filter(**{f"{column}__in": values})
                .order_by("-story_id")
                .values("story_id")[:SHARING_SCAN]
            )
            mine = on_edition.filter(story_id__in=newest).values("story_id")
            sharing |= Q(pk__in=mine)
    if sharing:
        # The recent ones are left out here, from as many more ids, rather than
        # in SQL: a condition on hundreds of ids costs more to build than those
        # rows, and PostgreSQL plans NOT IN (a subquery) as a scan of every story.
        # Only ids at first: the dates of the rows left out would be converted
        # for nothing (three a row, most of this query's Python time).
        taken = {row[0] for row in rows}
        older = pool.filter(sharing).latest_first().values_list("pk", flat=True)
        fetched = older[: MAX_CANDIDATES // 3 + len(taken)]
        more = [pk for pk in fetched if pk not in taken][: MAX_CANDIDATES // 3]
        if more:
            by_pk = {
                row[0]: row
                for row in Story.objects.filter(pk__in=more).values_list(*columns)
            }
            rows += [by_pk[pk] for pk in more if pk in by_pk]
    ids = [row[0] for row in rows]
    texts = _candidate_terms([(pk, mod) for pk, _, _, mod in rows])
    found = {}
    for pk, at, emb, mod in rows:
        text = texts.get(pk) or _remember_terms(pk, mod, Counter())
        found[pk] = _Candidate(pk, text, max(filter(None, (at, emb))))
    place_rows = Story.places.through.objects.filter(_story_in(ids))
    for story_id, place_id in place_rows.values_list("story_id", "place_id"):
        found[story_id].places.add(place_id)
    for kind, rel in (("s", Story.sections), ("t", Story.tags)):
        other = "section_id" if kind == "s" else "tag_id"
        for story_id, obj_id in rel.through.objects.filter(_story_in(ids)).values_list(
            "story_id", other
        ):
            found[story_id].subjects.add((kind, obj_id))
    return [found[pk] for pk in ids if pk in found]


def choose_related(
    story: Story, edition: Edition, count: int | None = None
) -> list[Choice]:
    """The related stories for `story` on `edition`, best first, with reasons."""
    count = count or settings.HERALD_RELATED_COUNT
    candidates = _candidates(story, edition)
    own = story_terms(story)
    df: Counter[str] = Counter(own.keys())
    for cand in candidates:
        df.update(cand.text.words)
    n = len(candidates) + 1
    idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
    own_terms = _Terms.of(own)
    own_vec = own_terms.vector(idf)
    # Duplicates are judged on plain term weights: IDF from a small pool would make
    # the few words two copies do not share look decisive.
    own_flat = own_terms.vector(None)
    flat: dict[int, dict[str, float]] = {}  # of the chosen
    anchor = story.public_at or story.modified_at
    own_places = {p.pk: p.name for p in story.places.all()}
    own_subjects = {("s", s.pk): s.name for s in story.sections.all()} | {
        ("t", t.pk): t.name for t in story.tags.all()
    }
    # First the scores alone, in one pass over each candidate's terms; the
    # reasons and duplicate checks only for the few that may be chosen.
    scored: list[tuple[float, float, _Candidate, float]] = []
    for cand in candidates:
        cos = _idf_cosine(own_vec, cand.text, idf)
        in_place = any(p in own_places for p in cand.places)
        subjects = sum(1 for k in cand.subjects if k in own_subjects)
        age = abs((cand.public_at - anchor).total_seconds()) / 86400
        recency = 0.5 ** (age / HALF_LIFE_DAYS)
        score = (
            WEIGHTS["text"] * cos
            + WEIGHTS["places"] * (1.0 if in_place else 0.0)
            + WEIGHTS["subjects"] * min(1.0, subjects / 2)
            + WEIGHTS["recency"] * recency
        )
        scored.append((score, cand.public_at.timestamp(), cand, cos))
    scored.sort(key=lambda row: (-row[0], -row[1]))
    picked: list[tuple[int, float, list[str], float]] = []
    for score, _, cand, cos in scored:
        if len(picked) == count or score < MIN_SCORE:
            break
        cand_flat = cand.text.vector(None)
        duplicate = _cosine(own_flat, cand_flat)[0]
        if duplicate >= DUPLICATE_COSINE:
            continue  # the same news as the story being read
        if any(_cosine(cand_flat, flat[p[0]])[0] >= DUPLICATE_COSINE for p in picked):
            continue  # the same news as a teaser already chosen
        flat[cand.pk] = cand_flat
        words = _cosine(own_vec, cand.text.vector(idf))[1]
        reasons = []
        shared_places = [own_places[p] for p in cand.places if p in own_places]
        if shared_places:
            reasons.append("shares places: " + ", ".join(sorted(shared_places)))
        if words and cos >= 0.05:
            reasons.append("similar words: " + ", ".join(words))
        shared_subjects = [own_subjects[k] for k in cand.subjects if k in own_subjects]
        if shared_subjects:
            reasons.append("shares subjects: " + ", ".join(sorted(shared_subjects)))
        picked.append((cand.pk, score, reasons, duplicate))
    stories = Story.objects.in_bulk([p[0] for p in picked])
    choices = [Choice(stories[pk], sc, rs, dup) for pk, sc, rs, dup in picked]
    if len(choices) < count:
        taken = {story.pk, *(c.story.pk for c in choices)}
        fallback = (
            Story.objects.public()
            .for_edition(edition)
            .filter(primary_section_id=story.primary_section_id)
            .exclude(pk__in=taken)
            .latest_first()[: count - len(choices)]
        )
        choices += [Choice(s, 0.0, ["latest in the section"]) for s in fallback]
    return choices


@transaction.atomic
def store_related(story: Story) -> int:
    """Compute and store the lists of `story` on every edition it is on. Safe to
    run twice: each edition's list is replaced whole."""
    from herald.discovery.models import RelatedStory

    RelatedStory.objects.filter(story=story).delete()
    if not story.is_public():
        return 0
    rows = []
    for edition in story.editions.all():
        for position, choice in enumerate(choose_related(story, edition)):
            rows.append(
                RelatedStory(
                    story=story, edition=edition, related=choice.story,
                    position=position, score=round(choice.score, 4),
                    reasons=choice.reasons,
                )
            )  # fmt: skip
    RelatedStory.objects.bulk_create(rows)
    return len(rows)


def related_for_page(story: Story, edition: Edition) -> list[Story]:
    """The stored list, still public, topped up with the latest in the section when
    stories have gone (retracted) or the list was never computed.

    The stored ids are read first, on their own unique index, and the stories then by
    primary key: a join would let SQLite's planner start from every public story
    when its statistics are missing or stale (30 ms at 20,000 stories, not 0.5)."""
    from herald.discovery.models import RelatedStory

    count = settings.HERALD_RELATED_COUNT
    ids = list(
        RelatedStory.objects.filter(story=story, edition=edition)
        .order_by("position")
        .values_list("related_id", flat=True)
    )
    found = (
        {s.pk: s for s in Story.objects.public().filter(pk__in=ids).for_teasers()}
        if ids
        else {}
    )
    stored = [found[pk] for pk in ids if pk in found][:count]
    if len(stored) >= count:
        return stored
    taken = {story.pk, *(s.pk for s in stored)}
    fill = (
        Story.objects.public()
        .for_edition(edition)
        .filter(primary_section_id=story.primary_section_id)
        .exclude(pk__in=taken)
        .latest_first()
        .for_teasers()[: count - len(stored)]
    )
    return stored + list(fill)
