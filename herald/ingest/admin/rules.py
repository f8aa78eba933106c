"""The desk's routing rules, with a try-out of an unsaved rule on the last wire
items."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from herald.core.desk import RoleAdmin
from herald.editions.models import Edition
from herald.ingest.admin.access import EDITORS
from herald.ingest.models import RoutingRule, WireItem
from herald.ingest.routing import CountryAliases, Facts, RuleSpec, route
from herald.ingest.storing import Context
from herald.stories.models import Section

TRY_ITEMS = 100


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
    ctx_places: dict[int, Context] = {}
    rows = []
    items = WireItem.objects.latest_first().select_related("source")[:TRY_ITEMS]
    for item in items:
        ctx = ctx_places.get(item.source_id)
        if ctx is None:
            ctx = ctx_places[item.source_id] = Context.for_source(item.source, rules=[])
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
