"""Seams the story desk offers the apps downstream of the pool, which fill them in
their AppConfig.ready(): how a story's preview is rendered (the reader pages), and
what more the story's change page shows. The pool imports none of those apps."""

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from herald.editions.models import Edition
from herald.stories.models import Story


class PreviewRenderer(Protocol):
    """Renders `story` as `edition`'s page would show it, marked as a preview."""

    def __call__(
        self, request: HttpRequest, story: Story, edition: Edition
    ) -> HttpResponse: ...


class ChangePagePanel(Protocol):
    """Template context the story's change page adds for `story`."""

    def __call__(self, story: Story) -> dict[str, Any]: ...


_previews: list[PreviewRenderer] = []
_panels: list[ChangePagePanel] = []


def register_preview(renderer: PreviewRenderer) -> None:
    """Render the desk's story previews with `renderer` (the last registered wins)."""
    _previews[:] = [renderer]


def render_preview(
    request: HttpRequest, story: Story, edition: Edition
) -> HttpResponse:
    """`story` previewed on `edition` by the registered renderer."""
    if not _previews:
        raise ImproperlyConfigured("No installed app renders story previews.")
    return _previews[0](request, story, edition)


def register_panel(panel: ChangePagePanel) -> None:
    """Add `panel`'s context to every story's change page (once, however often it
    is registered)."""
    if panel not in _panels:
        _panels.append(panel)


def panel_context(story: Story) -> dict[str, Any]:
    """The context every registered panel adds for `story`, in registration order."""
    context: dict[str, Any] = {}
    for panel in _panels:
        context.update(panel(story))
    return context
