"""Receivers of the stories' signals: a scheduled release's story going live.
Connected in ReleasesConfig.ready()."""

from typing import Any

from herald.stories.signals import story_changed


def story_changed_receiver(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
    """A scheduled release's story went live: record it and tell the submitter.
    One query finds which of the changed stories are scheduled releases at all."""
    from herald.releases.actions import mark_published
    from herald.releases.models import NewsRelease, ReleaseStatus

    scheduled = NewsRelease.objects.filter(
        story_id__in=story_ids, status=ReleaseStatus.SCHEDULED
    ).values_list("story_id", flat=True)
    for story_id in list(scheduled):
        mark_published(story_id)


def connect() -> None:
    story_changed.connect(story_changed_receiver, dispatch_uid="releases-story-changed")
