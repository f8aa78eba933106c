"""Benchmark Herald's story and home pages (gunicorn) against static nginx with wrk."""

# Seeds stories in a fresh var dir (bench/seed_bulk.py), serves them with gunicorn
# (production settings), and runs wrk on a story page, a rotating set of story pages,
# the home page, and nginx serving a saved copy of the story page. Writes
# bench/out/pages.json; a missed target is reported, not an error.

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import (
    BENCH,
    BIN,
    ROOT,
    Servers,
    database_label,
    fetch,
    free_port,
    herald_env,
    run_benchmark,
    run_step,
    wait_until_up,
)
from servers import (
    start_gunicorn,
    start_nginx,
)
from wrk import (
    WrkResult,
    run_wrk,
    write_rotation_script,
)

DEFAULT_OUT = BENCH / "out" / "pages.json"
TARGET_RPS = 600.0
TARGET_P99_MS = 100.0
ROTATING_URLS = 200


def profile_queries(
    env: dict[str, str], host: str, path: str, tmp: Path
) -> dict[str, Any] | None:
    """Query count, SQL time and plans of one story and one home request."""
    out = tmp / "queries.json"
    cmd = [
        str(BIN / "python"), str(BENCH / "profile_pages.py"),
        "--host", host, "--path", path, "--out", str(out),
    ]  # fmt: skip
    try:
        subprocess.run(
            cmd, env=env, cwd=ROOT, check=True, timeout=120, capture_output=True
        )
    except subprocess.CalledProcessError as exc:
        tail = exc.stdout.decode(errors="replace")[-2000:]
        print(f"   query profile failed ({exc.returncode}):\n{tail}")
        return None
    except subprocess.TimeoutExpired:
        print("   query profile took over 120 s: skipped")
        return None
    return dict(json.loads(out.read_text()))


def print_profile(profile: dict[str, Any]) -> None:
    for page in ("story", "home"):
        data = profile[page]
        print(
            f"   {page}: HTTP {data['status']}, {data['count']} queries, "
            f"{data['sql_ms']:.2f} ms of SQL in a {data['request_ms']:.1f} ms request"
        )
        for query in data["queries"][:3]:
            print(f"     {query['ms']:7.3f} ms  {query['sql'][:150]}")
            for line in query["plan"]:
                print(f"                 plan: {line}")


def verdict(result: WrkResult) -> str:
    ok = result.rps >= TARGET_RPS and result.p99_ms < TARGET_P99_MS
    return "PASS" if ok else "MISS"


def print_table(results: dict[str, WrkResult]) -> None:
    header = (
        f"{'page':<36}{'req/s':>10}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}"
        f"{'requests':>10}{'errors':>8}{'non-2xx':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(
            f"{name:<36}{r.rps:>10.1f}{r.p50_ms:>10.2f}{r.p90_ms:>10.2f}"
            f"{r.p99_ms:>10.2f}{r.requests:>10}{r.socket_errors:>8}{r.non_2xx_3xx:>9}"
        )


def benchmark(
    args: argparse.Namespace, tmp: Path, servers: Servers, report: dict[str, Any]
) -> None:
    """Set up, measure and print; fill `report` as it goes."""
    env = herald_env(tmp, secrets.token_urlsafe(40))
    report |= {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {
            "stories": args.stories,
            "editions": args.editions,
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "workers": args.workers,
        },
        "database": database_label(env),
        "checkout": str(ROOT),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "target": {"story_min_rps": TARGET_RPS, "story_max_p99_ms": TARGET_P99_MS},
    }

    if os.getloadavg()[0] > 0.5:
        print(
            f"warning: load average {os.getloadavg()[0]:.2f} before the run: other "
            "processes share these CPUs, so the numbers will be low and noisy",
            flush=True,
        )
    timings: dict[str, float] = {}
    timings["migrate_s"] = run_step(
        "migrate", [str(BIN / "herald"), "migrate", "--noinput", "-v0"], env, 300
    )
    seed_file = tmp / "seed.json"
    seed_cmd = [
        str(BIN / "python"), str(BENCH / "seed_bulk.py"),
        "--stories", str(args.stories), "--editions", str(args.editions),
        "--out", str(seed_file),
    ]  # fmt: skip
    timings["seed_s"] = run_step(
        f"seed {args.stories} stories", seed_cmd, env, args.seed_timeout
    )
    timings["collectstatic_s"] = run_step(
        "collectstatic",
        [str(BIN / "herald"), "collectstatic", "--noinput", "-v0"],
        env,
        300,
    )
    report["setup"] = {k: round(v, 1) for k, v in timings.items()}
    seeded = json.loads(seed_file.read_text())
    edition = seeded["editions"][0]["slug"]
    host = f"{edition}.localhost"
    sample = seeded["sample"]
    if not sample:
        raise SystemExit(f"no story was published on {edition}")
    chosen = sample[0]
    story_path = f"/news/{chosen['id']}/{chosen['slug']}/"
    report["edition_host"] = host
    report["story_path"] = story_path

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"== gunicorn on {base} ({args.workers} workers)", flush=True)
    gunicorn = start_gunicorn(env, port, args.workers, tmp / "gunicorn.log")
    servers.add("gunicorn", gunicorn)
    wait_until_up("gunicorn", f"{base}/healthz", host, gunicorn, timeout=60)

    # The same code with the render cache off: every request renders the page.
    cold_port = free_port()
    cold_base = f"http://127.0.0.1:{cold_port}"
    cold_env = {**env, "HERALD_RENDER_CACHE": "false"}
    print(f"== gunicorn, render cache off, on {cold_base}", flush=True)
    cold = start_gunicorn(cold_env, cold_port, args.workers, tmp / "gunicorn-cold.log")
    servers.add("gunicorn-cold", cold)
    wait_until_up("gunicorn-cold", f"{cold_base}/healthz", host, cold, timeout=60)

    status, body = fetch(base + story_path, host)
    if status != 200 or chosen["headline"].encode() not in body:
        log = (tmp / "gunicorn.log").read_text(errors="replace")[-3000:]
        found = "found" if chosen["headline"].encode() in body else "missing"
        raise SystemExit(
            f"--- gunicorn log (tail) ---\n{log}\n---\n"
            f"GET {story_path} (Host: {host}) answered {status}, headline {found}"
        )
    home_status, home_body = fetch(base + "/", host)
    if home_status != 200:
        raise SystemExit(f"GET / (Host: {host}) answered {home_status}")
    rotating = [f"/news/{s['id']}/{s['slug']}/" for s in sample[:ROTATING_URLS]]
    for path in rotating:  # every rotated URL must be a 200, not a redirect or 404
        code, _ = fetch(base + path, host)
        if code != 200:
            raise SystemExit(f"GET {path} (Host: {host}) answered {code}")
    report["page_bytes"] = {"story": len(body), "home": len(home_body)}

    site = tmp / "site"
    page_dir = site / story_path.strip("/")
    page_dir.mkdir(parents=True)
    (page_dir / "index.html").write_bytes(body)
    rotation_script = tmp / "rotate.lua"
    write_rotation_script(rotating, rotation_script)

    print("== query profile (Django test client, production settings)", flush=True)
    profile = profile_queries(cold_env, host, story_path, tmp)
    if profile is not None:
        print_profile(profile)
        (args.out.parent / "pages-queries.json").write_text(
            json.dumps(profile, indent=1)
        )
        report["queries"] = {
            page: {"count": profile[page]["count"], "sql_ms": profile[page]["sql_ms"]}
            for page in ("story", "home")
        }

    nginx_port = free_port()
    nginx_base = f"http://127.0.0.1:{nginx_port}"
    print(f"== nginx on {nginx_base} (static copy of the story page)", flush=True)
    nginx = start_nginx(tmp, site, nginx_port)
    servers.add("nginx", nginx)
    wait_until_up("nginx", nginx_base + story_path, host, nginx, timeout=20)
    if fetch(nginx_base + story_path, host)[1] != body:
        raise SystemExit("nginx does not serve the saved story page")

    wrk_args = {
        "duration": args.duration,
        "connections": args.connections,
        "threads": args.threads,
    }
    runs: list[tuple[str, str, Path | None]] = [
        ("story (single)", base + story_path, None),
        ("story (rotating)", base + "/", rotation_script),
        ("home", base + "/", None),
        ("story, no render cache (single)", cold_base + story_path, None),
        ("story, no render cache (rotating)", cold_base + "/", rotation_script),
        ("home, no render cache", cold_base + "/", None),
        ("nginx static", nginx_base + story_path, None),
    ]
    warm = max(2, args.duration // 5)
    results: dict[str, WrkResult] = {}
    for name, url, script in runs:
        print(f"== wrk {name}: warm-up {warm} s, then {args.duration} s", flush=True)
        try:
            run_wrk(url, host, warm, args.connections, args.threads, script)
            results[name] = run_wrk(url, host, script=script, **wrk_args)
        except SystemExit as exc:
            raise SystemExit(f"{exc}\n{servers.describe(tmp)}") from exc
        r = results[name]
        print(f"   {r.rps:.1f} req/s, p99 {r.p99_ms:.2f} ms", flush=True)

    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    static = results["nginx static"].rps
    report["results"] = {name: r.as_dict() for name, r in results.items()}
    report["ratios"] = {
        "story_single_vs_nginx": round(results["story (single)"].rps / static, 4),
        "story_rotating_vs_nginx": round(results["story (rotating)"].rps / static, 4),
        "home_vs_nginx": round(results["home"].rps / static, 4),
        "story_no_render_cache_vs_nginx": round(
            results["story, no render cache (single)"].rps / static, 4
        ),
    }
    report["target"]["story_single"] = verdict(results["story (single)"])
    report["target"]["story_rotating"] = verdict(results["story (rotating)"])
    report["target"]["story_no_render_cache"] = verdict(
        results["story, no render cache (single)"]
    )
    report["wrk_output"] = {name: r.raw for name, r in results.items()}

    print()
    print(
        f"Herald pages: {args.stories} stories, {args.editions} editions, "
        f"gunicorn {args.workers} workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, {os.cpu_count()} CPUs, {report['database']}"
    )
    print(
        f"seeding took {timings['seed_s']:.1f} s; load average before "
        f"{report['load_average_before'][0]:.2f}, after "
        f"{report['load_average_after'][0]:.2f}"
    )
    print()
    print_table(results)
    print()
    for key, value in report["ratios"].items():
        print(f"{key:<26}{value:>8.3f}")
    print()
    for name in (
        "story (single)",
        "story (rotating)",
        "story, no render cache (single)",
    ):
        r = results[name]
        print(
            f"target {name}: >= {TARGET_RPS:.0f} req/s and p99 < "
            f"{TARGET_P99_MS:.0f} ms: {verdict(r)} "
            f"({r.rps:.1f} req/s, p99 {r.p99_ms:.2f} ms)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--editions", type=int, default=10)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed-timeout", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args(argv)
    if args.stories < 1 or args.editions < 1 or args.duration < 1:
        parser.error("--stories, --editions and --duration must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")

    return run_benchmark(args, "herald-bench-", benchmark)


if __name__ == "__main__":
    sys.exit(main())
