"""Benchmark Herald's search, related stories and sitemaps on SQLite and PostgreSQL."""

# For each database: a fresh temp var dir (SQLite) or database (PostgreSQL),
# `herald migrate`, bench/seed_bulk.py, a timed `herald rebuild_search_index`, then
# bench/discovery_measure.py once per phase (search, related, sitemaps) with
# production settings and the render cache off, so every request does real work.
# PostgreSQL is the server HERALD_DATABASE_URL names (in a throwaway database made
# there), else a throwaway cluster of Debian's binaries on loopback. Writes
# bench/out/discovery.json; a missed target is reported, not an error.

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pages import database_label, free_port, herald_env, run_step

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH = ROOT / "bench"
DEFAULT_OUT = BENCH / "out" / "discovery.json"
TARGET_SEARCH_P95_MS = 20.0  # SQLite, the backend's search call; PostgreSQL aims
TARGET_RELATED_MS = 50.0  # choose_related, per story
PHASE_TIMEOUT_S = 300.0


# --- PostgreSQL ----------------------------------------------------------------


def _postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: (
            int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0
        ),
    )
    return versions[-1].parent if versions else None


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses root: run the cluster's commands as user postgres then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres_cluster(report: dict[str, Any]) -> Iterator[str | None]:
    """The URL of a PostgreSQL server: the caller's, or a throwaway cluster on
    loopback stopped and deleted on the way out; None when there is none."""
    given = os.environ.get("HERALD_DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        report["postgres_server"] = "HERALD_DATABASE_URL"
        yield given
        return
    bindir = _postgres_bin()
    if bindir is None:
        print("PostgreSQL binaries (initdb, pg_ctl) are missing: skipping PostgreSQL")
        report["postgres_server"] = "missing: apt-get install -y postgresql"
        yield None
        return
    tmp = Path(tempfile.mkdtemp(prefix="herald-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(tmp, user="postgres")
    data, log, port = tmp / "data", tmp / "postgres.log", free_port()
    pg_ctl = str(bindir / "pg_ctl")
    started = False
    try:
        print(f"== PostgreSQL cluster in {tmp} on 127.0.0.1:{port}", flush=True)
        initdb = [
            str(bindir / "initdb"), "-D", str(data), "-A", "trust",
            "-U", "postgres", "--no-sync",
        ]  # fmt: skip
        subprocess.run(
            _as_postgres(initdb),
            check=True,
            timeout=120,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off "
            "-c max_connections=20"
        )
        start = [
            pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "start", "-o", options,
        ]  # fmt: skip
        started = True
        subprocess.run(
            _as_postgres(start),
            check=True,
            timeout=90,
            stdout=subprocess.DEVNULL,
        )
        version = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        report["postgres_server"] = f"throwaway cluster ({version}), fsync=off"
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        for mode in ("fast", "immediate") if started else ():
            stop = [pg_ctl, "-D", str(data), "-m", mode, "-w", "stop"]
            with contextlib.suppress(subprocess.TimeoutExpired):
                done = subprocess.run(
                    _as_postgres(stop), check=False, timeout=60, capture_output=True
                )
                if done.returncode == 0:
                    break
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards."""
    import psycopg

    name = f"herald_bench_discovery_{secrets.token_hex(4)}"
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


# --- Report ---------------------------------------------------------------------


def _verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def _row(name: str, cells: list[str], width: int) -> str:
    return f"{name:<30}" + "".join(f"{c:>{width}}" for c in cells)


def _ms(stats: dict[str, float], *keys: str) -> str:
    return " / ".join(f"{stats[k]:.1f}" for k in keys)


# Lines of a PostgreSQL plan worth printing: its nodes, what they scan, how much
# they throw away, and the total; not buffers, sort keys or worker counts.
_PLAN_KEEP = ("->", "Index Cond", "Filter:", "Rows Removed", "Execution Time")


def _print_sql(title: str, queries: list[dict[str, Any]]) -> None:
    """The slowest query of a run, cut short, and the gist of its plan."""
    print(f"  {title}")
    for query in queries[:1]:
        print(f"    {query['ms']:.1f} ms: {query['sql'][:240]}")
        lines = query["plan"]
        if lines and not lines[0][:1].isdigit():  # PostgreSQL's, not SQLite's
            lines = lines[:1] + [
                x for x in lines[1:] if x.lstrip().startswith(_PLAN_KEEP)
            ]
        for line in lines[:24]:
            print(f"      {line[:170]}")


def print_report(report: dict[str, Any]) -> None:
    dbs = report["databases"]
    labels = list(dbs)
    print()
    print(
        f"Herald discovery: {report['options']['stories']} stories, "
        f"{report['options']['editions']} editions, {report['machine']['cpus']} CPUs, "
        f"load average before {report['load_average_before'][0]:.2f}, "
        f"after {report['load_average_after'][0]:.2f}"
    )
    for label, db in dbs.items():
        info = db["info"]
        print(
            f"  {label}: {db['database']} (version {info['version']}), "
            f"{info['database_mib']} MiB, {info['search_entries']} entries indexed, "
            f"{info['stories_on_edition']} stories on edition 1"
        )
    print()
    print(_row("setup (s)", labels, 14))
    for key in ("migrate_s", "seed_s", "rebuild_index_s"):
        print(
            _row(f"  {key[:-2]}", [f"{dbs[d]['setup'][key]:.1f}" for d in labels], 14)
        )

    print()
    print(_row("search (ms)", [f"{d} p50/p95/max" for d in labels], 26))
    categories = ["all", *dbs[labels[0]]["search"]["backend_by_category"]]
    for category in categories:
        cells = []
        for d in labels:
            found = dbs[d]["search"]
            stats = (
                found["backend"]
                if category == "all"
                else found["backend_by_category"][category]
            )
            cells.append(_ms(stats, "p50", "p95", "max"))
        name = "backend, all (p99 below)" if category == "all" else f"  {category}"
        print(_row(name, cells, 26))
    print(
        _row(
            "backend, all: p99",
            [f"{dbs[d]['search']['backend']['p99']:.1f}" for d in labels],
            26,
        )
    )
    print(
        _row(
            "/search/?q= view",
            [_ms(dbs[d]["search"]["view"], "p50", "p95", "max") for d in labels],
            26,
        )
    )

    print()
    print(_row("related (ms)", [f"{d} p50/p95/max" for d in labels], 26))
    rows = (
        ("choose_related, per story", lambda r: r["choose"]),
        ("  SQL in execute(), median", lambda r: None),
        ("store_related, per story", lambda r: r["store"]),
        ("store_related, per edition", lambda r: r["store"]["per_edition"]),
    )
    for name, pick in rows:
        cells = []
        for d in labels:
            related = dbs[d]["related"]
            stats = pick(related)
            cells.append(
                f"{related['choose']['median_sql_ms']:.1f}"
                if stats is None
                else _ms(stats, "p50", "p95", "max")
            )
        print(_row(name, cells, 26))

    print()
    header = (
        f"{'sitemap':<26}{'db':<12}{'URLs':>7}{'KiB':>7}{'min ms':>9}{'med ms':>9}"
        f"{'queries':>8}{'py peak MiB':>12}"
    )
    print(header)
    print("-" * len(header))
    for d in labels:
        found = dbs[d]["sitemaps"]
        for path, r in found["urls"].items():
            print(
                f"{path:<26}{d:<12}{r['urls']:>7}{r['bytes'] / 1024:>7.0f}"
                f"{r['min_ms']:>9.1f}{r['median_ms']:>9.1f}{r['queries']:>8}"
                f"{r['tracemalloc_peak_mib']:>12.2f}"
            )
    for d in labels:
        found = dbs[d]["sitemaps"]
        print(
            f"  {d}: process max RSS {found['max_rss_mib']:.1f} MiB "
            f"({found['max_rss_mib_baseline']:.1f} MiB before the first sitemap)"
        )

    print()
    print("Slowest SQL:")
    for d in labels:
        for category, stats in dbs[d]["search"]["backend_by_category"].items():
            worst = stats["slowest"]
            title = (
                f"{d} search, {category}: slowest {worst['text']!r} "
                f"{worst['ms']:.1f} ms (again: {worst['ms_again']:.1f} ms, SQL "
                + " + ".join(f"{ms:.1f}" for ms in worst["sql_ms"])
                + " ms)"
            )
            if stats["p95"] > TARGET_SEARCH_P95_MS:
                _print_sql(title, worst["sql"])
            else:
                print(f"  {title}")
        _print_sql(f"{d} choose_related", dbs[d]["related"]["choose_slowest_sql"])
        print(f"  {d} choose_related profile (per story):")
        for line in dbs[d]["related"]["choose_profile"]:
            print(f"    {line}")
        urls = dbs[d]["sitemaps"]["urls"]
        path = max(urls, key=lambda p: urls[p]["min_ms"])
        _print_sql(f"{d} {path}", urls[path]["slowest_sql"])

    print()
    for line in report["verdicts"]:
        print(line)


def verdicts(report: dict[str, Any]) -> list[str]:
    lines = []
    for label, db in report["databases"].items():
        p95 = db["search"]["backend"]["p95"]
        # The target is SQLite's; PostgreSQL aims at the same.
        target = " (target)" if label == "sqlite" else " (aim)"
        lines.append(
            f"search p95 on {label} <= {TARGET_SEARCH_P95_MS:.0f} ms{target}: "
            f"{_verdict(p95, TARGET_SEARCH_P95_MS)} ({p95:.2f} ms)"
        )
        p95 = db["related"]["choose"]["p95"]
        lines.append(
            f"related p95 per story on {label} <= {TARGET_RELATED_MS:.0f} ms: "
            f"{_verdict(p95, TARGET_RELATED_MS)} ({p95:.1f} ms)"
        )
        p95 = db["search"]["view"]["p95"]
        lines.append(f"/search/?q= view p95 on {label}: {p95:.1f} ms (reported)")
    return lines


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


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks


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

    signal.signal(signal.SIGTERM, _terminate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    try:
        benchmark(args, report)
    except BaseException as exc:  # the report says why the run stopped, then re-raise
        report["error"] = str(exc) or exc.__class__.__name__
        raise
    finally:
        if report:
            args.out.write_text(json.dumps(report, indent=1, default=str))
            print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
