"""Receivers of editions' own model signals: a changed edition drops this process's
host map. Connected in EditionsConfig.ready()."""

from django.db.models.signals import post_delete, post_save

from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition


def connect() -> None:
    post_save.connect(forget_hosts, sender=Edition, dispatch_uid="editions.hosts")
    post_delete.connect(forget_hosts, sender=Edition, dispatch_uid="editions.hosts")
