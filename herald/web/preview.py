"""Previews on the desk: a story, stored or not yet saved, as an edition's story
page would show it, marked as a preview and kept out of caches and search engines."""

from django.http import HttpRequest, HttpResponse

from herald.editions.models import Edition
from herald.stories.models import Story
from herald.web.views import render_story


def render_preview(
    request: HttpRequest, story: Story, edition: Edition
) -> HttpResponse:
    """`story` as `edition`'s story page shows it, marked as a preview. The desk's
    story preview and the news release preview both render through here."""
    response = render_story(request, story, edition, preview=True)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
