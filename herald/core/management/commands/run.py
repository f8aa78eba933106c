"""`herald run`: the web server and a task worker together, for a single machine."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the network and run a task worker beside it until interrupted."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        # WhiteNoise serves from STATIC_ROOT too, and warns while it does not exist.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        web = [
            python,
            "-m",
            "gunicorn",
            "herald.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        worker = [python, "-m", "herald", "worker"]
        # Both commands are fixed argument lists built above, never shell strings.
        procs = [subprocess.Popen(cmd, env=os.environ.copy()) for cmd in (web, worker)]  # noqa: S603
        host, _, port = bind.rpartition(":")
        self.stdout.write(
            f"Herald is serving on http://{host}:{port}/ "
            f"(editions at http://<slug>.localhost:{port}/). Ctrl+C stops it."
        )

        def stop(signum: int, frame: object) -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        finally:
            stop(signal.SIGTERM, None)
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        failed = [p.args for p in procs if p.returncode not in (0, -signal.SIGTERM)]
        if failed:
            self.stderr.write(f"Stopped because a process exited: {failed}")
            sys.exit(1)
