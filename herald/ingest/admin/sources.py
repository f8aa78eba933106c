"""The desk's sources, with their health and a poll on demand (their wire items are
herald.ingest.admin.items)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from herald.core.desk import RoleAdmin
from herald.ingest import polling
from herald.ingest.admin.access import ADMINS, EDITORS
from herald.ingest.models import FetchLog, Source


@admin.register(Source)
class SourceAdmin(RoleAdmin):
    """Sources name URLs and folders on the server, so only admins change them."""

    view_roles = EDITORS
    change_roles = ADMINS
    list_display = (
        "name",
        "format",
        "is_active",
        "health",
        "last_fetch_at",
        "last_success_at",
        "items_24h",
        "next_poll_at",
    )
    list_filter = ("is_active", "format")
    search_fields = ("name", "slug", "agency", "url")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = (
        "default_editions",
        "default_sections",
        "default_tags",
        "allowed_editions",
    )
    readonly_fields = (
        "health",
        "last_fetch_at",
        "last_success_at",
        "last_error",
        "next_poll_at",
        "failures_in_row",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "format", "is_active")}),
        ("Transport", {"fields": ("url", "drop_folder", "poll_interval")}),
        (
            "Agency",
            {
                "fields": (
                    "agency",
                    "credit_format",
                    "picture_credit_format",
                )
            },
        ),
        (
            "Usage terms",
            {
                "fields": (
                    "allowed_editions",
                    "embargo_minutes",
                    "expiry_days",
                    "licence_notes",
                )
            },
        ),
        (
            "Defaults",
            {
                "fields": (
                    "default_editions",
                    "default_sections",
                    "default_tags",
                    "auto_publish",
                )
            },
        ),
        (
            "Health",
            {
                "fields": (
                    "health",
                    "last_fetch_at",
                    "last_success_at",
                    "failures_in_row",
                    "last_error",
                    "next_poll_at",
                )
            },
        ),
    )
    actions = ("poll_now",)
    change_form_template = "desk/ingest/source_change_form.html"

    class Media:
        css = {"all": ("desk/ingest.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return Source.objects.with_health()

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None and obj.pk:
            context["recent_polls"] = FetchLog.objects.filter(source=obj)[:20]
            health = Source.objects.with_health().get(pk=obj.pk)
            context["items_24h"] = getattr(health, "items_24h", 0)
            context["recent_items"] = obj.items.select_related("story")[:10]
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="items in 24 h", ordering="items_24h")
    def items_24h(self, obj: Source) -> int:
        return int(getattr(obj, "items_24h", 0))

    @admin.display(description="health")
    def health(self, obj: Source) -> str:
        if not obj.is_active:
            return "Paused"
        if obj.last_fetch_at is None:
            return "Not polled yet"
        if obj.failures_in_row:
            return format_html(
                '<strong class="desk-bad">Failing ({}×)</strong>: {}',
                obj.failures_in_row,
                obj.last_error,
            )
        if obj.last_error:
            return format_html("OK, with a warning: {}", obj.last_error)
        return "OK"

    @admin.action(description="Poll the selected sources now")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        summaries = polling.poll_sources(list(queryset))
        for s in summaries:
            level = messages.ERROR if s.outcome == "error" else messages.INFO
            text = s.describe() + "."
            if s.message and s.outcome != "error":  # an error's is in describe()
                text += f" {s.message.splitlines()[0]}"
            self.message_user(request, text, level)
