"""Where newsletter messages go: an SMTP server (reused connections, a timeout on
every step), a folder of .eml files, or the console. Chosen by HERALD_EMAIL_URL."""

import contextlib
import smtplib
import ssl
import sys
import uuid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, a timeout, a refused or dropped connection."""


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx reply)."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes) -> str:
        """Hand one message over; return the server's reply. Raise TemporaryFailure
        or PermanentFailure."""
        ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for every message."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = parts.scheme == "smtp+starttls"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.timeout = timeout
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.implicit_tls:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                conn.starttls(context=ssl.create_default_context())
            if self.user:
                conn.login(self.user, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(
                f"cannot connect to {self.host}:{self.port}: {exc}"
            ) from exc
        return conn

    def send(self, sender: str, recipient: str, message: bytes) -> str:
        if self.conn is None:
            self.conn = self._connect()
        try:
            refused = self.conn.sendmail(sender, [recipient], message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, (550, b"refused"))
            return self._reply_failure(code, text)
        except smtplib.SMTPResponseException as exc:
            self._drop()
            return self._reply_failure(exc.smtp_code, exc.smtp_error)
        except (TimeoutError, OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise TemporaryFailure(f"connection lost: {exc}") from exc
        if refused:
            code, text = refused[recipient]
            return self._reply_failure(code, text)
        return "250 accepted"

    @staticmethod
    def _reply_failure(code: int, text: bytes | str) -> str:
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        reply = f"{code} {text}"
        if 400 <= code < 500:
            raise TemporaryFailure(reply)
        raise PermanentFailure(reply)

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()


class FileTransport:
    """Writes each message to its own .eml file in a folder."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, sender: str, recipient: str, message: bytes) -> str:
        path = self.folder / f"{uuid.uuid4().hex}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message)
        tmp.rename(path)  # a reader never sees half a message
        return f"250 written to {path.name}"

    def close(self) -> None:
        return None


class ConsoleTransport:
    def send(self, sender: str, recipient: str, message: bytes) -> str:
        sys.stdout.write(
            message.decode("utf-8", errors="replace") + "\n" + "-" * 72 + "\n"
        )
        return "250 printed"

    def close(self) -> None:
        return None


def open_transport(url: str | None = None) -> Transport:
    url = url or settings.HERALD_EMAIL_URL
    if url == "console:":
        return ConsoleTransport()
    if url.startswith("file:"):
        return FileTransport(url.removeprefix("file:"))
    return SmtpTransport(url, timeout=settings.EMAIL_TIMEOUT)
