"""RelatedStory: the stored "More Information" list of a story on one edition."""

from django.db import models


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
