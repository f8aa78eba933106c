"""Role-based access for the desk (Django admin): roles decide, not per-model perms."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from herald.core.roles import Role


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
