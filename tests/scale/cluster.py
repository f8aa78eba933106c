"""Real servers on loopback for the scale-out suite: Redis, Varnish with the shipped
VCL, gunicorn web processes and `herald worker` processes on the test database."""

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "herald.vcl"
PARAMS = ROOT / "deploy" / "varnish" / "varnishd.params"
BINARIES = ("redis-server", "varnishd", "varnishadm", "varnishlog", "varnishncsa")


def shipped_varnishd_params() -> list[str]:
    """varnishd's storage and `-p` options as shipped: VARNISHD_PARAMS of
    deploy/varnish/varnishd.params, which the systemd unit and bench/scale.py read."""
    for line in PARAMS.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "VARNISHD_PARAMS":
            return shlex.split(value)
    raise AssertionError(f"{PARAMS} sets no VARNISHD_PARAMS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """The test database (PostgreSQL), spelled for HERALD_DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def _children(pid: int) -> set[int]:
    """The live child processes of `pid` (a gunicorn master's workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while being read
        # After the command's ")": state, then the parent's pid. A zombie (Z) is
        # a worker that has ended and not yet been reaped.
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def fetch(
    port: int,
    host: str,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Response:
    """One HTTP request to 127.0.0.1:`port` with the Host header `host`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        answer = conn.getresponse()
        text = answer.read().decode("utf-8", errors="replace")
        return Response(
            answer.status, {k.lower(): v for k, v in answer.getheaders()}, text
        )
    finally:
        conn.close()


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            assert self.popen is not None
            self.popen.send_signal(signum)

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM, then SIGKILL if it has not ended within `timeout`."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        return self.popen.returncode

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@dataclass
class Cluster:
    """Redis, 2 web processes, 2 workers and Varnish, all on loopback."""

    folder: Path
    webs: int = 2
    workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    redis_port: int = 0
    varnish_port: int = 0
    web_ports: list[int] = field(default_factory=list)
    redis: Proc | None = None
    varnish: Proc | None = None
    web: list[Proc] = field(default_factory=list)
    worker: list[Proc] = field(default_factory=list)

    @property
    def varnish_dir(self) -> Path:
        return self.folder / "varnish"

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
        return {
            **base,
            "DJANGO_SETTINGS_MODULE": "herald.settings",
            "HERALD_ENV": "test",
            "HERALD_VAR_DIR": str(self.folder / "var"),
            "HERALD_DATABASE_URL": database_url(),
            "HERALD_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "HERALD_PURGE_URLS": f"http://127.0.0.1:{self.varnish_port}",
            "HERALD_TRUSTED_PROXIES": "127.0.0.1",
            "HERALD_SCHEDULE_SWEEP_SECONDS": "1",
            "HERALD_PAGE_MAX_AGE": "600",
            **self.extra_env,
        }

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.redis_port = free_port()
        self.varnish_port = free_port()
        self.web_ports = [free_port() for _ in range(self.webs)]
        self.redis = Proc(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            self.folder / "redis.log",
            self.env(),
        )
        self.redis.start()
        wait_for(lambda: _listening(self.redis_port), 20, "redis-server")
        for n, port in enumerate(self.web_ports):
            self.web.append(self._web(n, port))
        for n in range(self.workers):
            self.worker.append(self.start_worker(n))
        for proc in self.web:
            proc.start()
        self.start_varnish()
        for proc, port in zip(self.web, self.web_ports, strict=True):
            self.wait_web(proc, port)
        self.wait_healthy()

    def _web(self, n: int, port: int) -> Proc:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "herald.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--graceful-timeout",
            "5",
        ]
        return Proc(f"web{n}", argv, self.folder / f"web{n}.log", self.env())

    def wait_web(self, proc: Proc, port: int) -> None:
        def up() -> bool:
            assert proc.alive(), proc.tail()
            try:
                return fetch(port, "localhost", "/healthz").status == 200
            except OSError:
                return False

        wait_for(up, 60, f"{proc.name} on {port}")

    def know_hosts(self, *hosts: str) -> None:
        """Reload the web processes one at a time (gunicorn's SIGHUP: new workers,
        the old ones finish their requests), as a rolling deploy would, so that
        editions made by the test answer at once rather than after each process's
        host map expires (30 s). Returns once every web process runs only workers
        started after its reload, each of them answering for `hosts` as editions,
        and Varnish sees every one healthy.

        A worker from before the reload is not enough, even when it answers 200 for
        the host: its host map may hold an earlier test's edition of the same host
        (the database is emptied between tests, the editions made again with new
        keys), and it then answers that edition's pages, 404s and empty feeds."""
        for proc, port in zip(self.web, self.web_ports, strict=True):
            assert proc.popen is not None
            master = proc.popen.pid
            before = _children(master)
            proc.signal(signal.SIGHUP)

            def renewed(master: int = master, before: set[int] = before) -> bool:
                now = _children(master)
                return bool(now) and not now & before

            wait_for(renewed, 30, f"new workers of {proc.name}")
            for host in hosts:

                def known(host: str = host, port: int = port) -> bool:
                    try:
                        answer = fetch(port, host, "/robots.txt")
                    except OSError:
                        return False
                    # An edition's robots.txt names its sitemaps; a host of no
                    # edition gets the rules alone.
                    return answer.status == 200 and "Sitemap:" in answer.body

                wait_for(known, 30, f"{host} on the web process at {port}")
            self.wait_healthy()

    def wait_healthy(self) -> None:
        """Wait until Varnish's probes see every web process healthy."""

        def healthy() -> bool:
            # One row per backend (boot.web0, …); boot.web is the director.
            rows = [
                line
                for line in self.varnishadm("backend.list").splitlines()
                if re.match(r"\S+\.web\d+\s", line)
            ]
            return len(rows) == len(self.web) and all("healthy" in r for r in rows)

        wait_for(healthy, 30, "Varnish to see every web process healthy")

    def start_worker(self, n: int) -> Proc:
        proc = Proc(
            f"worker{n}",
            [sys.executable, "-m", "herald", "worker"],
            self.folder / f"worker{n}.log",
            self.env(),
        )
        proc.start()
        return proc

    def start_varnish(self) -> None:
        folder = self.varnish_dir
        folder.mkdir(exist_ok=True)
        shutil.copy(VCL, folder / "herald.vcl")
        backends = "\n".join(
            f'backend web{n} {{ .host = "127.0.0.1"; .port = "{port}"; '
            f".probe = herald_health; }}"
            for n, port in enumerate(self.web_ports)
        )
        adds = "\n".join(
            f"    web.add_backend(web{n});" for n in range(len(self.web_ports))
        )
        (folder / "backends.vcl").write_text(
            "probe herald_health {\n"
            '    .request = "GET /healthz HTTP/1.1" "Host: localhost" '
            '"Connection: close";\n'
            "    .interval = 1s; .timeout = 3s; .window = 5; .threshold = 3;\n}\n"
            f"{backends}\n"
            'acl purgers { "127.0.0.1"; }\n'
            "sub herald_backends {\n"
            "    new web = directors.round_robin();\n"
            f"{adds}\n}}\n"
        )
        argv = [
            "varnishd",
            "-F",
            "-a",
            f"127.0.0.1:{self.varnish_port}",
            "-T",
            f"127.0.0.1:{free_port()}",
            "-f",
            str(folder / "herald.vcl"),
            "-n",
            str(folder / "work"),
            *shipped_varnishd_params(),
        ]
        if os.geteuid() == 0:
            argv[1:1] = ["-j", "none"]  # root in CI: no privilege separation user
        self.varnish = Proc("varnish", argv, self.folder / "varnish.log", self.env())
        self.varnish.start()
        wait_for(lambda: _listening(self.varnish_port), 30, "varnishd")

    def varnishadm(self, *command: str) -> str:
        result = subprocess.run(
            ["varnishadm", "-n", str(self.varnish_dir / "work"), *command],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        return result.stdout

    def varnish_log(self, tool: str, *args: str) -> str:
        """What `varnishlog` or `varnishncsa` (`tool`) prints from the log as it
        stands (-d: the records in shared memory, then exit)."""
        if tool not in ("varnishlog", "varnishncsa"):
            raise ValueError(f"Not a Varnish log tool: {tool!r}.")
        result = subprocess.run(
            [tool, "-n", str(self.varnish_dir / "work"), "-d", *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        return result.stdout

    def proxy(self, host: str, path: str, **kwargs: object) -> Response:
        return fetch(self.varnish_port, host, path, **kwargs)  # type: ignore[arg-type]

    def herald(self, code: str) -> str:
        """Run Python in a fresh `herald shell` with the cluster's settings."""
        result = subprocess.run(
            [sys.executable, "-m", "herald", "shell", "-c", code],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def logs(self) -> str:
        procs = [self.redis, self.varnish, *self.web, *self.worker]
        return "\n".join(f"--- {p.name}\n{p.tail()}" for p in procs if p is not None)

    def stop(self) -> None:
        for proc in [*self.worker, *self.web, self.varnish, self.redis]:
            if proc is not None:
                proc.stop(timeout=15)
