"""Web: the reader-facing pages of every edition."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "herald.web"
    label = "web"

    def ready(self) -> None:
        # The story desk previews through the reader pages; the pool cannot import
        # them, so the renderer is registered.
        from herald.stories import desk_hooks
        from herald.web.preview import render_preview

        desk_hooks.register_preview(render_preview)
