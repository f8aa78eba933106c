"""The Herald side of the newsletter benchmark: send one issue with the real engine
and report the time it took and this process's peak memory."""

# Run by bench/newsletter.py in a subprocess whose environment names the database
# and the SMTP sink (HERALD_EMAIL_URL):
#   .venv/bin/python bench/newsletter_worker.py ISSUE_ID --out worker.json
# With --profile PATH it runs under cProfile and writes the stats there.

import argparse
import cProfile
import json
import pstats
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django


def peak_rss_mib() -> dict[str, float]:
    """This process's peak resident memory, from the kernel two ways."""
    peak = {"ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak["vmhwm_mib"] = int(line.split()[1]) / 1024
    return peak


def send(issue_id: int, concurrency: int | None) -> dict[str, Any]:
    from herald.newsletter import sending
    from herald.newsletter.models import Issue

    issue = Issue.objects.select_related("edition").get(pk=issue_id)
    last = [0.0]

    def progress(counts: dict[str, int]) -> None:
        if time.monotonic() - last[0] >= 10:
            last[0] = time.monotonic()
            print(f"worker: {counts}", flush=True)

    rss_before = peak_rss_mib()
    cpu_before = time.process_time()
    started_at = time.time()
    started = time.monotonic()
    report = sending.send_issue(issue, concurrency=concurrency, progress=progress)
    seconds = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    return {
        "started_at": started_at,
        "finished_at": started_at + seconds,
        "seconds": seconds,
        # CPU the worker used (all threads): near `seconds` means it is CPU-bound.
        "cpu_seconds": cpu,
        "cpu_ms_per_message": cpu * 1000 / max(report.sent_now, 1),
        "sent": report.sent_now,
        "counts": report.counts,
        "finished": report.finished,
        "rss_after_setup": rss_before,
    }


def profiled(
    func: Callable[..., dict[str, Any]],
    issue_id: int,
    concurrency: int | None,
    path: Path,
) -> dict[str, Any]:
    """Run `func` under cProfile, each sender thread under its own profiler (one
    profiler sees one thread), and write the merged stats to `path`."""
    from herald.newsletter import sending

    profiles: list[cProfile.Profile] = []
    loop = sending._sender_loop

    def profiled_loop(*args: Any, **kwargs: Any) -> None:
        profiler = cProfile.Profile()
        profiles.append(profiler)
        profiler.runcall(loop, *args, **kwargs)

    sending._sender_loop = profiled_loop  # type: ignore[assignment]
    main = cProfile.Profile()
    result = main.runcall(func, issue_id, concurrency)
    stats = pstats.Stats(main)
    for profiler in profiles:
        stats.add(profiler)
    stats.dump_stats(path)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("issue_id", type=int)
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write cProfile stats here")
    args = parser.parse_args(argv)
    django.setup()
    if args.profile:
        result = profiled(send, args.issue_id, args.concurrency, args.profile)
    else:
        result = send(args.issue_id, args.concurrency)
    result["peak"] = peak_rss_mib()
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
