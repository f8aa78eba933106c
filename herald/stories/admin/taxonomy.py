"""The desk for what stories are filed under: sections, places, tags and authors."""

from django.contrib import admin

from herald.core.desk import RoleAdmin
from herald.core.roles import STAFF_ROLES
from herald.stories.models import Author, Place, Section, Tag


@admin.register(Section)
class SectionAdmin(RoleAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Place)
class PlaceAdmin(RoleAdmin):
    list_display = ("name", "country", "country_code")
    list_filter = ("country",)
    prepopulated_fields = {"slug": ("name", "country")}
    search_fields = ("name", "country")


@admin.register(Tag)
class TagAdmin(RoleAdmin):
    change_roles = STAFF_ROLES
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Author)
class AuthorAdmin(RoleAdmin):
    list_display = ("name", "slug", "user")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
