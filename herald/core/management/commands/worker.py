"""`herald worker`: run queued tasks, and sweep for due schedules."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def sweep_schedules() -> int:
    """Run every schedule that is due. Each job below is safe to run twice."""
    from herald.ingest.actions import enqueue_due_sources
    from herald.newsletter.scheduling import sweep_newsletters
    from herald.newsletter.sending import expire_leases
    from herald.stories.actions import publish_due_stories

    published = publish_due_stories()
    expire_leases(None)
    sweep_newsletters()
    enqueue_due_sources()
    return published


def _sweep_forever(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            published = sweep_schedules()
            if published:
                logger.info("Scheduled stories published.", extra={"count": published})
        except Exception:
            # A failed sweep must not stop the worker; the next sweep retries.
            logger.exception("Schedule sweep failed.")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run a task worker for the configured queue, with the schedule sweep."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Sweep once, run every queued task that is ready, then exit.",
        )

    def handle(self, *args: Any, batch: bool = False, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend != "django_tasks_db.DatabaseBackend":
            raise CommandError(f"herald worker does not know how to run {backend}.")
        verbosity = options.get("verbosity", 1)
        # Sweep at start-up, so that what fell due while no worker ran goes out now.
        sweep_schedules()
        if batch:
            call_command(
                "db_worker",
                batch=True,
                reload=False,
                verbosity=verbosity,
                startup_delay=False,
            )
            return
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_forever,
            args=(stop, settings.HERALD_SCHEDULE_SWEEP_SECONDS),
            name="schedule-sweep",
            daemon=True,
        )
        sweeper.start()
        try:
            call_command("db_worker", reload=False, verbosity=verbosity)
        finally:
            stop.set()
