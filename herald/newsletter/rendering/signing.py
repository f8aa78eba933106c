"""The List-Unsubscribe mailto address of a subscription: signed, so that only
Herald can make one, and read back when a reader mails it."""

from django.utils.crypto import constant_time_compare

from herald.newsletter import tokens
from herald.newsletter.models import Subscription

MAILTO_SALT = "herald.newsletter.unsubscribe-mailto"


def mailto_unsubscribe_address(subscription: Subscription, domain: str) -> str:
    """`unsubscribe+<id>-<mac>@domain`: short enough for a mailbox name (64
    characters), and only Herald can make one."""
    mac = tokens.salted_hmac(MAILTO_SALT, str(subscription.pk).encode()).hexdigest()
    return f"unsubscribe+{subscription.pk}-{mac[:20]}@{domain}"


def read_mailto_unsubscribe_address(address: str) -> int | None:
    """The subscription id an unsubscribe mail was sent to, or None when the
    address is not one Herald made."""
    local = address.strip().strip("<>").rpartition("@")[0].lower()
    pk, _, mac = local.removeprefix("unsubscribe+").partition("-")
    if not local.startswith("unsubscribe+") or not pk.isdigit():
        return None
    expected = tokens.salted_hmac(MAILTO_SALT, pk.encode()).hexdigest()[:20]
    return int(pk) if constant_time_compare(mac, expected) else None
