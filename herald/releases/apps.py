"""News releases: public submission, automated checks, moderation and distribution."""

from typing import Any

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "herald.releases"
    label = "releases"

    def ready(self) -> None:
        from herald.stories.signals import story_changed

        story_changed.connect(_story_changed, dispatch_uid="releases-story-changed")


def _story_changed(sender: Any, story_id: int, **kwargs: Any) -> None:
    """A scheduled release's story went live: record it and tell the submitter."""
    from herald.releases.actions import mark_published

    mark_published(story_id)
