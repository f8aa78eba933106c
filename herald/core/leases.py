"""Take, renew and give back a named lease (herald.core.models.Lease): one holder at
a time across every process that shares the database, and none forever."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from herald.core.models import Lease


def acquire(name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `seconds`; False while another holds it.
    One conditional UPDATE, so two processes racing for it cannot both win."""
    now = timezone.now()
    expires = now + timedelta(seconds=seconds)
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lte=now) | Q(holder=""))
        .update(holder=holder, expires_at=expires)
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=expires)
    except IntegrityError:
        return False  # another process made it first, and holds it
    return True


def release(name: str, holder: str) -> None:
    """Give the lease back now, if `holder` has it, so another may take it at once."""
    Lease.objects.filter(name=name, holder=holder).update(
        holder="", expires_at=timezone.now()
    )
