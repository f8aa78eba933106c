"""Benchmark sending a personalised daily issue to 100,000 subscribers against a
bare smtplib sender into the same local SMTP sink."""

# In a fresh var dir (SQLite, or the database in HERALD_DATABASE_URL, which must be
# empty): migrate, seed stories (bench/seed_bulk.py), add confirmed subscribers who
# chose sections at random and build the day's issue (bench/newsletter_setup.py).
# Then, into one aiosmtpd sink in its own process
# (herald/newsletter/tests/sink_process.py):
#   1. Herald: bench/newsletter_worker.py sends the issue with the real engine
#      (sending.send_issue, the real renderer, HERALD_NEWSLETTER_* settings);
#   2. the physical limit: bench/newsletter_bare.py sends as many copies of a
#      message Herald rendered, each with its own To and Message-ID, over as many
#      persistent smtplib connections as Herald used.
# Reports messages a minute for both, their ratio, and the worker's peak memory,
# against the targets (20,000 a minute; ratio 0.8), in bench/out/newsletter.json.
# A missed target is reported, not an error. Every process started is stopped.

import argparse
import contextlib
import json
import os
import platform
import pstats
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from common import run_step

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
BENCH = ROOT / "bench"
DEFAULT_OUT = BENCH / "out" / "newsletter.json"
TARGET_PER_MINUTE = 20_000.0
TARGET_RATIO = 0.8


def bench_env(var_dir: Path) -> dict[str, str]:
    """Production settings on a private var dir, and the caller's database if set."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "herald.settings",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "HERALD_ENV": "production",
            "HERALD_DEBUG": "false",
            "HERALD_SECRET_KEY": secrets.token_urlsafe(40),
            "HERALD_VAR_DIR": str(var_dir),
            "HERALD_MEDIA_ROOT": str(var_dir / "media"),
            "HERALD_STATIC_ROOT": str(var_dir / "static"),
            "HERALD_LOG_LEVEL": "WARNING",
        }
    )
    return env


class Sink:
    """The SMTP sink in its own process: bench/newsletter_sink.py ("fast") or
    aiosmtpd (herald/newsletter/tests/sink_process.py); counts what it accepted."""

    def __init__(self, folder: Path, kind: str) -> None:
        self.stats = folder / "sink.json"
        program = (
            [str(BENCH / "newsletter_sink.py")]
            if kind == "fast"
            else ["-m", "herald.newsletter.tests.sink_process"]
        )
        self.proc = subprocess.Popen(
            [str(PYTHON), *program, "--stats", str(self.stats)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            raise SystemExit(f"the SMTP sink did not start: {line!r}")
        self.port = int(line.split()[1])
        self.dumps = 0

    def read(self) -> dict[str, Any]:
        """Ask the sink for its counts (SIGUSR1) and wait for the new file."""
        self.proc.send_signal(signal.SIGUSR1)
        self.dumps += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                stats: dict[str, Any] = json.loads(self.stats.read_text())
                if stats["dumps"] >= self.dumps:
                    return stats
            time.sleep(0.05)
        raise SystemExit("the SMTP sink did not report its counts")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def run_measured(
    label: str, cmds: list[list[str]], env: dict[str, str], timeout: float
) -> float:
    """Run the commands of a measured phase side by side; return the wall seconds
    until the last one ends, process start included."""
    print(f"== {label}", flush=True)
    started = time.monotonic()
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT) for cmd in cmds]
    try:
        codes = [
            p.wait(timeout=max(1.0, started + timeout - time.monotonic()))
            for p in procs
        ]
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"{label}: not done in {timeout:.0f} s") from exc
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    if any(codes):
        raise SystemExit(f"{label}: exited with {codes}")
    return time.monotonic() - started


def per_minute(messages: int, seconds: float) -> float:
    return round(messages / seconds * 60, 1) if seconds > 0 else 0.0


# Where a worker's time goes: (label, file name ending, function name).
PROFILE_PARTS = [
    ("send_one (everything per message)", "sending.py", "send_one"),
    ("render (default_render)", "sending.py", "default_render"),
    ("  shared blocks (templates, per section set)", "", "shared_blocks"),
    ("  the subscription's sections (a query)", "", "_section_key"),
    ("  unsubscribe/preferences links (tokens)", "tokens.py", "unsubscribe_url"),
    ("  message to bytes", "", "as_bytes"),
    ("SMTP (transport.send)", "transport.py", "send"),
    ("database UPDATEs (QuerySet.update)", "query.py", "update"),
    ("claim a batch", "leases.py", "claim"),
    ("create delivery rows (ensure_deliveries)", "leases.py", "ensure_deliveries"),
]


def profile_summary(path: Path, out: Path) -> dict[str, Any]:
    """Cumulative seconds of the parts above, and the top of the merged cProfile
    stats written to `out`. Profiled threads are timed by the wall clock: with
    several threads, time spent waiting for the GIL counts too."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as text:
        stats = pstats.Stats(str(path), stream=text)
        parts: dict[str, float] = {}
        for label, filename, function in PROFILE_PARTS:
            # The outermost match: a same-named function it calls is inside it.
            parts[label] = round(
                max(
                    (
                        row[3]
                        for (file, _, name), row in stats.stats.items()  # type: ignore[attr-defined]
                        if name == function and file.endswith(filename)
                    ),
                    default=0.0,
                ),
                2,
            )
        text.write(json.dumps(parts, indent=1) + "\n")
        stats.strip_dirs()
        text.write("== by own time\n")
        stats.sort_stats("tottime").print_stats(50)
        text.write("== by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(150)
    return {"file": str(out), "cumulative_seconds": parts}


def bench(args: argparse.Namespace, tmp: Path, report: dict[str, Any]) -> None:
    env = bench_env(tmp)
    timings: dict[str, float] = {}
    report["timings_s"] = timings
    timings["migrate"] = run_step(
        "migrate", [str(BIN / "herald"), "migrate", "--noinput", "-v0"], env, 600
    )
    timings["seed"] = run_step(
        "seed stories",
        [
            str(PYTHON),
            str(BENCH / "seed_bulk.py"),
            "--stories",
            str(args.stories),
            "--editions",
            "1",
            "--out",
            str(tmp / "seed.json"),
        ],
        env,
        600,
    )
    timings["setup"] = run_step(
        "subscribers and the issue",
        [
            str(PYTHON),
            str(BENCH / "newsletter_setup.py"),
            "--subscribers",
            str(args.subscribers),
            "--out",
            str(tmp / "issue.json"),
            "--sample",
            str(tmp / "sample.eml"),
        ],
        env,
        900,
    )
    issue = json.loads((tmp / "issue.json").read_text())
    report["issue"] = issue

    sink = Sink(tmp, args.sink)
    report["sink"] = args.sink
    try:
        worker_env = {
            **env,
            "HERALD_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "HERALD_EMAIL_TIMEOUT": "30",
        }
        concurrency = args.concurrency or int(
            worker_env.get("HERALD_NEWSLETTER_CONCURRENCY", "4")
        )
        worker_env["HERALD_NEWSLETTER_CONCURRENCY"] = str(concurrency)
        cmds = [
            [
                str(PYTHON),
                str(BENCH / "newsletter_worker.py"),
                str(issue["issue_id"]),
                "--out",
                str(tmp / f"worker-{n}.json"),
                *(["--profile", str(tmp / f"worker-{n}.prof")] if args.profile else []),
            ]
            for n in range(args.workers)
        ]
        before = sink.read()
        wall = run_measured("Herald sends the issue", cmds, worker_env, args.timeout)
        after = sink.read()
        workers = [
            json.loads((tmp / f"worker-{n}.json").read_text())
            for n in range(args.workers)
        ]
        # From the first worker's start of send_issue to the last one's end.
        seconds = max(w["finished_at"] for w in workers) - min(
            w["started_at"] for w in workers
        )
        last = max(workers, key=lambda w: w["finished_at"])
        received = after["messages"] - before["messages"]
        cpu = sum(w["cpu_seconds"] for w in workers)
        herald = {
            "messages": received,
            "seconds": round(seconds, 2),
            "wall_seconds_with_start": round(wall, 2),
            "per_minute": per_minute(received, seconds),
            "workers": args.workers,
            "concurrency": concurrency,
            "batch": int(worker_env.get("HERALD_NEWSLETTER_BATCH", "200")),
            "cpu_seconds": round(cpu, 2),
            "cpu_ms_per_message": round(cpu * 1000 / max(received, 1), 2),
            "counts": last["counts"],
            "avg_message_bytes": round(
                (after["bytes"] - before["bytes"]) / max(received, 1)
            ),
            "peak_rss_mib": max(w["peak"]["vmhwm_mib"] for w in workers),
            "peak_rss_mib_each": [w["peak"] for w in workers],
            "rss_after_django_setup_mib": workers[0]["rss_after_setup"],
        }
        report["herald"] = herald
        print(f"   Herald: {json.dumps(herald)}", flush=True)
        if args.profile:
            report["profile"] = profile_summary(
                tmp / "worker-0.prof", BENCH / "out" / "newsletter-profile.txt"
            )

        messages = received or args.subscribers
        before = sink.read()
        run_measured(
            "bare smtplib sender",
            [
                [
                    str(PYTHON),
                    str(BENCH / "newsletter_bare.py"),
                    "--port",
                    str(sink.port),
                    "--messages",
                    str(messages),
                    "--connections",
                    str(concurrency * args.workers),
                    "--sample",
                    str(tmp / "sample.eml"),
                    "--out",
                    str(tmp / "bare.json"),
                ]
            ],
            env,
            args.timeout,
        )
        after = sink.read()
        bare_run = json.loads((tmp / "bare.json").read_text())
        bare_received = after["messages"] - before["messages"]
        bare = {
            "messages": bare_received,
            "seconds": round(bare_run["seconds"], 2),
            "per_minute": per_minute(bare_received, bare_run["seconds"]),
            "connections": concurrency * args.workers,
            "cpu_ms_per_message": round(
                bare_run["cpu_seconds"] * 1000 / max(bare_received, 1), 2
            ),
            "avg_message_bytes": round(
                (after["bytes"] - before["bytes"]) / max(bare_received, 1)
            ),
        }
        report["bare_smtplib"] = bare
        print(f"   bare: {json.dumps(bare)}", flush=True)
    finally:
        sink.stop()

    ratio = herald["per_minute"] / bare["per_minute"] if bare["per_minute"] else 0.0
    report["ratio"] = round(ratio, 3)
    report["targets"] = {
        "per_minute": TARGET_PER_MINUTE,
        "ratio": TARGET_RATIO,
        "per_minute_result": "PASS"
        if herald["per_minute"] >= TARGET_PER_MINUTE
        else "MISS",
        "ratio_result": "PASS" if ratio >= TARGET_RATIO else "MISS",
        "all_delivered": herald["messages"] == args.subscribers
        and herald["counts"] == {"sent": args.subscribers},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument(
        "--concurrency", type=int, help="SMTP connections (HERALD_NEWSLETTER_*)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes sharing the issue"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="per phase, s")
    parser.add_argument(
        "--sink",
        choices=["fast", "aiosmtpd"],
        default="fast",
        help="fast: bench/newsletter_sink.py; aiosmtpd: tests/sink_process.py",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the worker")
    parser.add_argument("--keep", action="store_true", help="keep the var dir")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.subscribers < 50:
        parser.error("--subscribers must be at least 50")

    tmp = Path(tempfile.mkdtemp(prefix="herald-bench-newsletter-"))
    report: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "subscribers": args.subscribers,
        "database": "env HERALD_DATABASE_URL"
        if os.environ.get("HERALD_DATABASE_URL")
        else "sqlite (fresh file)",
        "machine": {
            "load_average_at_start": os.getloadavg(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    try:
        bench(args, tmp, report)
    finally:
        # Other work on the machine slows both senders: read the numbers with this.
        report["machine"]["load_average_at_end"] = os.getloadavg()
        if args.keep:
            report["var_dir"] = str(tmp)
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    herald, bare = report["herald"], report["bare_smtplib"]
    targets = report["targets"]
    print(
        f"Herald {herald['per_minute']:,.0f}/min "
        f"({herald['messages']} in {herald['seconds']} s), "
        f"bare smtplib {bare['per_minute']:,.0f}/min, ratio {report['ratio']}, "
        f"peak RSS {herald['peak_rss_mib']:.0f} MiB; "
        f"target {TARGET_PER_MINUTE:,.0f}/min {targets['per_minute_result']}, "
        f"ratio {TARGET_RATIO} {targets['ratio_result']}; {args.out}"
    )


if __name__ == "__main__":
    main()
