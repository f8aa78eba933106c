"""The authorization matrix of news releases: every role against every release view
and action. Each cell is the status the response must have, and none may differ."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from herald.accounts.models import User
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.releases.models import NewsRelease, ReleaseStatus
from herald.releases.tests.factories import (
    decision_data,
    form_data,
    make_release,
    make_submitter,
)
from herald.stories.models import Section

# Each cell is the status the response must have. Submitter pages send visitors to
# log in (302) and refuse staff (403); another submitter's release is missing (404),
# never forbidden. The desk sends non-staff to its login (302), refuses contributors
# (403), and shows an editor only the releases aimed at their editions (else 404).
# Allowed POSTs answer 302.
TABLE = """
what            verb anon   rdr    owner  other  writer editor oedit  mod    admin
list            GET  302    403    200    200    403    403    403    403    403
submit          GET  302    403    200    200    403    403    403    403    403
profile         GET  302    403    200    200    403    403    403    403    403
profile_save    POST 302    403    302    302    403    403    403    403    403
detail          GET  302    403    200    404    403    403    403    403    403
edit            GET  302    403    200    404    403    403    403    403    403
save            POST 302    403    302    404    403    403    403    403    403
resubmit        POST 302    403    302    404    403    403    403    403    403
preview         GET  302    403    200    404    403    403    403    403    403
queue           GET  302    302    302    302    403    200    200    200    200
moderate        GET  302    302    302    302    403    200    404    200    200
desk_preview    GET  302    302    302    302    403    200    404    200    200
approve         POST 302    302    302    302    403    302    404    302    302
request_changes POST 302    302    302    302    403    302    404    302    302
reject          POST 302    302    302    302    403    302    404    302    302
"""
_rows = [line.split() for line in TABLE.strip().splitlines()]
# Column heads, short to fit the line: other = another submitter, oedit = an editor
# of another edition, rdr = reader, writer = contributor, mod = moderator.
ROLES = tuple(_rows[0][2:])
MATRIX: dict[str, tuple[str, dict[str, int]]] = {
    row[0]: (row[1], dict(zip(ROLES, map(int, row[2:]), strict=True)))
    for row in _rows[1:]
}
# Who really changed the release when a POST answered 302 (a redirect to a login
# page changes nothing).
ACTORS = {
    "save": {"owner"},
    "resubmit": {"owner"},
    "approve": {"editor", "mod", "admin"},
    "request_changes": {"editor", "mod", "admin"},
    "reject": {"editor", "mod", "admin"},
}
# The state each action leaves behind when it is allowed, and when it is not.
AFTER = {
    "save": ReleaseStatus.CHANGES_REQUESTED,
    "approve": ReleaseStatus.PUBLISHED,
    "request_changes": ReleaseStatus.CHANGES_REQUESTED,
    "reject": ReleaseStatus.REJECTED,
    "resubmit": ReleaseStatus.PENDING,
}


def _user(username: str, role: str, editions: list[Edition]) -> User:
    user = User.objects.create(username=username, role=role)
    user.editions.set(editions)
    return user


def _request(
    what: str, client: Client, release: NewsRelease, section: Section, japan: Edition
) -> Any:
    pk = release.pk
    desk = "admin:releases_newsrelease_"
    gets: dict[str, Callable[[], str]] = {
        "list": lambda: reverse("releases:list"),
        "submit": lambda: reverse("releases:submit"),
        "profile": lambda: reverse("releases:profile"),
        "detail": lambda: reverse("releases:detail", args=[pk]),
        "edit": lambda: reverse("releases:edit", args=[pk]),
        "preview": lambda: reverse("releases:preview", args=[pk]),
        "queue": lambda: reverse(desk + "changelist") + "?status__exact=pending",
        "moderate": lambda: reverse(desk + "change", args=[pk]),
        "desk_preview": lambda: reverse(desk + "preview", args=[pk, japan.slug]),
    }
    if what in gets:
        return client.get(gets[what]())
    if what == "profile_save":
        return client.post(
            reverse("releases:profile"),
            {
                "organisation": "Kansai Rowing Club",
                "contact_person": "Ken Mori",
                "time_zone": "Asia/Tokyo",
            },
        )
    if what in {"save", "resubmit"}:
        step = "save" if what == "save" else "submit"
        return client.post(
            reverse("releases:edit", args=[pk]), form_data([japan], step=step)
        )
    decision = {"approve": "approve", "request_changes": "changes", "reject": "reject"}
    return client.post(
        reverse(desk + "change", args=[pk]),
        decision_data(
            release,
            section.pk,
            decision=decision[what],
            reason="spam",
            message="A message.",
        ),
    )


@pytest.mark.django_db
def test_every_role_gets_exactly_what_the_matrix_says_for_every_view_and_action(
    japan: Edition, india: Edition, section: Section
) -> None:
    owner = make_submitter()
    other = make_submitter("other@example.org")
    users: dict[str, User | None] = {
        "anon": None,
        "rdr": _user("reader", Role.READER, []),
        "owner": owner.user,
        "other": other.user,
        "writer": _user("writer", Role.CONTRIBUTOR, [japan]),
        "editor": _user("jed", Role.EDITOR, [japan]),
        "oedit": _user("ied", Role.EDITOR, [india]),
        "mod": _user("moderator", Role.MODERATOR, []),
        "admin": _user("root", Role.ADMIN, []),
    }
    differences = []
    for what, (method, expected) in MATRIX.items():
        for role in ROLES:
            # A fresh release for every cell: pending for the desk, sent back for
            # changes for the submitter's own edits.
            release = make_release(owner, [japan])
            if what in {"edit", "save", "resubmit"}:
                NewsRelease.objects.filter(pk=release.pk).update(
                    status=ReleaseStatus.CHANGES_REQUESTED
                )
                release.refresh_from_db()
            before = release.status
            client = Client()
            user = users[role]
            if user is not None:
                client.force_login(user)
            status = _request(what, client, release, section, japan).status_code
            if status != expected[role]:
                differences.append(
                    f"{role} {method} {what}: {status} != {expected[role]}"
                )
            if what in AFTER:
                release.refresh_from_db()
                want = AFTER[what] if role in ACTORS[what] else before
                if release.status != want:
                    differences.append(
                        f"{role} {what}: left {release.status}, not {want}"
                    )
    assert differences == []
