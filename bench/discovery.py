"""Benchmark Herald's search, related stories and sitemaps on SQLite and PostgreSQL."""

# For each database: a fresh temp var dir (SQLite) or database (PostgreSQL),
# `herald migrate`, bench/seed_bulk.py, a timed `herald rebuild_search_index`, then
# bench/discovery_measure.py once per phase (search, related, sitemaps) with
# production settings and the render cache off, so every request does real work.
# PostgreSQL is the server HERALD_DATABASE_URL names (in a throwaway database made
# there), else a throwaway cluster of Debian's binaries on loopback. Writes
# bench/out/discovery.json; a missed target is reported, not an error.

import argparse
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import database_label, herald_env, run_reported, run_step
from discovery_report import (
    TARGET_RELATED_MS,
    TARGET_SEARCH_P95_MS,
    print_report,
    verdicts,
)
from postgres_cluster import postgres_cluster, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH = ROOT / "bench"
DEFAULT_OUT = BENCH / "out" / "discovery.json"
PHASE_TIMEOUT_S = 300.0


# --- One database ---------------------------------------------------------------


def run_phase(phase: str, env: dict[str, str], tmp: Path, seed: Path) -> Any:
    """Run one phase of discovery_measure.py in its own process; its JSON."""
    out = tmp / f"{phase}.json"
    cmd = [
        str(BIN / "python"), str(BENCH / "discovery_measure.py"), phase,
        "--seed", str(seed), "--out", str(out),
    ]  # fmt: skip
    run_step(f"measure {phase}", cmd, env, PHASE_TIMEOUT_S)
    return json.loads(out.read_text())


def run_database(
    label: str,
    database_url: str | None,
    args: argparse.Namespace,
    result: dict[str, Any],
) -> None:
    """Seed, index and measure one database, filling `result` as it goes."""
    tmp = Path(tempfile.mkdtemp(prefix=f"herald-discovery-{label}-"))
    print(f"\n===== {label}: temp dir {tmp}", flush=True)
    env = herald_env(tmp, secrets.token_urlsafe(40))
    env.pop("HERALD_DATABASE_URL", None)
    if database_url is not None:
        env["HERALD_DATABASE_URL"] = database_url
    env["HERALD_RENDER_CACHE"] = "false"
    result["database"] = database_label(env)
    try:
        setup: dict[str, float] = {}
        setup["migrate_s"] = run_step(
            "migrate", [str(BIN / "herald"), "migrate", "--noinput", "-v0"], env, 300
        )
        seed = tmp / "seed.json"
        seed_cmd = [
            str(BIN / "python"), str(BENCH / "seed_bulk.py"),
            "--stories", str(args.stories), "--editions", str(args.editions),
            "--out", str(seed),
        ]  # fmt: skip
        setup["seed_s"] = run_step(
            f"seed {args.stories} stories", seed_cmd, env, args.seed_timeout
        )
        setup["rebuild_index_s"] = run_step(
            "rebuild_search_index",
            [str(BIN / "herald"), "rebuild_search_index"],
            env,
            args.seed_timeout,
        )
        # Production settings serve static files through a manifest.
        setup["collectstatic_s"] = run_step(
            "collectstatic",
            [str(BIN / "herald"), "collectstatic", "--noinput", "-v0"],
            env,
            300,
        )
        result["setup"] = {k: round(v, 1) for k, v in setup.items()}
        for phase in ("info", "search", "related", "sitemaps"):
            result[phase] = run_phase(phase, env, tmp, seed)
    except BaseException as exc:
        result["error"] = str(exc) or exc.__class__.__name__
        raise
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def benchmark(args: argparse.Namespace, report: dict[str, Any]) -> None:
    report |= {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {
            "stories": args.stories,
            "editions": args.editions,
            "sqlite_only": args.sqlite_only,
        },
        "targets": {
            "search_p95_ms_sqlite": TARGET_SEARCH_P95_MS,
            "related_ms_per_story": TARGET_RELATED_MS,
        },
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "databases": {},
    }
    if os.getloadavg()[0] > 0.5:
        print(
            f"warning: load average {os.getloadavg()[0]:.2f} before the run: other "
            "processes share these CPUs, so the numbers will be high and noisy",
            flush=True,
        )
    started = time.monotonic()
    run_database("sqlite", None, args, report["databases"].setdefault("sqlite", {}))
    if not args.sqlite_only:
        with postgres_cluster(report) as server:
            if server is not None:
                with throwaway_database(server) as url:
                    result = report["databases"].setdefault("postgresql", {})
                    run_database("postgresql", url, args, result)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["verdicts"] = verdicts(report)
    print_report(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--editions", type=int, default=10)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--seed-timeout", type=float, default=1800.0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temp var dirs (SQLite database, phase JSON); PostgreSQL's "
        "throwaway database and cluster are removed all the same",
    )
    args = parser.parse_args(argv)
    if args.stories < 200 or args.editions < 1:
        parser.error("--stories must be at least 200 and --editions at least 1")

    run_reported(args.out, lambda report: benchmark(args, report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
