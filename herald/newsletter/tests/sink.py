"""A real SMTP server on loopback for tests (aiosmtpd), which records raw messages
and can be told to defer, refuse, or never answer."""

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


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
