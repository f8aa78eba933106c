"""Storing a source's items: a new (source, guid) is stored, clustered and routed
into a story; a newer version updates the item and its story. Every story change
goes through herald.stories.actions."""

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from herald.core.inserts import insert, update, update_columns
from herald.core.sanitize import html_to_text
from herald.core.text import cut_at_word
from herald.ingest import clustering
from herald.ingest.models import Cluster, ItemState, Source, WireItem
from herald.ingest.routing import (
    CountryAliases,
    Facts,
    Route,
    RuleSpec,
    load_rules,
    route,
)
from herald.ingest.sources.items import ParsedItem, PubStatus
from herald.stories import actions as story_actions
from herald.stories.models import LANGUAGE_TAG, Place, Provenance, Story, bare_name
from herald.stories.workflow import Status

NEW, UPDATED, IGNORED, FAILED = "new", "updated", "ignored", "failed"
DUPLICATE = "duplicate"  # new, and another telling of a cluster's news


@dataclass
class Context:
    """What one poll of one source needs for every item: read once, not per item."""

    source: Source
    rules: Sequence[RuleSpec]
    edition_ids: list[int]
    section_ids: list[int]
    tag_ids: list[int]
    threshold: float
    # The source's usage terms: the editions its copy may run on (empty: all).
    allowed_edition_ids: frozenset[int] = frozenset()
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
            allowed_edition_ids=frozenset(
                source.allowed_editions.values_list("pk", flat=True)
            ),
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
    return newer(item, stored.version, stored.source_updated_at, stored.content_hash)


def newer(
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


def known_versions(source: Source, items: Sequence[ParsedItem]) -> Known:
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
    Returns "new" ("duplicate" for a new item telling a cluster's news again),
    "updated" or "ignored".
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


def _ingest_new(ctx: Context, item: ParsedItem) -> str:
    now = timezone.now()
    sig = clustering.signature(
        clustering.item_text(item.headline, item.standfirst, item.body_html)
    )
    buckets = clustering.buckets(sig)
    match, known, leads = clustering.find_cluster(buckets, sig, threshold=ctx.threshold)
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
            else clustering.similarity_to_lead(lead_id, sig, known)
        )
        wire.state = ItemState.DUPLICATE
        wire.note = f"Same news as item {match.item_id} ({match.similarity:.2f})."
        insert(wire)
        clustering.index(wire, buckets)
        update_columns(Cluster, match.cluster_id, {"updated_at": now})
        return DUPLICATE
    cluster = Cluster(created_at=now, updated_at=now)
    insert(cluster)
    wire.cluster, wire.similarity = cluster, 1.0
    # The story first, so the item is inserted in its final state (no UPDATE).
    _decide(ctx, wire)
    insert(wire)
    clustering.index(wire, buckets)
    update_columns(Cluster, cluster.pk, {"lead_id": wire.pk})
    cluster.lead = wire
    return NEW


def settle(ctx: Context, wire: WireItem) -> None:
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
    if not has_text(wire):
        # Never a story with an empty body; the desk may write one from it.
        _mark(wire, ItemState.UNROUTED, NO_TEXT)
        return
    place = ctx.place(wire.dateline_city, wire.dateline_country)
    decision = route(
        Facts.of(wire, place, ctx.aliases),
        ctx.rules,
        edition_ids=ctx.edition_ids,
        section_ids=ctx.section_ids,
        auto_publish=ctx.source.auto_publish,
    )
    if ctx.allowed_edition_ids:
        routed = decision.edition_ids
        decision.edition_ids = [e for e in routed if e in ctx.allowed_edition_ids]
        if routed and not decision.edition_ids:
            _mark(wire, ItemState.UNROUTED, NOT_ALLOWED)
            return
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


NO_TEXT = "No text (a headline only): not made into a story."
NOT_ALLOWED = "The source's usage terms allow none of the editions it was routed to."


def has_text(wire: WireItem) -> bool:
    """Whether the item has a body a reader could read."""
    return bool(html_to_text(wire.body_html).strip())


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


def wire_byline(source: Source, wire: WireItem) -> str:
    """The agency's writer for the story's byline, without the agency's own name
    ("Christian Hollmann, dpa" → "Christian Hollmann"; "NTB" alone → ""), so the
    page names the agency once, in its credit."""
    agency = {
        bare_name(source.agency),
        bare_name(credit(source, wire)),
    }
    names = [part.strip() for part in re.split(r"\s*[,/]\s*", wire.byline)]
    kept = [name for name in names if name and bare_name(name) not in agency]
    if len(kept) == len(names):
        return wire.byline.strip()[:200]
    return ", ".join(kept)[:200]


def _story_text(wire: WireItem) -> dict[str, Any]:
    headline = wire.headline.strip() or "Untitled wire item"
    if len(headline) > 200:
        headline = cut_at_word(headline, 200)
    standfirst = wire.standfirst.strip()
    if len(standfirst) > 400:
        standfirst = cut_at_word(standfirst, 400)
    body = wire.body_html.strip() or "<p></p>"
    return {"headline": headline, "standfirst": standfirst, "body": body}


def story_fields(ctx: Context, wire: WireItem, place: Place | None) -> dict[str, Any]:
    """A story's fields from a wire item: ingest's own stories and the desk's
    "Make a story" (herald.ingest.wire_to_story) read an item the same way."""
    when = wire.first_created or wire.source_updated_at or wire.received_at
    return {
        **_story_text(wire),
        "provenance": Provenance.WIRE,
        "agency": ctx.source.agency[:120],
        "agency_credit": credit(ctx.source, wire),
        "wire_byline": wire_byline(ctx.source, wire),
        "language": wire.language if LANGUAGE_TAG.match(wire.language) else "",
        "dateline_city": wire.dateline_city,
        "dateline_country": wire.dateline_country,
        "dateline_place": place,
        # The date where it happened: the source's own offset, not UTC.
        "dateline_date": when.date() if when else None,
        **usage_times(ctx.source, wire),
    }


def usage_times(source: Source, wire: WireItem) -> dict[str, datetime | None]:
    """The embargo (the item's own, or the source's hold after the agency's time,
    whichever is later) and the end of the usage rights, by the source's terms."""
    agency_time = wire.first_created or wire.source_updated_at or wire.received_at
    embargo = wire.embargo_until
    if source.embargo_minutes and agency_time:
        held = agency_time + timedelta(minutes=source.embargo_minutes)
        embargo = max(embargo, held) if embargo else held
    expires = None
    if source.expiry_days is not None and agency_time:
        expires = agency_time + timedelta(days=source.expiry_days)
    return {"embargo_until": embargo, "expires_at": expires}


def _create_story(
    ctx: Context, wire: WireItem, decision: Route, place: Place | None
) -> Story:
    editions, sections = ctx.editions(), ctx.sections()
    ordered_editions = [editions[pk] for pk in decision.edition_ids if pk in editions]
    ordered_sections = [sections[pk] for pk in decision.section_ids if pk in sections]
    fields = story_fields(ctx, wire, place)
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
            1.0 if lead_id == wire.pk else clustering.similarity_to_lead(lead_id, sig)
        )
        update_columns(Cluster, wire.cluster_id, {"updated_at": now})
    clustering.index(wire, clustering.buckets(sig), stored=stored)
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
    elif story is not None and not has_text(wire):
        # A headline-only correction or flash: the story keeps its text.
        _mark(wire, ItemState.STORY, f"{label} has no text; the story is unchanged.")
    elif story is not None:
        place = ctx.place(wire.dateline_city, wire.dateline_country)
        fields = story_fields(ctx, wire, place)
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
