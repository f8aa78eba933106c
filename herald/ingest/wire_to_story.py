"""An editor makes a story from a wire item that has none: a draft, or, for a held
item, published at once. Made through herald.stories.actions (permissions, revision
and events) under the item's row lock, in one transaction, so a second click finds
the story the first one made and a failure leaves neither story nor changed item."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.ingest.models import ItemState, WireItem
from herald.ingest.pictures import attach, fetch_pictures
from herald.ingest.routing import Facts, Route, route
from herald.ingest.sources.items import PubStatus
from herald.ingest.storing import Context, has_text, story_fields
from herald.stories import actions as story_actions
from herald.stories.models import Section, Story

logger = logging.getLogger(__name__)

# Held items: no story because the source held them back or routing found no place.
# Only these may be published straight from the wire; a duplicate (the same news as
# a story already made) or a story's deleted item becomes a draft to look at first.
HELD = frozenset({ItemState.WITHHELD, ItemState.UNROUTED})


@dataclass(frozen=True)
class Placement:
    """Where the story goes: the origin edition first among its editions."""

    origin_edition: Edition
    editions: tuple[Edition, ...]
    primary_section: Section
    sections: tuple[Section, ...] = ()


@dataclass
class Made:
    """What `make_story_from_item` did: `created` is False when the item had its
    story already (a second click), and `story` is that story."""

    story: Story
    created: bool
    pictures: int = 0
    problems: list[str] = field(default_factory=list)


def suggest(item: WireItem) -> Route:
    """Where routing would send `item` now: the source's defaults and the active
    rules, editions and sections in desk order (the pubStatus plays no part)."""
    ctx = Context.for_source(item.source)
    place = ctx.place(item.dateline_city, item.dateline_country)
    return route(
        Facts.of(item, place, ctx.aliases),
        ctx.rules,
        edition_ids=ctx.edition_ids,
        section_ids=ctx.section_ids,
        auto_publish=item.source.auto_publish,
    )


def may_make(user: User, suggestion: Route) -> bool:
    """May `user` make a story from an item routing sends to `suggestion`?

    Editors and admins only. An admin may take any item; an editor an item routed
    to one of their editions, or routed nowhere (no edition: anyone's to place).
    An item routed only to other editions is theirs, not this editor's.
    """
    if not user.is_editor:
        return False
    if user.is_admin:
        return True
    scope = user.edition_ids()
    return bool(scope) and (
        not suggestion.edition_ids or bool(scope & set(suggestion.edition_ids))
    )


def why_not(item: WireItem, *, publish: bool = False) -> str:
    """Why `item` cannot be made into a story (or published) now; empty if it can.
    An item with a story answers here too: callers show that story instead."""
    if item.story_id is not None:
        return "This item has a story already."
    if item.state == ItemState.CANCELED:
        return "The source canceled this item; it cannot become a story."
    if publish and not has_text(item):
        return (
            "This item has no text (a headline only): make a draft, write the "
            "story and publish it from the story's page."
        )
    if publish and item.state not in HELD:
        return (
            "Only a held item (withheld or unrouted) is published from the wire; "
            "make a draft and publish it from the story's page."
        )
    return ""


def needs_confirmation(item: WireItem) -> bool:
    """Publishing an item the source still withholds needs an explicit yes."""
    return item.pubstatus == PubStatus.WITHHELD


def make_story_from_item(
    item: WireItem,
    *,
    by: User,
    placement: Placement,
    publish: bool = False,
    confirm_withheld: bool = False,
) -> Made:
    """Make `item` into a story by `by` on `placement`: a draft, or published at
    once when `publish` (a held item only; one the source still withholds needs
    `confirm_withheld`). The story has the item's text, dateline, credit, tags and
    pictures; the item then points to it, in state "story", noting who made it.

    Pictures are fetched with the safe fetcher before the transaction (no network
    inside the row lock); one that cannot be fetched or read is left out and named
    in `problems`. Everything else happens in one transaction under the item's
    row lock: if the item has a story by then (a second click), that story comes
    back with `created` False and nothing changes; any error rolls it all back.
    """
    if not by.is_editor:
        raise PermissionDenied("Only editors make stories from the wire.")
    if item.story_id is not None:
        return Made(Story.objects.get(pk=item.story_id), created=False)
    _check(item, publish=publish, confirm_withheld=confirm_withheld)
    _check_terms(item, placement)
    pictures, problems = fetch_pictures(item)
    with transaction.atomic():
        # Only the item is locked (its nullable relations are not joined).
        wire = (
            WireItem.objects.select_for_update(of=("self",))
            .select_related("source")
            .get(pk=item.pk)
        )
        if wire.story_id is not None:
            return Made(Story.objects.get(pk=wire.story_id), created=False)
        _check(wire, publish=publish, confirm_withheld=confirm_withheld)
        story = _create(wire, by=by, placement=placement)
        attached = attach(story, pictures, by=by, problems=problems)
        if publish:
            story_actions.publish_story(
                story, by=by, note=f"Published from wire item {wire.guid}"[:2000]
            )
        how = "made and published" if publish else "made"
        wire.story, wire.state = story, ItemState.STORY
        wire.note = f"Story {how} on the desk by {by.get_username()}."[:300]
        wire.save(update_fields=["story", "state", "note"])
    item.story, item.state, item.note = story, wire.state, wire.note
    logger.info(
        "Story made from a wire item.",
        extra={"item_id": item.pk, "story_id": story.pk, "published": publish},
    )
    return Made(story, created=True, pictures=attached, problems=problems)


def _check(item: WireItem, *, publish: bool, confirm_withheld: bool) -> None:
    reason = why_not(item, publish=publish)
    if reason:
        raise ValidationError(reason)
    if publish and needs_confirmation(item) and not confirm_withheld:
        raise ValidationError(
            "The source still withholds this item. Tick the confirmation to "
            "publish it anyway."
        )


def _check_terms(item: WireItem, placement: Placement) -> None:
    """The source's usage terms name the editions its copy may run on."""
    allowed = set(item.source.allowed_editions.all())
    chosen = {placement.origin_edition, *placement.editions}
    if allowed and not chosen <= allowed:
        names = ", ".join(sorted(e.name for e in chosen - allowed))
        may = ", ".join(sorted(e.name for e in allowed))
        raise ValidationError(
            f"{item.source.name}'s usage terms do not allow {names}; its copy may "
            f"run on {may}."
        )


def _create(wire: WireItem, *, by: User, placement: Placement) -> Story:
    """The draft, through the story actions, with the fields ingest gives a wire
    story (text, provenance, agency and credit, dateline with its place, embargo)
    and the source's default tags."""
    ctx = Context.for_source(wire.source, rules=[])
    place = ctx.place(wire.dateline_city, wire.dateline_country)
    editions = list(dict.fromkeys([placement.origin_edition, *placement.editions]))
    return story_actions.create_story(
        by=by,
        editions=editions,
        sections=placement.sections,
        tags=ctx.tag_ids,
        origin_edition=placement.origin_edition,
        primary_section=placement.primary_section,
        **story_fields(ctx, wire, place),
    )
