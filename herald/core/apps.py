"""The shared kernel: sanitizing, time helpers, images, purging and the worker."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from herald.core.dbstats import analyze_after_migrate

        post_migrate.connect(analyze_after_migrate, dispatch_uid="core.analyze")

        # Purge the caching proxies when a story changes.
        from herald.core import receivers  # noqa: F401
