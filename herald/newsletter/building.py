"""Deciding which daily issues are due, and building them: the one place that picks
an issue's stories."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, TypedDict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from herald.core.text import cut_at_word
from herald.editions.models import Edition
from herald.newsletter.models import Issue, IssueStatus
from herald.stories.models import LocalVersion, Provenance, Story

logger = logging.getLogger(__name__)

TOP_COUNT = 5
# An issue is a digest, not a feed: a busy wire day would otherwise make an email
# too long for mail clients (Gmail clips messages over about 100 kB). The web
# section pages hold the rest.
SECTION_LIMIT = 12
RELEASE_LIMIT = 10
SUBJECT_MAX = 200

# (edition id, local date) pairs already warned about in this process, so a sweep
# every few seconds does not repeat the same warning.
_warned: set[tuple[int, date]] = set()


def build_time(edition: Edition, local_date: date) -> datetime:
    """The UTC instant the issue of `local_date` is due: the first instant at or
    after `newsletter_hour`:00 on that date in the edition's time zone.

    On a fall-back day the hour happens twice and the first one counts; on a
    spring-forward day that skips the hour, the issue is due at the transition.
    """
    zone = ZoneInfo(edition.time_zone)
    wall = datetime.combine(local_date, time(edition.newsletter_hour))
    # fold=0 is the earlier of two repeated wall times.
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # The wall time does not exist. fold=1 reads it with the offset after the
    # gap (an instant before the gap, whose wall time is earlier) and fold=0 with
    # the offset before it (an instant after the gap): the transition lies
    # between. Transitions fall on whole seconds, so bisect to the second.
    low = int(wall.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        seen = datetime.fromtimestamp(middle, tz=UTC).astimezone(zone)
        if seen.replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, tz=UTC)


def local_date_due(edition: Edition, now: datetime) -> date | None:
    """The edition's local date whose issue is due at `now` (its newsletter_hour
    has passed in its own time zone today), or None before that hour."""
    today = now.astimezone(ZoneInfo(edition.time_zone)).date()
    return today if now >= build_time(edition, today) else None


def date_in_words(local_date: date) -> str:
    """`Saturday 5 April 2025`."""
    return f"{local_date:%A} {local_date.day} {local_date:%B %Y}"


class _Row(NamedTuple):
    pk: int
    provenance: str
    is_featured: bool
    section_id: int


class Contents(TypedDict):
    top: list[int]
    sections: dict[str, list[int]]
    releases: list[int]


def _contents(edition: Edition, start: datetime, cutoff: datetime) -> Contents:
    """Story ids for the issue: what became public on `edition` after `start` and
    is public at `cutoff`, newest first."""
    rows = [
        _Row(*values)
        for values in Story.objects.public(now=cutoff)
        .for_edition(edition)
        .filter(Q(published_at__gt=start) | Q(embargo_until__gt=start))
        .latest_first()
        .values_list("pk", "provenance", "is_featured", "primary_section_id")
    ]
    releases = [r.pk for r in rows if r.provenance == Provenance.RELEASE]
    news = [r for r in rows if r.provenance != Provenance.RELEASE]
    featured = [r for r in news if r.is_featured]
    top = [r.pk for r in (featured + [r for r in news if not r.is_featured])]
    top = top[:TOP_COUNT]
    sections: dict[str, list[int]] = {}
    for row in news:
        if row.pk in top:
            continue
        ids = sections.setdefault(str(row.section_id), [])
        if len(ids) < SECTION_LIMIT:
            ids.append(row.pk)
    return Contents(top=top, sections=sections, releases=releases[:RELEASE_LIMIT])


def _headline(story_id: int, edition: Edition) -> str:
    local = LocalVersion.objects.filter(story_id=story_id, edition=edition).first()
    if local is not None:
        return local.headline
    return Story.objects.values_list("headline", flat=True).get(pk=story_id)


def _subject(edition: Edition, local_date: date, lead_id: int | None) -> str:
    subject = f"{edition.name} daily: {date_in_words(local_date)}"
    if lead_id is not None:
        # Headlines come from contributors and wire sources: one line, always.
        headline = " ".join(_headline(lead_id, edition).split())
        subject = f"{subject} — {headline}"
    if len(subject) > SUBJECT_MAX:
        subject = cut_at_word(subject, SUBJECT_MAX)
    return subject


def _build(
    edition: Edition, local_date: date, *, now: datetime | None = None
) -> tuple[Issue, bool]:
    """The issue of (edition, local_date), and whether this call created it."""
    existing = Issue.objects.filter(edition=edition, local_date=local_date).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    at = build_time(edition, local_date)
    # Built early by hand, the issue holds only what is public now.
    contents = _contents(edition, at - timedelta(hours=24), min(at, now))
    lead = contents["top"] + contents["releases"]
    empty = not lead and not contents["sections"]
    return _create(
        edition,
        local_date,
        status=IssueStatus.SKIPPED if empty else IssueStatus.BUILT,
        subject=_subject(edition, local_date, lead[0] if lead else None),
        contents=contents,
        built_at=now,
    )


def _create(edition: Edition, local_date: date, **fields: object) -> tuple[Issue, bool]:
    """Insert the issue, or return the row another process inserted first."""
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                edition=edition,
                local_date=local_date,
                **fields,  # type: ignore[arg-type]
            )
    except IntegrityError:
        # The unique (edition, local_date) constraint: someone else built it.
        return Issue.objects.get(edition=edition, local_date=local_date), False
    logger.info(
        "Newsletter issue built.",
        extra={"issue_id": issue.pk, "edition": edition.slug, "status": issue.status},
    )
    return issue, True


def build_issue(
    edition: Edition, local_date: date, *, now: datetime | None = None
) -> Issue:
    """Create (or return the existing) Issue for (edition, local_date).

    Contents: top stories (featured first, up to 5) and, by primary section, the
    public stories on the edition that became public in the 24 hours before the
    build time (`build_time`), with news releases in their own list. Status
    SKIPPED when nothing is new. Safe to call twice and from two processes at once.
    """
    return _build(edition, local_date, now=now)[0]


def due_issues(now: datetime) -> list[Issue]:
    """Build every active edition's due issue that does not exist yet, and return
    those this call built (skipped ones are not returned).

    An issue more than HERALD_NEWSLETTER_LATE_HOURS past its time is not built:
    a warning is logged and it waits for a person (`herald send_newsletters
    --edition SLUG --date YYYY-MM-DD`). Yesterday's issue is still built when it
    is due within that window, so a late hour (23:00) survives a short outage
    across midnight.
    """
    late = timedelta(hours=settings.HERALD_NEWSLETTER_LATE_HOURS)
    built: list[Issue] = []
    for edition in Edition.objects.active():
        today = now.astimezone(ZoneInfo(edition.time_zone)).date()
        for local_date in (today - timedelta(days=1), today):
            at = build_time(edition, local_date)
            if now < at:
                continue
            if Issue.objects.filter(edition=edition, local_date=local_date).exists():
                continue
            if now - at > late:
                if local_date == today and (edition.pk, local_date) not in _warned:
                    _warned.add((edition.pk, local_date))
                    logger.warning(
                        "Newsletter issue is far past due; not built automatically.",
                        extra={
                            "edition": edition.slug,
                            "local_date": local_date.isoformat(),
                            "due_at": at.isoformat(),
                        },
                    )
                continue
            issue, created = _build(edition, local_date, now=now)
            if created and issue.status != IssueStatus.SKIPPED:
                built.append(issue)
    return built
