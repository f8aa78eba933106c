"""Automated checks of a submitted release. Each finding is a flag with a reason for
the moderators; the checks decide nothing."""

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from herald.ingest import clustering
from herald.releases.models import NewsRelease, ReleaseStatus
from herald.releases.text import body_text, render_body

MIN_WORDS = 80
MAX_WORDS = 2000
MAX_LINKS = 5
MAX_EXCLAMATIONS = 2
# A headline whose letters are mostly capitals shouts.
CAPITALS_SHARE = 0.6
MIN_IMAGE_WIDTH = 800
MIN_IMAGE_HEIGHT = 450
HYPE_WORDS = (
    "amazing",
    "best-in-class",
    "breakthrough",
    "cutting-edge",
    "disruptive",
    "game-changer",
    "game-changing",
    "groundbreaking",
    "incredible",
    "industry-leading",
    "revolutionary",
    "state-of-the-art",
    "unbeatable",
    "unparalleled",
    "unprecedented",
    "world-class",
    "world's first",
    "ultimate",
)
DIRECT_ADDRESS = re.compile(r"\b(you|your|yours|yourself|yourselves)\b", re.I)
SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "buff.ly",
        "cutt.ly",
        "goo.gl",
        "is.gd",
        "lnkd.in",
        "ow.ly",
        "rb.gy",
        "rebrand.ly",
        "shorturl.at",
        "t.co",
        "t.ly",
        "tiny.cc",
        "tinyurl.com",
        "v.gd",
    }
)
# Near-duplicates: wire ingest's clustering (herald/ingest/clustering.py), its
# MinHash signatures and its threshold HERALD_INGEST_DUPLICATE_THRESHOLD, chosen on
# labelled pairs: a release counts as a copy of a text when ingest would put the
# two in one cluster.
DUPLICATE_WINDOW = timedelta(days=90)
DUPLICATE_CANDIDATES = 2000
_WORD = re.compile(r"\w+", re.UNICODE)
_HREF = re.compile(r'<a\s[^>]*href="([^"]*)"', re.I)


# What moderators read for each flag's code.
FLAG_LABELS = {
    "capitals": "Capitals",
    "exclamations": "Exclamation marks",
    "hype": "Hype words",
    "direct_address": "Direct address",
    "no_contact": "No media contact",
    "links": "Many links",
    "shortener": "URL shortener",
    "too_short": "Too short",
    "too_long": "Too long",
    "duplicate": "Near-duplicate",
    "past_time": "Time in the past",
    "small_images": "Small images",
}


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str


def near_duplicates(
    text: str, candidates: Iterable[tuple[str, str]]
) -> list[tuple[str, float]]:
    """The labels of `candidates` (label, text) whose estimated Jaccard similarity
    to `text` reaches ingest's duplicate threshold, most similar first."""
    mine = clustering.signature(text)
    if clustering.is_empty(mine):
        return []
    threshold = settings.HERALD_INGEST_DUPLICATE_THRESHOLD
    found = []
    for label, other in candidates:
        score = clustering.similarity(mine, clustering.signature(other))
        if score >= threshold:
            found.append((label, round(score, 2)))
    return sorted(found, key=lambda f: -f[1])


def _candidates(release: NewsRelease, now: datetime) -> list[tuple[str, str]]:
    from herald.stories.models import Story

    out: list[tuple[str, str]] = []
    releases = (
        NewsRelease.objects.exclude(pk=release.pk)
        .exclude(status=ReleaseStatus.DRAFT)
        .filter(submitted_at__gte=now - DUPLICATE_WINDOW)
        .order_by("-submitted_at")
        .values_list("pk", "headline", "body")[:DUPLICATE_CANDIDATES]
    )
    for pk, headline, body in releases:
        out.append((f"news release #{pk}", f"{headline}\n{body_text(body)}"))
    stories = (
        Story.objects.public()
        .filter(published_at__gte=now - DUPLICATE_WINDOW)
        .exclude(news_release=release)
        .latest_first()
        .values_list("pk", "headline", "body")[:DUPLICATE_CANDIDATES]
    )
    from herald.core.sanitize import html_to_text

    for pk, headline, body in stories:
        out.append((f"story #{pk}", f"{headline}\n{html_to_text(body)}"))
    return out


def run_checks(release: NewsRelease, *, now: datetime | None = None) -> list[Flag]:
    """Every check against `release` as it stands; an empty list when none fires."""
    now = now or timezone.now()
    flags: list[Flag] = []
    text = body_text(release.body)
    everything = f"{release.headline}\n{release.summary}\n{text}"
    letters = [c for c in release.headline if c.isalpha()]
    if len(letters) >= 8:
        share = sum(c.isupper() for c in letters) / len(letters)
        if share >= CAPITALS_SHARE:
            flags.append(
                Flag("capitals", f"The headline is {share:.0%} capital letters.")
            )
    bangs = everything.count("!")
    if bangs > MAX_EXCLAMATIONS or "!" in release.headline:
        flags.append(
            Flag(
                "exclamations",
                f"{bangs} exclamation mark{'s' if bangs != 1 else ''}"
                + (", one in the headline." if "!" in release.headline else "."),
            )
        )
    lowered = everything.lower()
    hype = [w for w in HYPE_WORDS if re.search(rf"\b{re.escape(w)}\b", lowered)]
    if hype:
        flags.append(Flag("hype", "Hype words: " + ", ".join(hype) + "."))
    addressed = sorted(
        {m.group(0).lower() for m in DIRECT_ADDRESS.finditer(everything)}
    )
    if addressed:
        flags.append(
            Flag(
                "direct_address", "Speaks to the reader: " + ", ".join(addressed) + "."
            )
        )
    if not release.contact_name or not (release.contact_email or release.contact_phone):
        flags.append(
            Flag(
                "no_contact",
                "No media contact with a name and an email address or phone.",
            )
        )
    links = _HREF.findall(render_body(release.body))
    if len(links) > MAX_LINKS:
        flags.append(Flag("links", f"{len(links)} links (more than {MAX_LINKS})."))
    short = sorted(
        {
            host
            for host in ((urlsplit(u).hostname or "").lower() for u in links)
            if host.removeprefix("www.") in SHORTENERS
        }
    )
    if short:
        flags.append(
            Flag("shortener", "Links through URL shorteners: " + ", ".join(short))
        )
    words = len(_WORD.findall(text))
    if words < MIN_WORDS:
        flags.append(
            Flag("too_short", f"The body has {words} words (fewer than {MIN_WORDS}).")
        )
    elif words > MAX_WORDS:
        flags.append(
            Flag("too_long", f"The body has {words} words (more than {MAX_WORDS}).")
        )
    duplicates = near_duplicates(
        f"{release.headline}\n{text}", _candidates(release, now)
    )
    if duplicates:
        flags.append(
            Flag(
                "duplicate",
                "Near-duplicate of "
                + ", ".join(
                    f"{label} ({score:.0%} alike)" for label, score in duplicates[:5]
                )
                + ".",
            )
        )
    if release.release_at is not None and release.release_at < now:
        flags.append(Flag("past_time", "The requested release time is in the past."))
    small = [
        f"#{i} ({img.source_width}×{img.source_height})"
        for i, img in enumerate(release.images.all(), start=1)
        if img.source_width < MIN_IMAGE_WIDTH or img.source_height < MIN_IMAGE_HEIGHT
    ]
    if small:
        flags.append(
            Flag(
                "small_images",
                f"Images smaller than {MIN_IMAGE_WIDTH}×{MIN_IMAGE_HEIGHT}: "
                + ", ".join(small)
                + ".",
            )
        )
    return flags


def as_json(flags: list[Flag]) -> list[dict[str, str]]:
    return [asdict(f) for f in flags]
