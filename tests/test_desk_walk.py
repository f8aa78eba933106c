"""A walk of the whole desk: every walker (a visitor, every role, a superuser) × every
story state, news release state and sample row × every list, filter choice, search,
add and change form, history, delete confirmation, preview, workflow button and list
action the admin registry offers. Nothing answers a server error; whatever the
admins' permissions and the workflows refuse answers 403, 404, a redirect to the
login page or back with an error, and changes nothing; whatever they allow does what
the workflow says. The cells are generated (tests/desk_matrix/), so a new role,
state, page or action is walked without an edit here. The run ends with a summary:
the cells walked by part, by walker and by answer."""

import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse

from herald.accounts.models import User
from herald.core.roles import Role
from herald.editions.middleware import forget_hosts
from herald.releases.models import ReleaseStatus
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import Status
from tests.desk_matrix import (
    DECIDABLE,
    DECISION_TARGETS,
    DECISIONS,
    STORY_STATES,
    SUPERUSER,
    WALKERS,
    World,
    build_world,
    cells,
    same_as,
    skipped_patterns,
    walk,
)

pytestmark = pytest.mark.django_db

# What this run walked, for the summary at the end of the module.
PARTS: Counter[str] = Counter()
WALKERS_CELLS: Counter[str] = Counter()
ANSWERS: Counter[str] = Counter()
SECONDS: dict[str, float] = {}


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest
) -> Iterator[World]:
    """The rows walked, built once for the module in a transaction rolled back
    after it; each test runs in a savepoint inside it, and each cell in one more,
    so that every cell meets the same rows."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
        forget_hosts()
    _summary(request)


def _summary(request: pytest.FixtureRequest) -> None:
    if not WALKERS_CELLS:
        return
    lines = [
        f"desk walk: {WALKERS_CELLS.total()} cells in {sum(SECONDS.values()):.1f} s",
        "  by part: " + ", ".join(f"{p} {n}" for p, n in sorted(PARTS.items())),
        "  by walker: "
        + ", ".join(f"{w} {n} ({SECONDS[w]:.1f} s)" for w, n in WALKERS_CELLS.items()),
        "  answers: " + ", ".join(f"{a} {n}" for a, n in ANSWERS.most_common()),
    ]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


def test_every_state_of_both_workflows_is_walked(world: World) -> None:
    assert set(world.stories) == set(STORY_STATES) > set(Status.values)
    assert {s.status for s in world.stories.values()} == set(Status.values)
    assert set(world.releases) == set(ReleaseStatus.values)
    assert set(DECISION_TARGETS) == set(DECISIONS)
    assert {ReleaseStatus.PENDING} == DECIDABLE


def test_a_superuser_is_an_admin_so_walks_as_one(world: World) -> None:
    superuser, admin = world.users[SUPERUSER], world.users[Role.ADMIN]
    assert superuser is not None and admin is not None
    assert superuser.role == Role.ADMIN and admin.is_superuser
    assert same_as(world, SUPERUSER) == Role.ADMIN
    assert all(same_as(world, walker) is None for walker in WALKERS[:-1])


def test_the_matrix_is_generated_for_every_walker_and_admin(world: World) -> None:
    walking = [w for w in WALKERS if same_as(world, w) is None]
    sizes = Counter(cell.model for walker in walking for cell in cells(world, walker))
    assert set(sizes) == {m._meta.label_lower for m in admin.site._registry}
    assert sizes.total() > 1000
    # Every page of an admin that names a row is walked: none takes a kwarg the
    # walk cannot fill.
    assert skipped_patterns() == []


@pytest.mark.parametrize("walker", WALKERS)
def test_nothing_in_the_desk_fails_or_lets_a_walker_past_their_role(
    walker: str, world: World
) -> None:
    twin = same_as(world, walker)
    if twin is not None:
        # A superuser is an admin (User.save() keeps is_superuser with the admin
        # role), so its walk would repeat the admin's cell for cell. Should a
        # superuser ever differ, it walks.
        pytest.skip(f"the {walker} has the {twin}'s access exactly: walked as {twin}")
    user = world.users[walker]
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    # Each refusal would log a warning with its traceback, which costs more than
    # the request; server errors are still logged.
    requests_log = logging.getLogger("django.request")
    level = requests_log.level
    requests_log.setLevel(logging.ERROR)
    started = time.perf_counter()
    problems = []
    try:
        for cell in cells(world, walker):
            answer = walk(client, cell)
            PARTS[cell.part] += 1
            WALKERS_CELLS[walker] += 1
            ANSWERS[answer.outcome] += 1
            if answer.problem:
                problems.append(f"{walker} {cell.may.value}: {cell}\n{answer.problem}")
    finally:
        requests_log.setLevel(level)
        SECONDS[walker] = time.perf_counter() - started
    assert not problems, f"{len(problems)} cell(s):\n" + "\n".join(problems)


def test_a_writer_submits_a_draft_for_review_and_sees_it_after(
    make_story: StoryFactory, japan_writer: User
) -> None:
    story = make_story(by=japan_writer, publish=False)
    client = Client()
    client.force_login(japan_writer)
    response = client.post(
        reverse("admin:stories_story_move", args=[story.pk]),
        {"move": Status.IN_REVIEW},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "admin:stories_story_change", args=[story.pk]
    )
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    # Read-only now: the headline is shown, not offered for editing.
    assert story.headline in response.content.decode()
    assert 'name="headline"' not in response.content.decode()


def test_the_desk_index_says_deliveries(admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Deliveries" in page
    assert "Deliverys" not in page
