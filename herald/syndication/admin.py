"""API partners and their keys in the desk: editors and admins make partners and
keys; a new key is shown once, on the page that made it, and never stored."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.response import TemplateResponse

from herald.accounts.models import User
from herald.core.desk import RoleAdmin
from herald.core.roles import Role
from herald.syndication.api.keys import issue_key, revoke_key
from herald.syndication.models import ApiKey, ApiPartner

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})

# The page that shows new keys. It is the response to the action itself, so the
# key is never put in a session, a message cookie or the database.
NEW_KEYS_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<p><strong>Copy each key now: it is shown only this once.</strong>
Herald keeps only a hash of it. Give it to the partner over a private channel.</p>
<table>
  <thead><tr><th>Partner</th><th>Key</th></tr></thead>
  <tbody>
  {% for partner, raw in issued %}
    <tr><td>{{ partner }}</td><td><code class="api-key">{{ raw }}</code></td></tr>
  {% endfor %}
  </tbody>
</table>
<p><a href="{{ back }}">Back to the API partners</a></p>
{% endblock %}"""
)


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are made by the partner's action, which shows them once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiPartner)
class ApiPartnerAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = EDITORS
    list_display = ("name", "contact_email", "is_active", "scope", "last_used_at")
    list_filter = ("is_active", "editions")
    search_fields = ("name", "contact_email")
    filter_horizontal = ("editions",)
    readonly_fields = ("created_at", "last_used_at")
    fields = (
        "name",
        "contact_email",
        "is_active",
        "editions",
        "created_at",
        "last_used_at",
    )
    inlines = [ApiKeyInline]
    actions = ["create_key"]

    @admin.display(description="Editions")
    def scope(self, partner: ApiPartner) -> str:
        names = [e.name for e in partner.editions.all()]
        return ", ".join(names) if names else "All editions"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiPartner]:
        return super().get_queryset(request).prefetch_related("editions")

    @admin.action(description="Create an API key for the selected partners")
    def create_key(
        self, request: HttpRequest, partners: QuerySet[ApiPartner]
    ) -> HttpResponse | None:
        if not self.has_change_permission(request):
            self.message_user(request, "You may not make API keys.", messages.ERROR)
            return None
        issued = [(p, issue_key(p, by=_user(request)).raw) for p in partners]
        context = {
            **self.admin_site.each_context(request),
            "title": "New API keys",
            "issued": issued,
            "back": request.get_full_path(),
        }
        response = TemplateResponse(request, NEW_KEYS_PAGE, context)  # type: ignore[arg-type]
        response["Cache-Control"] = "no-store"
        return response


@admin.register(ApiKey)
class ApiKeyAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = EDITORS
    list_display = ("prefix", "partner", "created_at", "last_used_at", "revoked_at")
    list_filter = ("partner", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "partner__name")
    fields = ("partner", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ("partner",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # made from the partner's page, which shows the key once

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, keys: QuerySet[ApiKey]) -> None:
        if not self.has_change_permission(request):
            self.message_user(request, "You may not revoke API keys.", messages.ERROR)
            return
        for key in keys:
            revoke_key(key, by=_user(request))
        self.message_user(request, f"Revoked {len(keys)} key(s).")
