"""Editions in the desk: admins configure them; other staff may look."""

from django.contrib import admin

from herald.core.desk import RoleAdmin
from herald.core.roles import Role
from herald.editions.models import Edition


@admin.register(Edition)
class EditionAdmin(RoleAdmin):
    change_roles = frozenset({Role.ADMIN})
    list_display = ("name", "slug", "time_zone", "language", "countries", "is_active")
    list_filter = ("is_active", "language")
    search_fields = ("name", "slug", "host_names", "regions")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "tagline",
                    "host_names",
                    "is_active",
                    "position",
                )
            },
        ),
        (
            "Place and language",
            {"fields": ("time_zone", "language", "countries", "regions")},
        ),
        ("Branding", {"fields": ("logo_text", "primary_colour", "accent_colour")}),
        (
            "Contact and newsletter",
            {
                "fields": (
                    "contact_email",
                    "newsletter_sender_name",
                    "newsletter_sender_email",
                    "newsletter_hour",
                )
            },
        ),
    )
