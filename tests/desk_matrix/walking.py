"""Walking one cell: make its request as the walker, judge the answer against what
the walker may do, and roll back whatever it changed, so every cell meets the same
rows."""

import traceback
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.desk_matrix.cells import Cell, May
from tests.desk_matrix.snapshots import SQLITE, snapshot, writes
from tests.desk_matrix.world import admin_url


@dataclass(frozen=True)
class Answer:
    """How the desk answered a cell, and what was wrong with that, if anything."""

    outcome: str  # "done" for what the walker may do; else how it was refused
    problem: str | None = None


def walk(client: Client, cell: Cell) -> Answer:
    """Make the cell's request, judge the answer, and undo whatever it changed."""
    # On SQLite the rows the connection wrote show any write at all; a POST (and,
    # elsewhere, a refused GET) is checked by the snapshot of its row too, which
    # says what changed.
    watched = (
        cell.obj
        if cell.method == "POST" or (cell.may is not May.YES and not SQLITE)
        else None
    )
    before = snapshot(watched) if watched is not None else {}
    with transaction.atomic():
        written = writes()
        if cell.method == "GET":
            response = client.get(cell.url)
        else:
            response = client.post(cell.url, cell.data or {})
        wrote = None if written is None else (writes() or 0) - written
        after = snapshot(watched) if watched is not None else {}
        answer = _judge(cell, response, before, after, wrote)
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)  # an earlier cell's would show on the next
    return answer


def _judge(
    cell: Cell,
    response: Any,  # the test client's response, with its request and context
    before: dict[str, Any],
    after: dict[str, Any],
    wrote: int | None,
) -> Answer:
    status = response.status_code
    where = response.get("Location", "")
    if status >= 500:
        exc_info = getattr(response, "exc_info", None)
        return Answer(str(status), f"answered {status}\n{_trace(exc_info)}")
    if cell.may is May.YES:
        if status in {403, 404} or _to_login(response):
            return Answer(str(status), f"refused ({where}) what the desk allows")
        if cell.method == "GET" and wrote:
            return Answer("done", f"a GET wrote {wrote} row(s)")
        if cell.expect is not None and cell.obj is not None:
            return Answer("done", cell.expect(cell.obj, before, response))
        return Answer("done")
    refusal = _refusal(cell, response)
    outcome = refusal or ("shown to a viewer" if cell.may is May.EITHER else "")
    if after != before:
        return Answer(
            outcome, f"a refused {cell.method} changed {_diff(before, after)}"
        )
    if wrote:
        return Answer(outcome, f"a refused {cell.method} wrote {wrote} row(s)")
    if not outcome:
        return Answer(str(status), f"answered {status} {where} instead of refusing")
    return Answer(outcome)


def _refusal(cell: Cell, response: HttpResponse) -> str | None:
    """How the desk refused the cell, or None if it did not."""
    status = response.status_code
    where = response.get("Location", "")
    if status in {403, 404}:
        return str(status)
    if _to_login(response):
        return "to login"
    if status == 302 and _refusal_shown(response):
        if where in _backs(cell):
            return "back with an error"
        if where == reverse("admin:index") and cell.part in {"history", "delete"}:
            # Django's answer for a row the admin's queryset does not hold.
            return "to the desk index with a warning"
    if cell.method == "POST" and status == 200 and _refusal_shown(response):
        return "page with an error"
    if cell.part == "action":
        # Django's own ways of ignoring a list action: selected rows that are not
        # on the walker's list are dropped without a word (and the list reloads),
        # and where the walker has no action at all, the POST only shows the list.
        if status == 302 and where == cell.url:
            return "row not on the list"
        context = getattr(response, "context", None) or {}
        if status == 200 and context.get("cl") and not context.get("action_form"):
            return "list without actions"
    return None


def _backs(cell: Cell) -> set[str]:
    """Where a refusal may send the walker back to: the page it was on, or the
    row's own page."""
    backs = {cell.url}
    if cell.obj is not None:
        backs.add(admin_url(type(cell.obj), "change", cell.obj.pk))
    return backs


def _to_login(response: HttpResponse) -> bool:
    where = response.get("Location", "")
    return response.status_code == 302 and where.startswith(reverse("admin:login"))


def _refusal_shown(response: HttpResponse) -> bool:
    """This request queued an error or a warning, or its page shows Django's own
    refusal: a form with errors, a deletion other rows protect or that needs
    permissions the walker lacks."""
    storage = getattr(response.wsgi_request, "_messages", None)  # type: ignore[attr-defined]
    # This request's own messages: the cookie may still hold an earlier cell's.
    queued = getattr(storage, "_queued_messages", [])
    if any(m.level >= messages.WARNING for m in queued):
        return True
    context = getattr(response, "context", None) or {}
    form = context.get("form")
    return bool(
        getattr(form, "errors", None)
        or context.get("protected")
        or context.get("perms_lacking")
    )


def _trace(exc_info: Any) -> str:
    """The last frames of the exception and its message, each line cut short."""
    if not exc_info:
        return ""
    lines = traceback.format_exception(*exc_info, limit=-12, chain=False)
    return "".join(line[:400] + ("…\n" if len(line) > 400 else "") for line in lines)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    keys = sorted(set(before) | set(after))
    return repr(
        {
            k: (before.get(k), after.get(k))
            for k in keys
            if before.get(k) != after.get(k)
        }
    )
