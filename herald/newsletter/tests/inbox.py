"""An SMTP server on loopback that keeps every message Django's mail backend sends,
for the sign-up tests."""

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.strict)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Inbox:
    """An aiosmtpd handler that keeps every message's raw bytes."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content,
                )
            )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m.message() for m in self.messages if address in m.rcpt_tos]
