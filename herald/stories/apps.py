"""Stories: the shared pool of journalism and its workflow."""

from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "herald.stories"
    label = "stories"

    def ready(self) -> None:
        from herald.core import schedules
        from herald.stories.actions import publish_due_stories

        # Scheduled stories go live within a sweep of their time.
        schedules.register("stories.publish_due", publish_due_stories, order=10)
