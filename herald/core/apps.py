"""The shared kernel: sanitizing, time helpers, images, purging and the worker."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"

    def ready(self) -> None:
        # Purge the caching proxies when a story changes.
        from herald.core import receivers  # noqa: F401
