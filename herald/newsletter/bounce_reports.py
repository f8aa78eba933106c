"""Reading bounce and complaint reports: DSN (RFC 3464) and ARF (RFC 5965).

`parse_report(raw)` turns one message into `BounceEvent`s: one per failed or delayed
recipient of a delivery status notification, one for a feedback (complaint) report.
Anything else (auto-replies, out-of-office notes, success notifications) gives no
event. A report that claims to be a DSN or ARF but cannot be read raises
`MalformedReport`, which callers count as an error for that message and go on.

Only failures about the address itself are hard: 5.x.x except 5.2.2 (mailbox
full), 5.2.3 and 5.3.4 (our message too large), 5.5.x (protocol), 5.6.x (content)
and 5.7.x (policy: spam blocks, authentication). Those say nothing about whether
the reader's mailbox exists, so they count as soft and suppress only when they
repeat. A report without a readable status is soft too: Herald never records a
false hard bounce.
"""

import email
import email.policy
import logging
import re
from dataclasses import asdict, dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from herald.newsletter.models import normalize_email

logger = logging.getLogger(__name__)

DIAGNOSTIC_MAX = 500
# Feedback types that are a reader's complaint. "not-spam" and "auth-failure"
# (DMARC/SPF failure reports, RFC 6591) are not.
COMPLAINT_TYPES = frozenset({"abuse", "fraud", "virus", "other"})
# Permanent failures that are not about the address (see the module docstring).
NOT_HARD_STATUSES = frozenset({"5.2.2", "5.2.3", "5.3.4"})
NOT_HARD_SUBJECTS = frozenset({"5", "6", "7"})
DSN_PARTS = frozenset({"message/delivery-status", "message/global-delivery-status"})
ARF_PART = "message/feedback-report"
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([45])\d\d\b")


class BounceKind(StrEnum):
    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"


class MalformedReport(ValueError):
    """A message that says it is a DSN or ARF report but cannot be read as one."""


@dataclass(frozen=True)
class BounceEvent:
    """One recipient's failure, delay or complaint, as a report states it."""

    recipient: str  # normalized; "" when the report hides it (redacted ARF)
    kind: BounceKind
    status: str = ""  # enhanced status code, e.g. "5.1.1"; "" for complaints
    diagnostic: str = ""
    message_id: str = ""  # the original message's, without angle brackets
    feedback_type: str = ""  # ARF only
    action: str = ""  # DSN only: failed or delayed

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


def parse_report(raw: bytes) -> list[BounceEvent]:
    """The events of one raw RFC 822 message: [] when it is no report (an auto-reply,
    a success notice). Raises MalformedReport when a report cannot be read."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if message.get_content_maintype() != "multipart":
            return []
        report_type = ""
        if message.get_content_type() == "multipart/report":
            report_type = str(message.get_param("report-type", "")).strip().lower()
        # Some servers send their reports as multipart/mixed: the parts decide.
        payload = message.get_payload()
        inside = {p.get_content_type() for p in payload if isinstance(p, Message)}
        if report_type == "delivery-status" or inside & DSN_PARTS:
            return _parse_dsn(message)
        if report_type == "feedback-report" or ARF_PART in inside:
            return _parse_arf(message)
        return []
    except MalformedReport:
        raise
    except Exception as exc:  # the email package's faults on hostile input
        logger.warning("Unreadable bounce report.", exc_info=True)
        raise MalformedReport(f"unreadable report: {exc}") from exc


def _parse_dsn(message: Message) -> list[BounceEvent]:
    parts = _parts(message)
    status_part = next((p for p in parts if p.get_content_type() in DSN_PARTS), None)
    if status_part is None:
        raise MalformedReport("delivery status report without a delivery-status part")
    blocks = [b for b in _field_blocks(status_part) if _is_recipient_block(b)]
    if not blocks:
        raise MalformedReport("delivery-status part names no recipient")
    message_id = _original_message_id(parts)
    events = []
    for block in blocks:
        event = _dsn_event(block, message_id)
        if event is not None:
            events.append(event)
    return events


def _dsn_event(block: dict[str, str], message_id: str) -> BounceEvent | None:
    action = _strip_comment(block.get("action", "")).lower()
    if action in {"delivered", "relayed", "expanded"}:
        return None
    diagnostic = _typed_value(block.get("diagnostic-code", ""))
    status = _status_code(block.get("status", "")) or _status_code(diagnostic)
    if action == "delayed":
        kind = BounceKind.SOFT
    elif status.startswith("2."):
        return None
    elif status.startswith("5.") and _is_about_address(status):
        kind = BounceKind.HARD
    else:
        kind = BounceKind.SOFT
    # Original-Recipient is the address we gave at RCPT TO; Final-Recipient may be
    # where it was forwarded.
    recipient = _address(_typed_value(block.get("original-recipient", ""))) or (
        _address(_typed_value(block.get("final-recipient", "")))
    )
    return BounceEvent(
        recipient=recipient,
        kind=kind,
        status=status,
        diagnostic=_clean(diagnostic),
        message_id=message_id,
        action=action,
    )


def _parse_arf(message: Message) -> list[BounceEvent]:
    parts = _parts(message)
    feedback = next((p for p in parts if p.get_content_type() == ARF_PART), None)
    if feedback is None:
        raise MalformedReport("feedback report without a feedback-report part")
    fields: dict[str, str] = {}
    for block in _field_blocks(feedback):
        for name, value in block.items():
            fields.setdefault(name, value)
    feedback_type = _strip_comment(fields.get("feedback-type", "")).lower()
    if not feedback_type:
        raise MalformedReport("feedback report without a Feedback-Type")
    if feedback_type not in COMPLAINT_TYPES:
        return []
    original = _original_headers(parts)
    recipient = _address(fields.get("original-rcpt-to", ""))
    if not recipient and original is not None:
        to = getaddresses([str(v) for v in original.get_all("To", [])])
        recipient = _address(to[0][1]) if len(to) == 1 else ""
    return [
        BounceEvent(
            recipient=recipient,
            kind=BounceKind.COMPLAINT,
            diagnostic=_clean(fields.get("user-agent", "")),
            message_id=_bare_message_id(original),
            feedback_type=feedback_type,
        )
    ]


def _parts(message: Message) -> list[Message]:
    payload = message.get_payload()
    if not isinstance(payload, list):
        raise MalformedReport("multipart/report without parts")
    return [part for part in payload if isinstance(part, Message)]


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """The header blocks of a delivery-status or feedback-report part, each as a
    dict of lower-case field names. The email package splits message/delivery-status
    into one sub-message a block; other message/* types give one sub-message whose
    body holds the remaining blocks, and a wrongly declared part gives plain text:
    all three are read here."""
    payload = part.get_payload()
    if isinstance(payload, str):
        return _blocks_from_text(payload)
    blocks = []
    for sub in payload:
        if not isinstance(sub, Message):
            continue
        blocks.append(_block(sub))
        rest = sub.get_payload()
        if isinstance(rest, str) and rest.strip():
            blocks.extend(_blocks_from_text(rest))
    return [b for b in blocks if b]


def _blocks_from_text(text: str) -> list[dict[str, str]]:
    parser = BytesHeaderParser(policy=email.policy.default)
    chunks = re.split(r"\r?\n[ \t]*\r?\n", text.strip())
    encoded = (c.encode("utf-8", "surrogateescape") for c in chunks)
    return [b for b in (_block(parser.parsebytes(c + b"\n")) for c in encoded) if b]


def _block(sub: Message) -> dict[str, str]:
    block: dict[str, str] = {}
    for name, value in sub.items():
        block.setdefault(name.strip().lower(), str(value).strip())
    return block


def _is_recipient_block(block: dict[str, str]) -> bool:
    return "final-recipient" in block or "original-recipient" in block


def _original_headers(parts: list[Message]) -> Message | None:
    """The headers of the returned original: a text/rfc822-headers part, or the
    message of a message/rfc822 part."""
    for part in parts:
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                parser = BytesHeaderParser(policy=email.policy.default)
                return parser.parsebytes(data)
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
            if isinstance(inner, str):
                parser = BytesHeaderParser(policy=email.policy.default)
                return parser.parsebytes(inner.encode("utf-8", "surrogateescape"))
    return None


def _original_message_id(parts: list[Message]) -> str:
    return _bare_message_id(_original_headers(parts))


def _bare_message_id(headers: Message | None) -> str:
    if headers is None:
        return ""
    value = _clean(str(headers.get("Message-ID", "") or ""), limit=200)
    return value.strip("<>").strip()


def _typed_value(value: str) -> str:
    """'rfc822; user@example.org' → 'user@example.org'; 'smtp; 550 …' → '550 …'."""
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in kind.strip() else value.strip()


def _strip_comment(value: str) -> str:
    return re.sub(r"\(.*?\)", "", value).strip()


def _address(value: str) -> str:
    """A normalized address, or "" if `value` is none (redacted, garbled)."""
    value = _strip_comment(value).strip().strip("<>").strip()
    if not value:
        return ""
    value = normalize_email(value)
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _status_code(value: str) -> str:
    found = _STATUS.search(value)
    if found:
        return ".".join(found.groups())
    code = _SMTP_CODE.search(value)
    return f"{code.group(1)}.0.0" if code else ""


def _is_about_address(status: str) -> bool:
    subject = status.split(".")[1]
    return status not in NOT_HARD_STATUSES and subject not in NOT_HARD_SUBJECTS


def _clean(text: str, limit: int = DIAGNOSTIC_MAX) -> str:
    """One line of printable text that every database stores: no NUL, and no lone
    surrogates (undecodable bytes) that PostgreSQL would refuse."""
    text = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.split())[:limit]
