"""Where newsletter messages go: an SMTP server (reused connections, a timeout on
every step), a folder of .eml files, or the console. Chosen by HERALD_EMAIL_URL."""

import contextlib
import smtplib
import ssl
import sys
import uuid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, a timeout, a refused or dropped connection."""


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx reply)."""


class UncertainDelivery(Exception):
    """The whole message went out but the server's answer never came: it may or may
    not have been accepted. Only the server's own record can tell."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes) -> str:
        """Hand one message over; return the server's reply. Raise TemporaryFailure
        or PermanentFailure."""
        ...

    def close(self) -> None: ...


class _Tracking(smtplib.SMTP):
    """Notes when a whole message has been written (it ends in CRLF.CRLF), so that a
    lost answer after that is reported as uncertain rather than retried."""

    data_sent = False

    def send(self, s: Any) -> None:
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_sent = True


class _TrackingSSL(_Tracking, smtplib.SMTP_SSL):
    pass


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
        self.conn: _Tracking | None = None

    def _connect(self) -> "_Tracking":
        try:
            if self.implicit_tls:
                conn: _Tracking = _TrackingSSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                conn = _Tracking(self.host, self.port, timeout=self.timeout)
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
        conn = self.conn
        conn.data_sent = False
        # MAIL, RCPT and DATA one by one, so that a failure before the message is
        # sent (safe to retry) is told apart from a lost answer after it (unknown).
        try:
            conn.ehlo_or_helo_if_needed()
            for code, text in (conn.mail(sender), conn.rcpt(recipient)):
                if code not in (250, 251):
                    self._refused(code)
                    return self._reply_failure(code, text)
            code, text = conn.data(message)
        except smtplib.SMTPDataError as exc:  # no 354: nothing of the message sent
            self._refused(exc.smtp_code)
            return self._reply_failure(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:
            self._drop()
            return self._reply_failure(exc.smtp_code, exc.smtp_error)
        except (TimeoutError, OSError, smtplib.SMTPServerDisconnected) as exc:
            sent_data = conn.data_sent
            self._drop()
            if sent_data:
                raise UncertainDelivery(f"no answer after the message: {exc}") from exc
            raise TemporaryFailure(f"connection lost: {exc}") from exc
        if code != 250:
            self._refused(code)
            return self._reply_failure(code, text)
        return f"{code} {text.decode(errors='replace')}"

    def _refused(self, code: int) -> None:
        """After a refusal the session is reset, or dropped when the server is
        closing it (421)."""
        if code == 421 or self.conn is None:
            self._drop()
            return
        try:
            self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

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
