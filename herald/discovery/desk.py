"""The story desk's change page gains each edition's stored More Information list,
with why each story is there (registered in DiscoveryConfig.ready())."""

from typing import Any

from herald.discovery.models import RelatedStory
from herald.stories.models import Story


def related_lists(story: Story) -> dict[str, Any]:
    """Each edition's stored More Information list, with why each story is there,
    as `related_lists` for the story's change page."""
    rows = RelatedStory.objects.filter(story=story).select_related("edition", "related")
    lists: dict[str, list[Any]] = {}
    for row in rows.order_by("edition__position", "position"):
        lists.setdefault(row.edition.name, []).append(row)
    return {"related_lists": list(lists.items())}
