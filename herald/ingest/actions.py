"""Ingest verbs: poll a source (fetch → parse → store → dedupe → route), and the
desk's changes to clusters. Every story change goes through herald.stories.actions."""

import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from herald.accounts.models import User
from herald.core.inserts import execute, insert, update, update_columns
from herald.core.text import cut_at_word
from herald.ingest import clustering
from herald.ingest.models import (
    Cluster,
    FetchLog,
    ItemState,
    LSHBand,
    Outcome,
    Source,
    WireItem,
)
from herald.ingest.routing import (
    CountryAliases,
    Facts,
    Route,
    RuleSpec,
    load_rules,
    route,
)
from herald.ingest.sources.items import ParsedFeed, ParsedItem, PubStatus
from herald.stories import actions as story_actions
from herald.stories.models import Place, Provenance, Story
from herald.stories.signals import batched_story_changes
from herald.stories.workflow import Status

logger = logging.getLogger(__name__)

NEW, UPDATED, IGNORED, FAILED = "new", "updated", "ignored", "failed"
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
    from herald.core.fetching import fetch
    from herald.ingest.sources import parse

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
    from herald.ingest.sources import ParseError

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
    from herald.core.fetching import FetchError
    from herald.ingest.sources import ParseError

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


# --- storing --------------------------------------------------------------------------
@dataclass
class Context:
    """What one poll of one source needs for every item: read once, not per item."""

    source: Source
    rules: Sequence[RuleSpec]
    edition_ids: list[int]
    section_ids: list[int]
    tag_ids: list[int]
    threshold: float
    places: dict[tuple[str, str], Place | None] = field(default_factory=dict)
    aliases: CountryAliases = field(default_factory=CountryAliases)
    _editions: dict[int, Any] | None = None
    _sections: dict[int, Any] | None = None

    @classmethod
    def for_source(
        cls, source: Source, rules: Sequence[RuleSpec] | None = None
    ) -> "Context":
        from herald.ingest.routing import source_defaults

        editions, sections, tags = source_defaults(source)
        return cls(
            source=source,
            rules=load_rules() if rules is None else rules,
            edition_ids=editions,
            section_ids=sections,
            tag_ids=tags,
            threshold=settings.HERALD_INGEST_DUPLICATE_THRESHOLD,
        )

    def editions(self) -> dict[int, Any]:
        from herald.editions.models import Edition

        if self._editions is None:
            self._editions = Edition.objects.in_bulk()
        return self._editions

    def sections(self) -> dict[int, Any]:
        from herald.stories.models import Section

        if self._sections is None:
            self._sections = Section.objects.in_bulk()
        return self._sections

    def place(self, city: str, country: str) -> Place | None:
        """The Place of a dateline (city, and country name or code), if known."""
        key = (city.casefold(), country.casefold())
        if not city:
            return None
        if key not in self.places:
            found = Place.objects.filter(name__iexact=city)
            if country:
                found = found.filter(
                    Q(country__iexact=country) | Q(country_code__iexact=country)
                )
            self.places[key] = found.order_by("pk").first()
        return self.places[key]


def _is_newer(item: ParsedItem, stored: WireItem) -> bool:
    return _newer(item, stored.version, stored.source_updated_at, stored.content_hash)


def _newer(
    item: ParsedItem,
    version: int | None,
    updated_at: datetime | None,
    content_hash: str,
) -> bool:
    """Version number, else the update time, else a changed content hash."""
    if item.version is not None and version is not None:
        return item.version > version
    if item.updated_at is not None and updated_at is not None:
        return item.updated_at > updated_at
    return item.content_hash() != content_hash


Known = dict[str, tuple[int | None, datetime | None, str]]


def _known_versions(source: Source, items: Sequence[ParsedItem]) -> Known:
    """What is stored of these items already, in a few queries for the feed."""
    guids = list({i.guid for i in items if i.guid})
    known: Known = {}
    for start in range(0, len(guids), 500):
        rows = WireItem.objects.filter(
            source=source, guid__in=guids[start : start + 500]
        ).values_list("guid", "version", "source_updated_at", "content_hash")
        known.update({guid: rest for guid, *rest in rows})  # type: ignore[misc]
    return known


def _item_fields(item: ParsedItem) -> dict[str, Any]:
    # Only the nested dataclasses: asdict() of the whole item deep-copied the raw
    # payload and body for nothing.
    rest = {
        "images": [asdict(image) for image in item.images],
        "subjects": [asdict(subject) for subject in item.subjects],
        "places": list(item.places),
        "keywords": list(item.keywords),
        "extra": item.extra,
        "updated_at": item.updated_at.isoformat() if item.updated_at else "",
    }
    return {
        "version": item.version,
        "source_updated_at": item.updated_at,
        "content_hash": item.content_hash(),
        "raw": item.raw,
        "headline": item.headline[:500],
        "standfirst": item.standfirst,
        "body_html": item.body_html,
        "byline": item.byline[:300],
        "dateline_city": item.dateline_city[:80],
        "dateline_country": item.dateline_country[:80],
        "language": item.language[:20],
        "urgency": item.urgency,
        "first_created": item.first_created,
        "embargo_until": item.embargo_until,
        "pubstatus": str(item.pubstatus),
        "link": item.link[:1000],
        "parsed": rest,
    }


def ingest_item(ctx: Context, item: ParsedItem, *, fresh: bool = False) -> str:
    """Store one parsed item in its own transaction (a savepoint inside the
    caller's, as in a poll's batch) and act on it.

    New (source, guid): stored, clustered, and (unless it duplicates a cluster's
    news, is withheld or canceled) made into a story on its routed editions. A
    newer version updates the item and its story with a revision; a cancellation
    retracts the story; an older or equal version is ignored.
    Returns "new", "updated" or "ignored".
    """
    if not item.guid or len(item.guid) > 500:
        raise ValidationError("The item has no usable id (empty or over 500 chars).")
    if fresh:
        # The feed's read of stored guids did not see it: insert straight away. The
        # unique (source, guid) turns a race with another process into an error,
        # after which the item is compared like any stored one.
        try:
            with transaction.atomic():
                return _ingest_new(ctx, item)
        except IntegrityError:
            pass
    with transaction.atomic():
        # Its cluster and story come in the same query; only the item is locked.
        # No ordering: the model's (-received_at, -id) made SQLite walk that
        # index instead of the unique (source, guid) one.
        stored = next(
            iter(
                WireItem.objects.select_related("cluster", "story")
                .select_for_update(of=("self",))
                .filter(source=ctx.source, guid=item.guid)
                .order_by()
            ),
            None,
        )
        if stored is None:
            try:
                with transaction.atomic():
                    return _ingest_new(ctx, item)
            except IntegrityError:
                # Another process stored this (source, guid) first; compare to it.
                stored = WireItem.objects.select_for_update().get(
                    source=ctx.source, guid=item.guid
                )
        if not _is_newer(item, stored):
            return IGNORED
        _ingest_version(ctx, item, stored)
        return UPDATED


def _index(
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


def _find_cluster(
    ctx: Context, buckets: list[int], sig: Any, *, exclude: int | None = None
) -> tuple[clustering.Match | None, dict[int, bytes], dict[int, int | None]]:
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
    match = clustering.best_match(
        sig, ((pk, cluster, data) for pk, cluster, data, _ in rows), ctx.threshold
    )
    return match, signatures, leads


def _similarity_to_lead(
    lead_id: int | None, sig: Any, known: dict[int, bytes] | None = None
) -> float:
    if lead_id is None:
        return 0.0
    data = (known or {}).get(lead_id)
    if data is None:
        row = WireItem.objects.filter(pk=lead_id).values_list("signature").first()
        data = bytes(row[0]) if row else None
    return clustering.similarity(sig, clustering.from_bytes(data)) if data else 0.0


def _ingest_new(ctx: Context, item: ParsedItem) -> str:
    now = timezone.now()
    sig = clustering.signature(
        clustering.item_text(item.headline, item.standfirst, item.body_html)
    )
    buckets = clustering.buckets(sig)
    match, known, leads = _find_cluster(ctx, buckets, sig)
    wire = WireItem(
        source=ctx.source,
        guid=item.guid,
        received_at=now,
        updated_at=now,
        state=ItemState.UNROUTED,
        signature=clustering.to_bytes(sig),
        **_item_fields(item),
    )
    if match is not None and match.cluster_id is not None:
        lead_id = leads.get(match.cluster_id)
        wire.cluster_id = match.cluster_id
        wire.similarity = (
            match.similarity
            if match.item_id == lead_id
            else _similarity_to_lead(lead_id, sig, known)
        )
        wire.state = ItemState.DUPLICATE
        wire.note = f"Same news as item {match.item_id} ({match.similarity:.2f})."
        insert(wire)
        _index(wire, buckets)
        update_columns(Cluster, match.cluster_id, {"updated_at": now})
        return NEW
    cluster = Cluster(created_at=now, updated_at=now)
    insert(cluster)
    wire.cluster, wire.similarity = cluster, 1.0
    # The story first, so the item is inserted in its final state (no UPDATE).
    _decide(ctx, wire)
    insert(wire)
    _index(wire, buckets)
    update_columns(Cluster, cluster.pk, {"lead_id": wire.pk})
    cluster.lead = wire
    return NEW


def _settle(ctx: Context, wire: WireItem) -> None:
    """Give a stored cluster lead its story, or say why it has none; saved."""
    _decide(ctx, wire)
    wire.save(update_fields=["state", "note", "story"])


def _decide(ctx: Context, wire: WireItem) -> None:
    """Give a cluster's lead item its story, or say why it has none: sets the
    item's state, note and story without saving the item."""
    if wire.pubstatus == PubStatus.CANCELED:
        _mark(wire, ItemState.CANCELED, "Canceled by the source.")
        return
    if wire.pubstatus == PubStatus.WITHHELD:
        _mark(wire, ItemState.WITHHELD, "Withheld by the source: held back.")
        return
    place = ctx.place(wire.dateline_city, wire.dateline_country)
    decision = route(
        Facts.of(wire, place, ctx.aliases),
        ctx.rules,
        edition_ids=ctx.edition_ids,
        section_ids=ctx.section_ids,
        auto_publish=ctx.source.auto_publish,
    )
    if not decision.routed:
        _mark(
            wire,
            ItemState.UNROUTED,
            "No edition or section: give the source defaults or add a rule.",
        )
        return
    wire.story = _create_story(ctx, wire, decision, place)
    how = "published" if decision.publish else "queued for review"
    rules = f" by {', '.join(decision.rules)}" if decision.rules else ""
    _mark(wire, ItemState.STORY, f"Story {how}{rules}.")


def _mark(wire: WireItem, state: str, note: str) -> None:
    wire.state = state
    wire.note = note[:300]


def credit(source: Source, wire: WireItem) -> str:
    """The source's credit format filled in; empty parts drop their separators."""
    images = (wire.parsed or {}).get("images") or []
    photographer = images[0].get("photographer", "") if images else ""
    text = source.credit_format.format(
        agency=source.agency, photographer=photographer, byline=wire.byline
    )
    for empty in ("/)", "/ )", "()", "( )"):
        text = text.replace(empty, ")" if empty.startswith("/") else "")
    return " ".join(text.split())[:120]


def _story_text(wire: WireItem) -> dict[str, Any]:
    headline = wire.headline.strip() or "Untitled wire item"
    if len(headline) > 200:
        headline = cut_at_word(headline, 200)
    standfirst = wire.standfirst.strip()
    if len(standfirst) > 400:
        standfirst = cut_at_word(standfirst, 400)
    body = wire.body_html.strip() or "<p></p>"
    return {"headline": headline, "standfirst": standfirst, "body": body}


def _story_fields(ctx: Context, wire: WireItem, place: Place | None) -> dict[str, Any]:
    when = wire.first_created or wire.source_updated_at or wire.received_at
    return {
        **_story_text(wire),
        "provenance": Provenance.WIRE,
        "agency": ctx.source.agency[:120],
        "agency_credit": credit(ctx.source, wire),
        "dateline_city": wire.dateline_city,
        "dateline_country": wire.dateline_country,
        "dateline_place": place,
        # The date where it happened: the source's own offset, not UTC.
        "dateline_date": when.date() if when else None,
        "embargo_until": wire.embargo_until,
    }


def _create_story(
    ctx: Context, wire: WireItem, decision: Route, place: Place | None
) -> Story:
    editions, sections = ctx.editions(), ctx.sections()
    ordered_editions = [editions[pk] for pk in decision.edition_ids if pk in editions]
    ordered_sections = [sections[pk] for pk in decision.section_ids if pk in sections]
    fields = _story_fields(ctx, wire, place)
    return story_actions.create_wire_story(
        editions=ordered_editions,
        sections=ordered_sections,
        tag_ids=ctx.tag_ids,
        publish=decision.publish,
        note=f"From {ctx.source.name}, item {wire.guid}"[:200],
        origin_edition=ordered_editions[0],
        primary_section=ordered_sections[0],
        **fields,
    )


def _ingest_version(ctx: Context, item: ParsedItem, wire: WireItem) -> None:
    """A newer version of a stored item: update it and its story. The item's row
    is written once, at the end, with its new state."""
    now = timezone.now()
    stored = clustering.buckets(clustering.from_bytes(wire.signature))
    for name, value in _item_fields(item).items():
        setattr(wire, name, value)
    sig = clustering.signature(
        clustering.item_text(item.headline, item.standfirst, item.body_html)
    )
    wire.signature = clustering.to_bytes(sig)
    wire.updated_at = now
    if wire.cluster_id is not None and wire.cluster is not None:
        lead_id = wire.cluster.lead_id
        wire.similarity = (
            1.0 if lead_id == wire.pk else _similarity_to_lead(lead_id, sig)
        )
        update_columns(Cluster, wire.cluster_id, {"updated_at": now})
    _index(wire, clustering.buckets(sig), stored=stored)
    label = f"version {item.version}" if item.version is not None else "a new version"
    story = wire.story
    if item.pubstatus == PubStatus.CANCELED:
        if story is not None:
            story_actions.withdraw_wire_story(
                story, note=f"Canceled by {ctx.source.agency} ({label})."
            )
        _mark(wire, ItemState.CANCELED, f"Canceled by the source ({label}).")
    elif item.pubstatus == PubStatus.WITHHELD:
        if story is not None and story.status != Status.PUBLISHED:
            story_actions.withdraw_wire_story(
                story, note=f"Withheld by {ctx.source.agency} ({label})."
            )
        _mark(wire, ItemState.WITHHELD, f"Withheld by the source ({label}).")
    elif story is not None:
        place = ctx.place(wire.dateline_city, wire.dateline_country)
        fields = _story_fields(ctx, wire, place)
        story_actions.update_wire_story(
            story, note=f"Wire update: {label}"[:200], **fields
        )
        _mark(wire, ItemState.STORY, f"Updated to {label}.")
    elif wire.state == ItemState.DUPLICATE:
        wire.note = f"Duplicate, updated to {label}."
    else:
        # Held back, canceled or unrouted before: it may become a story now.
        _decide(ctx, wire)
    update(wire)


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
    skipped: bool = False  # another poll held the lease


def store(source: Source, fetched: Fetched | str, *, started: datetime) -> FetchLog:
    """Store what a fetch brought (or record its error) and update the source's
    health and next poll. Items are stored in batches, each item in its own
    savepoint; the source's health and validators are written after them."""
    log = FetchLog(source=source, started_at=started)
    if isinstance(fetched, str):
        log.outcome, log.message = Outcome.ERROR, fetched
    elif fetched.not_modified:
        log.outcome = Outcome.NOT_MODIFIED
    else:
        problems = list(fetched.errors)
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
    return log


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
        known = _known_versions(source, feed.items)
        todo: list[tuple[ParsedItem, bool]] = []
        for item in feed.items:
            stored = known.get(item.guid)
            if stored is not None and not _newer(item, *stored):
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
            if outcome == NEW:
                log.items_new += 1
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


# --- the desk's changes to clusters ---------------------------------------------------
def _check_editor(by: User) -> None:
    if not (by.is_active and by.is_editor):
        raise PermissionDenied("Only editors change clusters.")


@transaction.atomic
def merge_clusters(target: Cluster, others: Iterable[Cluster], *, by: User) -> Cluster:
    """Move every item of `others` into `target` (their stories stay as they are)
    and delete the emptied clusters."""
    _check_editor(by)
    target = Cluster.objects.select_for_update().get(pk=target.pk)
    lead = WireItem.objects.filter(pk=target.lead_id or 0).first()
    lead_sig = clustering.from_bytes(lead.signature) if lead else None
    other_ids = [c.pk for c in others if c.pk != target.pk]
    if not other_ids:
        raise ValidationError("Choose at least two clusters to merge.")
    for wire in WireItem.objects.filter(cluster_id__in=other_ids):
        wire.cluster = target
        wire.similarity = (
            clustering.similarity(clustering.from_bytes(wire.signature), lead_sig)
            if lead_sig is not None
            else 0.0
        )
        wire.save(update_fields=["cluster", "similarity"])
    Cluster.objects.filter(pk__in=other_ids).delete()
    Cluster.objects.filter(pk=target.pk).update(updated_at=timezone.now())
    logger.info(
        "Clusters merged.", extra={"cluster_id": target.pk, "merged": other_ids}
    )
    return target


@transaction.atomic
def split_item(wire: WireItem, *, by: User) -> Cluster:
    """Take `wire` out of its cluster into a cluster of its own. An item without a
    story is then routed like any new item, so its news is no longer hidden."""
    _check_editor(by)
    wire = WireItem.objects.select_for_update().select_related("source").get(pk=wire.pk)
    old = wire.cluster
    if old is not None and old.lead_id == wire.pk and old.items.count() == 1:
        raise ValidationError("The item is alone in its cluster already.")
    now = timezone.now()
    cluster = Cluster.objects.create(lead=wire, created_at=now, updated_at=now)
    wire.cluster, wire.similarity = cluster, 1.0
    wire.save(update_fields=["cluster", "similarity"])
    if old is not None and old.lead_id == wire.pk:
        _choose_new_lead(old)
    if wire.story_id is None and wire.state == ItemState.DUPLICATE:
        _settle(Context.for_source(wire.source), wire)
    logger.info("Item split from its cluster.", extra={"item_id": wire.pk})
    return cluster


def _choose_new_lead(cluster: Cluster) -> None:
    """The oldest remaining item with a story leads, else the oldest item."""
    rest = list(cluster.items.order_by("received_at", "pk"))
    if not rest:
        cluster.delete()
        return
    lead = next((w for w in rest if w.story_id), rest[0])
    cluster.lead = lead
    cluster.save(update_fields=["lead"])
    lead_sig = clustering.from_bytes(lead.signature)
    for wire in rest:
        wire.similarity = clustering.similarity(
            clustering.from_bytes(wire.signature), lead_sig
        )
        wire.save(update_fields=["similarity"])
