"""RelatedStory: the stored "More Information" list of a story on one edition;
SearchEntry: a row of the search index; StoryTerms: the words related stories score
a story by."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class RelatedStory(models.Model):
    """One teaser in a story's "More Information" list on one edition, with the
    reasons it was chosen. Computed in the task queue, never in a page request."""

    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="related_links"
    )
    edition = models.ForeignKey(
        "editions.Edition", on_delete=models.CASCADE, related_name="+"
    )
    related = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="relatedstory_in"
    )
    position = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["story", "edition", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "edition", "related"], name="related_once"
            ),
            models.UniqueConstraint(
                fields=["story", "edition", "position"], name="related_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.story_id} → {self.related_id} on {self.edition_id}"


class SearchEntry(models.Model):
    """The searchable text of one published story: a row of the search index.

    Written only by `herald.discovery.search`. On SQLite an FTS5 table indexes these
    rows and triggers keep it in step; on PostgreSQL `vector` holds their weighted
    tsvector under a GIN index, and the word pairs have a second FTS5 table or a
    GIN index of their own (migration 0003). Migrations 0002 and 0003 create each
    for its database only.
    Changing this model on SQLite remakes its table, which drops those triggers: a
    migration that alters it must create them again. The short filter columns come
    first, so that SQLite reads them without reading the text.
    """

    story = models.OneToOneField(
        "stories.Story",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    # Copies of the story's, for filtering matches without reading story rows; the
    # story row is checked again for every result shown.
    public_at = models.DateTimeField(help_text="Publication, or the embargo's end.")
    provenance = models.CharField(max_length=10)
    headline = models.TextField()
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Plain text of the body.")
    dateline = models.TextField(blank=True)
    # Adjacent word pairs of the four texts (`search.query.word_pairs`), which find
    # the few candidates for a phrase. Null only before migration 0003 filled it.
    pairs = models.TextField(null=True, blank=True, editable=False)
    # PostgreSQL only; always empty on SQLite, whose index is the FTS5 table.
    vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "search entries"
        indexes = [
            # Date filters: the stretch of story ids a date range covers.
            models.Index(fields=["public_at", "story"], name="searchentry_public_at"),
        ]

    def __str__(self) -> str:
        return f"search entry of {self.story_id}"


class StoryTerms(models.Model):
    """The term counts that related stories score a story by (`related.story_terms`
    of its headline, standfirst and lead), counted when the story is indexed for
    search, in the same transaction as its `SearchEntry`, so that choosing a list
    reads its candidates' terms rather than tokenising their text.

    `modified_at` is the story version they were counted from: a reader uses them
    only while it equals the story's own, and tokenises the story otherwise. A
    table of its own, not columns of `SearchEntry`, so that reading them reads no
    story text.
    """

    story = models.OneToOneField(
        "stories.Story",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    modified_at = models.DateTimeField(help_text="The story's, when counted.")
    # A JSON object, term → count, in the order the terms first occur (scores sum
    # in that order); text rather than JSON so that PostgreSQL keeps the order.
    counts = models.TextField()

    class Meta:
        verbose_name_plural = "story terms"

    def __str__(self) -> str:
        return f"terms of {self.story_id}"
