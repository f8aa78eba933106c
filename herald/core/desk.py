"""Role-based access for the desk (Django admin): roles decide, not per-model perms."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone

from herald.core.roles import Role
from herald.core.timefmt import format_local


def role_of(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return Role.READER
    return str(getattr(user, "role", Role.READER))


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions follow the user's role."""

    view_roles: frozenset[str] = frozenset({Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN})
    change_roles: frozenset[str] = frozenset({Role.EDITOR, Role.ADMIN})
    delete_roles: frozenset[str] = frozenset({Role.ADMIN})

    def get_list_display(self, request: HttpRequest) -> Any:
        # Times in a list read in the desk's zone and name their offset.
        return [
            _local_column(self.model, name)
            if isinstance(name, str) and _is_datetime(self.model, name)
            else name
            for name in super().get_list_display(request)
        ]

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        # A row the user may not see (another edition's) answers 404 on its
        # history and delete pages too, as on its change page: never a hint.
        raise Http404("No such object.")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return role_of(request) in self.view_roles

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request) in self.view_roles

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return role_of(request) in self.change_roles

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request) in self.change_roles

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request) in self.delete_roles


def _is_datetime(model: type[models.Model], name: str) -> bool:
    try:
        return isinstance(model._meta.get_field(name), models.DateTimeField)
    except FieldDoesNotExist:
        return False


def _local_column(model: type[models.Model], name: str) -> Callable[[Any], str]:
    """A list column showing the field `name` as `07 Dec 2026, 22:10 GMT+9`."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.DateTimeField)

    @admin.display(description=str(field.verbose_name).capitalize(), ordering=name)
    def column(obj: Any) -> str:
        value = getattr(obj, name)
        if value is None:
            return "-"
        return format_local(value, timezone.get_current_timezone_name())

    column.__name__ = name
    return column
