"""Benchmark Herald's story and home pages (gunicorn) against static nginx with wrk."""

# Seeds stories in a fresh var dir (bench/seed_bulk.py), serves them with gunicorn
# (production settings), and runs wrk on a story page, a rotating set of story pages,
# the home page, and nginx serving a saved copy of the story page. Writes
# bench/out/pages.json; a missed target is reported, not an error.

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH = ROOT / "bench"
DEFAULT_OUT = BENCH / "out" / "pages.json"
TARGET_RPS = 600.0
TARGET_P99_MS = 100.0
ROTATING_URLS = 200


@dataclass
class WrkResult:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non_2xx_3xx: int
    raw: str = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "requests": self.requests,
            "socket_errors": self.socket_errors,
            "non_2xx_3xx": self.non_2xx_3xx,
        }


@dataclass
class Servers:
    """Processes this run started; `stop_all` ends each by its own pid."""

    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def add(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        self.procs.append((name, proc))

    def describe(self, tmp: Path) -> str:
        """Which servers still run; the log tail of any that exited."""
        lines = []
        for name, proc in self.procs:
            code = proc.poll()
            lines.append(
                f"{name} (pid {proc.pid}): "
                + ("running" if code is None else f"exited with {code}")
            )
            log = (
                tmp / "gunicorn.log"
                if name == "gunicorn"
                else tmp / "nginx" / "error.log"
            )
            if code is not None and log.exists():
                lines.append(log.read_text(errors="replace")[-2000:])
        return "\n".join(lines)

    def stop_all(self) -> None:
        for name, proc in reversed(self.procs):
            stop_process(name, proc)
        self.procs.clear()


def stop_process(name: str, proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Ask a server to quit (SIGINT: gunicorn's and nginx's quick shutdown), then
    kill it and its process group if it does not."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        print(f"{name} (pid {proc.pid}) did not stop in {grace:.0f} s: killing it")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: pgid == pid
        proc.wait(timeout=grace)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def herald_env(var_dir: Path, secret: str) -> dict[str, str]:
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
            "HERALD_SECRET_KEY": secret,
            "HERALD_SSL_REDIRECT": "false",
            "HERALD_ALLOWED_HOSTS": ".localhost,127.0.0.1",
            "HERALD_VAR_DIR": str(var_dir),
            "HERALD_STATIC_ROOT": str(var_dir / "static"),
            "HERALD_MEDIA_ROOT": str(var_dir / "media"),
            "HERALD_LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_step(label: str, cmd: list[str], env: dict[str, str], timeout: float) -> float:
    """Run one setup command with output streamed; return its seconds."""
    print(f"== {label}", flush=True)
    started = time.monotonic()
    try:
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"{label}: no result in {timeout:.0f} s") from exc
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{label}: exited with {exc.returncode}") from exc
    seconds = time.monotonic() - started
    print(f"   {label}: {seconds:.1f} s", flush=True)
    return seconds


def fetch(url: str, host: str, timeout: float = 10.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_up(
    name: str, url: str, host: str, proc: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode} while starting")
        with contextlib.suppress(OSError):
            status, _ = fetch(url, host, timeout=2.0)
            if status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{name} did not answer {url} in {timeout:.0f} s")


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    cmd = [
        str(BIN / "gunicorn"),
        "herald.wsgi:application",
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--error-logfile", "-",
        "--log-level", "warning",
        "--timeout", "30",
    ]  # fmt: skip
    with log.open("ab") as out:  # gunicorn's and Django's logs, tracebacks included
        return subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_nginx(tmp: Path, site: Path, port: int) -> subprocess.Popen[bytes]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is missing: apt-get install -y nginx-light")
    prefix = tmp / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    # As root nginx's workers would drop to nobody, who cannot read a mkdtemp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {site};
    index index.html;
  }}
}}
"""
    )
    cmd = [nginx, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)]
    return subprocess.Popen(cmd, cwd=prefix, start_new_session=True)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"not a wrk duration: {value!r}")
    return round(float(match.group(1)) * _UNITS_MS[match.group(2)], 3)


def parse_wrk(text: str) -> WrkResult:
    """Requests/sec, the 50/90/99% latencies and the error counts of wrk's report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    requests = re.search(r"^\s*(\d+) requests in", text, re.M)
    percent = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
    if not rps or not requests or set(percent) != {"50", "90", "99"}:
        raise ValueError(f"cannot read wrk's output:\n{text}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_to_ms(percent["50"]),
        p90_ms=_to_ms(percent["90"]),
        p99_ms=_to_ms(percent["99"]),
        requests=int(requests.group(1)),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        raw=text,
    )


def run_wrk(
    url: str,
    host: str,
    duration: int,
    connections: int,
    threads: int,
    script: Path | None = None,
) -> WrkResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    cmd = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
        "-H", f"Host: {host}",
    ]  # fmt: skip
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=duration + 30, check=True
        )
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"wrk did not finish in {duration + 30} s") from exc
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"wrk failed ({exc.returncode}): {exc.stderr}") from exc
    return parse_wrk(done.stdout)


def write_rotation_script(paths: list[str], target: Path) -> None:
    """A wrk script that walks `paths` in turn; each wrk thread starts elsewhere."""
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    target.write_text(
        f"""local paths = {{
{quoted}
}}
local i = 0
setup = function(thread)
  thread:set("start", math.random(#paths))
end
init = function(args)
  i = start or 0
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""
    )


def database_label(env: dict[str, str]) -> str:
    url = env.get("HERALD_DATABASE_URL")
    if not url:
        return f"sqlite {sqlite3.sqlite_version} (file in the temp dir)"
    return re.sub(r"//[^@/]*@", "//***@", url)  # no password in the report


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


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that stops servers


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

    signal.signal(signal.SIGTERM, _terminate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="herald-bench-"))
    servers = Servers()
    print(f"temp dir: {tmp}", flush=True)
    report: dict[str, Any] = {}
    try:
        benchmark(args, tmp, servers, report)
    except BaseException as exc:  # the report says why the run stopped, then re-raise
        report["error"] = str(exc) if str(exc) else exc.__class__.__name__
        raise
    finally:
        servers.stop_all()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if report:
            args.out.write_text(json.dumps(report, indent=1))
            print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
