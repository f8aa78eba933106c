"""`herald send_newsletters [--edition SLUG] [--date YYYY-MM-DD]`: build and send
the daily issue by hand, with a progress bar on a terminal."""

import logging
import sys
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from herald.editions.models import Edition
from herald.newsletter import sending
from herald.newsletter.models import IssueStatus

logger = logging.getLogger(__name__)


class Progress:
    """A one-line bar on a terminal; a log line every few seconds elsewhere."""

    def __init__(self, out: Any, label: str) -> None:
        self.out, self.label = out, label
        self.tty = sys.stdout.isatty()
        self.started = time.monotonic()
        self.last_log = 0.0

    def __call__(self, counts: dict[str, int]) -> None:
        total = sum(counts.values()) or 1
        done = total - sum(counts.get(s, 0) for s in ("queued", "sending"))
        sent = counts.get("sent", 0)
        elapsed = max(time.monotonic() - self.started, 0.001)
        rate = sent / elapsed
        eta = (total - done) / rate if rate else 0
        line = (
            f"{self.label}: {done}/{total} settled, {sent} sent, "
            f"{rate * 60:,.0f}/min, ETA {eta:,.0f}s"
        )
        if self.tty:
            width = 30
            filled = int(width * done / total)
            self.out.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {line}", ending=""
            )
            self.out.flush()
        elif time.monotonic() - self.last_log > 5:
            self.last_log = time.monotonic()
            logger.info("Newsletter progress.", extra={"progress": line})


class Command(BaseCommand):
    help = "Build and send the daily email of one edition, or of every edition."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--edition", help="edition slug (default: every edition)")
        parser.add_argument(
            "--date",
            help="local date YYYY-MM-DD (default: today in each edition's zone)",
        )

    def handle(
        self, *args: Any, edition: str | None, date: str | None, **options: Any
    ) -> None:
        from herald.newsletter.building import build_issue

        editions = Edition.objects.active()
        if edition:
            editions = editions.filter(slug=edition)
            if not editions.exists():
                raise CommandError(f"No active edition has the slug {edition!r}.")
        wanted = _parse_date(date) if date else None
        for ed in editions:
            local = wanted or timezone.now().astimezone(_zone(ed)).date()
            issue = build_issue(ed, local)
            if issue.status == IssueStatus.SKIPPED:
                self.stdout.write(f"{ed.name} {local}: nothing new, skipped.")
                continue
            report = sending.send_issue(
                issue, progress=Progress(self.stdout, f"{ed.name} {local}")
            )
            if sys.stdout.isatty():
                self.stdout.write("")
            summary = ", ".join(f"{n} {s}" for s, n in sorted(report.counts.items()))
            self.stdout.write(f"{ed.name} {local}: {summary or 'no subscribers'}.")
            retry = sending.next_retry_at(issue)
            if retry:
                self.stdout.write(
                    f"  deferred deliveries retry from {retry:%Y-%m-%d %H:%M} UTC "
                    "(the worker does it)."
                )
            if report.counts.get("unknown"):
                unknown = report.counts["unknown"]
                self.stdout.write(
                    f"  {unknown} deliveries are unknown (a worker died "
                    "while sending): check the mail server's log, then settle them in "
                    "the desk."
                )


def _parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--date must look like 2026-11-26, not {raw!r}.") from exc


def _zone(edition: Edition) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(edition.time_zone)
