"""API keys: make one (shown once), revoke one, and find the key a request carries.

A key reads `hrld_<prefix>_<secret>`. Only its SHA-256 is stored, so a leaked
database does not leak keys; the prefix is kept in the clear to tell keys apart.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.syndication.models import ApiKey, ApiPartner

logger = logging.getLogger(__name__)

KEY_PREFIX = "hrld"
# Writing the last-use time on every request would make each read a write; a
# minute is as precise as the desk needs.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    raw: str  # the only copy of the key itself: show it once, never store it


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_key(partner: ApiPartner, *, by: User | None) -> IssuedKey:
    """Make a new key for `partner` and return it with the key in the clear."""
    prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        partner=partner, prefix=prefix, secret_hash=hash_key(raw)
    )
    logger.info(
        "API key issued.",
        extra={
            "partner_id": partner.pk,
            "key_id": key.pk,
            "by": by.pk if by else None,
        },
    )
    return IssuedKey(key=key, raw=raw)


def revoke_key(key: ApiKey, *, by: User | None) -> ApiKey:
    """Revoke `key`: from now on it answers 401. Revoking twice keeps the first time."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        logger.info(
            "API key revoked.",
            extra={"key_id": key.pk, "by": by.pk if by else None},
        )
    return key


def find_key(raw: str) -> ApiKey | None:
    """The usable key whose hash matches `raw`, with its partner; None otherwise."""
    if not raw or len(raw) > 200:
        return None
    return (
        ApiKey.objects.usable()
        .select_related("partner")
        .filter(secret_hash=hash_key(raw))
        .first()
    )


def note_use(key: ApiKey) -> None:
    """Record that `key` was used now, at most once a minute per key."""
    now = timezone.now()
    stale = now - LAST_USED_PRECISION
    if key.last_used_at is None or key.last_used_at < stale:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    partner = key.partner
    if partner.last_used_at is None or partner.last_used_at < stale:
        ApiPartner.objects.filter(pk=partner.pk).update(last_used_at=now)
        partner.last_used_at = now
