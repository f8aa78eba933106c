"""The two state changes every message makes around its SMTP DATA (`sending`,
`sent`), as raw SQL committed through a group commit.

A message's `sending` is durable before its DATA is sent, its `sent` is durable
before the delivery is counted done. So a worker killed at any point (all its
threads at once) leaves every row queued under its lease (its `sending` not yet
committed, so nothing of it was sent), sending (its DATA may or may not have
reached the server: unknown once the lease expires, then reconciled from the
server's record), or sent.
"""

import functools
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from herald.core.groupcommit import GroupCommit, Mark
from herald.newsletter.models import Delivery, DeliveryStatus

# The two UPDATEs every message makes, around its DATA, as raw SQL on a DB-API
# connection: building the query with the ORM, and even Django's cursor wrapper,
# cost several times what SQLite takes to run one. Django's connection still opens,
# owns and closes that connection, and its errors are still raised as Django's.


@functools.lru_cache(maxsize=4)
def _state_sql(vendor: str) -> tuple[str, str]:
    """(mark sending, mark sent) in the driver's own placeholders: sqlite3's `?`,
    psycopg's `%s`."""
    meta = Delivery._meta
    q = connection.ops.quote_name

    def col(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return q(field.column)

    table, pk = q(meta.db_table), col("id")
    # Constants and quoted names only; every value is a parameter.
    sending = (
        f"UPDATE {table} SET {col('status')} = %s, "  # noqa: S608
        f"{col('sending_at')} = %s, "
        f"{col('attempts')} = {col('attempts')} + 1, "
        f"{col('lease_expires_at')} = %s "
        f"WHERE {pk} = %s AND {col('lease_owner')} = %s "
        f"AND {col('status')} IN (%s, %s)"
    )
    sent = (
        f"UPDATE {table} SET {col('status')} = %s, "  # noqa: S608
        f"{col('sent_at')} = %s, "
        f"{col('last_error')} = %s, {col('lease_owner')} = '', "
        f"{col('lease_expires_at')} = NULL WHERE {pk} = %s"
    )
    if vendor == "sqlite":
        return sending.replace("%s", "?"), sent.replace("%s", "?")
    return sending, sent


MARK_SENDING, MARK_SENT = 0, 1  # a Mark's statement: an index into _state_sql()


def group_commit() -> GroupCommit:
    """A group commit of delivery marks, shared by one worker's sending threads."""
    return GroupCommit(_state_sql)


def _sending_mark(delivery: Delivery, worker: str) -> Mark:
    """Mark the row as sending, with a fresh lease for this message however long
    the batch has taken; it changes no row when the lease went to another worker."""
    ops = connection.ops
    now = timezone.now()
    lease = now + timedelta(seconds=settings.HERALD_NEWSLETTER_LEASE_SECONDS)
    params: list[object] = [
        DeliveryStatus.SENDING.value,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(lease),
        delivery.pk,
        worker,
        DeliveryStatus.QUEUED.value,
        DeliveryStatus.DEFERRED.value,
    ]
    return MARK_SENDING, params


def _sent_mark(delivery: Delivery, reply: str) -> Mark:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return MARK_SENT, [DeliveryStatus.SENT.value, now, reply[:200], delivery.pk]


class Recorder:
    """One sending thread's `sending` and `sent` marks, committed through the
    worker's group commit. A message's `sent` is committed in one transaction with
    the next message's `sending` (or alone before the thread claims more or
    ends): one commit a message instead of two. It is counted as sent only once
    committed. A kill before that leaves the row in sending, as a kill between the
    server's 250 and the commit of `sent` always could: unknown when its lease
    expires, then settled from the server's record. A thread still has at most one
    row in sending at a time, so a kill leaves no more rows to reconcile."""

    def __init__(self, group: GroupCommit, worker: str, sent: list[int]) -> None:
        self.group = group
        self.worker = worker
        self.sent = sent  # the worker's count of messages committed as sent
        self.unsaved: list[Mark] = []  # `sent` marks not committed yet

    def sending(self, delivery: Delivery) -> bool:
        """Commit the message's `sending` (and the previous message's `sent`);
        False when the lease went to another worker."""
        marks = [*self.unsaved, _sending_mark(delivery, self.worker)]
        rowcounts = self.group.commit(marks)
        self._saved()
        return rowcounts[-1] == 1

    def accepted(self, delivery: Delivery, reply: str) -> None:
        """The server accepted the message: its `sent` goes with the next commit."""
        self.unsaved.append(_sent_mark(delivery, reply))

    def flush(self) -> None:
        """Commit the `sent` marks still waiting."""
        if self.unsaved:
            self.group.commit(self.unsaved)
            self._saved()

    def _saved(self) -> None:
        self.sent[0] += len(self.unsaved)
        self.unsaved = []
