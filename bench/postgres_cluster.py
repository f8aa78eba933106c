"""PostgreSQL for a benchmark: the caller's server, or a throwaway local cluster."""

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import free_port


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
