"""Every change to a news release goes through a verb here: drafts, submission,
each moderation decision, and publication. Each decision is recorded and mailed."""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.images import make_renditions
from herald.core.roles import Role
from herald.core.sanitize import body_from_desk, same_html
from herald.editions.models import Edition
from herald.releases.checks import as_json, run_checks
from herald.releases.mail import mail_submitter
from herald.releases.models import (
    ALLOWED_MOVES,
    Decision,
    NewsRelease,
    RejectReason,
    ReleaseImage,
    ReleaseStatus,
    Submitter,
)
from herald.releases.text import render_body
from herald.stories import actions as story_actions
from herald.stories.models import Place, Section, Story
from herald.stories.workflow import Status

logger = logging.getLogger(__name__)

MAX_IMAGES = 5
# A new image of a draft: (file, caption, credit, rights confirmed[, alt text]).
NewImage = tuple[IO[bytes], str, str, bool] | tuple[IO[bytes], str, str, bool, str]
RELEASE_FIELDS = (
    "headline",
    "summary",
    "body",
    "category",
    "dateline_city",
    "dateline_country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "release_at",
    "time_zone",
)


class MoveNotAllowed(Exception):
    """The release's state has no such move."""


def may_decide(user: User, editions: Iterable[Edition]) -> bool:
    """May `user` decide on a release aimed at `editions`? Moderators and admins
    anywhere; editors only when every edition is one they edit."""
    if not user.is_active or not user.is_moderator:
        return False
    if user.is_admin or user.role == Role.MODERATOR:
        return True
    ids = {e.pk for e in editions}
    return bool(ids) and ids <= user.edition_ids()


def _locked(release: NewsRelease) -> NewsRelease:
    return NewsRelease.objects.select_for_update().get(pk=release.pk)


def _move(release: NewsRelease, to: str) -> None:
    if to not in ALLOWED_MOVES[release.status]:
        raise MoveNotAllowed(
            f"A release that is {ReleaseStatus(release.status).label.lower()} "
            f"cannot become {ReleaseStatus(to).label.lower()}."
        )
    release.status = to
    release.modified_at = timezone.now()


@transaction.atomic
def save_draft(
    submitter: Submitter,
    *,
    release: NewsRelease | None,
    editions: Iterable[Edition],
    new_images: Iterable[NewImage] = (),
    remove_image_ids: Iterable[int] = (),
    **fields: Any,
) -> NewsRelease:
    """Create or update the submitter's draft (or a release sent back for changes).

    `new_images` are (file, caption, credit, rights confirmed[, alt text]); each is
    decoded with the pixel cap and re-encoded, and the upload's bytes are never kept.
    """
    if release is None:
        release = NewsRelease(submitter=submitter)
    else:
        release = _locked(release)
        if release.submitter_id != submitter.pk:
            raise PermissionDenied("Not your release.")
        if not release.is_editable:
            raise MoveNotAllowed("This release can no longer be changed.")
    unknown = set(fields) - set(RELEASE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown release fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(release, name, value)
    release.modified_at = timezone.now()
    release.full_clean(exclude=["submitter", "story"])
    release.save()
    release.editions.set(list(editions))
    release.images.filter(pk__in=list(remove_image_ids)).delete()
    for upload, caption, credit, rights, *alt in new_images:
        add_image(
            release,
            upload=upload,
            caption=caption,
            credit=credit,
            rights=rights,
            alt_text=alt[0] if alt else "",
        )
    return release


def add_image(
    release: NewsRelease,
    *,
    upload: IO[bytes],
    caption: str,
    credit: str,
    rights: bool,
    alt_text: str = "",
) -> ReleaseImage:
    """Re-encode `upload` and attach it; refuses a sixth image or missing rights.
    The submission form asks every new upload for its alt text."""
    if release.images.count() >= MAX_IMAGES:
        raise ValidationError(f"A release has at most {MAX_IMAGES} images.")
    if not rights:
        raise ValidationError("Confirm that you hold the rights to every image.")
    if not caption.strip() or not credit.strip():
        raise ValidationError("Every image needs a caption and a credit.")
    # Only JPEG, PNG and WebP from the public: GIF is for the newsroom's own use.
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"GIF8"):
        raise ValidationError("Images must be JPEG, PNG or WebP.")
    # Uncropped: the submitter's whole picture reaches the moderator (a story made
    # from it is cropped then, around the focal point the desk sets).
    renditions = {r.name: r for r in make_renditions(upload, aspect_range=None)}
    upload.seek(0)
    from PIL import Image

    with Image.open(upload, formats=["JPEG", "PNG", "WEBP"]) as probe:
        width, height = probe.size
    large = renditions["large"]
    image = ReleaseImage(
        release=release,
        position=release.images.count(),
        caption=caption.strip(),
        credit=credit.strip(),
        alt_text=alt_text.strip()[:250],
        rights_confirmed=True,
        source_width=width,
        source_height=height,
    )
    image.image.save(
        f"release-{release.pk}-{timezone.now():%H%M%S%f}.jpg",
        ContentFile(large.content),
        save=False,
    )
    image.full_clean()
    image.save()
    return image


def _check_complete(release: NewsRelease) -> None:
    errors: dict[str, str] = {}
    if not release.body.strip():
        errors["body"] = "Write the body of the release."
    if not release.editions.exists():
        errors["editions"] = "Choose at least one edition."
    if not release.dateline_city or not release.dateline_country:
        errors["dateline_city"] = "Give the dateline: city and country."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def submit_release(release: NewsRelease, *, by: User) -> NewsRelease:
    """Send the release to the moderation queue with the checks' flags; the
    submitter is told it arrived."""
    current = _locked(release)
    if current.submitter.user_id != by.pk:
        raise PermissionDenied("Not your release.")
    if not by.email_verified:
        raise PermissionDenied("Verify your email address before submitting.")
    _check_complete(current)
    _move(current, ReleaseStatus.PENDING)
    now = timezone.now()
    current.submitted_at = now
    current.flags = as_json(run_checks(current, now=now))
    current.save(update_fields=["status", "modified_at", "submitted_at", "flags"])
    Decision.objects.create(release=current, kind=Decision.Kind.SUBMITTED, by=by)
    mail_submitter(current, Decision.Kind.SUBMITTED, message="")
    logger.info(
        "News release submitted.",
        extra={"release_id": current.pk, "flags": len(current.flags)},
    )
    return current


def _decide_on(release: NewsRelease, by: User) -> NewsRelease:
    """Lock the release; `by` must see it in their queue (editors: a release aimed
    at one of their editions at least)."""
    if not NewsRelease.objects.moderatable_by(by).filter(pk=release.pk).exists():
        raise PermissionDenied("You may not decide on this release.")
    return _locked(release)


@transaction.atomic
def request_changes(release: NewsRelease, *, by: User, message: str) -> NewsRelease:
    """Send the release back to its submitter with what to change."""
    if not message.strip():
        raise ValidationError({"message": "Say what should change."})
    current = _decide_on(release, by)
    _move(current, ReleaseStatus.CHANGES_REQUESTED)
    current.save(update_fields=["status", "modified_at"])
    Decision.objects.create(
        release=current, kind=Decision.Kind.CHANGES, message=message.strip(), by=by
    )
    mail_submitter(current, Decision.Kind.CHANGES, message=message.strip())
    return current


@transaction.atomic
def reject_release(
    release: NewsRelease, *, by: User, reason: str, message: str
) -> NewsRelease:
    """Refuse the release for good, with a reason code and a message."""
    if reason not in RejectReason.values:
        raise ValidationError({"reason": "Choose a reason."})
    if not message.strip():
        raise ValidationError({"message": "Tell the submitter why."})
    current = _decide_on(release, by)
    _move(current, ReleaseStatus.REJECTED)
    current.save(update_fields=["status", "modified_at"])
    Decision.objects.create(
        release=current,
        kind=Decision.Kind.REJECTED,
        reason=reason,
        message=message.strip(),
        by=by,
    )
    mail_submitter(current, Decision.Kind.REJECTED, message=message.strip())
    return current


@transaction.atomic
def approve_release(
    release: NewsRelease,
    *,
    by: User,
    section: Section,
    editions: list[Edition] | None = None,
    release_at: datetime | None = None,
    keep_requested_time: bool = True,
    message: str = "",
    body_html: str | None = None,
    **changes: Any,
) -> Story:
    """Publish the release as a story on its target editions (or the ones `by`
    chose) at the requested time, and tell the submitter.

    `changes` are a moderator's edits to the release's text fields; with any, the
    decision is recorded as "edited and approved". `body_html` is the body as the
    moderator edited it in the desk's editor (the submitter's Markdown, rendered,
    is what they started from): the story gets it, and the release keeps the
    submitter's own text. A requested time already past publishes at once.
    """
    decided_at = timezone.now()
    current = _decide_on(release, by)
    chosen = list(editions) if editions is not None else list(current.editions.all())
    if not may_decide(by, chosen):
        raise PermissionDenied("You may not publish on those editions.")
    edited = {
        k: v
        for k, v in changes.items()
        if k in RELEASE_FIELDS and getattr(current, k) != v
    }
    if set(changes) - set(RELEASE_FIELDS):
        raise TypeError(
            f"Unknown release fields: {sorted(set(changes) - set(RELEASE_FIELDS))}"
        )
    body = render_body(edited.get("body", current.body))
    if body_html is not None and not same_html(body_html, body):
        body = body_from_desk(body_html)
        edited["body"] = body
    for name, value in edited.items():
        if name != "body" or body_html is None:
            setattr(current, name, value)
    at = current.release_at if keep_requested_time else release_at
    if editions is not None:
        current.editions.set(chosen)
    current.full_clean(exclude=["submitter", "story"])
    place = (
        Place.objects.filter(
            name__iexact=current.dateline_city, country__iexact=current.dateline_country
        ).first()
        if current.dateline_city
        else None
    )
    files = [
        (img.image.open("rb"), img.caption, img.credit, img.alt_text)
        for img in current.images.all()
    ]
    try:
        story = story_actions.publish_release_story(
            by=by,
            editions=chosen,
            at=at,
            images=files,
            headline=current.headline,
            standfirst=current.summary,
            body=body,
            dateline_city=current.dateline_city,
            dateline_country=current.dateline_country,
            dateline_place=place,
            dateline_date=timezone.localdate(at or timezone.now(), _zone(current)),
            primary_section=section,
        )
    finally:
        for handle, *_ in files:
            handle.close()
    published = story.status == Status.PUBLISHED
    _move(current, ReleaseStatus.PUBLISHED if published else ReleaseStatus.SCHEDULED)
    current.story = story
    current.save()
    kind = Decision.Kind.EDITED_APPROVED if edited else Decision.Kind.APPROVED
    note = message.strip()
    if edited:
        note = (
            (note + "\n" if note else "") + "Edited: " + ", ".join(sorted(edited)) + "."
        )
    Decision.objects.create(
        release=current,
        kind=kind,
        message=note,
        by=by,
        at=decided_at,
        edition_ids=[e.pk for e in chosen],
        release_at=story.scheduled_for or story.published_at,
    )
    if published:
        Decision.objects.create(
            release=current,
            kind=Decision.Kind.PUBLISHED,
            by=by,
            at=story.published_at or timezone.now(),
        )
    mail_submitter(current, kind, message=message.strip())
    logger.info(
        "News release approved.",
        extra={"release_id": current.pk, "story_id": story.pk, "edited": bool(edited)},
    )
    return story


def _zone(release: NewsRelease) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(release.time_zone)


@transaction.atomic
def mark_published(story_id: int) -> bool:
    """Record that a scheduled release's story went live; safe to run twice."""
    release = (
        NewsRelease.objects.select_for_update()
        .filter(story_id=story_id, status=ReleaseStatus.SCHEDULED)
        .first()
    )
    if release is None or release.story is None:
        return False
    story = release.story
    if story.status != Status.PUBLISHED or story.published_at is None:
        return False
    _move(release, ReleaseStatus.PUBLISHED)
    release.save(update_fields=["status", "modified_at"])
    Decision.objects.create(
        release=release, kind=Decision.Kind.PUBLISHED, at=story.published_at
    )
    mail_submitter(release, Decision.Kind.PUBLISHED, message="")
    return True
