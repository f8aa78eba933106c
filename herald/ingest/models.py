"""Sources, what each poll did, wire items kept verbatim, clusters and routing rules."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from herald.ingest.querysets import SourceQuerySet, WireItemQuerySet


class Format(models.TextChoices):
    RSS = "rss", "RSS 2.0"
    ATOM = "atom", "Atom 1.0"
    NEWSML_G2 = "newsml-g2", "IPTC NewsML-G2"
    NINJS = "ninjs", "IPTC ninjs (1.x, 2.x, 3.x)"


class Source(models.Model):
    """A wire feed Herald polls: an HTTP(S) URL or a drop folder on disk."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    format = models.CharField(max_length=12, choices=Format.choices)
    url = models.URLField(
        max_length=1000, blank=True, help_text="HTTP(S) address of the feed."
    )
    drop_folder = models.CharField(
        max_length=500,
        blank=True,
        help_text="A folder on the server; every file in it is one document.",
    )
    poll_interval = models.PositiveIntegerField(
        default=300, help_text="Seconds between polls (at least 30)."
    )
    agency = models.CharField(max_length=120)
    credit_format = models.CharField(
        max_length=120,
        default="({agency})",
        help_text="Credit on the story: {agency}, {photographer} and {byline} are "
        "filled in, e.g. (Xinhua/{photographer}).",
    )
    picture_credit_format = models.CharField(
        max_length=120,
        blank=True,
        help_text="Credit on this source's pictures: {agency}, {photographer} and "
        "{credit} (the agency's own) are filled in, e.g. {agency}/{photographer} "
        "for “Xinhua/Du Yu”. Empty: the agency's own credit, else "
        "photographer/agency.",
    )
    licence_notes = models.TextField(blank=True)
    # Usage terms: where the agency's copy may run, how long it waits, how long
    # it may stay.
    allowed_editions = models.ManyToManyField(
        "editions.Edition",
        blank=True,
        related_name="+",
        help_text="The editions this agency's copy may run on; none chosen: all. "
        "Routing to any other edition is dropped.",
    )
    embargo_minutes = models.PositiveIntegerField(
        default=0,
        help_text="Hold every item this long after the agency's own time (its "
        "first-created time), unless the item has a later embargo of its own.",
    )
    expiry_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Usage rights end this many days after an item's first-created "
        "time: its story is then withdrawn from every page, feed, sitemap, search "
        "and the API, with the reason recorded. Empty: no end.",
    )
    default_editions = models.ManyToManyField(
        "editions.Edition", blank=True, related_name="+"
    )
    default_sections = models.ManyToManyField(
        "stories.Section", blank=True, related_name="+"
    )
    default_tags = models.ManyToManyField("stories.Tag", blank=True, related_name="+")
    auto_publish = models.BooleanField(
        default=False,
        help_text="Publish new stories at once; otherwise they wait in review.",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Conditional GET validators from the last 200 answer.
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(default=timezone.now, editable=False)
    # A poll holds the lease, so that one source is never fetched twice at once.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    # Health.
    last_fetch_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    failures_in_row = models.PositiveIntegerField(default=0, editable=False)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "next_poll_at"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if bool(self.url) == bool(self.drop_folder.strip()):
            raise ValidationError("Give either a URL or a drop folder, not both.")
        if self.poll_interval < 30:
            raise ValidationError({"poll_interval": "Poll at most every 30 seconds."})
        try:
            self.credit_format.format(agency="", photographer="", byline="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(
                {
                    "credit_format": "Use only {agency}, {photographer} and "
                    f"{{byline}} ({exc.__class__.__name__}: {exc})."
                }
            ) from exc

    @property
    def transport(self) -> str:
        return self.url or self.drop_folder


class Outcome(models.TextChoices):
    OK = "ok", "Fetched"
    NOT_MODIFIED = "not_modified", "Not modified"
    WARNING = "warning", "Fetched with problems"  # items skipped or text repaired
    ERROR = "error", "Error"


class FetchLog(models.Model):
    """One poll of a source: when, how it ended, and what it did to the items."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetches")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    message = models.TextField(blank=True)
    items_new = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    items_ignored = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    # Of the new items, those that tell a cluster's news again (no story of their
    # own), and the items that are no text story, by kind: {"video": 2}.
    items_duplicate = models.PositiveIntegerField(default=0)
    items_not_text = models.JSONField(default=dict, blank=True)
    # Documents that could not be read at all (a drop folder's bad files; the
    # one document of a URL source that failed).
    documents_failed = models.PositiveIntegerField(default=0)
    # Picture items put into the picture library by this poll.
    pictures_stored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def not_text_summary(self) -> str:
        """ "2 video, 1 picture" (the kinds of items that are no text story)."""
        return ", ".join(
            f"{n} {kind}" for kind, n in sorted(self.items_not_text.items())
        )


class Cluster(models.Model):
    """Wire items, and the stories made from them, that tell the same news."""

    lead = models.ForeignKey(
        "WireItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Cluster {self.pk}"


class ItemState(models.TextChoices):
    STORY = "story", "Story"  # made or updates a story
    DUPLICATE = "duplicate", "Duplicate"  # another telling of a cluster's news
    WITHHELD = "withheld", "Withheld"  # pubStatus withheld: held back, no story yet
    CANCELED = "canceled", "Canceled"  # pubStatus canceled: its story is retracted
    UNROUTED = "unrouted", "Unrouted"  # no edition or section to put it on


class WireItem(models.Model):
    """One item as a source delivered it, verbatim, beside what was parsed from it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField(max_length=500)
    version = models.PositiveIntegerField(null=True, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    raw = models.TextField(help_text="The payload verbatim, as delivered.")
    # The parsed fields.
    headline = models.CharField(max_length=500)
    standfirst = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    byline = models.CharField(max_length=300, blank=True)
    dateline_city = models.CharField(max_length=80, blank=True)
    dateline_country = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=20, blank=True)
    urgency = models.PositiveSmallIntegerField(null=True, blank=True)
    first_created = models.DateTimeField(null=True, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    pubstatus = models.CharField(max_length=10, default="usable")
    link = models.URLField(max_length=1000, blank=True)
    parsed = models.JSONField(
        default=dict, help_text="Images, subjects, places, keywords and the rest."
    )

    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=ItemState.choices)
    note = models.CharField(max_length=300, blank=True)
    story = models.ForeignKey(
        "stories.Story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wire_items",
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    similarity = models.FloatField(
        default=1.0, help_text="Estimated Jaccard similarity to the cluster's lead."
    )
    signature = models.BinaryField(help_text="MinHash of the normalized text.")

    objects = WireItemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="wire_item_guid")
        ]
        indexes = [
            models.Index(fields=["source", "-received_at"]),
            models.Index(fields=["-received_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.headline


class LSHBand(models.Model):
    """One band of a wire item's MinHash: items sharing a bucket are candidates.

    Kept in the database, so that clustering survives restarts and every worker
    process sees the items the others stored. One row per (bucket, item), keyed
    by both: the candidate lookup reads item ids straight from the key, and each
    new item's 64 rows go into one B-tree (a `WITHOUT ROWID` table in SQLite, see
    migration 0002) instead of a table and a bucket index. The item index serves
    deleting an item's bands.
    """

    pk = models.CompositePrimaryKey("bucket", "item")
    bucket = models.BigIntegerField(help_text="Hash of (band number, band values).")
    item = models.ForeignKey(WireItem, on_delete=models.CASCADE, related_name="bands")

    def __str__(self) -> str:
        return f"{self.item_id}:{self.bucket}"


class RuleAction(models.TextChoices):
    PUBLISH = "publish", "Publish at once"
    REVIEW = "review", "Queue for review"


class RoutingRule(models.Model):
    """Where matching wire stories go. Rules are tried in position order; each
    match adds its editions and sections, and a rule that stops ends the run."""

    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("active", default=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text="Only items of this source (empty: any source).",
    )
    country = models.CharField(
        max_length=80,
        blank=True,
        help_text="Dateline or place country, by name or ISO code (e.g. Japan, JP).",
    )
    place = models.ForeignKey(
        "stories.Place",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The dateline city or one of the item's places.",
    )
    subject = models.CharField(
        max_length=120,
        blank=True,
        help_text="A subject name or IPTC media topic code (e.g. medtop:15000000).",
    )
    keywords = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated words or phrases; any one in the headline or "
        "text matches.",
    )
    editions = models.ManyToManyField("editions.Edition", blank=True, related_name="+")
    sections = models.ManyToManyField("stories.Section", blank=True, related_name="+")
    action = models.CharField(
        max_length=10, choices=RuleAction.choices, default=RuleAction.REVIEW
    )
    stop = models.BooleanField(
        default=True, help_text="Try no further rules after this one matches."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (
            self.source_id
            or self.country.strip()
            or self.place_id
            or self.subject.strip()
            or self.keywords.strip()
        ):
            raise ValidationError(
                "Match on at least one of source, country, place, subject or keywords."
            )


class WirePicture(models.Model):
    """A picture item a source delivered (not a text story): stored in the picture
    library once, by (source, guid), for editors to find and use."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="pictures"
    )
    guid = models.CharField(max_length=500)
    picture = models.ForeignKey(
        "stories.Picture",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when it could not be fetched or read (see the note).",
    )
    received_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"], name="wirepicture_source_guid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.guid[:60]}"
