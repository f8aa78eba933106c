"""News releases: public submission, automated checks, moderation and distribution."""

from typing import Any

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "herald.releases"
    label = "releases"

    def ready(self) -> None:
        from herald.stories.signals import story_changed

        story_changed.connect(_story_changed, dispatch_uid="releases-story-changed")


def _story_changed(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """A scheduled release's story went live: record it and tell the submitter.
    One query finds which of the changed stories are scheduled releases at all."""
    from herald.releases.actions import mark_published
    from herald.releases.models import NewsRelease, ReleaseStatus

    scheduled = NewsRelease.objects.filter(
        story_id__in=story_ids, status=ReleaseStatus.SCHEDULED
    ).values_list("story_id", flat=True)
    for story_id in list(scheduled):
        mark_published(story_id)
