"""The shared kernel: sanitizing, time helpers, images, the purge transport, the
schedule registry and the worker."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "herald.core"
    label = "core"

    def ready(self) -> None:
        from herald.core import receivers

        receivers.connect()
