"""Signed, expiring links that prove a submitter owns an email address."""

from django.conf import settings
from django.core import signing

from herald.accounts.models import User

SALT = "herald.accounts.verify-email"


class BadToken(Exception):
    """The link is forged, altered, expired, or for an address since changed."""


def verify_token(user: User) -> str:
    """A token naming the user and the address; changing the address voids it."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=SALT)


def read_verify_token(token: str) -> User:
    max_age = settings.HERALD_VERIFY_LINK_HOURS * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadToken("The link has expired.") from exc
    except signing.BadSignature as exc:
        raise BadToken("The link is not valid.") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower() != data.get("e"):
        raise BadToken("The link is not valid.")
    return user
