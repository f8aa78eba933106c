"""What the benchmarks share: the run and its report, processes, ports, setup steps."""

import argparse
import contextlib
import json
import os
import re
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


def database_label(env: dict[str, str]) -> str:
    url = env.get("HERALD_DATABASE_URL")
    if not url:
        return f"sqlite {sqlite3.sqlite_version} (file in the temp dir)"
    return re.sub(r"//[^@/]*@", "//***@", url)  # no password in the report


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


def run_reported(out: Path, run: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Run `run(report)`; whatever happens, write the report to `out`, with the
    reason when the run stopped early (SIGTERM included), and return it."""
    signal.signal(signal.SIGTERM, _terminate)
    out.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    try:
        run(report)
    except BaseException as exc:  # the report says why the run stopped, then re-raise
        report["error"] = str(exc) or exc.__class__.__name__
        raise
    finally:
        if report:
            out.write_text(json.dumps(report, indent=1, default=str))
            print(f"\nwrote {out}")
    return report


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
