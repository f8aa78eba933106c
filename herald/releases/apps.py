"""News releases: public submission, automated checks, moderation and distribution."""

from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "herald.releases"
    label = "releases"

    def ready(self) -> None:
        from herald.releases import receivers

        receivers.connect()
