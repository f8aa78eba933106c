"""The cells of the desk walk, generated from the admin registry and the workflows:
for every registered admin its list, each filter choice, a search, the add page,
and for every row walked its change, history and delete pages, the admin's own
pages that name it, each list action and, for stories and news releases, every
workflow button. Whether the walker may do each comes from the admin's
`has_*_permission` and queryset and from the workflows, never from a list of roles."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import product
from typing import Any

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.admin.views.main import SEARCH_VAR
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, reverse

from herald.accounts.models import User
from herald.releases import actions as release_actions
from herald.releases.forms import DecisionForm
from herald.releases.models import (
    ALLOWED_MOVES,
    NewsRelease,
    RejectReason,
    ReleaseStatus,
)
from herald.stories.models import Story
from herald.stories.workflow import Status, can_move, can_publish
from tests.desk_matrix.snapshots import snapshot
from tests.desk_matrix.world import (
    NOTE,
    SAMPLES,
    World,
    admin_url,
    correction_data,
    desk_request,
    move_data,
)

STANDARD_PAGES = ("changelist", "add", "history", "delete", "change")
# Kwargs of the admins' own URLs that name the row itself; an `edition` kwarg takes
# each edition's slug; any other takes the rows of the row's relation of that name
# with an "s" (`item` on a cluster: its `items`).
OBJECT_KWARGS = frozenset({"pk", "object_id", "id"})

# What each of the moderator's decisions (the DecisionForm's choices) may leave a
# pending release as; the workflow map says which states a decision applies to.
DECISION_TARGETS: dict[str, frozenset[str]] = {
    "approve": frozenset({ReleaseStatus.SCHEDULED, ReleaseStatus.PUBLISHED}),
    "changes": frozenset({ReleaseStatus.CHANGES_REQUESTED}),
    "reject": frozenset({ReleaseStatus.REJECTED}),
}
DECISIONS: tuple[str, ...] = tuple(
    str(value)
    for value, _ in DecisionForm.base_fields["decision"].choices  # type: ignore[attr-defined]
)
# The states a decision applies to: those from which the map allows every decision.
DECIDABLE = frozenset(
    state
    for state, moves in ALLOWED_MOVES.items()
    if all(DECISION_TARGETS.get(d, frozenset()) & moves for d in DECISIONS)
)


class May(Enum):
    """Whether the walker may do what a cell does."""

    YES = "may"
    NO = "may not"
    EITHER = "may look"  # sees the row but may not change it: shown or refused


# Says what is wrong after a POST the walker may make, or None: given the row, its
# snapshot from before and the response.
Expect = Callable[[models.Model, dict[str, Any], HttpResponse], str | None]


@dataclass(frozen=True)
class Cell:
    part: str  # list, filter, search, add, change, history, delete, page, move, …
    model: str  # app_label.model_name
    state: str  # the row's state ("" when the cell names no row or it has none)
    method: str
    url: str
    may: May
    obj: models.Model | None = None
    data: dict[str, Any] | None = None
    expect: Expect | None = None

    def __str__(self) -> str:
        state = f" [{self.state}]" if self.state else ""
        return f"{self.method} {self.url} ({self.part} {self.model}{state})"


def _may(allowed: bool) -> May:
    return May.YES if allowed else May.NO


def cells(world: World, walker: str) -> Iterator[Cell]:
    """Every cell `walker` walks, over every admin in the registry."""
    request = desk_request(world.users[walker])
    entered = admin.site.has_permission(request)
    for model, model_admin in admin.site._registry.items():
        yield from _model_cells(world, model, model_admin, request, entered)


def _model_cells(
    world: World,
    model: type[models.Model],
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    entered: bool,
) -> Iterator[Cell]:
    label = model._meta.label_lower
    listing = admin_url(model, "changelist")
    may_list = entered and model_admin.has_view_or_change_permission(request)
    yield Cell("list", label, "", "GET", listing, _may(may_list))
    for query in world.filters[model]:
        yield Cell("filter", label, "", "GET", listing + query, _may(may_list))
    if model_admin.search_fields:
        url = f"{listing}?{SEARCH_VAR}=harbour"
        yield Cell("search", label, "", "GET", url, _may(may_list))
    may_add = entered and model_admin.has_add_permission(request)
    yield Cell("add", label, "", "GET", admin_url(model, "add"), _may(may_add))
    for pattern in _extra_patterns(model_admin):
        if not pattern.pattern.converters:  # type: ignore[attr-defined]
            url = reverse(f"admin:{pattern.name}")
            yield Cell("page", label, "", "GET", url, _may(may_list))
    buttons = BUTTONS.get(model)
    for state, obj in world.samples[model]:
        visible = entered and (
            model_admin.get_queryset(request).filter(pk=obj.pk).exists()
        )
        yield from _object_pages(world, model_admin, request, state, obj, visible)
        listed = visible and may_list
        yield from _action_cells(world, model_admin, request, state, obj, listed)
        if buttons is not None:
            yield from buttons(world, model_admin, request, state, obj, visible)


def _object_pages(
    world: World,
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    state: str,
    obj: models.Model,
    visible: bool,
) -> Iterator[Cell]:
    """The change, history and delete pages of `obj` (delete: its confirmation,
    GET only), and the admin's own pages that name it (a preview per edition)."""
    label, model = obj._meta.label_lower, type(obj)
    may_view = visible and model_admin.has_view_or_change_permission(request, obj)
    may_change = visible and model_admin.has_change_permission(request, obj)
    may_delete = visible and model_admin.has_delete_permission(request, obj)
    for page, may in (
        ("change", may_view),
        ("history", may_view),
        ("delete", may_delete),
    ):
        url = admin_url(model, page, obj.pk)
        yield Cell(page, label, state, "GET", url, _may(may), obj)
    for pattern in _extra_patterns(model_admin):
        for url, aimed in _object_urls(world, pattern, obj):
            if not (may_view and aimed):
                shown = May.NO
            elif may_change:
                shown = May.YES
            else:
                shown = May.EITHER
            yield Cell("page", label, state, "GET", url, shown, obj)


def _action_cells(
    world: World,
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    state: str,
    obj: models.Model,
    listed: bool,
) -> Iterator[Cell]:
    """Each list action of the admin, POSTed (and confirmed) on `obj` alone from
    the list of every row (`listed`: the walker sees that list and the row)."""
    model = type(obj)
    offered = model_admin.get_actions(request) if listed else {}
    for name in world.actions[model]:
        allowed = name in offered
        expect = None
        if name == "delete_selected":
            expect = _deleted
            if allowed:
                # Django refuses a deletion that cascades to rows the user may not
                # delete, or that other rows protect.
                _, _, lacking, protected = model_admin.get_deleted_objects(
                    [obj], request
                )
                allowed = not lacking and not protected
        data = {"action": name, "_selected_action": [obj.pk], "index": 0, "post": "yes"}
        url = f"{admin_url(model, 'changelist')}?{SEARCH_VAR}="
        yield Cell(
            "action",
            obj._meta.label_lower,
            state,
            "POST",
            url,
            _may(allowed),
            obj,
            data,
            expect,
        )


def _extra_patterns(model_admin: ModelAdmin[Any]) -> list[URLPattern]:
    """The admin's own named URLs beyond Django's five pages."""
    opts = model_admin.model._meta
    standard = {f"{opts.app_label}_{opts.model_name}_{p}" for p in STANDARD_PAGES}
    return [
        p
        for p in model_admin.get_urls()
        if isinstance(p, URLPattern) and p.name and p.name not in standard
    ]


def _fillable(name: str, model: type[models.Model]) -> bool:
    """Whether the walk can fill the kwarg `name` of a page about a `model` row."""
    return name in OBJECT_KWARGS or name == "edition" or hasattr(model, f"{name}s")


def _kwarg_values(world: World, name: str, obj: models.Model) -> list[Any]:
    """What the walk passes for a kwarg of an admin's own page: see OBJECT_KWARGS."""
    if name in OBJECT_KWARGS:
        return [obj.pk]
    if name == "edition":
        return [e.slug for e in world.editions]
    related = getattr(obj, f"{name}s").order_by("pk")
    return list(related.values_list("pk", flat=True)[:SAMPLES])


def _object_urls(
    world: World, pattern: URLPattern, obj: models.Model
) -> Iterator[tuple[str, bool]]:
    """The URLs of `pattern` for `obj`, each with whether `obj` is aimed at the
    edition the URL names (True where it names none). A pattern that does not
    name the row, or has a kwarg the walk cannot fill, gives none."""
    names = sorted(pattern.pattern.converters)  # type: ignore[attr-defined]
    if not set(names) & OBJECT_KWARGS or not all(
        _fillable(n, type(obj)) for n in names
    ):
        return
    aimed_at = (
        set(obj.editions.values_list("slug", flat=True))  # type: ignore[attr-defined]
        if "edition" in names and hasattr(obj, "editions")
        else None
    )
    values = [_kwarg_values(world, name, obj) for name in names]
    for combination in product(*values):
        kwargs = dict(zip(names, combination, strict=True))
        url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
        yield url, aimed_at is None or kwargs["edition"] in aimed_at


def skipped_patterns() -> list[str]:
    """The admins' own URLs that name a row but take a kwarg the walk cannot fill."""
    return [
        str(pattern.name)
        for model, model_admin in admin.site._registry.items()
        for pattern in _extra_patterns(model_admin)
        if set(pattern.pattern.converters) & OBJECT_KWARGS  # type: ignore[attr-defined]
        and not all(_fillable(n, model) for n in pattern.pattern.converters)  # type: ignore[attr-defined]
    ]


# --- Workflow buttons ---------------------------------------------------------------


def _story_buttons(
    world: World,
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    state: str,
    obj: models.Model,
    visible: bool,
) -> Iterator[Cell]:
    """Every move of the workflow, and a correction, POSTed on the story; the
    workflow's `can_move` and `can_publish` say which the walker may make."""
    assert isinstance(obj, Story)
    user = request.user
    may_open = visible and model_admin.has_view_permission(request, obj)
    url = reverse("admin:stories_story_move", args=[obj.pk])
    for target in Status.values:
        allowed = may_open and isinstance(user, User) and can_move(user, obj, target)
        data = move_data(obj, target)
        expect = _moved_to(target)
        yield Cell(
            "move",
            "stories.story",
            state,
            "POST",
            url,
            _may(allowed),
            obj,
            data,
            expect,
        )
    url = reverse("admin:stories_story_correct", args=[obj.pk])
    allowed = (
        may_open
        and isinstance(user, User)
        and obj.status == Status.PUBLISHED  # only a published story takes them
        and can_publish(user, obj)
    )
    data = correction_data()
    yield Cell(
        "correct",
        "stories.story",
        state,
        "POST",
        url,
        _may(allowed),
        obj,
        data,
        _corrected,
    )


def _release_buttons(
    world: World,
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    state: str,
    obj: models.Model,
    visible: bool,
) -> Iterator[Cell]:
    """Each decision of the moderation form, POSTed on the release: the walker may
    make it who may change the release, on a state it applies to, and (approving)
    whom the release workflow lets decide on the release's editions."""
    assert isinstance(obj, NewsRelease)
    user = request.user
    editions = list(obj.editions.all())
    url = reverse("admin:releases_newsrelease_change", args=[obj.pk])
    for decision in DECISIONS:
        allowed = (
            visible
            and isinstance(user, User)
            and model_admin.has_view_permission(request, obj)
            and model_admin.has_change_permission(request, obj)
            and obj.status in DECIDABLE
            and (decision != "approve" or release_actions.may_decide(user, editions))
        )
        data = {
            "decision": decision,
            "headline": obj.headline,
            "summary": obj.summary,
            "body": obj.body,
            "dateline_city": obj.dateline_city,
            "dateline_country": obj.dateline_country,
            "section": world.section.pk,
            "editions": [e.pk for e in editions],
            "reason": RejectReason.values[0],
            "message": NOTE,
        }
        expect = _decided(DECISION_TARGETS[decision] & ALLOWED_MOVES[obj.status])
        yield Cell(
            "decide",
            "releases.newsrelease",
            state,
            "POST",
            url,
            _may(allowed),
            obj,
            data,
            expect,
        )


Buttons = Callable[
    [World, ModelAdmin[Any], HttpRequest, str, models.Model, bool], Iterator[Cell]
]
BUTTONS: dict[type[models.Model], Buttons] = {
    Story: _story_buttons,
    NewsRelease: _release_buttons,
}


# --- What an allowed POST must have done -------------------------------------------


def _moved_to(target: str) -> Expect:
    def check(obj: models.Model, before: dict[str, Any], response: Any) -> str | None:
        status = snapshot(obj)["status"]
        return None if status == target else f"the move left it {status}, not {target}"

    return check


def _corrected(obj: models.Model, before: dict[str, Any], response: Any) -> str | None:
    if snapshot(obj)["n_corrections"] != before["n_corrections"] + 1:
        return "the correction was not added"
    return None


def _decided(targets: frozenset[str]) -> Expect:
    def check(obj: models.Model, before: dict[str, Any], response: Any) -> str | None:
        after = snapshot(obj)
        if after["status"] not in targets:
            return f"the decision left it {after['status']}, not in {sorted(targets)}"
        if after["n_decisions"] <= before["n_decisions"]:
            return "the decision was not recorded"
        return None

    return check


def _deleted(obj: models.Model, before: dict[str, Any], response: Any) -> str | None:
    return "delete_selected left the row in place" if snapshot(obj) else None
