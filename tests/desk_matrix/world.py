"""What the desk walk walks over: the walkers (a visitor, a user of every role, a
superuser), a story in every state of the story workflow and a news release in every
state of the release workflow, each reached along its workflow map, and one or two
rows of every other model the desk lists; with each list's filter choices and
actions, read from the admins themselves."""

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import AnonymousUser, Group
from django.db import models
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from herald.accounts.models import User
from herald.accounts.tests.factories import UserFactory
from herald.core.roles import Role
from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.ingest.models import RoutingRule
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import make_item, make_source
from herald.newsletter.models import Suppression, SuppressionReason
from herald.newsletter.tests.factories import deliver, make_issue
from herald.releases import actions as release_actions
from herald.releases.models import (
    ALLOWED_MOVES,
    NewsRelease,
    RejectReason,
    ReleaseStatus,
)
from herald.releases.tests.factories import SubmitterFactory, make_release
from herald.stories import actions as story_actions
from herald.stories.admin.forms import CorrectionForm, MoveForm
from herald.stories.models import Author, Place, Section, Story, Tag
from herald.stories.tasks import publish_scheduled_story
from herald.stories.workflow import ALLOWED_TRANSITIONS, Status
from herald.syndication.api.keys import issue_key
from herald.syndication.models import ApiPartner

VISITOR = "visitor"  # nobody signed in
SUPERUSER = "superuser"  # made by createsuperuser
WALKERS: tuple[str, ...] = (VISITOR, *Role.values, SUPERUSER)

# Story states beyond the workflow's own: a published story readers cannot see yet,
# and one that carries a correction. Each is a published story built its own way.
EMBARGOED, CORRECTED = "embargoed", "corrected"
DERIVED_STORY_STATES = {EMBARGOED: Status.PUBLISHED, CORRECTED: Status.PUBLISHED}
STORY_STATES: tuple[str, ...] = (*Status.values, *DERIVED_STORY_STATES)

SAMPLES = 2  # rows walked of a model without states of its own: its first and last
NOTE = "Walked by the desk matrix."


@dataclass
class World:
    home: Edition  # every story and release is on this edition only
    editions: list[Edition]
    section: Section
    users: dict[str, User | None]  # walker -> user (None: the visitor)
    stories: dict[str, Story] = field(default_factory=dict)  # story state -> story
    releases: dict[str, NewsRelease] = field(default_factory=dict)  # state -> release
    # Per registered model: the (state, row) pairs walked, the query string of each
    # choice of its list filters, and the names of its list actions.
    samples: dict[type[models.Model], list[tuple[str, models.Model]]] = field(
        default_factory=dict
    )
    filters: dict[type[models.Model], list[str]] = field(default_factory=dict)
    actions: dict[type[models.Model], list[str]] = field(default_factory=dict)


def build_world() -> World:
    """Every row the walk needs, built through the actions and the desk."""
    forget_hosts()
    home = make_edition("walk-home", "Walk Home Herald", "Asia/Tokyo", regions="Japan")
    other = make_edition("walk-other", "Walk Other Herald", "Asia/Kolkata")
    world = World(
        home=home,
        editions=[home, other],
        section=Section.objects.create(name="Walk World", slug="walk-world"),
        users=_users(home),
    )
    boss, writer = world.users[SUPERUSER], world.users[Role.CONTRIBUTOR]
    assert boss is not None and writer is not None
    desk = Client()
    desk.force_login(boss)
    for n, state in enumerate(STORY_STATES):
        world.stories[state] = _story_in(state, desk, world, writer, n)
    for state in ReleaseStatus.values:
        world.releases[state] = _release_in(state, world, boss)
    _other_rows(world)
    request = desk_request(boss)
    for model, model_admin in admin.site._registry.items():
        world.samples[model] = _samples(world, model)
        world.filters[model] = _filter_queries(model_admin, request)
        world.actions[model] = list(model_admin.get_actions(request))
    return world


def desk_request(user: User | None, path: str = "/desk/") -> HttpRequest:
    """A request by `user`, for asking the admins what the user may do."""
    request = RequestFactory().get(path)
    request.user = user if user is not None else AnonymousUser()
    return request


def admin_url(model: type[models.Model], page: str, *args: Any) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def path_to(moves: Mapping[str, Iterable[str]], start: str, goal: str) -> list[str]:
    """The states a shortest walk through the map `moves` passes from `start` to
    `goal`, `goal` included."""
    queue: deque[list[str]] = deque([[start]])
    seen = {start}
    while queue:
        route = queue.popleft()
        if route[-1] == goal:
            return route[1:]
        for state in sorted(moves[route[-1]]):
            if state not in seen:
                seen.add(state)
                queue.append([*route, state])
    raise LookupError(f"The workflow map never reaches {goal!r} from {start!r}.")


# --- Who walks -----------------------------------------------------------------------


def _user(username: str, role: str, editions: list[Edition]) -> User:
    """A user with `role` on `editions`. Walkers sign in by session alone, and
    without a password there is no slow hash to make."""
    return UserFactory.create(
        username=username, role=role, editions=editions, password=None
    )


def _users(home: Edition) -> dict[str, User | None]:
    users: dict[str, User | None] = {VISITOR: None}
    for role in Role.values:
        if role == Role.SUBMITTER:
            # The submitter owns every release walked: a public account, not staff.
            users[role] = SubmitterFactory.create(
                user__username="walk-submitter@example.org",
                user__email="walk-submitter@example.org",
                user__password=None,
            ).user
        else:
            users[role] = _user(f"walk-{role}", role, [home])
    users[SUPERUSER] = User.objects.create_superuser(
        "walk-superuser", "superuser@example.org", None
    )
    return users


def access(user: User | None) -> tuple[Any, ...]:
    """Everything the desk's permissions read from a user."""
    if user is None:
        return ()
    return (
        user.role,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        frozenset(user.edition_ids()),
        frozenset(user.get_all_permissions()),
    )


def same_as(world: World, walker: str) -> str | None:
    """An earlier walker whose access `walker` has exactly, so that walking it too
    would repeat that walk cell for cell; None when it differs from all of them."""
    for earlier in WALKERS[: WALKERS.index(walker)]:
        if access(world.users[earlier]) == access(world.users[walker]):
            return earlier
    return None


# --- Stories, through the desk's own workflow buttons ------------------------------


def local_future(story: Story, days: int = 2) -> str:
    """A time `days` ahead in the story's origin zone, as the move form reads it."""
    zone = ZoneInfo(story.origin_edition.time_zone)
    fmt = MoveForm.base_fields["scheduled_for"].input_formats[0]  # type: ignore[attr-defined]
    return (timezone.now() + timedelta(days=days)).astimezone(zone).strftime(fmt)


def move_data(story: Story, target: str) -> dict[str, str]:
    """What the workflow panel posts to move `story` to `target` (a time to go
    live and a note, which some moves need and the others ignore)."""
    return {"move": target, "scheduled_for": local_future(story), "note": NOTE}


def correction_data() -> dict[str, str]:
    return dict.fromkeys(
        CorrectionForm.base_fields, "The harbour's depth is 14 metres, not 40."
    )


def _desk_post(client: Client, url: str, data: Mapping[str, Any]) -> None:
    response = client.post(url, data)
    assert response.status_code < 400, (url, response.status_code)


def _story_in(state: str, desk: Client, world: World, writer: User, n: int) -> Story:
    """A story by `writer` on the home edition, moved to `state` with the desk's
    buttons along the workflow map (a derived state: its base state, built its
    own way)."""
    base = DERIVED_STORY_STATES.get(state, state)
    embargo: dict[str, Any] = {"embargo_until": timezone.now() + timedelta(days=3)}
    story = story_actions.create_story(
        by=writer,
        editions=[world.home],
        headline=f"Harbour plan {n} goes ahead ({state})",
        standfirst="A standfirst.",
        body=f"<p>Officials said plan {n} would go ahead.</p><p>More.</p>",
        dateline_city="Tokyo",
        dateline_country="Japan",
        primary_section=world.section,
        origin_edition=world.home,
        **(embargo if state == EMBARGOED else {}),
    )
    start = str(Story._meta.get_field("status").default)
    for step in path_to(ALLOWED_TRANSITIONS, start, base):
        url = reverse("admin:stories_story_move", args=[story.pk])
        _desk_post(desk, url, move_data(story, step))
    if state == CORRECTED:
        url = reverse("admin:stories_story_correct", args=[story.pk])
        _desk_post(desk, url, correction_data())
    story.refresh_from_db()
    assert story.status == base, (state, story.status)
    return story


# --- Releases, along the release workflow's map ------------------------------------

Move = Callable[[NewsRelease, User, Section], object]
# The verb that makes each move of the map, by the state it reaches: the submitter
# sends the release, a moderator decides. A new state fails here until it has one.
RELEASE_MOVES: dict[str, Move] = {
    ReleaseStatus.PENDING: lambda release, boss, section: (
        release_actions.submit_release(release, by=release.submitter.user)
    ),
    ReleaseStatus.CHANGES_REQUESTED: lambda release, boss, section: (
        release_actions.request_changes(release, by=boss, message=NOTE)
    ),
    ReleaseStatus.REJECTED: lambda release, boss, section: (
        release_actions.reject_release(
            release, by=boss, reason=RejectReason.values[0], message=NOTE
        )
    ),
    # Approval publishes now, or schedules a release that asked for a later time.
    ReleaseStatus.SCHEDULED: lambda release, boss, section: (
        release_actions.approve_release(release, by=boss, section=section)
    ),
    ReleaseStatus.PUBLISHED: lambda release, boss, section: (
        release_actions.approve_release(release, by=boss, section=section)
    ),
}


def _release_in(state: str, world: World, boss: User) -> NewsRelease:
    """A release of the walking submitter to the home edition, moved to `state`
    along the workflow map."""
    steps = path_to(ALLOWED_MOVES, str(ReleaseStatus.DRAFT), state)
    later = timezone.now() + timedelta(days=3)
    submitter = world.users[Role.SUBMITTER].submitter  # type: ignore[union-attr]
    release = make_release(
        submitter,
        [world.home],
        submit=False,
        headline=f"Rowing club news ({state})",
        release_at=later if ReleaseStatus.SCHEDULED in steps else None,
    )
    for step in steps:
        RELEASE_MOVES[step](release, boss, world.section)
        release.refresh_from_db()
    assert release.status == state, (state, release.status)
    return release


# --- Everything else the desk lists ----------------------------------------------


def _other_rows(world: World) -> None:
    """Rows of the other models the desk lists, so that each has pages to walk."""
    Group.objects.create(name="Night desk")
    Tag.objects.create(name="Walk harbours", slug="walk-harbours")
    Author.objects.create(name="Walk Writer", slug="walk-writer")
    Place.objects.create(
        name="Osaka", slug="walk-osaka-japan", country="Japan", country_code="JP"
    )
    # The second factor belongs to someone who does not walk: it would hold a walker
    # at the code page.
    owner = _user("walk-device-owner", Role.EDITOR, [world.home])
    TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=owner, name="Recovery codes", confirmed=True)
    partner = ApiPartner.objects.create(
        name="Walk Wire", contact_email="desk@wire.example.org"
    )
    issue_key(partner, by=None)
    deliver(make_issue(world.home), "reader@example.org", [world.section])
    Suppression.objects.create(
        email="gone@example.org", reason=SuppressionReason.HARD_BOUNCE
    )
    source = make_source("walk-wire", auto_publish=False)
    source.default_editions.set([world.home])
    source.default_sections.set([world.section])
    ingest_item(Context.for_source(source), make_item("urn:walk:1"))
    ingest_item(
        Context.for_source(source),
        make_item("urn:walk:2", headline="Strong 6.8 quake hits off Aomori"),
    )
    RoutingRule.objects.create(name="Japan news", country="Japan")
    publish_scheduled_story.enqueue(story_id=world.stories[Status.SCHEDULED].pk)


def _samples(world: World, model: type[models.Model]) -> list[tuple[str, models.Model]]:
    if model is Story:
        return list(world.stories.items())
    if model is NewsRelease:
        return list(world.releases.items())
    rows = list(model._default_manager.order_by("pk"))
    picked = list({id(r): r for r in rows[:1] + rows[-1:]}.values())
    return [("", row) for row in picked[:SAMPLES]]


def _filter_queries(model_admin: ModelAdmin[Any], request: HttpRequest) -> list[str]:
    """The query string of each choice of each list filter, as the list's own
    filter specs make them, and the date hierarchy's year, month and day of the
    first dated row."""
    listing = desk_request(
        request.user,  # type: ignore[arg-type]
        admin_url(model_admin.model, "changelist"),
    )
    changelist = model_admin.get_changelist_instance(listing)
    queries: list[str] = []
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            query = str(choice["query_string"])
            if query not in queries and query != "?":
                queries.append(query)
    hierarchy = model_admin.date_hierarchy
    if hierarchy:
        dated = (
            model_admin.model._default_manager.exclude(**{f"{hierarchy}__isnull": True})
            .values_list(hierarchy, flat=True)
            .first()
        )
        if isinstance(dated, datetime):
            dated = timezone.localtime(dated)
        if dated is not None:
            parts = [("year", dated.year), ("month", dated.month), ("day", dated.day)]
            for depth in range(1, 4):
                query = "&".join(f"{hierarchy}__{k}={v}" for k, v in parts[:depth])
                queries.append(f"?{query}")
    return queries
