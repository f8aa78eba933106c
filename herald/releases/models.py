"""Submitter (an organisation's profile), NewsRelease, its images and the record of
every moderation decision."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from herald.releases.querysets import ReleaseQuerySet


class Submitter(models.Model):
    """The organisation behind a submitter account, shown to moderators."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submitter"
    )
    organisation = models.CharField(max_length=160)
    website = models.URLField(max_length=300, blank=True)
    contact_person = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    about = models.TextField(
        max_length=2000, blank=True, help_text="Boilerplate 'about' text."
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="Requested release times are read in it.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.organisation


class Category(models.TextChoices):
    BUSINESS = "business", "Business"
    COMMUNITY = "community", "Community"
    SPORTS = "sports", "Sports"
    PERSONNEL = "personnel", "Personnel appointments"
    EVENTS = "events", "Events"
    ARTS = "arts", "Arts and culture"
    OTHER = "other", "Other"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Awaiting moderation"
    CHANGES_REQUESTED = "changes", "Changes requested"
    REJECTED = "rejected", "Rejected"
    SCHEDULED = "scheduled", "Approved, scheduled"
    PUBLISHED = "published", "Published"


# The one map of moves. A scheduled release becomes published when its story does.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    ReleaseStatus.DRAFT: frozenset({ReleaseStatus.PENDING}),
    ReleaseStatus.PENDING: frozenset(
        {
            ReleaseStatus.CHANGES_REQUESTED,
            ReleaseStatus.REJECTED,
            ReleaseStatus.SCHEDULED,
            ReleaseStatus.PUBLISHED,
        }
    ),
    ReleaseStatus.CHANGES_REQUESTED: frozenset({ReleaseStatus.PENDING}),
    ReleaseStatus.REJECTED: frozenset(),
    ReleaseStatus.SCHEDULED: frozenset({ReleaseStatus.PUBLISHED}),
    ReleaseStatus.PUBLISHED: frozenset(),
}
# What the submitter may still change.
EDITABLE = {ReleaseStatus.DRAFT, ReleaseStatus.CHANGES_REQUESTED}


class RejectReason(models.TextChoices):
    ADVERTISING = "advertising", "Advertising, not news"
    UNVERIFIABLE = "unverifiable", "Claims we could not verify"
    DUPLICATE = "duplicate", "Already published or submitted"
    OFF_TOPIC = "off_topic", "Not relevant to the chosen editions"
    RIGHTS = "rights", "Images or text the submitter has no rights to"
    HARMFUL = "harmful", "Defamatory, hateful or otherwise harmful"
    SPAM = "spam", "Spam"
    OTHER = "other", "Other"


class NewsRelease(models.Model):
    submitter = models.ForeignKey(
        Submitter, on_delete=models.CASCADE, related_name="releases"
    )
    status = models.CharField(
        max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    headline = models.CharField(max_length=200)
    summary = models.CharField(max_length=400, blank=True)
    body = models.TextField(
        max_length=30_000, blank=True, help_text="Markdown, as the submitter wrote it."
    )
    category = models.CharField(
        max_length=12, choices=Category.choices, default=Category.OTHER
    )
    dateline_city = models.CharField(max_length=80, blank=True)
    dateline_country = models.CharField(max_length=80, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    editions = models.ManyToManyField(
        "editions.Edition", blank=True, related_name="news_releases"
    )
    # None means "as soon as it is approved". Stored in UTC; `time_zone` is the
    # zone the submitter wrote it in, to show it back to them.
    release_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    flags = models.JSONField(default=list, blank=True)
    story = models.OneToOneField(
        "stories.Story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news_release",
    )
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="release_queue")
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("releases:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def dateline(self) -> str:
        if not self.dateline_city:
            return ""
        country = f", {self.dateline_country}" if self.dateline_country else ""
        return f"{self.dateline_city.upper()}{country}:"

    def flag_list(self) -> list[dict[str, Any]]:
        return list(self.flags or [])


class ReleaseImage(models.Model):
    """An image of a release, kept only as a re-encoded JPEG (never the upload)."""

    release = models.ForeignKey(
        NewsRelease, on_delete=models.CASCADE, related_name="images"
    )
    position = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(upload_to="releases/%Y/%m/", max_length=200)
    caption = models.CharField(max_length=400)
    credit = models.CharField(max_length=160)
    # Asked of every new upload (the submission form needs it); empty only on
    # images sent before it was asked for, whose story takes the caption instead.
    alt_text = models.CharField(
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    rights_confirmed = models.BooleanField(default=False)
    # The size of the upload as decoded, before any scaling: the "too small" check
    # judges what the submitter sent.
    source_width = models.PositiveIntegerField()
    source_height = models.PositiveIntegerField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption


class Decision(models.Model):
    """One thing that happened to a release, by whom, with the message sent."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        EDITED_APPROVED = "edited", "Edited and approved"
        CHANGES = "changes", "Changes requested"
        REJECTED = "rejected", "Rejected"
        PUBLISHED = "published", "Published"

    release = models.ForeignKey(
        NewsRelease, on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    message = models.TextField(max_length=4000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # What the decision applied to: the editions chosen and the time, for approvals.
    edition_ids = models.JSONField(default=list, blank=True)
    release_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.release_id}"

    @property
    def at_time(self) -> datetime:
        return self.at
