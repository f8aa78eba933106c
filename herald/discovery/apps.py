"""Discovery: related stories ("More Information") and search."""

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "herald.discovery"
    label = "discovery"

    def ready(self) -> None:
        # Connect the receivers of stories' signals (related lists, search index).
        from herald.discovery import receivers  # noqa: F401
        from herald.discovery.search import receivers as search  # noqa: F401
