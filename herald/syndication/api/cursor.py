"""Opaque, tamper-evident page cursors: signed, URL-safe JSON."""

from datetime import datetime
from typing import Any

from django.core import signing

_SALT = "herald.syndication.api.cursor"


class BadCursor(ValueError):
    """The cursor was not made by us, was altered, or is for another listing."""


def encode(mode: str, at: datetime, pk: int) -> str:
    """A cursor after the row (`at`, `pk`) of a listing in `mode`."""
    return signing.dumps({"m": mode, "t": at.isoformat(), "id": pk}, salt=_SALT)


def decode(raw: str, mode: str) -> tuple[datetime, int]:
    """The (time, id) position of `raw`; raises BadCursor unless it is ours and for
    a listing in `mode`."""
    try:
        data: Any = signing.loads(raw, salt=_SALT)
    except signing.BadSignature as exc:
        raise BadCursor("The cursor is not valid.") from exc
    if not isinstance(data, dict) or data.get("m") != mode:
        raise BadCursor("The cursor belongs to another kind of listing.")
    try:
        at = datetime.fromisoformat(data["t"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadCursor("The cursor is not valid.") from exc
    pk = data.get("id")
    if at.tzinfo is None or not isinstance(pk, int):
        raise BadCursor("The cursor is not valid.")
    return at, pk
