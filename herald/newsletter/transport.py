"""Where newsletter messages go: an SMTP server (reused connections, a timeout on
every step), a folder of .eml files, or the console. Chosen by HERALD_EMAIL_URL."""

import contextlib
import re
import smtplib
import ssl
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, a timeout, a refused or dropped connection."""


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx reply)."""


class UncertainDelivery(Exception):
    """The whole message went out but the server's answer never came: it may or may
    not have been accepted. Only the server's own record can tell."""


# An address smtplib's quoteaddr() returns as `<address>`.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9.-]+")

# smtplib's rule for DATA (RFC 5321 4.5.2): a line that starts with a dot gets
# another.
_DOT_LINE = re.compile(rb"(?m)^\.")


def dot_stuff(data: bytes) -> bytes:
    """CRLF-ended lines (no bare CR or LF), starting at a line start, with a dot
    doubled where a line starts with one: what smtplib's regular expression does
    to such lines, at the cost of one bytes.replace."""
    data = data.replace(b"\r\n.", b"\r\n..")
    return b"." + data if data[:1] == b"." else data


@dataclass(frozen=True)
class Outgoing:
    """One message as SMTP DATA carries it (`wire`: CRLF line ends, dot-stuffed,
    ending in CRLF, without the final dot line), so a sender writes it as it is
    instead of scanning 50 kB with regular expressions per message; `raw` is the
    message itself, for transports that store it."""

    wire: bytes

    @classmethod
    def from_message(cls, raw: bytes) -> "Outgoing":
        """What smtplib's sendmail sends after DATA for `raw` (bytes)."""
        wire = _DOT_LINE.sub(b"..", raw)
        return cls(wire if wire.endswith(b"\r\n") else wire + b"\r\n")

    @property
    def raw(self) -> bytes:
        return _DOT_LINE.sub(b"", self.wire)


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: Outgoing) -> str:
        """Hand one message over; return the server's reply. Raise TemporaryFailure
        or PermanentFailure."""
        ...

    def close(self) -> None: ...


class _Tracking(smtplib.SMTP):
    """Sends a prepared message itself (`send_wire`), and notes when a whole message
    has been written, so that a lost answer after that is reported as uncertain
    rather than retried."""

    data_sent = False

    def envelope(self, verb: str, address: str) -> tuple[int, bytes]:
        """MAIL FROM or RCPT TO, as smtplib's mail() and rcpt() write them; a plain
        address is written as it is rather than parsed with the email package."""
        if _PLAIN_ADDRESS.fullmatch(address):
            self.putcmd(verb, f"{'FROM' if verb == 'mail' else 'TO'}:<{address}>")
            return self.getreply()
        return self.mail(address) if verb == "mail" else self.rcpt(address)

    def send_wire(self, wire: bytes) -> tuple[int, bytes]:
        """DATA as smtplib.data() does it, with the message already in its wire
        form: SMTPDataError without a 354 (nothing of the message sent)."""
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        self.send(wire + b".\r\n")
        # The whole message is written: a lost answer from here on leaves its fate
        # unknown, as the server may hold it complete.
        self.data_sent = True
        return self.getreply()


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

    def send(self, sender: str, recipient: str, message: Outgoing) -> str:
        if self.conn is None:
            self.conn = self._connect()
        conn = self.conn
        conn.data_sent = False
        # MAIL, RCPT and DATA one by one, so that a failure before the message is
        # sent (safe to retry) is told apart from a lost answer after it (unknown).
        try:
            conn.ehlo_or_helo_if_needed()
            for verb, address in (("mail", sender), ("rcpt", recipient)):
                code, text = conn.envelope(verb, address)
                if code not in (250, 251):
                    self._refused(code)
                    return self._reply_failure(code, text)
            code, text = conn.send_wire(message.wire)
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

    def send(self, sender: str, recipient: str, message: Outgoing) -> str:
        path = self.folder / f"{uuid.uuid4().hex}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message.raw)
        tmp.rename(path)  # a reader never sees half a message
        return f"250 written to {path.name}"

    def close(self) -> None:
        return None


class ConsoleTransport:
    def send(self, sender: str, recipient: str, message: Outgoing) -> str:
        sys.stdout.write(
            message.raw.decode("utf-8", errors="replace") + "\n" + "-" * 72 + "\n"
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
