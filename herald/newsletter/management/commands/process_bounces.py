"""`herald process_bounces`: read bounce and complaint reports from a mailbox, act."""

import logging
import mailbox
import os
import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from herald.newsletter.actions import unsubscribe_by_mail
from herald.newsletter.bounce_reports import BounceKind, MalformedReport, parse_report
from herald.newsletter.bounces import record_bounce

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 10.0
Source = mailbox.Maildir | mailbox.mbox
SEEN = "S"


class Command(BaseCommand):
    help = (
        "Read delivery status notifications (RFC 3464) and complaint reports "
        "(ARF, RFC 5965) from a Maildir or an mbox file. Hard bounces and complaints "
        "suppress the address at once; soft bounces after HERALD_SOFT_BOUNCE_LIMIT. "
        "Processed messages are removed; with --keep, Maildir messages are moved to "
        "cur/ with the seen flag (and skipped by later runs) and an mbox is left as "
        "it is. A message that cannot be read is counted as an error and left in "
        "place. Safe to run again: the same report never counts twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--maildir", metavar="PATH", help="a Maildir folder")
        source.add_argument("--mbox", metavar="PATH", help="an mbox file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what the reports say; change neither the database nor the "
            "mailbox",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep processed messages (Maildir: marked seen in cur/)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        self.dry_run = bool(options["dry_run"])
        self.keep = bool(options["keep"])
        box = _open(options["maildir"], options["mbox"])
        is_maildir = isinstance(box, mailbox.Maildir)
        # Removing from an mbox rewrites the file: hold its lock meanwhile.
        locked = not is_maildir and not (self.dry_run or self.keep)
        try:
            if locked:
                try:
                    box.lock()
                except (OSError, mailbox.Error) as exc:
                    raise CommandError(f"Cannot lock the mbox: {exc}") from exc
            try:
                keys = list(box.keys())
            except (OSError, mailbox.Error) as exc:
                raise CommandError(f"Cannot read the mailbox: {exc}") from exc
            counts = self._process(box, keys)
            if locked:
                box.flush()
        finally:
            if locked:
                box.unlock()
            box.close()
        self._summary(counts)

    def _process(self, box: Source, keys: list[str]) -> Counter[str]:
        counts: Counter[str] = Counter()
        on_terminal = self.stdout.isatty()
        last_log = time.monotonic()
        for done, key in enumerate(keys, start=1):
            self._one(box, key, counts)
            if self.verbosity < 1:
                continue
            if on_terminal:
                self.stdout.write(
                    f"\rRead {done:,} of {len(keys):,} messages", ending=""
                )
                self.stdout.flush()
            elif time.monotonic() - last_log >= LOG_EVERY_SECONDS:
                last_log = time.monotonic()
                logger.info(
                    "Bounce processing progress.",
                    extra={"done": done, "total": len(keys)},
                )
        if on_terminal and self.verbosity >= 1 and keys:
            self.stdout.write("")
        return counts

    def _one(self, box: Source, key: str, counts: Counter[str]) -> None:
        try:
            if isinstance(box, mailbox.Maildir) and SEEN in _flags(box, key):
                counts["skipped"] += 1
                return
            raw = box.get_bytes(key)
        except (OSError, KeyError) as exc:  # removed by another process meanwhile
            counts["errors"] += 1
            self.stderr.write(f"{key}: cannot read the message: {exc}")
            return
        if unsubscribe_by_mail(raw) if not self.dry_run else False:
            # A reader used the mailto: of List-Unsubscribe; not a bounce.
            counts["messages"] += 1
            counts["unsubscribed"] += 1
            _finish(box, key, keep=self.keep)
            return
        try:
            events = parse_report(raw)
        except MalformedReport as exc:
            counts["errors"] += 1
            self.stderr.write(f"{key}: {exc}")
            return
        counts["messages"] += 1
        if not events:
            counts["ignored"] += 1
        for event in events:
            counts[event.kind] += 1
            outcome = "dry run" if self.dry_run else record_bounce(event)
            if self.verbosity >= 2:
                self.stdout.write(
                    f"{key}: {event.kind} {event.recipient or '(no recipient)'} "
                    f"{event.status or event.feedback_type}: {outcome}"
                )
        if not self.dry_run:
            _finish(box, key, keep=self.keep)

    def _summary(self, counts: Counter[str]) -> None:
        if self.verbosity < 1:
            return
        line = (
            f"{_plural(counts['messages'], 'message')} read: "
            f"{_plural(counts[BounceKind.HARD], 'hard bounce')}, "
            f"{_plural(counts[BounceKind.SOFT], 'soft bounce')}, "
            f"{_plural(counts[BounceKind.COMPLAINT], 'complaint')}, "
            f"{counts['ignored']:,} ignored, "
            f"{_plural(counts['errors'], 'error')}"
        )
        if counts["unsubscribed"]:
            line += f", {counts['unsubscribed']:,} unsubscribed by mail"
        if counts["skipped"]:
            line += f", {counts['skipped']:,} skipped (seen before)"
        line += "."
        if self.dry_run:
            line += " Dry run: nothing was changed."
        style = self.style.WARNING if counts["errors"] else self.style.SUCCESS
        self.stdout.write(style(line))
        logger.info("Bounce processing finished.", extra=dict(counts))


def _open(maildir: str | None, mbox: str | None) -> Source:
    """The mailbox, or CommandError when it cannot be read (the only failure that
    makes the command exit non-zero)."""
    if maildir:
        if not all(os.path.isdir(os.path.join(maildir, d)) for d in ("new", "cur")):
            raise CommandError(f"{maildir} is not a Maildir (no new/ and cur/).")
        return mailbox.Maildir(maildir, factory=None, create=False)
    assert mbox is not None
    if not os.path.isfile(mbox):
        raise CommandError(f"{mbox} is not an mbox file.")
    try:
        return mailbox.mbox(mbox, factory=None, create=False)
    except (OSError, mailbox.Error) as exc:
        raise CommandError(f"Cannot open {mbox}: {exc}") from exc


def _flags(box: mailbox.Maildir, key: str) -> str:
    return box.get_message(key).get_flags()


def _finish(box: Source, key: str, *, keep: bool) -> None:
    """Remove a processed message, or with `keep` mark a Maildir one seen."""
    if not keep:
        box.discard(key)
    elif isinstance(box, mailbox.Maildir):
        message = box.get_message(key)
        message.set_subdir("cur")
        message.add_flag(SEEN)
        box[key] = message


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
