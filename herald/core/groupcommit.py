"""Group commit: many threads' small UPDATEs, made durable in shared transactions."""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

# One change: (the index of its statement, its parameters in the driver's own
# placeholders).
Mark = tuple[int, list[object]]
# The statements for a database vendor ("sqlite", "postgresql"), indexed by a
# mark's first item.
Statements = Callable[[str], Sequence[str]]


class CommitFailed(DatabaseError):
    """The transaction holding this thread's state changes failed (the cause is
    chained): none of them were committed."""


@dataclass(eq=False)
class _Ticket:
    """State changes one thread hands over, and waits on."""

    marks: list[Mark]
    # Held from the start; released when the marks are committed (or have failed),
    # or when this thread is to lead the next group, which wakes the thread
    # blocked acquiring it.
    done: threading.Lock = field(default_factory=threading.Lock)
    lead: bool = False
    rowcounts: list[int] = field(default_factory=list)
    error: BaseException | None = None


class GroupCommit:
    """Group commit of the small state changes (UPDATEs) of many threads of one
    process: the newsletter's per-message `sending` and `sent`, for one. A thread
    with changes to commit commits them itself, on its own connection, when no
    other thread is committing; otherwise it leaves them pending and waits.
    Whoever commits takes every pending change into one transaction, wakes their
    threads once it is committed, and hands the next group to the first thread
    still waiting. So the threads never queue on the database's write lock behind
    each other (SQLite's busy handler sleeps milliseconds per retry), and a group
    costs one commit (on SQLite one WAL append of the pages it touched) instead of
    one per change.

    The guarantees are those of one autocommitted UPDATE per change, because a
    thread waits for its change to be committed before it goes on. A change is in
    exactly one transaction, which commits it whole or not at all, and a row's
    changes are made in its thread's order, one at a time. So a process killed at
    any point (all its threads at once) leaves every row in a state it could be
    left in by one UPDATE at a time. Committing the rows of several threads
    together only makes their changes durable at the same moment.

    `statements(vendor)` gives the SQL each mark names by index: the caller knows
    the tables, this class only the transactions.
    """

    def __init__(self, statements: Statements) -> None:
        self._statements = statements
        self._lock = threading.Lock()
        self._pending: list[_Ticket] = []
        self._leading = False  # a thread is committing a group

    def commit(self, marks: list[Mark]) -> list[int]:
        """Commit `marks` (with whatever else is pending) and return the rows each
        changed, once they are committed. Raises CommitFailed when their
        transaction failed: then none of them was committed."""
        ticket = _Ticket(marks)
        ticket.done.acquire()
        with self._lock:
            self._pending.append(ticket)
            ticket.lead = not self._leading
            self._leading = True
        if not ticket.lead:
            ticket.done.acquire()  # committed by another thread, or our turn to
        if ticket.lead:
            self._lead()
        if ticket.error is not None:
            raise CommitFailed(f"state changes not committed: {ticket.error}") from (
                ticket.error
            )
        return ticket.rowcounts

    def _lead(self) -> None:
        """Commit every pending change (this thread's among them), wake their
        threads, and hand the lead to the first thread waiting since."""
        with self._lock:
            tickets, self._pending = self._pending, []
        try:
            self._commit(tickets)
        finally:
            with self._lock:
                after = self._pending[0] if self._pending else None
                if after is None:
                    self._leading = False
                else:
                    after.lead = True
            for ticket in tickets:
                if not ticket.lead:
                    ticket.done.release()
            if after is not None:
                after.done.release()

    def _commit(self, tickets: list[_Ticket]) -> None:
        """Run the tickets' UPDATEs in one transaction on this thread's DB-API
        connection, which Django keeps in autocommit (a sending thread's connection
        is never inside an atomic block here): one change alone is simply
        autocommitted; several go between a BEGIN and a COMMIT of their own,
        cheaper than Django's atomic(), which costs as much again as the UPDATEs."""
        db = connections[DEFAULT_DB_ALIAS]
        try:
            db.ensure_connection()
            statements = self._statements(db.vendor)
            with db.wrap_database_errors:
                cursor = db.connection.cursor()
                try:
                    grouped = len(tickets) > 1 or len(tickets[0].marks) > 1
                    if grouped:
                        cursor.execute(_BEGIN[db.vendor])
                    try:
                        for ticket in tickets:
                            for which, params in ticket.marks:
                                cursor.execute(statements[which], params)
                                ticket.rowcounts.append(int(cursor.rowcount))
                        if grouped:
                            cursor.execute("COMMIT")
                    except BaseException:
                        if grouped:
                            cursor.execute("ROLLBACK")
                        raise
                finally:
                    cursor.close()
        except Exception as exc:
            for ticket in tickets:
                ticket.rowcounts = []
                ticket.error = exc


# How a group's transaction begins: on SQLite with the write lock taken at once,
# as Django's own transactions here do (settings: transaction_mode IMMEDIATE).
_BEGIN = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "BEGIN"}
