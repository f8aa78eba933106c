"""How the task queue stands (ready jobs, the oldest one's wait), for either
backend `herald worker` runs: the database queue or RQ on Redis."""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

RQ_BACKEND = "django_tasks_rq.RQBackend"


def _oldest_seconds(oldest: datetime | None) -> int:
    if oldest is None:
        return 0
    if timezone.is_naive(oldest):
        oldest = oldest.replace(tzinfo=UTC)
    return max(0, round((timezone.now() - oldest).total_seconds()))


def queue_status() -> dict[str, Any]:
    """The backend, how many tasks are ready to run, and how long the oldest has
    waited (seconds). Raises when the queue cannot be reached."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == RQ_BACKEND:
        import django_rq

        queue = django_rq.get_queue("default")
        first = queue.get_jobs(0, 1)
        return {
            "backend": backend,
            "ready": queue.count,
            "oldest_ready_seconds": _oldest_seconds(
                first[0].enqueued_at if first else None
            ),
        }
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "backend": backend,
        "ready": ready.count(),
        "oldest_ready_seconds": _oldest_seconds(oldest),
    }
