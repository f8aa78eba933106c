"""The story desk's change page gains where a story came from on the wire: the
wire items it was made from, each linked to its page in the desk (registered in
IngestConfig.ready())."""

from typing import Any

from herald.ingest.models import WireItem
from herald.stories.models import Story


def wire_origin(story: Story) -> dict[str, Any]:
    """The wire items `story` was made from, oldest first, as `wire_origin` for
    the story's change page (empty for a story that did not come from the wire)."""
    items = WireItem.objects.filter(story=story).select_related("source")
    return {"wire_origin": list(items.order_by("received_at", "pk"))}
