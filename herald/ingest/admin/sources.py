"""The desk for wire ingest: sources with their health, wire items as delivered,
clusters (merge, split, what differs) and routing rules with a try-out."""

import difflib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from herald.accounts.models import Role, User
from herald.core.desk import RoleAdmin
from herald.core.sanitize import html_to_text
from herald.editions.models import Edition
from herald.ingest import actions
from herald.ingest.models import (
    Cluster,
    FetchLog,
    RoutingRule,
    Source,
    WireItem,
)
from herald.ingest.routing import CountryAliases, Facts, RuleSpec, route
from herald.stories.models import Section

EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
TRY_ITEMS = 100


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


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
    filter_horizontal = ("default_editions", "default_sections", "default_tags")
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
        ("Agency", {"fields": ("agency", "credit_format", "licence_notes")}),
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
        summaries = actions.poll_sources(list(queryset))
        for s in summaries:
            level = messages.ERROR if s.outcome == "error" else messages.INFO
            text = (
                f"{s.source}: {s.outcome}, {s.new} new, {s.updated} updated, "
                f"{s.ignored} ignored."
            )
            if s.message:
                text += f" {s.message.splitlines()[0]}"
            self.message_user(request, text, level)


@admin.register(WireItem)
class WireItemAdmin(RoleAdmin):
    """Wire items are records of what sources sent: read-only in the desk."""

    view_roles = EDITORS
    change_roles = frozenset()
    delete_roles = frozenset()
    list_display = (
        "headline",
        "source",
        "state",
        "version",
        "received_at",
        "cluster_link",
        "story_link",
    )
    list_filter = ("state", "source")
    search_fields = ("headline", "guid")
    list_select_related = ("source", "story", "cluster")
    date_hierarchy = "received_at"
    exclude = ("signature",)
    readonly_fields = ("cluster_link", "story_link")

    @admin.display(description="cluster")
    def cluster_link(self, obj: WireItem) -> str:
        if obj.cluster_id is None:
            return "—"
        return format_html(
            '<a href="{}">Cluster {}</a>',
            reverse("admin:ingest_cluster_change", args=[obj.cluster_id]),
            obj.cluster_id,
        )

    @admin.display(description="story")
    def story_link(self, obj: WireItem) -> str:
        if obj.story_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:stories_story_change", args=[obj.story_id]),
            obj.story.get_status_display() if obj.story else obj.story_id,
        )


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, words) runs: "same", "del" (only in `old`) or "ins" (only in `new`)."""
    a, b = old.split(), new.split()
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("ins", " ".join(b[j1:j2])))
    return runs


def _text(item: WireItem) -> str:
    body = html_to_text(item.body_html.replace("</p>", "</p> "))
    return f"{item.headline}. {item.standfirst} {body}"


@admin.register(Cluster)
class ClusterAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = EDITORS
    delete_roles = frozenset()
    list_display = ("__str__", "lead_headline", "size", "stories", "updated_at")
    list_select_related = ("lead", "lead__source")
    search_fields = ("lead__headline", "items__headline")
    actions = ("merge",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cluster]:
        return Cluster.objects.annotate(
            item_count=Count("items", distinct=True),
            story_count=Count("items__story", distinct=True),
        ).select_related("lead", "lead__source")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    @admin.display(description="lead item")
    def lead_headline(self, obj: Cluster) -> str:
        return obj.lead.headline if obj.lead else "—"

    @admin.display(description="items", ordering="item_count")
    def size(self, obj: Cluster) -> int:
        return int(getattr(obj, "item_count", 0))

    @admin.display(description="stories", ordering="story_count")
    def stories(self, obj: Cluster) -> int:
        return int(getattr(obj, "story_count", 0))

    @admin.action(description="Merge the selected clusters")
    def merge(self, request: HttpRequest, queryset: QuerySet[Cluster]) -> None:
        chosen = list(queryset.order_by("created_at", "pk"))
        # The oldest cluster keeps its lead; the others join it.
        try:
            target = actions.merge_clusters(chosen[0], chosen[1:], by=_user(request))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [])) or str(exc)
            self.message_user(request, text, messages.ERROR)
            return
        self.message_user(
            request, f"Merged {len(chosen)} clusters into cluster {target.pk}."
        )

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/split/<int:item>/",
                wrap(self.split_view),
                name="ingest_cluster_split",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        cluster = get_object_or_404(self.get_queryset(request), pk=object_id)
        items = list(
            cluster.items.select_related("source", "story").order_by(
                "received_at", "pk"
            )
        )
        lead = next((i for i in items if i.pk == cluster.lead_id), None)
        others = [
            (item, word_diff(_text(lead), _text(item)) if lead else [])
            for item in items
            if item is not lead
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "cluster": cluster,
            "lead": lead,
            "others": others,
            "may_change": self.has_change_permission(request, cluster),
            "title": f"Cluster {cluster.pk}: {lead.headline if lead else 'no lead'}",
        }
        return TemplateResponse(request, "desk/ingest/cluster.html", context)

    def split_view(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        cluster = get_object_or_404(Cluster, pk=pk)
        wire = get_object_or_404(WireItem, pk=item, cluster=cluster)
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:ingest_cluster_change", args=[cluster.pk])
            )
        try:
            new = actions.split_item(wire, by=_user(request))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [])) or str(exc)
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:ingest_cluster_change", args=[cluster.pk])
            )
        wire.refresh_from_db()
        self.message_user(
            request,
            f"“{wire.headline}” is in its own cluster now ({wire.get_state_display()}"
            f"{': ' + wire.note if wire.note else ''}).",
        )
        return HttpResponseRedirect(
            reverse("admin:ingest_cluster_change", args=[new.pk])
        )


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = (
            "name",
            "position",
            "is_active",
            "source",
            "country",
            "place",
            "subject",
            "keywords",
            "editions",
            "sections",
            "action",
            "stop",
        )
        widgets = {
            "editions": forms.CheckboxSelectMultiple,
            "sections": forms.CheckboxSelectMultiple,
        }


def try_rule(rule: RoutingRule, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Where each of the last 100 wire items would go with `rule` (unsaved) and
    its source's defaults."""
    spec = RuleSpec.build(
        rule,
        edition_ids=[e.pk for e in data.get("editions", [])],
        section_ids=[s.pk for s in data.get("sections", [])],
    )
    editions = dict(Edition.objects.values_list("pk", "name"))
    sections = dict(Section.objects.values_list("pk", "name"))
    aliases = CountryAliases()
    ctx_places: dict[int, actions.Context] = {}
    rows = []
    items = WireItem.objects.latest_first().select_related("source")[:TRY_ITEMS]
    for item in items:
        ctx = ctx_places.get(item.source_id)
        if ctx is None:
            ctx = ctx_places[item.source_id] = actions.Context.for_source(
                item.source, rules=[]
            )
        place = ctx.place(item.dateline_city, item.dateline_country)
        facts = Facts.of(item, place, aliases)
        decision = route(
            facts,
            [spec],
            edition_ids=ctx.edition_ids,
            section_ids=ctx.section_ids,
            auto_publish=item.source.auto_publish,
        )
        rows.append(
            {
                "item": item,
                "matched": bool(decision.rules),
                "editions": [editions[pk] for pk in decision.edition_ids],
                "sections": [sections[pk] for pk in decision.section_ids],
                "publish": decision.publish,
            }
        )
    return rows


@admin.register(RoutingRule)
class RoutingRuleAdmin(RoleAdmin):
    view_roles = EDITORS
    change_roles = EDITORS
    delete_roles = EDITORS
    form = RoutingRuleForm
    list_display = ("name", "position", "is_active", "criteria", "action", "stop")
    list_editable = ("position", "is_active")
    list_select_related = ("source", "place")
    change_form_template = "desk/ingest/rule_change_form.html"

    @admin.display(description="matches")
    def criteria(self, obj: RoutingRule) -> str:
        parts = [
            f"source {obj.source}" if obj.source_id else "",
            f"country {obj.country}" if obj.country else "",
            f"place {obj.place}" if obj.place_id else "",
            f"subject {obj.subject}" if obj.subject else "",
            f"keywords {obj.keywords}" if obj.keywords else "",
        ]
        return "; ".join(p for p in parts if p)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if request.method == "POST" and "_try" in request.POST:
            return self._try_view(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _try_view(self, request: HttpRequest, object_id: str | None) -> HttpResponse:
        """Show the form again, unsaved, with where the last 100 items would go."""
        obj = self.get_object(request, object_id) if object_id else None
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, instance=obj)
        results = None
        if form.is_valid():
            results = try_rule(form.save(commit=False), form.cleaned_data)
            matched = sum(1 for r in results if r["matched"])
            self.message_user(
                request,
                f"Not saved yet: the rule matches {matched} of the last "
                f"{len(results)} wire items. Save to keep it.",
            )
        admin_form = helpers.AdminForm(
            form,
            list(self.get_fieldsets(request, obj)),  # type: ignore[arg-type]
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Try a routing rule",
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "try_results": results,
            "try_limit": TRY_ITEMS,
        }
        return self.render_change_form(
            request, context, add=obj is None, change=obj is not None, obj=obj
        )
