"""The desk's clusters: each item beside the lead with a word diff, merging
clusters, splitting an item out of its cluster, and a story from the lead."""

import difflib
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from herald.accounts.access import signed_in_user
from herald.core.desk import RoleAdmin
from herald.core.sanitize import html_to_text
from herald.ingest import actions
from herald.ingest.admin.access import EDITORS
from herald.ingest.admin.items import make_story_context
from herald.ingest.models import Cluster, WireItem


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
            target = actions.merge_clusters(
                chosen[0], chosen[1:], by=signed_in_user(request)
            )
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
            # The lead without a story: the same "Make a story" as its own page.
            "lead_make": make_story_context(request, lead) if lead else None,
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
            new = actions.split_item(wire, by=signed_in_user(request))
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
