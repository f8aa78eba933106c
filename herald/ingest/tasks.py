"""Queued ingest work: thin adapters that take ids and call an action."""

from django_tasks import task

from herald.ingest import pictures
from herald.ingest.models import Source
from herald.ingest.polling import poll_source


@task()
def poll_source_task(source_id: int) -> str:
    """Poll one source; its lease makes a second run at once a no-op."""
    source = Source.objects.filter(pk=source_id, is_active=True).first()
    if source is None:
        return "gone"
    return poll_source(source).outcome


@task()
def fetch_wire_pictures_task(
    log_id: int, item_ids: list[int], library: list[dict[str, str]]
) -> int:
    """A poll's pictures: the new stories' own, and picture items into the library."""
    return pictures.fetch_wire_pictures(log_id, item_ids, library)
