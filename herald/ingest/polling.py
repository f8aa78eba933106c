"""Polling sources: choosing the due ones, their leases, fetching and parsing in
threads, storing each poll's documents in batches, and the source's health."""

import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from herald.core.fetching import FetchError, fetch
from herald.ingest.models import FetchLog, Outcome, Source
from herald.ingest.pictures import library_candidates, stories_wanting_pictures
from herald.ingest.sources import ParseError, parse
from herald.ingest.sources.items import ParsedFeed, ParsedItem
from herald.ingest.storing import (
    DUPLICATE,
    NEW,
    UPDATED,
    Context,
    ingest_item,
    known_versions,
    newer,
)
from herald.stories.signals import batched_story_changes

logger = logging.getLogger(__name__)

# Items stored in one transaction (each in its own savepoint): a commit per item
# was the largest single cost of ingest, and each commit writes every page the
# batch touched (the LSH bands' pages are spread over their whole table) to the
# WAL again. A batch ends at BATCH_SIZE items or once it has run BATCH_SECONDS,
# whichever comes first, so it never holds SQLite's write lock much longer than
# that, however slow the machine.
BATCH_SIZE = 500
BATCH_SECONDS = 1.0


# --- leases ---------------------------------------------------------------------------
def acquire_lease(source: Source, *, now: datetime | None = None) -> str | None:
    """Take the source's lease, or None when another poll holds it. One UPDATE, so
    two processes cannot both win."""
    now = now or timezone.now()
    token = secrets.token_hex(8)
    until = now + timedelta(seconds=settings.HERALD_INGEST_LEASE_SECONDS)
    won = (
        Source.objects.filter(pk=source.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=until, lease_token=token)
    )
    return token if won else None


def release_lease(source: Source, token: str) -> None:
    Source.objects.filter(pk=source.pk, lease_token=token).update(
        lease_until=None, lease_token=""
    )


# --- fetching (no database work: runs in threads) -----------------------------------
@dataclass
class Fetched:
    """What one poll brought back, before anything was stored."""

    not_modified: bool = False
    feeds: list[tuple[str, ParsedFeed]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""


def fetch_and_parse(
    fmt: str, *, url: str, drop_folder: str, etag: str, last_modified: str
) -> Fetched:
    """Fetch the source's documents and parse them. Raises FetchError or ParseError
    for a URL source; a drop folder reports each bad file in `errors` and goes on."""
    if url:
        result = fetch(url, etag=etag, last_modified=last_modified)
        if result.not_modified:
            return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
        feed = parse(fmt, result.body, base_url=result.url)
        return Fetched(
            feeds=[(result.url, feed)],
            etag=result.etag,
            last_modified=result.last_modified,
        )
    return _read_drop_folder(fmt, Path(drop_folder), parse)


def _read_drop_folder(
    fmt: str, folder: Path, parse: Callable[..., ParsedFeed]
) -> Fetched:
    if not folder.is_dir():
        raise FileNotFoundError(f"The drop folder {folder} does not exist.")
    limit = settings.HERALD_FETCH_MAX_BYTES
    fetched = Fetched()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.stat().st_size > limit:
            fetched.errors.append(f"{path.name}: larger than {limit} bytes.")
            continue
        try:
            fetched.feeds.append((path.name, parse(fmt, path.read_bytes())))
        except ParseError as exc:
            fetched.errors.append(f"{path.name}: {exc}")
    return fetched


def _fetch_safely(source: Source) -> Fetched | str:
    """Fetch and parse `source`; a failure comes back as its one-line message."""
    try:
        return fetch_and_parse(
            source.format,
            url=source.url,
            drop_folder=source.drop_folder,
            etag=source.etag,
            last_modified=source.last_modified,
        )
    except (FetchError, ParseError, OSError) as exc:
        return str(exc) or exc.__class__.__name__
    except Exception as exc:
        # A bug in one parser must not stop the other sources; log it in full and
        # record it on the source, where the desk shows it.
        logger.exception("Source poll failed.", extra={"source_id": source.pk})
        return f"Internal error: {exc.__class__.__name__}: {exc}"


# --- one poll -------------------------------------------------------------------------
@dataclass
class PollSummary:
    source: str
    outcome: str
    message: str = ""
    new: int = 0
    updated: int = 0
    ignored: int = 0
    failed: int = 0
    duplicates: int = 0  # of the new items
    documents_failed: int = 0
    pictures_stored: int = 0  # picture items put into the library
    not_text: dict[str, int] = field(default_factory=dict)  # items by kind
    skipped: bool = False  # another poll held the lease

    def describe(self) -> str:
        """One line: "kyodo: 3 new (1 duplicates), 0 updated, 2 ignored; not
        text: 2 picture; 1 unreadable documents"."""
        if self.skipped:
            return f"{self.source}: skipped, another poll is running"
        if self.outcome == "not_modified":
            return f"{self.source}: not modified"
        counts = (
            f"{self.new} new"
            + (f" ({self.duplicates} duplicates)" if self.duplicates else "")
            + f", {self.updated} updated, {self.ignored} ignored"
            + (f", {self.failed} failed" if self.failed else "")
            + (f"; not text: {kinds_text(self.not_text)}" if self.not_text else "")
            + (
                f"; {self.pictures_stored} pictures into the library"
                if self.pictures_stored
                else ""
            )
            + (
                f"; {self.documents_failed} unreadable documents"
                if self.documents_failed
                else ""
            )
        )
        if self.outcome == "error":
            first = self.message.splitlines()[0] if self.message else "error"
            return f"{self.source}: ERROR {first} ({counts})"
        return f"{self.source}: {counts}"


def kinds_text(counts: dict[str, int]) -> str:
    """ "2 video, 1 picture": items that are no text story, by kind."""
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def store(source: Source, fetched: Fetched | str, *, started: datetime) -> FetchLog:
    """Store what a fetch brought (or record its error) and update the source's
    health and next poll. Items are stored in batches, each item in its own
    savepoint; the source's health and validators are written after them."""
    log = FetchLog(source=source, started_at=started)
    if isinstance(fetched, str):
        log.outcome, log.message = Outcome.ERROR, fetched
        log.documents_failed = 1
    elif fetched.not_modified:
        log.outcome = Outcome.NOT_MODIFIED
    else:
        problems = list(fetched.errors)
        log.documents_failed = len(fetched.errors)
        # The stories' story_changed sends (made as each batch commits) are
        # gathered into one after the poll, so other apps queue one task per kind
        # for the poll instead of one per story.
        with batched_story_changes():
            _store_feeds(source, fetched.feeds, log, problems)
        log.message = "\n".join(problems[:50])
        if fetched.errors and not fetched.feeds:
            log.outcome = Outcome.ERROR
        else:
            log.outcome = Outcome.WARNING if problems else Outcome.OK
    now = timezone.now()
    log.finished_at = now
    log.save()
    _record_health(source, log, fetched, now)
    if isinstance(fetched, Fetched) and settings.HERALD_WIRE_PICTURES:
        _queue_pictures(source, fetched, log, started)
    return log


def _queue_pictures(
    source: Source, fetched: Fetched, log: FetchLog, started: datetime
) -> None:
    """Queue the poll's pictures (the new stories' own, and picture items for the
    library) for a worker: re-encoding them is slow, the poll is not."""
    from herald.ingest.tasks import fetch_wire_pictures_task

    item_ids = stories_wanting_pictures(source, started)
    library = library_candidates(
        source, [o for _name, feed in fetched.feeds for o in feed.not_text]
    )
    if item_ids or library:
        transaction.on_commit(
            lambda: fetch_wire_pictures_task.enqueue(
                log_id=log.pk, item_ids=item_ids, library=library
            )
        )


def _store_feeds(
    source: Source,
    feeds: Sequence[tuple[str, ParsedFeed]],
    log: FetchLog,
    problems: list[str],
) -> None:
    """Store the feeds' items, counting on `log`: a transaction per batch of a
    document's items (BATCH_SIZE at most, BATCH_SECONDS long at most), a savepoint
    per item."""
    ctx = Context.for_source(source)
    for name, feed in feeds:
        problems += [f"{name}: {w}" for w in feed.warnings]
        for other in feed.not_text:
            kinds = log.items_not_text
            kinds[other.kind.value] = kinds.get(other.kind.value, 0) + 1
        known = known_versions(source, feed.items)
        todo: list[tuple[ParsedItem, bool]] = []
        for item in feed.items:
            stored = known.get(item.guid)
            if stored is not None and not newer(item, *stored):
                # Most of a re-polled feed: skip it without a transaction.
                log.items_ignored += 1
                continue
            todo.append((item, stored is None))
        start = 0
        while start < len(todo):
            start = _store_batch(ctx, name, todo, start, log, problems)


def _store_batch(
    ctx: Context,
    name: str,
    todo: Sequence[tuple[ParsedItem, bool]],
    start: int,
    log: FetchLog,
    problems: list[str],
) -> int:
    """Store a batch of `todo` (items, and whether the feed's read saw none of it
    stored) from `start` in one transaction; return where the next batch starts.
    Each item runs in its own savepoint: an invalid item rolls back alone and is
    counted as failed. An unexpected error rolls its item back, commits the items
    before it and is raised, as when each item committed alone; a crash commits
    nothing of the batch, which the next poll then stores, as the stored (source,
    guid) rows are what marks an item done."""
    failure: Exception | None = None
    end = min(start + BATCH_SIZE, len(todo))
    deadline = time.monotonic() + BATCH_SECONDS
    position = start
    with transaction.atomic():
        while position < end and (position == start or time.monotonic() < deadline):
            item, fresh = todo[position]
            position += 1
            try:
                outcome = ingest_item(ctx, item, fresh=fresh)
            except ValidationError as exc:
                log.items_failed += 1
                problems.append(f"{name}: item {item.guid[:80]!r}: {exc.messages[0]}")
                continue
            except Exception as exc:
                failure = exc
                break
            if outcome in (NEW, DUPLICATE):
                log.items_new += 1
                log.items_duplicate += outcome == DUPLICATE
            elif outcome == UPDATED:
                log.items_updated += 1
            else:
                log.items_ignored += 1
    if failure is not None:
        raise failure
    return position


def _record_health(
    source: Source, log: FetchLog, fetched: Fetched | str, now: datetime
) -> None:
    updates: dict[str, Any] = {
        "last_fetch_at": now,
        "next_poll_at": now + timedelta(seconds=source.poll_interval),
    }
    if log.outcome == Outcome.ERROR:
        updates["last_error"] = log.message.splitlines()[0] if log.message else ""
        updates["failures_in_row"] = source.failures_in_row + 1
    else:
        updates["last_success_at"] = now
        # A warning (an item skipped, an encoding repaired) stays in view.
        updates["last_error"] = log.message.splitlines()[0] if log.message else ""
        updates["failures_in_row"] = 0
    if isinstance(fetched, Fetched) and not fetched.not_modified and source.url:
        updates["etag"] = fetched.etag[:300]
        updates["last_modified"] = fetched.last_modified[:100]
    Source.objects.filter(pk=source.pk).update(**updates)
    for name, value in updates.items():
        setattr(source, name, value)


def _summary(source: Source, log: FetchLog) -> PollSummary:
    return PollSummary(
        source=source.slug,
        outcome=log.outcome,
        message=log.message,
        new=log.items_new,
        updated=log.items_updated,
        ignored=log.items_ignored,
        failed=log.items_failed,
        duplicates=log.items_duplicate,
        documents_failed=log.documents_failed,
        pictures_stored=log.pictures_stored,
        not_text=dict(log.items_not_text),
    )


def poll_source(source: Source) -> PollSummary:
    """Poll one source now, under its lease; a held lease skips it."""
    return poll_sources([source])[0]


def poll_sources(
    sources: Iterable[Source],
    *,
    on_done: Callable[[PollSummary], None] | None = None,
) -> list[PollSummary]:
    """Poll `sources` at once: fetching and parsing run in threads (each bounded
    by the fetcher's deadline), storing runs here, one source at a time, as each
    fetch finishes. A slow or failing source delays and stops no other."""
    leased: list[tuple[Source, str]] = []
    summaries: list[PollSummary] = []
    for source in sources:
        token = acquire_lease(source)
        if token is None:
            skipped = PollSummary(
                source.slug, "skipped", "Another poll is running.", skipped=True
            )
            summaries.append(skipped)
            if on_done:
                on_done(skipped)
        else:
            leased.append((source, token))
    if not leased:
        return summaries
    workers = max(1, min(settings.HERALD_INGEST_CONCURRENCY, len(leased)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
        futures: dict[Future[Fetched | str], tuple[Source, str, datetime]] = {
            pool.submit(_fetch_safely, source): (source, token, timezone.now())
            for source, token in leased
        }
        for future in as_completed(futures):
            source, token, started = futures[future]
            try:
                log = store(source, future.result(), started=started)
            finally:
                release_lease(source, token)
            summary = _summary(source, log)
            logger.info(
                "Source polled.",
                extra={
                    "source_id": source.pk,
                    "outcome": log.outcome,
                    "new": log.items_new,
                    "updated": log.items_updated,
                    "ignored": log.items_ignored,
                },
            )
            summaries.append(summary)
            if on_done:
                on_done(summary)
    return summaries


def enqueue_due_sources(now: datetime | None = None) -> int:
    """Queue one poll task per due source. Claiming moves the source's next poll
    forward in one UPDATE, so a sweep on several workers queues it once."""
    from herald.ingest.tasks import poll_source_task

    now = now or timezone.now()
    count = 0
    for pk, interval in Source.objects.due(now).values_list("pk", "poll_interval"):
        claimed = Source.objects.filter(pk=pk, next_poll_at__lte=now).update(
            next_poll_at=now + timedelta(seconds=interval)
        )
        if claimed:
            _enqueue_after_commit(poll_source_task, pk)
            count += 1
    return count


def _enqueue_after_commit(task: Any, source_id: int) -> None:
    transaction.on_commit(lambda: task.enqueue(source_id=source_id))
