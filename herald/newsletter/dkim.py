"""Optional DKIM signing of a finished message (HERALD_DKIM_KEY_FILE, _SELECTOR
and _DOMAIN)."""

import functools
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DKIM_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
]


@functools.lru_cache(maxsize=4)
def _private_key(path: str, modified: int) -> bytes:
    with open(path, "rb") as key_file:
        return key_file.read()


def dkim_configured() -> bool:
    """Whether messages are signed: HERALD_DKIM_KEY_FILE, _SELECTOR and _DOMAIN
    all set (ImproperlyConfigured when only some are)."""
    path = settings.HERALD_DKIM_KEY_FILE
    selector = settings.HERALD_DKIM_SELECTOR
    domain = settings.HERALD_DKIM_DOMAIN
    if not (path or selector or domain):
        return False
    if not (path and selector and domain):
        raise ImproperlyConfigured(
            "DKIM needs HERALD_DKIM_KEY_FILE, HERALD_DKIM_SELECTOR and "
            "HERALD_DKIM_DOMAIN together."
        )
    return True


def sign_dkim(message_bytes: bytes) -> bytes:
    """The message with a DKIM-Signature (relaxed/relaxed, rsa-sha256) covering
    From, To, Subject, Date, Message-ID and the list headers, when
    HERALD_DKIM_KEY_FILE, _SELECTOR and _DOMAIN are set; else unchanged."""
    if not dkim_configured():
        return message_bytes
    path = settings.HERALD_DKIM_KEY_FILE
    selector = settings.HERALD_DKIM_SELECTOR
    domain = settings.HERALD_DKIM_DOMAIN
    import dkim  # optional: only installs that sign need it

    key = _private_key(path, os.stat(path).st_mtime_ns)
    signature: bytes = dkim.sign(
        message_bytes,
        selector.encode(),
        domain.encode(),
        key,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=DKIM_HEADERS,
    )
    return signature + message_bytes
