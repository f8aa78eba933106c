"""The shared kernel: sanitizing, time helpers, images, the purge transport, the
schedule registry and the worker."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from herald.core.dbstats import analyze_after_migrate

        post_migrate.connect(analyze_after_migrate, dispatch_uid="core.analyze")
