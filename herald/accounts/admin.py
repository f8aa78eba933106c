"""Users in the desk: admins give roles and edition scopes, and reset a lost
second factor."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from herald.accounts.access import signed_in_user
from herald.accounts.models import User
from herald.accounts.second_factor import (
    is_enrolled,
    recovery_codes_left,
    remove_second_factor,
)
from herald.core.desk import role_of
from herald.core.roles import Role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "editions")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Person",
            {"fields": ("first_name", "last_name", "email", "email_verified_at")},
        ),
        ("Access", {"fields": ("role", "editions", "is_active", "second_factor")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "email", "role", "password1", "password2")}),
    )
    filter_horizontal = ("editions",)
    readonly_fields = ("email_verified_at", "second_factor")
    actions = ["reset_second_factor"]

    @admin.display(description="Second factor")
    def second_factor(self, obj: User) -> str:
        if obj.pk is None or not is_enrolled(obj):
            return "Off"
        return f"On ({recovery_codes_left(obj)} recovery codes left)"

    @admin.action(
        description="Reset second factor (lost phone)", permissions=["change"]
    )
    def reset_second_factor(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        """Remove the users' authenticator apps and recovery codes. Those whose role
        needs a second factor set it up again at their next desk sign-in."""
        by = signed_in_user(request)
        for user in queryset:
            remove_second_factor(user, by=by)
            self.log_change(request, user, "Reset the second factor.")
        count = len(queryset)
        self.message_user(
            request,
            f"Reset the second factor of {count} user{'s' if count != 1 else ''}: "
            "their app and recovery codes no longer work. Where the role needs a "
            "second factor, they set up a new one at their next desk sign-in.",
        )

    def _is_admin(self, request: HttpRequest) -> bool:
        return role_of(request) == Role.ADMIN

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)


# django-otp's own device pages would show every user's secrets and recovery
# codes; devices are managed on /account/2fa/ and reset from the user's page.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
