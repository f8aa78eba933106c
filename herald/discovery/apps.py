"""Discovery: related stories ("More Information") and search."""

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "herald.discovery"
    label = "discovery"

    def ready(self) -> None:
        from herald.discovery import receivers
        from herald.discovery.desk import related_lists
        from herald.stories import desk_hooks

        # Related lists and the search index follow stories' changes.
        receivers.connect()
        # The story's change page in the desk shows its stored related lists.
        desk_hooks.register_panel(related_lists)
