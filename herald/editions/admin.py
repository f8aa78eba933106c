"""Editions in the desk: admins configure them; other staff may look."""

from django import forms
from django.contrib import admin

from herald.core.desk import RoleAdmin
from herald.core.roles import Role
from herald.core.timefmt import zone_choices
from herald.editions.models import Edition


class EditionForm(forms.ModelForm):
    # Grouped by region, the common zones first, each with its offset.
    time_zone = forms.ChoiceField(choices=zone_choices, initial="UTC")

    class Meta:
        model = Edition
        fields = ("time_zone",)  # the admin adds the rest from its fieldsets


@admin.register(Edition)
class EditionAdmin(RoleAdmin):
    form = EditionForm
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
