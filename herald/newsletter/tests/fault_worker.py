"""A newsletter worker as its own process, for the fault tests to kill: it sends one
issue with the real engine until nothing more can be sent."""

# python -m herald.newsletter.tests.fault_worker ISSUE_ID [--backoff SECONDS]
# The environment names the database (HERALD_DATABASE_URL) and the mail server
# (HERALD_EMAIL_URL). It prints "READY" once Django is set up, then a line per
# send pass. It exits 0 when no delivery is queued, deferred or sending any more:
# unknown ones wait for reconciliation, which is the caller's business.

import argparse
import sys
import time
from datetime import timedelta

import django

POLL_SECONDS = 0.2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("issue_id", type=int)
    parser.add_argument(
        "--backoff", type=float, help="first retry delay in seconds (engine: 30)"
    )
    parser.add_argument("--concurrency", type=int)
    args = parser.parse_args(argv)
    django.setup()

    from django.utils import timezone

    from herald.newsletter import sending
    from herald.newsletter.models import DeliveryStatus, Issue

    if args.backoff is not None:
        sending.BACKOFF_BASE = timedelta(seconds=args.backoff)
    issue = Issue.objects.select_related("edition").get(pk=args.issue_id)
    print("READY", flush=True)
    waiting = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED, DeliveryStatus.SENDING)
    while True:
        report = sending.send_issue(issue, concurrency=args.concurrency)
        print(
            f"{time.time():.3f} pass of {report.seconds:.2f} s: "
            f"sent {report.sent_now} {report.counts}",
            flush=True,
        )
        if not any(report.counts.get(s) for s in waiting):
            return 0
        # Deferred rows wait for their time, and rows leased to a dead worker for
        # their lease to run out.
        retry_at = sending.next_retry_at(issue)
        pause = POLL_SECONDS
        if retry_at is not None and report.sent_now == 0:
            ahead = (retry_at - timezone.now()).total_seconds()
            pause = min(max(ahead, POLL_SECONDS), 1.0)
        time.sleep(pause)


if __name__ == "__main__":
    sys.exit(main())
