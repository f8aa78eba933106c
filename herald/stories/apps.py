"""Stories: the shared pool of journalism and its workflow."""

from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "herald.stories"
    label = "stories"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from herald.core import schedules
        from herald.stories.actions import (
            publish_due_stories,
            withdraw_expired_stories,
        )
        from herald.stories.search_indexes import ensure_search_indexes

        post_migrate.connect(ensure_search_indexes, dispatch_uid="stories.search")

        # Scheduled stories go live within a sweep of their time.
        schedules.register("stories.publish_due", publish_due_stories, order=10)
        # Copy whose usage rights ended comes off within a sweep.
        schedules.register(
            "stories.withdraw_expired", withdraw_expired_stories, order=11
        )
