"""Real SMTP servers on loopback for tests: one in this process (aiosmtpd), which
records raw messages and can be told to defer, refuse, or never answer, and one in
its own process (sink_process.py), whose record outlives a killed worker."""

import asyncio
import email
import email.policy
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """What the server received, and how it should answer."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address -> reply
    hang_on_data: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hang_on_data:
            await asyncio.sleep(3600)
        with self.lock:
            self.received.append(
                (
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content),
                )
            )
        return "250 2.0.0 Ok: queued"

    def messages(self) -> list[EmailMessage]:
        """Every received message, parsed in strict mode."""
        with self.lock:
            raws = [raw for _, _, raw in self.received]
        return [
            email.message_from_bytes(raw, policy=email.policy.strict)  # type: ignore[misc]
            for raw in raws
        ]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]


@contextmanager
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    """Start an SMTP server on 127.0.0.1 and yield (sink, port); stop it after."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@dataclass
class SinkProcess:
    """sink_process.py: an SMTP server that fsyncs each accepted Message-ID."""

    record: Path
    port: int = 0
    proc: subprocess.Popen[str] | None = None

    def start(self) -> int:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "herald.newsletter.tests.sink_process",
                "--port",
                str(self.port),
                "--record",
                str(self.record),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("READY "), f"the sink did not start: {line!r}"
        self.port = int(line.split()[1])
        return self.port

    def stop(self) -> None:
        """Go down like a server for maintenance: stop listening, 421, exit."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def accepted(self) -> list[tuple[str, str]]:
        """(Message-ID, recipient) for every message the server accepted."""
        if not self.record.exists():
            return []
        lines = self.record.read_text().splitlines()
        return [(mid, rcpt) for mid, _, rcpt in (x.partition("\t") for x in lines)]

    def accepted_ids(self) -> set[str]:
        return {mid for mid, _ in self.accepted()}
