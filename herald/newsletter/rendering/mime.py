"""MIME for newsletter messages, made fast but standard: the header policy,
pre-parsed constant headers, quoted-printable bodies encoded once with the
personal links filled in per message, and a message that writes its own bytes."""

import binascii
import email.header
import email.policy
import re
import secrets
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy, Policy
from typing import Any

from herald.newsletter.transport import dot_stuff


class _ListHeader(UnstructuredHeader):
    """A list header (RFC 2369, 2919): a phrase and `<...>` URLs or ids.

    The standard library folds a long unstructured header by turning any word,
    URLs included, into RFC 2047 encoded words, which mail clients do not decode
    in List-Unsubscribe or List-Id. This one folds only at spaces and encodes
    only runs of non-ASCII words (an edition's name in List-Id).
    """

    def fold(self, *, policy: Policy) -> str:
        return fold_list_header(
            self.name,  # type: ignore[attr-defined]
            str(self),
            policy.max_line_length or 998,
            str(policy.linesep),
        )


def fold_list_header(name: str, value: str, limit: int, linesep: str) -> str:
    """A list header folded at spaces only, non-ASCII runs as encoded words."""
    words: list[str] = []
    run: list[str] = []
    for word in value.split():
        if word.isascii():
            if run:
                words.extend(_encoded(" ".join(run)))
                run = []
            words.append(word)
        else:
            run.append(word)
    if run:
        words.extend(_encoded(" ".join(run)))
    lines = [f"{name}:"]
    for word in words:
        if len(lines[-1]) + 1 + len(word) > limit and lines[-1][-1] != ":":
            lines.append("")
        lines[-1] += " " + word
    return linesep.join(lines) + linesep


def _encoded(text: str) -> list[str]:
    """`text` as RFC 2047 encoded words (UTF-8), each within 75 characters."""
    return email.header.Header(text, "utf-8").encode(linesep=" ").split()


class _Registry(HeaderRegistry):
    """The standard registry builds a new header class on every lookup (twice for
    each header set); build each one once."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def map_to_type(self, name: str, cls: type) -> None:
        super().map_to_type(name, cls)  # type: ignore[arg-type]
        self._classes.clear()

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


def _policy() -> EmailPolicy:
    registry = _Registry()
    for name in ("list-id", "list-unsubscribe", "list-archive"):
        registry.map_to_type(name, _ListHeader)
    # clone() keeps every other SMTP default: CRLF, 78-column folding, UTF-8
    # encoded words for subjects and names.
    return email.policy.SMTP.clone(header_factory=registry)  # type: ignore[return-value]


POLICY = _policy()
# A quoted-printable body never holds "=_", so this boundary cannot clash with it.
BOUNDARY = f"=_herald_{secrets.token_hex(8)}"
# Stand-ins for the personal links in the cached blocks; random per process, so
# no story text can imitate them.
UNSUBSCRIBE_MARK = f"herald-unsubscribe-{secrets.token_hex(8)}"
PREFERENCES_MARK = f"herald-preferences-{secrets.token_hex(8)}"


def header(name: str, value: str) -> Any:
    """A parsed header object; the same object can go on any number of messages,
    which saves parsing constant headers again for each one."""
    return POLICY.header_factory(name, value)  # type: ignore[attr-defined]


MIME_VERSION = header("MIME-Version", "1.0")
ONE_CLICK = header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
ALTERNATIVE = header("Content-Type", f'multipart/alternative; boundary="{BOUNDARY}"')
PLAIN = header("Content-Type", 'text/plain; charset="utf-8"')
HTML = header("Content-Type", 'text/html; charset="utf-8"')
QP = header("Content-Transfer-Encoding", "quoted-printable")
CONSTANTS = (MIME_VERSION, ONE_CLICK, ALTERNATIVE, PLAIN, HTML, QP)


def fold(value: Any) -> bytes:
    """A header object's bytes as the generator writes them."""
    return POLICY.fold_binary(value.name, value)  # type: ignore[no-any-return]


FOLDED = {id(h): fold(h) for h in CONSTANTS}


# Values whose header line the policy writes as it is when it fits on one line;
# anything else is folded by the policy itself.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_PLAIN_MESSAGE_ID = re.compile(
    r"<[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>"
)
_ONE_LINE = 76  # within the policy's 78 columns


def address_line(name: str, address: str) -> bytes:
    """`To: address` as the policy folds it, without parsing a plain address."""
    if len(name) + 2 + len(address) <= _ONE_LINE and _PLAIN_ADDRESS.fullmatch(address):
        return f"{name}: {address}\r\n".encode()
    return fold(header(name, address))


def message_id_line(message_id: str) -> bytes:
    """`Message-ID: <...>` as the policy folds it, without parsing a plain one."""
    if len(message_id) + 12 <= _ONE_LINE and _PLAIN_MESSAGE_ID.fullmatch(message_id):
        return f"Message-ID: {message_id}\r\n".encode()
    return fold(header("Message-ID", message_id))


def list_header_line(name: str, value: str) -> bytes:
    """A list header (_ListHeader) as the policy folds an ASCII one."""
    if value.isascii() and "=?" not in value:
        limit = POLICY.max_line_length or 998
        return fold_list_header(name, value, limit, "\r\n").encode()
    return fold(header(name, value))


def one_line(value: str, what: str) -> str:
    """`value`, refused with ValueError when it holds a line break (CR, LF or any
    other that would split a header)."""
    if "\r" in value or "\n" in value or len(value.splitlines()) > 1:
        raise ValueError(f"The {what} contains a line break.")
    return value


def qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends. binascii's encoder is C; the email
    package's own is pure Python and ten times slower on a 60 kB issue."""
    return binascii.b2a_qp(text.encode(), istext=True).replace(b"\n", b"\r\n")


@dataclass(frozen=True)
class Body:
    """One part's quoted-printable body, encoded once: static runs of lines as
    bytes, and the few lines that hold a personal link as text to fill in and
    encode per message. Quoted-printable encodes each line on its own, so the
    pieces join into exactly the encoding of the whole."""

    chunks: tuple[bytes | str, ...]

    @classmethod
    def split(cls, text: str) -> "Body":
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = [line + "\n" for line in lines[:-1]] + [lines[-1]]
        chunks: list[bytes | str] = []
        run: list[str] = []
        personal = False
        for line in lines:
            marked = UNSUBSCRIBE_MARK in line or PREFERENCES_MARK in line
            if run and marked != personal:
                chunks.append("".join(run) if personal else qp("".join(run)))
                run = []
            run.append(line)
            personal = marked
        if run:
            chunks.append("".join(run) if personal else qp("".join(run)))
        return cls(tuple(chunks))

    def fill(self, unsubscribe: str, preferences: str) -> bytes:
        return b"".join(
            chunk
            if isinstance(chunk, bytes)
            else fill_lines(chunk, unsubscribe, preferences)
            for chunk in self.chunks
        )

    def wire(self) -> tuple[bytes | str, ...]:
        """The chunks as SMTP DATA carries them: each static one dot-stuffed (each
        starts a line); a personal one is stuffed when it is filled in."""
        return tuple(
            dot_stuff(chunk) if isinstance(chunk, bytes) else chunk
            for chunk in self.chunks
        )


def fill_lines(lines: str, unsubscribe: str, preferences: str) -> bytes:
    """Personal lines with their links filled in, quoted-printable."""
    return qp(
        lines.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(
            PREFERENCES_MARK, preferences
        )
    )


def part(content_type: Any, body: bytes) -> MIMEPart:
    """A text part whose body is already quoted-printable."""
    made = MIMEPart(policy=POLICY)
    made["Content-Type"] = content_type
    made["Content-Transfer-Encoding"] = QP
    made.set_payload(body.decode("ascii"))
    return made


@dataclass(frozen=True)
class Wire:
    """What a RenderedMessage needs to write its own bytes: its parts as made,
    their encoded body, and the folded bytes of its shared headers."""

    payload: list[MIMEPart]
    texts: tuple[object, ...]
    body: bytes
    folded: dict[int, tuple[object, bytes]]


class RenderedMessage(EmailMessage):
    """An EmailMessage that writes its bytes without the email package's
    line-by-line generator, which costs more than everything else in a send.

    The output is what `email.generator.BytesGenerator` writes (a test holds
    them equal). Headers are always folded from the message as it stands; if
    the body was changed after rendering, the standard generator is used.
    """

    _wire: Wire | None = None

    def as_bytes(self, unixfrom: bool = False, policy: Policy | None = None) -> bytes:
        wire = self._wire
        if (
            unixfrom
            or policy is not None
            or wire is None
            or self._payload is not wire.payload  # type: ignore[attr-defined]
            or tuple(p._payload for p in wire.payload) != wire.texts  # type: ignore[attr-defined]
            or self.get("Content-Type") is not ALTERNATIVE
        ):
            return super().as_bytes(unixfrom, policy)
        head = []
        for name, value in self._headers:  # type: ignore[attr-defined]
            shared = wire.folded.get(id(value))
            if shared is not None and shared[0] is value:
                head.append(shared[1])
            else:
                head.append(self.policy.fold_binary(name, value))
        return b"".join(head) + b"\r\n" + wire.body

    def __bytes__(self) -> bytes:
        return self.as_bytes()


def multipart_body(parts: list[tuple[Any, bytes]]) -> bytes:
    """The body of a multipart/alternative exactly as BytesGenerator writes it."""
    out = []
    for index, (content_type, body) in enumerate(parts):
        out.append(b"--" if index == 0 else b"\r\n--")
        out.append(BOUNDARY.encode() + b"\r\n")
        out.append(FOLDED[id(content_type)] + FOLDED[id(QP)] + b"\r\n" + body)
    out.append(b"\r\n--" + BOUNDARY.encode() + b"--\r\n")
    return b"".join(out)
