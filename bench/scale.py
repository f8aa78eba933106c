"""Benchmark Herald scaled out: Varnish cache hits, gunicorn uncached with 1 and with 2
web processes, and nginx serving static copies of the same pages, in one run."""

# Seeds stories in a fresh var dir (bench/seed_bulk.py; the caller's
# HERALD_DATABASE_URL if set), starts Redis, gunicorn behind Varnish with the shipped
# VCL (deploy/varnish/herald.vcl), and runs wrk on the story page and the home page:
#   1. through Varnish (every request a cache hit) and nginx serving saved copies of
#      the same pages like for like (each copy answering with the headers its real
#      page sends: Cache-Control, the security headers, read from the page's answer
#      through Varnish), both servers up, in --rounds interleaved pairs: each round
#      measures a page through one and then the other, the order swapped every
#      round, so each pair's ratio compares runs seconds apart;
#   2. nginx serving the copies bare (nginx's own headers only, as measured before);
#   3. straight to gunicorn with the render cache off, 1 web process, then 2.
# Reports requests a second, p99, the load average around each run, the ratio of
# Varnish to nginx for the same page (the median round's; target >= 0.9) and the
# scaling from 1 to 2 web processes. Varnish runs with the shipped parameters
# (deploy/varnish/varnishd.params).
# Writes bench/out/scale.json.

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from common import (
    BENCH,
    BIN,
    Servers,
    database_label,
    fetch,
    fetch_response,
    free_port,
    group_cpu_seconds,
    herald_env,
    run_benchmark,
    run_step,
    stop_process,
    wait_for_port,
    wait_until_up,
)
from servers import (
    StaticPage,
    start_gunicorn,
    start_nginx,
    start_redis,
    start_varnish,
    static_copy_headers,
    varnishd_params,
)
from wrk import (
    WrkResult,
    run_wrk,
)

DEFAULT_OUT = BENCH / "out" / "scale.json"
TARGET_RATIO = 0.9
# wrk waits this long for an answer: an uncached page on busy shared cores can take
# seconds, and a request wrk gave up on would drop out of the p99.
WRK_TIMEOUT_S = 20


def _measure(
    name: str,
    url: str,
    host: str,
    server: subprocess.Popen[bytes],
    args: argparse.Namespace,
    results: dict[str, WrkResult],
    loads: dict[str, list[float]],
    cpu_us: dict[str, float],
) -> None:
    """One wrk run against `server`; also the server's CPU time per request (all
    its processes and threads), which other load on the machine moves far less than
    requests a second."""
    warm = max(2, args.duration // 5)
    print(f"== wrk {name}: warm-up {warm} s, then {args.duration} s", flush=True)
    wait = WRK_TIMEOUT_S
    run_wrk(url, host, warm, args.connections, args.threads, timeout_s=wait)
    before = group_cpu_seconds(server.pid)
    results[name] = run_wrk(
        url, host, args.duration, args.connections, args.threads, timeout_s=wait
    )
    r = results[name]
    cpu_us[name] = round(
        (group_cpu_seconds(server.pid) - before) / max(r.requests, 1) * 1e6, 1
    )
    loads[name] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"   {r.rps:.1f} req/s, p99 {r.p99_ms:.2f} ms, "
        f"server CPU {cpu_us[name]:.1f} µs a request, "
        f"non-2xx {r.non_2xx_3xx}, load {loads[name][0]:.2f}",
        flush=True,
    )
    if r.non_2xx_3xx:
        raise SystemExit(f"{name}: {r.non_2xx_3xx} answers were not 2xx/3xx")
    if r.socket_errors:
        # wrk gives up on a request after 2 s: reported, as part of the figure.
        print(f"   {r.socket_errors} requests timed out or failed", flush=True)


def _median(values: Iterable[float]) -> float:
    return round(statistics.median(values), 3)


def _content_type(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value
    raise SystemExit(f"a response without a Content-Type: {headers}")


def _check_like_for_like(
    base: str, host: str, answers: dict[str, tuple[list[tuple[str, str]], bytes]]
) -> None:
    """nginx answers each page with the same body, Content-Type and copied headers
    as the proxy did."""
    for path, (headers, page) in answers.items():
        status, got_headers, got = fetch_response(base + path, host)
        want = sorted(static_copy_headers(headers))
        have = sorted(static_copy_headers(got_headers))
        if status != 200 or got != page or have != want:
            raise SystemExit(
                f"nginx's copy of {path} differs from the page: {status}, "
                f"{len(got)} bytes for {len(page)}, headers {have} for {want}"
            )
        if _content_type(got_headers) != _content_type(headers):
            raise SystemExit(f"nginx's copy of {path} has another Content-Type")


def benchmark(
    args: argparse.Namespace, tmp: Path, servers: Servers, report: dict[str, Any]
) -> None:
    env = herald_env(tmp, secrets.token_urlsafe(40))
    redis_port = free_port()
    env |= {
        "HERALD_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "HERALD_TRUSTED_PROXIES": "127.0.0.1",
        "HERALD_PAGE_MAX_AGE": "600",
    }
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
        },
        "database": database_label(env),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    redis = start_redis(tmp, redis_port)  # the cache of the web processes
    servers.add("redis", redis)
    wait_for_port("redis", redis_port, redis)

    run_step("migrate", [str(BIN / "herald"), "migrate", "--noinput", "-v0"], env, 300)
    seed_file = tmp / "seed.json"
    seed_cmd = [
        str(BIN / "python"), str(BENCH / "seed_bulk.py"),
        "--stories", str(args.stories), "--editions", str(args.editions),
        "--out", str(seed_file),
    ]  # fmt: skip
    run_step(f"seed {args.stories} stories", seed_cmd, env, args.seed_timeout)
    run_step(
        "collectstatic",
        [str(BIN / "herald"), "collectstatic", "--noinput", "-v0"],
        env,
        300,
    )
    seeded = json.loads(seed_file.read_text())
    host = f"{seeded['editions'][0]['slug']}.localhost"
    if not seeded["sample"]:
        raise SystemExit("no story was published on the first edition")
    chosen = seeded["sample"][0]
    story_path = f"/news/{chosen['id']}/{chosen['slug']}/"
    report |= {"edition_host": host, "story_path": story_path}

    # Behind Varnish: gunicorn with 2 web processes and the render cache.
    web_port = free_port()
    web = start_gunicorn(env, web_port, 2, tmp / "gunicorn-varnish.log")
    servers.add("gunicorn (behind varnish)", web)
    wait_until_up("gunicorn", f"http://127.0.0.1:{web_port}/healthz", host, web, 60)
    varnish_port = free_port()
    varnish = start_varnish(tmp, varnish_port, [web_port])
    servers.add("varnish", varnish)
    wait_for_port("varnish", varnish_port, varnish)
    proxy = f"http://127.0.0.1:{varnish_port}"
    # Varnish holds a backend sick until its first probe passes (up to 2 s).
    wait_until_up("varnish", proxy + story_path, host, varnish, 30)
    status, body = fetch(proxy + story_path, host)
    if status != 200 or chosen["headline"].encode() not in body:
        raise SystemExit(f"GET {story_path} through Varnish answered {status}")
    # Each page once more, now a hit: the bytes and headers a reader gets.
    answers = {}
    for path in (story_path, "/"):
        request_status, headers, page = fetch_response(proxy + path, host)
        if request_status != 200:
            raise SystemExit(f"GET {path} through Varnish answered {request_status}")
        answers[path] = (headers, page)
    body = answers[story_path][1]
    home_body = answers["/"][1]
    report["page_bytes"] = {"story": len(body), "home": len(home_body)}
    report["varnishd_params"] = varnishd_params()

    results: dict[str, WrkResult] = {}
    loads: dict[str, list[float]] = {}
    cpu_us: dict[str, float] = {}
    run = (args, results, loads, cpu_us)

    site = tmp / "site"
    page_dir = site / story_path.strip("/")
    page_dir.mkdir(parents=True)
    (page_dir / "index.html").write_bytes(body)
    (site / "index.html").write_bytes(home_body)
    # The static copies answer with the headers the real pages send (Cache-Control,
    # the security headers), like for like; the bare copies, as measured before
    # 2026-11-26's third round, with nginx's own headers only.
    pages = [
        StaticPage(
            uri=f"{path}index.html",
            content_type=_content_type(answers[path][0]),
            headers=static_copy_headers(answers[path][0]),
        )
        for path in (story_path, "/")
    ]
    report["static_copy_headers"] = {
        "story": pages[0].headers,
        "home": pages[1].headers,
    }

    # Varnish and nginx's like-for-like copies, both up, measured in pairs a few
    # seconds apart: round by round, each page through one and then the other, the
    # order swapped every round. Each round's ratio compares two runs under the
    # same conditions; the headline is the median round.
    nginx_port = free_port()
    nginx = start_nginx(tmp, site, nginx_port, pages)
    servers.add("nginx", nginx)
    nginx_base = f"http://127.0.0.1:{nginx_port}"
    wait_until_up("nginx", nginx_base + story_path, host, nginx, 20)
    _check_like_for_like(nginx_base, host, answers)
    rounds: dict[str, list[dict[str, float]]] = {"story": [], "home": []}
    for number in range(1, args.rounds + 1):
        for kind, path in (("story", story_path), ("home", "/")):
            pair = [
                (f"varnish {kind} #{number}", proxy + path, varnish),
                (f"nginx static {kind} #{number}", nginx_base + path, nginx),
            ]
            for name, url, server in pair if number % 2 else pair[::-1]:
                _measure(name, url, host, server, *run)
            hit, copy = (name for name, _, _ in pair)
            rounds[kind].append(
                {
                    "rps": round(results[hit].rps / results[copy].rps, 3),
                    "cpu": round(cpu_us[copy] / cpu_us[hit], 3),
                }
            )
    stop_process("nginx", nginx)
    stop_process("varnish", varnish)
    stop_process("gunicorn (behind varnish)", web)

    # The bare copies, once each, against the median Varnish round.
    bare_port = free_port()
    bare = start_nginx(tmp, site, bare_port, None)
    servers.add("nginx, bare", bare)
    bare_base = f"http://127.0.0.1:{bare_port}"
    wait_until_up("nginx, bare", bare_base + story_path, host, bare, 20)
    _measure("nginx static story, bare", bare_base + story_path, host, bare, *run)
    _measure("nginx static home, bare", bare_base + "/", host, bare, *run)
    stop_process("nginx, bare", bare)

    # Uncached: every request renders, with 1 and then 2 web processes.
    cold_env = {**env, "HERALD_RENDER_CACHE": "false"}
    for workers in (1, 2):
        port = free_port()
        proc = start_gunicorn(cold_env, port, workers, tmp / f"gunicorn-{workers}.log")
        servers.add(f"gunicorn {workers}", proc)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"gunicorn {workers}", f"{base}/healthz", host, proc, 60)
        label = f"{workers} web process{'es' if workers > 1 else ''}"
        _measure(f"gunicorn story, {label}", base + story_path, host, proc, *run)
        _measure(f"gunicorn home, {label}", base + "/", host, proc, *run)
        stop_process(f"gunicorn {workers}", proc)

    def median_rps(prefix: str) -> float:
        return statistics.median(
            r.rps for name, r in results.items() if name.startswith(prefix + " #")
        )

    one = "1 web process"
    two = "2 web processes"
    ratios = {
        # Median of the rounds' ratios, each Varnish run over the nginx run next
        # to it (the per-round figures are in "rounds").
        "varnish_story_vs_nginx": _median(r["rps"] for r in rounds["story"]),
        "varnish_home_vs_nginx": _median(r["rps"] for r in rounds["home"]),
        # Against the copies without the pages' headers (the figure reported
        # before the copies carried them), measured once after the rounds.
        "varnish_story_vs_nginx_bare": round(
            median_rps("varnish story") / results["nginx static story, bare"].rps,
            3,
        ),
        "varnish_home_vs_nginx_bare": round(
            median_rps("varnish home") / results["nginx static home, bare"].rps, 3
        ),
        # Capacity: nginx's CPU time per request over Varnish's, same page,
        # median round.
        "varnish_story_vs_nginx_cpu": _median(r["cpu"] for r in rounds["story"]),
        "varnish_home_vs_nginx_cpu": _median(r["cpu"] for r in rounds["home"]),
        "story_2_vs_1_web_processes": round(
            results[f"gunicorn story, {two}"].rps
            / results[f"gunicorn story, {one}"].rps,
            3,
        ),
        "home_2_vs_1_web_processes": round(
            results[f"gunicorn home, {two}"].rps / results[f"gunicorn home, {one}"].rps,
            3,
        ),
    }
    report |= {
        "results": {name: r.as_dict() for name, r in results.items()},
        "load_average_after_each": loads,
        "server_cpu_us_per_request": cpu_us,
        "ratios": ratios,
        "rounds": rounds,
        "target": {
            "varnish_vs_nginx_min": TARGET_RATIO,
            "met": ratios["varnish_story_vs_nginx"] >= TARGET_RATIO
            and ratios["varnish_home_vs_nginx"] >= TARGET_RATIO,
        },
        "wrk_output": {name: r.raw for name, r in results.items()},
    }

    print()
    print(
        f"Herald scaled out: {args.stories} stories, {args.editions} editions, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{os.cpu_count()} CPUs, {report['database']}"
    )
    print(
        f"{'run':<36}{'req/s':>10}{'p99 ms':>10}{'CPU µs':>10}{'errors':>8}{'load':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<36}{r.rps:>10.1f}{r.p99_ms:>10.2f}{cpu_us[name]:>10.1f}"
            f"{r.socket_errors:>8}{loads[name][0]:>8.2f}"
        )
    print()
    for key, value in ratios.items():
        print(f"{key:<32}{value:>8.3f}")
    for kind, figures in rounds.items():
        each = ", ".join(f"{r['rps']:.3f}" for r in figures)
        print(f"varnish_{kind}_vs_nginx by round: {each}")
    met = "met" if report["target"]["met"] else "MISSED"
    print(f"target Varnish / nginx static (story and home) >= {TARGET_RATIO}: {met}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--editions", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--rounds", type=int, default=3, help="Varnish/nginx pairs per page"
    )
    parser.add_argument("--seed-timeout", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args(argv)
    if min(args.stories, args.editions, args.duration, args.rounds) < 1:
        parser.error(
            "--stories, --editions, --duration and --rounds must be at least 1"
        )
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")

    return run_benchmark(args, "herald-scale-", benchmark)


if __name__ == "__main__":
    sys.exit(main())
