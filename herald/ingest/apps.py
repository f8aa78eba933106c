"""Wire ingest: sources, wire items and clusters."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "herald.ingest"
    label = "ingest"
    verbose_name = "Wire ingest"

    def ready(self) -> None:
        from herald.core import schedules
        from herald.ingest.desk import wire_origin
        from herald.ingest.pictures import withdraw_expired_pictures
        from herald.ingest.polling import enqueue_due_sources
        from herald.stories import desk_hooks

        # Each due source gets one poll task.
        schedules.register("ingest.due_sources", enqueue_due_sources, order=40)
        # Agency pictures whose usage rights ended leave the library.
        schedules.register(
            "ingest.withdraw_expired_pictures", withdraw_expired_pictures, order=41
        )
        # The story's change page in the desk says which wire item it came from.
        desk_hooks.register_panel(wire_origin)
