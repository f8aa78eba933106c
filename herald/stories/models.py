"""Story and what hangs off it: sections, places, tags, authors, images, revisions,
corrections and the workflow log."""

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from herald.core.sanitize import html_to_text, sanitize_html
from herald.core.text import cut_at_word
from herald.stories.querysets import StoryQuerySet
from herald.stories.workflow import Status

if TYPE_CHECKING:
    from herald.editions.models import Edition


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A city or region a story happened in or is about."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    country = models.CharField(max_length=80)
    country_code = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"], name="place_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.country}"


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    bio = models.CharField(max_length=400, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provenance(models.TextChoices):
    STAFF = "staff", "Staff"
    WIRE = "wire", "Wire"
    RELEASE = "release", "News release"


# A BCP 47 language tag, as a story keeps it: "de", "nb-NO", "zh-Hant-TW".
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
LANGUAGE_TAG = re.compile(LANGUAGE_PATTERN)


class Story(models.Model):
    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    standfirst = models.CharField(max_length=400, blank=True)
    body = models.TextField(help_text="HTML; sanitized when saved.")

    authors = models.ManyToManyField(Author, blank=True, related_name="stories")
    agency_credit = models.CharField(
        max_length=120,
        blank=True,
        help_text="Byline credit for wire copy, e.g. (Kyodo).",
    )
    wire_byline = models.CharField(
        max_length=200,
        blank=True,
        help_text="For wire copy without a writer of ours: the writer as the agency "
        "names them, e.g. Christian Hollmann. Shown as “By …” with the credit.",
    )
    language = models.CharField(
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(LANGUAGE_PATTERN, "A language tag such as en, de or pt-BR.")
        ],
        help_text="The story's language (a tag such as de or nb-NO), where it is "
        "not its edition's.",
    )

    dateline_city = models.CharField(max_length=80, blank=True)
    dateline_country = models.CharField(max_length=80, blank=True)
    dateline_place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dateline_date = models.DateField(
        null=True, blank=True, help_text="The date where the story happened."
    )

    provenance = models.CharField(
        max_length=10, choices=Provenance.choices, default=Provenance.STAFF
    )
    agency = models.CharField(max_length=120, blank=True, help_text="Wire agency name.")

    # No index of its own: story_section_public leads with it (one index fewer to
    # update on every story INSERT).
    primary_section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="primary_stories",
        db_index=False,
    )
    sections = models.ManyToManyField(Section, blank=True, related_name="stories")
    tags = models.ManyToManyField(Tag, blank=True, related_name="stories")
    places = models.ManyToManyField(Place, blank=True, related_name="stories")

    # No index of its own: story_origin_public leads with it.
    origin_edition = models.ForeignKey(
        "editions.Edition",
        on_delete=models.PROTECT,
        related_name="origin_stories",
        db_index=False,
    )
    editions = models.ManyToManyField("editions.Edition", related_name="stories")
    is_featured = models.BooleanField(default=False, help_text="Lead the home page.")

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now, editable=False)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the usage rights to this copy end: it is withdrawn then.",
    )
    embargo_until = models.DateTimeField(
        null=True, blank=True, help_text="Nothing public shows the story before this."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Last update after publication.",
    )
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    retraction_note = models.TextField(blank=True, editable=False)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-id"], name="story_public"
            ),
            models.Index(
                fields=["primary_section", "status", "-published_at", "-id"],
                name="story_section_public",
            ),
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(is_featured=True),
                name="story_featured",
            ),
            # The desk's story list, newest first: for everyone, and for an
            # editor, whose list is their edition's (bench/desk_list.py).
            models.Index(fields=["-published_at", "-id"], name="story_latest"),
            models.Index(
                fields=["origin_edition", "-published_at", "-id"],
                name="story_origin_latest",
            ),
            models.Index(fields=["status", "scheduled_for"], name="story_schedule"),
            # The expiry sweep: the few stories whose usage rights end.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expires_at__isnull=False),
                name="story_expiry",
            ),
            # The content version of the render cache is max(modified_at).
            models.Index(fields=["modified_at"], name="story_modified"),
            # Sitemaps: an edition's public stories in id order, with every column
            # their pages and lastmods read but the slug, so that SQLite reads no
            # story row to page through them.
            models.Index(
                fields=[
                    "origin_edition",
                    "status",
                    "id",
                    "published_at",
                    "embargo_until",
                    "updated_at",
                ],
                name="story_origin_public",
            ),
            # The news sitemap: embargoes that lifted lately.
            models.Index(
                fields=["embargo_until"],
                condition=models.Q(embargo_until__isnull=False),
                name="story_embargo",
            ),
        ]
        permissions = [("publish_story", "Can publish, schedule and retract stories")]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args: object, **kwargs: object) -> None:
        self.sanitize_body()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("web:story", kwargs={"pk": self.pk, "slug": self.slug})

    def sanitize_body(self) -> None:
        """Make the body safe HTML: save() calls it, and so must any path that
        writes a story without save(), so that none stores unsafe HTML."""
        self.body = sanitize_html(self.body)

    def has_local_version(self, edition: Any) -> bool:
        return self.local_versions.filter(edition=edition).exists()

    def edition_id_set(self) -> set[int]:
        if self.pk is None:
            return set()
        return set(self.editions.values_list("pk", flat=True))

    @property
    def public_at(self) -> datetime | None:
        """When readers first see the story: publication, or the embargo's end."""
        if self.published_at and self.embargo_until:
            return max(self.published_at, self.embargo_until)
        return self.published_at

    def is_public(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        public_at = self.public_at
        return (
            self.status == Status.PUBLISHED
            and public_at is not None
            and public_at <= now
        )

    @property
    def dateline(self) -> str:
        """`TOKYO, Japan:`; empty when the story has no dateline."""
        if not self.dateline_city:
            return ""
        country = f", {self.dateline_country}" if self.dateline_country else ""
        return f"{self.dateline_city.upper()}{country}:"

    def body_with_dateline(self) -> str:
        """The body with the dateline in capitals opening the first paragraph."""
        if not self.dateline:
            return self.body
        mark = f'<span class="dateline">{escape(self.dateline)}</span> '
        if self.body.startswith("<p>"):
            return "<p>" + mark + self.body[3:]
        return f"<p>{mark}</p>{self.body}"

    @property
    def byline(self) -> str:
        """ "By Aiko Tanaka and Ken Mori (Kyodo)", "By Christian Hollmann (dpa)" for
        an agency's writer, else the agency and its credit ("Kyodo News (Kyodo)"),
        a name never twice."""
        names = [a.name for a in self.authors.all()] or (
            [self.wire_byline] if self.wire_byline else []
        )
        if names:
            joined = (
                names[0]
                if len(names) == 1
                else ", ".join(names[:-1]) + " and " + names[-1]
            )
            credit = self.agency_credit
            if (
                credit
                and not self.authors.all()
                and bare_name(joined) in bare_name(credit)
            ):
                return credit.strip("() ")  # the credit names the writer already
            if credit and bare_name(credit) in bare_name(joined):
                credit = ""
            return f"By {joined}" + (f" {credit}" if credit else "")
        # Agency copy without a named writer: "Meridian Press Agency (MPA)".
        if self.agency_credit and bare_name(self.agency_credit) == bare_name(
            self.agency
        ):
            return self.agency
        return " ".join(part for part in (self.agency, self.agency_credit) if part)

    def language_on(self, edition: "Edition") -> str:
        """The language the story is in, as shown on `edition`."""
        return self.language or edition.language

    @property
    def provenance_label(self) -> str:
        if self.provenance == Provenance.WIRE and self.agency:
            return f"Wire: {self.agency}"
        return str(self.get_provenance_display())

    def lead_text(self) -> str:
        """The first paragraph of the body as plain text."""
        body = self.body
        end = body.find("</p>")
        return html_to_text(body[: end if end >= 0 else None]) or html_to_text(body)

    def teaser_text(self, limit: int | None = None) -> str:
        """The lead cut at a word boundary, ending in '...'."""
        return cut_at_word(self.lead_text(), limit or settings.HERALD_TEASER_LENGTH)


def bare_name(name: str) -> str:
    """A name or credit as compared: without case and brackets ("(dpa)" is
    "dpa"), so a byline never names its agency twice."""
    return name.strip().strip("()").strip().casefold()


def image_path(instance: "StoryImage", filename: str) -> str:
    now = timezone.now()
    return f"images/{now:%Y/%m}/{filename}"


def picture_path(instance: "Picture", filename: str) -> str:
    now = timezone.now()
    return f"pictures/{now:%Y/%m}/{filename}"


class Picture(models.Model):
    """A picture in the library: the upload re-encoded (uncropped, never the
    uploaded bytes), its words, and the focal point that every story's renditions
    of it keep in frame. Stories use it through StoryImage."""

    original = models.ImageField(upload_to=picture_path, max_length=200)
    preview = models.ImageField(
        upload_to=picture_path, max_length=200, help_text="Small, uncropped."
    )
    caption = models.CharField(max_length=400)
    credit = models.CharField(max_length=160)
    alt_text = models.CharField(
        max_length=250, help_text="What it shows, for readers who cannot see it."
    )
    # Fractions of the width and height: (0, 0) is the top left corner.
    focal_x = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    focal_y = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    width = models.PositiveIntegerField(help_text="Of the library's copy.")
    height = models.PositiveIntegerField(help_text="Of the library's copy.")
    # What an agency tells of its pictures (herald.ingest.pictures).
    creator = models.CharField(
        max_length=160, blank=True, help_text="Who made it: photographer or artist."
    )
    rights = models.CharField(
        max_length=400,
        blank=True,
        help_text="Copyright notice and usage terms, as the agency gave them.",
    )
    keywords = models.CharField(
        max_length=400, blank=True, help_text="Subjects, comma-separated."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1
                ),
                name="picture_focal_point_in_frame",
            )
        ]

    def __str__(self) -> str:
        return self.caption

    @property
    def focal(self) -> tuple[float, float]:
        return (self.focal_x, self.focal_y)


class StoryImage(models.Model):
    """One image of a story (a story's use of a library picture), kept only as
    re-encoded JPEG renditions cropped around the picture's focal point. Its words
    start as the picture's and may be changed for this story alone."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images")
    # Null for images from before the library whose file was missing, and for rows
    # made without the actions (the demo shares one picture's files that way).
    picture = models.ForeignKey(
        Picture,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
    )
    position = models.PositiveSmallIntegerField(default=0)
    caption = models.CharField(max_length=400)
    credit = models.CharField(max_length=160)
    # Needed once the story is published or scheduled (the actions check it).
    alt_text = models.CharField(max_length=250, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    large = models.ImageField(upload_to=image_path, max_length=200)
    medium = models.ImageField(upload_to=image_path, max_length=200)
    small = models.ImageField(upload_to=image_path, max_length=200)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption


class Revision(models.Model):
    """A saved version of a story's text, numbered from 1."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    headline = models.CharField(max_length=200)
    standfirst = models.CharField(max_length=400, blank=True)
    body = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.story_id} r{self.number}"


class Correction(models.Model):
    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="corrections"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class StoryEvent(models.Model):
    """The workflow log: who moved a story, from what state to what, and when."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.story_id}"


class LocalVersion(models.Model):
    """An edition's own headline and standfirst for a shared story. With one, that
    edition's page is the story's canonical URL there instead of the origin's."""

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="local_versions"
    )
    edition = models.ForeignKey(
        "editions.Edition", on_delete=models.CASCADE, related_name="+"
    )
    headline = models.CharField(max_length=200)
    standfirst = models.CharField(max_length=400, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["story", "edition"], name="one_local_version"
            )
        ]

    def __str__(self) -> str:
        return self.headline
