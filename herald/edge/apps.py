"""The public HTTP edge: caching public pages, the keys they carry, and purging the
caching proxies when stories change."""

from django.apps import AppConfig


class EdgeConfig(AppConfig):
    name = "herald.edge"
    label = "edge"

    def ready(self) -> None:
        from herald.edge import receivers

        receivers.connect()
