"""`herald ingest [--once] [--source SLUG]`: poll wire sources, with progress on a
terminal and log lines elsewhere, and a summary of what each poll did."""

import logging
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from herald.ingest.models import Cluster, Source
from herald.ingest.polling import PollSummary, kinds_text, poll_sources

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Poll wire sources: with --once every active source (or the one named) now, "
        "then exit; without it, each due source on its schedule until stopped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Poll now, once, then exit."
        )
        parser.add_argument(
            "--source", metavar="SLUG", help="Only this source (also when paused)."
        )

    def handle(
        self, *args: Any, once: bool, source: str | None, **options: Any
    ) -> None:
        sources = Source.objects.all() if source else Source.objects.active()
        if source:
            sources = sources.filter(slug=source)
            if not sources.exists():
                known = ", ".join(Source.objects.values_list("slug", flat=True))
                raise CommandError(
                    f"No source has the slug {source!r}. Known: {known or 'none'}."
                )
        if once:
            self._poll(list(sources))
            return
        stop = threading.Event()
        try:
            while not stop.is_set():
                close_old_connections()
                due = [s for s in sources.all() if s.is_active or source]
                due = [s for s in due if s.next_poll_at <= timezone.now()]
                if due:
                    self._poll(due)
                stop.wait(settings.HERALD_SCHEDULE_SWEEP_SECONDS)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _poll(self, sources: list[Source]) -> None:
        # Each story move logs a line; the progress lines below say what happened.
        logging.getLogger("herald.stories").setLevel(logging.WARNING)
        logging.getLogger("herald.ingest").setLevel(logging.WARNING)
        if not sources:
            self.stdout.write("No active sources to poll.")
            return
        tty = sys.stdout.isatty()
        total = len(sources)
        done: list[PollSummary] = []
        clusters_before = Cluster.objects.count()
        started = time.monotonic()

        def on_done(summary: PollSummary) -> None:
            done.append(summary)
            stamp = "" if tty else f"{timezone.now():%Y-%m-%dT%H:%M:%SZ} "
            self.stdout.write(f"{stamp}[{len(done)}/{total}] {summary.describe()}")

        if tty:
            self.stdout.write(f"Polling {total} source{'s' if total > 1 else ''}…")
        poll_sources(sources, on_done=on_done)
        elapsed = time.monotonic() - started
        failed = [s for s in done if _failed(s)]
        self.stdout.write(
            f"Done in {elapsed:.1f}s: {sum(s.new for s in done)} new "
            f"({sum(s.duplicates for s in done)} duplicates), "
            f"{sum(s.updated for s in done)} updated, "
            f"{sum(s.ignored for s in done)} ignored, "
            f"{sum(s.failed for s in done)} failed items; "
            f"{kinds_text(_add_kinds(done)) or 'no'} items that are not text; "
            f"{Cluster.objects.count() - clusters_before} new clusters; "
            f"{len(failed)} sources with errors, "
            f"{sum(1 for s in done if s.skipped)} skipped (already polling)."
        )
        for summary in failed:
            for line in summary.message.splitlines():
                self.stderr.write(f"{summary.source}: {line}")
        if failed:
            # A script or a scheduler sees the failure, not only a reader.
            raise CommandError(
                f"{len(failed)} of {len(done)} sources had errors: "
                + ", ".join(s.source for s in failed),
                returncode=1,
            )


def _failed(summary: PollSummary) -> bool:
    """A source failed when its poll did, or when any document of it could not
    be read (a drop folder's bad file), even if the others were stored."""
    return summary.outcome == "error" or summary.documents_failed > 0


def _add_kinds(summaries: list[PollSummary]) -> dict[str, int]:
    total: dict[str, int] = {}
    for summary in summaries:
        for kind, count in summary.not_text.items():
            total[kind] = total.get(kind, 0) + count
    return total
