"""`herald rebuild_search_index`: rewrite the search index from the stories."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand

from herald.discovery.search import get_backend

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 10.0


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every published story, in batches; remove "
        "entries of stories no longer published. Safe to run again, and while "
        "the site serves searches."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        verbosity = int(options.get("verbosity", 1))
        on_terminal = self.stdout.isatty()
        last_log = time.monotonic()

        def progress(done: int, total: int) -> None:
            nonlocal last_log
            if verbosity < 1:
                return
            if on_terminal:
                percent = 100 * done // total if total else 100
                self.stdout.write(
                    f"\rIndexed {done:,} of {total:,} stories ({percent}%)", ending=""
                )
                self.stdout.flush()
            elif time.monotonic() - last_log >= LOG_EVERY_SECONDS or done == total:
                last_log = time.monotonic()
                logger.info(
                    "Search index rebuild progress.",
                    extra={"done": done, "total": total},
                )

        if verbosity >= 1:
            self.stdout.write(f"Rebuilding the search index ({backend.vendor})...")
        report = backend.rebuild(progress=progress)
        if on_terminal and verbosity >= 1:
            self.stdout.write("")
        else:
            logger.info(
                "Search index rebuilt.",
                extra={
                    "indexed": report.indexed,
                    "removed": report.removed,
                    "seconds": report.seconds,
                },
            )
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Search index rebuilt: {report.indexed:,} stories indexed, "
                    f"{report.removed:,} entries removed, in {report.seconds} s."
                )
            )
