"""`herald worker`: run queued tasks, and sweep for due schedules (the sweeps each
app registers in herald.core.schedules)."""

import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from herald.core import leases, schedules

logger = logging.getLogger(__name__)

DB_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"
# One worker in the network sweeps at a time: the holder of this lease.
SWEEP_LEASE = "schedule-sweep"


def lease_seconds(interval: float) -> float:
    """How long the sweep lease lasts: a few sweeps, so that the holder renews it in
    time, and a dead holder's lease passes to another worker within three sweeps."""
    return max(10.0, 3 * interval)


def sweep_if_holder(holder: str, interval: float) -> dict[str, int | None] | None:
    """Run the registered sweeps (herald.core.schedules) when `holder` has (or can
    take) the sweep lease; None when another worker holds it. A worker that dies
    stops renewing; its lease expires and the next worker to look takes over, and
    the sweep finds what fell due meanwhile."""
    if not leases.acquire(SWEEP_LEASE, holder, lease_seconds(interval)):
        return None
    return schedules.run_all()


def _sweep_forever(stop: threading.Event, holder: str, interval: float) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            sweep_if_holder(holder, interval)
        except Exception:
            # A failed sweep must not stop the worker; the next sweep retries.
            logger.exception("Schedule sweep failed.")
        finally:
            close_old_connections()


def _holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
        if backend not in (DB_BACKEND, RQ_BACKEND):
            raise CommandError(
                f"herald worker runs {DB_BACKEND} or {RQ_BACKEND}, not {backend}."
            )
        verbosity = options.get("verbosity", 1)
        interval = settings.HERALD_SCHEDULE_SWEEP_SECONDS
        holder = _holder_name()
        # Sweep at start-up, so that what fell due while no worker ran goes out now
        # (unless another worker holds the sweep and does it).
        sweep_if_holder(holder, interval)
        close_old_connections()
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_forever,
            args=(stop, holder, interval),
            name="schedule-sweep",
            daemon=True,
        )
        if not batch:
            sweeper.start()
        try:
            # SIGTERM: both workers finish the task they are running, then return.
            if backend == RQ_BACKEND:
                call_command(
                    "rqworker",
                    "default",
                    burst=batch,
                    with_scheduler=True,
                    worker_class="rq.worker.SimpleWorker",
                    job_class="django_tasks_rq.Job",
                    verbosity=verbosity,
                )
            else:
                call_command(
                    "db_worker",
                    batch=batch,
                    reload=False,
                    verbosity=verbosity,
                    startup_delay=False,
                )
        finally:
            stop.set()
            if sweeper.is_alive():
                sweeper.join(timeout=10)
            close_old_connections()
            leases.release(SWEEP_LEASE, holder)
