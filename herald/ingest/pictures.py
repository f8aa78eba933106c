"""Agency pictures in. Each is fetched with the safe fetcher: private addresses
refused, a deadline, and the image size cap. The story actions then re-encode it,
with the same type and pixel caps as an upload.

- A text item's pictures (its associations, links or package group) are
  attached to its story: when an editor makes the story (herald.ingest.
  wire_to_story), or by the picture task queued after the poll that made it.
- A picture item (not a text story) goes into the picture library once per
  (source, guid), with its caption, credit, creator, rights and subjects, by the
  same task.

Re-encoding a picture costs about 150 ms of CPU (bench/ingest.py), so a poll only
notes what its pictures are and queues the work: the poll stays as fast as text
alone, and the workers share the pictures. Nothing is fetched inside a
transaction. A picture that cannot be fetched or read is named in its poll's log
and costs nothing else.
"""

import io
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.fetching import FetchError, fetch
from herald.ingest.models import FetchLog, Outcome, Source, WireItem, WirePicture
from herald.ingest.sources.items import ItemKind, NotText
from herald.stories import actions as story_actions
from herald.stories.models import Story
from herald.stories.signals import batched_story_changes

logger = logging.getLogger(__name__)

# Wire items rarely carry more; the rest can be added on the story's page.
MAX_PICTURES = 6
# Picture items stored in the library in one poll; the rest come with the next.
MAX_LIBRARY_PER_POLL = 50


@dataclass(frozen=True)
class Fetched:
    """A wire picture fetched, with its words."""

    data: bytes
    caption: str
    credit: str
    alt_text: str


def words(image: dict[str, Any], *, headline: str, source: Source) -> dict[str, str]:
    """A picture's words from the wire's: a missing caption is the headline; the
    credit in the source's picture credit format ("Xinhua/Du Yu"), else the
    agency's own, else the photographer with the agency ("Du Yu/Xinhua")."""
    caption = (image.get("caption") or image.get("alt_text") or headline).strip()
    photographer = (image.get("photographer") or "").strip()
    given = (image.get("credit") or "").strip()
    agency = source.agency
    if source.picture_credit_format:
        credit = source.picture_credit_format.format(
            agency=agency, photographer=photographer, credit=given
        )
        # An empty part takes its separator with it: "Xinhua/" is "Xinhua".
        credit = " ".join(credit.replace("()", "").split()).strip("/ ")
        credit = credit.replace("//", "/")
    else:
        credit = given or (f"{photographer}/{agency}" if photographer else agency)
    alt_text = (image.get("alt_text") or caption).strip()
    return {
        "caption": caption[:400],
        "credit": credit[:160],
        "alt_text": alt_text[:250],
    }


def fetch_many(urls: Sequence[str]) -> list[bytes | str]:
    """Each URL's bytes (capped at HERALD_IMAGE_MAX_BYTES), or why not, fetched
    at once (HERALD_INGEST_CONCURRENCY at most)."""
    if not urls:
        return []
    limit = settings.HERALD_IMAGE_MAX_BYTES
    workers = max(1, min(len(urls), settings.HERALD_INGEST_CONCURRENCY))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="picture") as pool:
        return list(pool.map(lambda url: _fetch(url, limit), urls))


def _fetch(url: str, limit: int) -> bytes | str:
    try:
        return fetch(url, max_bytes=limit).body
    except FetchError as exc:
        return str(exc) or exc.__class__.__name__


# --- a text item's pictures, on its story ----------------------------------------


def fetch_pictures(item: WireItem) -> tuple[list[Fetched], list[str]]:
    """Fetch the item's pictures (MAX_PICTURES at most); what failed, a line each."""
    images: list[dict[str, Any]] = [
        image for image in (item.parsed or {}).get("images") or [] if image.get("url")
    ]
    problems: list[str] = []
    if len(images) > MAX_PICTURES:
        problems.append(
            f"{len(images) - MAX_PICTURES} more pictures were left out: add them on "
            "the story's page."
        )
        images = images[:MAX_PICTURES]
    results = fetch_many([image["url"] for image in images])
    pictures = []
    for n, (image, result) in enumerate(zip(images, results, strict=True), start=1):
        if isinstance(result, str):
            problems.append(f"Picture {n} ({image['url'][:200]}): {result}")
            continue
        said = words(image, headline=item.headline, source=item.source)
        pictures.append(
            Fetched(
                data=result,
                caption=said["caption"],
                credit=said["credit"],
                alt_text=said["alt_text"],
            )
        )
    return pictures, problems


def attach(
    story: Story, pictures: Sequence[Fetched], *, by: User | None, problems: list[str]
) -> int:
    """Attach each picture through the story actions; one that will not decode is
    left out (its savepoint rolled back) and named in `problems`."""
    attached = 0
    for n, picture in enumerate(pictures, start=1):
        try:
            with transaction.atomic():
                story_actions.attach_image(
                    story,
                    by=by,
                    upload=io.BytesIO(picture.data),
                    caption=picture.caption,
                    credit=picture.credit,
                    alt_text=picture.alt_text,
                    position=attached,
                )
        except ValidationError as exc:
            problems.append(f"Picture {n}: {' '.join(exc.messages)}")
            continue
        attached += 1
    return attached


def stories_wanting_pictures(source: Source, since: datetime) -> list[int]:
    """The items of `source` stored since `since` whose new story has no picture
    yet though the item names some: for the picture task."""
    made = WireItem.objects.filter(
        source=source, received_at__gte=since, story__isnull=False
    ).filter(story__images__isnull=True)
    return [
        pk
        for pk, parsed in made.values_list("pk", "parsed")
        if (parsed or {}).get("images")
    ]


def picture_stories(item_ids: Sequence[int]) -> list[str]:
    """Fetch and attach the pictures of the items' stories (those still without
    one). Returns the problems, a line each, naming the item."""
    problems: list[str] = []
    items = WireItem.objects.filter(
        pk__in=item_ids, story__isnull=False, story__images__isnull=True
    ).select_related("source", "story")
    for item in items:
        if item.story is None:
            continue
        pictures, failed = fetch_pictures(item)
        attach(item.story, pictures, by=None, problems=failed)
        problems += [f"item {item.guid[:80]!r}: {line}" for line in failed]
    return problems


# --- picture items, into the library ---------------------------------------------


def library_candidates(
    source: Source, others: Sequence[NotText]
) -> list[dict[str, str]]:
    """The picture items among `others` not yet in the library, each once, as
    what the picture task needs (plain values: it is queued)."""
    candidates = {
        other.guid: other
        for other in others
        if other.kind in (ItemKind.PICTURE, ItemKind.GRAPHIC) and other.item is not None
    }
    known = set(
        WirePicture.objects.filter(
            source=source, guid__in=list(candidates)
        ).values_list("guid", flat=True)
    )
    wanted = []
    for guid, other in candidates.items():
        item = other.item
        if guid in known or item is None:
            continue
        image = item.images[0] if item.images else None
        wanted.append(
            {
                "guid": guid,
                "url": image.url if image else "",
                "caption": image.caption if image else "",
                "credit": image.credit if image else "",
                "photographer": image.photographer if image else "",
                "alt_text": image.alt_text if image else "",
                "headline": item.headline,
                "rights": " ".join(
                    part
                    for part in (
                        item.extra.get("copyright", ""),
                        item.extra.get("usage_terms", ""),
                    )
                    if part
                ),
                "keywords": ", ".join(
                    dict.fromkeys([*(s.name for s in item.subjects), *item.keywords])
                ),
            }
        )
    return wanted[:MAX_LIBRARY_PER_POLL]


def store_library_pictures(
    source: Source, wanted: Sequence[dict[str, str]]
) -> tuple[int, list[str]]:
    """Fetch the wanted picture items and put them into the picture library, each
    once by (source, guid): (how many were stored, the problems, a line each).
    Each is claimed first (its WirePicture row), so two workers given the same
    picture store it once."""
    problems: list[str] = []
    claimed: list[tuple[WirePicture, dict[str, str]]] = []
    for entry in wanted:
        try:
            with transaction.atomic():
                claim = WirePicture.objects.create(
                    source=source, guid=entry["guid"], note="Being fetched."
                )
        except IntegrityError:
            continue  # stored, or being stored, already
        claimed.append((claim, entry))
    urls = [entry["url"] for _claim, entry in claimed]
    results = iter(fetch_many([url for url in urls if url]))
    stored = 0
    for claim, entry in claimed:
        url = entry["url"]
        result = next(results) if url else "it names no picture file Herald may fetch"
        note = ""
        if isinstance(result, str):
            note = f"Not stored: {result}"
        else:
            try:
                claim.picture = _library_picture(source, entry, result)
            except ValidationError as exc:
                note = f"Not stored: {' '.join(exc.messages)}"
        if note:
            problems.append(f"picture {entry['guid'][:80]!r}: {note}")
        claim.note = note[:300]
        claim.save(update_fields=["picture", "note"])
        stored += claim.picture is not None
    return stored, problems


def _library_picture(source: Source, entry: dict[str, str], data: bytes) -> Any:
    said = words(entry, headline=entry["headline"], source=source)
    return story_actions.create_picture(
        by=None,
        upload=io.BytesIO(data),
        caption=said["caption"],
        credit=said["credit"],
        alt_text=said["alt_text"],
        details={
            "creator": entry["photographer"],
            "rights": entry["rights"],
            "keywords": entry["keywords"],
        },
    )


# --- after a poll ------------------------------------------------------------------


def fetch_wire_pictures(
    log_id: int, item_ids: Sequence[int], library: Sequence[dict[str, str]]
) -> int:
    """The picture task's work for one poll: the new stories' pictures, then the
    picture items into the library; what failed is added to that poll's log (its
    outcome becomes "with problems"). Returns the pictures stored in the library."""
    log = FetchLog.objects.select_related("source").filter(pk=log_id).first()
    if log is None:
        return 0
    # The stories' changes are announced once, together (one related-stories and
    # one search task for the poll's pictures, not one of each per story).
    with batched_story_changes():
        problems = picture_stories(item_ids)
    stored, missed = store_library_pictures(log.source, library)
    problems += missed
    with transaction.atomic():
        current = FetchLog.objects.select_for_update().get(pk=log_id)
        current.pictures_stored += stored
        if problems:
            lines = [line for line in current.message.splitlines() if line]
            current.message = "\n".join((lines + problems)[:50])
            if current.outcome == Outcome.OK:
                current.outcome = Outcome.WARNING
        current.save(update_fields=["pictures_stored", "message", "outcome"])
    logger.info(
        "Wire pictures fetched.",
        extra={"log_id": log_id, "stored": stored, "problems": len(problems)},
    )
    return stored


def withdraw_expired_pictures(now: datetime | None = None) -> int:
    """Take out of the library the picture items whose source's usage rights have
    ended (`Source.expiry_days` after they came). One a story uses stays until
    that story's own rights end and it is withdrawn. The WirePicture row stays,
    noting why, so the picture is never fetched again."""
    moment = now or timezone.now()
    removed = 0
    for source in Source.objects.filter(expiry_days__isnull=False):
        assert source.expiry_days is not None
        cutoff = moment - timedelta(days=source.expiry_days)
        ended = WirePicture.objects.filter(
            source=source,
            received_at__lte=cutoff,
            picture__isnull=False,
            picture__uses__isnull=True,
        ).select_related("picture")
        for wire_picture in ended:
            with transaction.atomic():
                picture = wire_picture.picture
                if picture is None:
                    continue
                try:
                    story_actions.delete_picture(picture, by=None)
                except ValidationError:
                    continue  # a story took it up meanwhile
                wire_picture.note = (
                    f"Removed {moment:%d %b %Y}: usage rights ended after "
                    f"{source.expiry_days} days."
                )
                wire_picture.save(update_fields=["note"])
                removed += 1
    return removed
