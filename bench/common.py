"""What the benchmarks share: starting and stopping servers, wrk and its report."""

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH = ROOT / "bench"


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
    status, _, body = fetch_response(url, host, timeout)
    return status, body


def fetch_response(
    url: str, host: str, timeout: float = 10.0
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, response headers (in order, as sent) and body of one GET."""
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.getheaders(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, list(exc.headers.items()), exc.read()


# Response headers a static copy does not repeat: those about the connection and
# the framing, those a static server makes for its own file (date, server, validators,
# ranges; the content type is set apart), and those a cache adds about itself.
_NOT_COPIED = {
    "connection", "keep-alive", "transfer-encoding", "content-length",
    "date", "server", "etag", "last-modified", "accept-ranges", "content-type",
    "age", "via", "x-varnish", "x-cache",
}  # fmt: skip


def static_copy_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a page's real response that a static copy of the same page
    must send too (Cache-Control, the security headers Herald sets, …), so that nginx
    serving the copy answers like for like."""
    return [(k, v) for k, v in headers if k.lower() not in _NOT_COPIED]


@dataclass
class StaticPage:
    """A saved page nginx serves: its file's URI (e.g. /index.html), its Content-Type
    and the other headers its real response carries."""

    uri: str
    content_type: str
    headers: list[tuple[str, str]]


def _nginx_quote(value: str) -> str:
    # nginx would expand a `$` as a variable; a double quote would end the string.
    if any(c in value for c in '$"\\\r\n'):
        raise SystemExit(f"cannot give nginx this header value as it is: {value!r}")
    return f'"{value}"'


# The types nginx's `charset` applies to unless told otherwise.
_NGINX_CHARSET_TYPES = {
    "text/html", "text/xml", "text/plain", "text/vnd.wap.wml",
    "application/javascript", "application/rss+xml",
}  # fmt: skip


def _nginx_locations(pages: list[StaticPage]) -> str:
    blocks = []
    for page in pages:
        lines = [f"    location = {page.uri} {{"]
        # nginx sends a type's charset from its own directive (`charset`).
        params = [part.strip() for part in page.content_type.split(";")]
        charsets = [x for x in params[1:] if x.lower().startswith("charset=")]
        others = [x for x in params if x not in charsets]
        lines.append(f"      default_type {_nginx_quote('; '.join(others))};")
        lines += [
            f"      charset {_nginx_quote(x.split('=', 1)[1])};" for x in charsets
        ]
        if charsets and params[0] not in _NGINX_CHARSET_TYPES:
            lines.append(f"      charset_types {_nginx_quote(params[0])};")
        lines += [
            f"      add_header {name} {_nginx_quote(value)};"
            for name, value in page.headers
        ]
        lines.append("    }")
        blocks.append("\n".join(lines) + "\n")
    return "".join(blocks)


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


def start_nginx(
    tmp: Path, site: Path, port: int, pages: list[StaticPage] | None = None
) -> subprocess.Popen[bytes]:
    """nginx serving the files under `site` with sendfile; each of `pages` with its
    own Content-Type and headers, as the real page sends them (the other files as
    text/html and without them)."""
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
{_nginx_locations(pages or [])}  }}
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
    timeout_s: int = 0,
) -> WrkResult:
    """wrk's report of one run; `timeout_s` > 0 waits that long for an answer
    (wrk's default is 2 s, which a slow page under load exceeds)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    cmd = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
        "-H", f"Host: {host}",
    ]  # fmt: skip
    if timeout_s:
        cmd += ["--timeout", f"{timeout_s}s"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=duration + timeout_s + 30,
            check=True,
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


def start_redis(tmp: Path, port: int) -> subprocess.Popen[bytes]:
    redis = shutil.which("redis-server")
    if redis is None:
        raise SystemExit("redis-server is missing: apt-get install -y redis-server")
    cmd = [
        redis, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
        "--appendonly", "no", "--dir", str(tmp),
    ]  # fmt: skip
    with (tmp / "redis.log").open("ab") as out:
        return subprocess.Popen(
            cmd, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


VARNISHD_PARAMS = ROOT / "deploy" / "varnish" / "varnishd.params"


def varnishd_params() -> list[str]:
    """The storage and `-p` options Herald ships (deploy/varnish/varnishd.params,
    the systemd unit's VARNISHD_PARAMS), as varnishd arguments."""
    for line in VARNISHD_PARAMS.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "VARNISHD_PARAMS":
            return shlex.split(value)
    raise SystemExit(f"{VARNISHD_PARAMS} sets no VARNISHD_PARAMS")


def start_varnish(
    tmp: Path, port: int, backend_ports: list[int]
) -> subprocess.Popen[bytes]:
    """varnishd as shipped (deploy/varnish/herald.vcl and varnishd.params) with a
    backends.vcl for the given gunicorn ports, in the foreground, with its own
    working directory."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not Path(varnishd).exists():
        raise SystemExit(
            "varnishd is missing: apt-get install -y varnish varnish-modules"
        )
    folder = tmp / "varnish"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "deploy" / "varnish" / "herald.vcl", folder / "herald.vcl")
    backends = "\n".join(
        f'backend web{n} {{ .host = "127.0.0.1"; .port = "{p}"; .probe = health; }}'
        for n, p in enumerate(backend_ports)
    )
    adds = "\n".join(f"    web.add_backend(web{n});" for n in range(len(backend_ports)))
    (folder / "backends.vcl").write_text(
        'probe health { .request = "GET /healthz HTTP/1.1" "Host: localhost" '
        '"Connection: close"; .interval = 2s; .timeout = 3s; .window = 5; '
        ".threshold = 3; }\n"
        f"{backends}\n"
        'acl purgers { "127.0.0.1"; }\n'
        "sub herald_backends {\n    new web = directors.round_robin();\n"
        f"{adds}\n}}\n"
    )
    cmd = [
        varnishd, "-F", "-a", f"127.0.0.1:{port}", "-T", f"127.0.0.1:{free_port()}",
        "-f", str(folder / "herald.vcl"), "-n", str(folder / "work"),
        *varnishd_params(),
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd[1:1] = ["-j", "none"]  # as root: no separate varnish user for the jail
    with (tmp / "varnish.log").open("ab") as out:
        return subprocess.Popen(
            cmd,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of process group
    `pgid`, every thread counted: a server started with start_new_session=True
    (its pid is its group's id) and the workers it forked."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"
        if int(fields[2]) == pgid:  # fields: state, ppid, pgrp, …
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_for_port(name: str, port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode} while starting")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return
        time.sleep(0.1)
    raise SystemExit(f"{name} did not listen on {port} in 30 s")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that stops servers


Benchmark = Callable[[argparse.Namespace, Path, "Servers", dict[str, Any]], None]


def run_benchmark(args: argparse.Namespace, prefix: str, benchmark: Benchmark) -> int:
    """Run `benchmark` in a fresh temp dir; whatever happens, stop every server it
    started, remove the dir (unless `args.keep`) and write the report to `args.out`,
    with the reason when the run stopped early."""
    signal.signal(signal.SIGTERM, _terminate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
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
