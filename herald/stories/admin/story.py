"""The story desk's StoryAdmin: lists with filters, the change page with its
workflow panel, and saving through the actions."""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from herald.accounts.access import signed_in_user
from herald.core.desk import RoleAdmin
from herald.core.roles import STAFF_ROLES
from herald.core.timefmt import format_local, gmt_offset
from herald.editions.models import Edition
from herald.stories import actions, desk_hooks
from herald.stories.admin import presence
from herald.stories.admin.forms import StoryForm, conflict_diff, story_changes
from herald.stories.admin.pictures import StoryImageInline
from herald.stories.admin.views import StoryDeskViews
from herald.stories.models import Story
from herald.stories.workflow import Status, can_edit, can_publish, moves_for


class EditionFilter(admin.SimpleListFilter):
    """Stories on an edition, by a subquery: filtering on the many-to-many field
    itself made every query of the list SELECT DISTINCT over whole rows."""

    title = "editions"
    parameter_name = "edition"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scope = signed_in_user(request).edition_ids()
        editions = Edition.objects.filter(pk__in=scope).order_by("position", "name")
        return [(str(e.pk), e.name) for e in editions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Story]) -> Any:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters("Choose an edition from the list.")
        on_edition = Story.editions.through.objects.filter(
            story_id=OuterRef("pk"), edition_id=int(value)
        )
        return queryset.filter(Exists(on_edition))


@admin.register(Story)
class StoryAdmin(StoryDeskViews, RoleAdmin):
    change_roles = STAFF_ROLES
    form = StoryForm
    list_display = (
        "headline",
        "status",
        "origin_edition",
        "primary_section",
        "provenance",
        "published",
        "modified",
    )
    list_filter = (
        "status",
        "provenance",
        EditionFilter,
        "primary_section",
        "origin_edition",
        # Today, past 7 days, this month, this year: no query to build, where a
        # date hierarchy read every story's date on each list (bench/desk_list.py).
        "published_at",
    )
    search_fields = ("headline", "standfirst", "dateline_city", "agency")
    # One count a page, not two: the whole pool's size is not worth a scan.
    show_full_result_count = False
    list_select_related = ("origin_edition", "primary_section")
    autocomplete_fields = ("authors", "tags", "places", "dateline_place")
    readonly_fields = (
        "status",
        "published_local",
        "updated_local",
        "scheduled_local",
        "workflow_links",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "workflow_links",
                    "status",
                    "headline",
                    "slug",
                    "standfirst",
                    "body",
                )
            },
        ),
        (
            "Byline and dateline",
            {
                "fields": (
                    "authors",
                    "wire_byline",
                    "agency_credit",
                    "language",
                    "dateline_city",
                    "dateline_country",
                    "dateline_place",
                    "dateline_date",
                )
            },
        ),
        ("Provenance", {"fields": ("provenance", "agency")}),
        (
            "Placement",
            {
                "fields": (
                    "origin_edition",
                    "editions",
                    "primary_section",
                    "sections",
                    "tags",
                    "places",
                    "is_featured",
                )
            },
        ),
        (
            "Times",
            {
                "fields": (
                    "embargo_until",
                    "scheduled_local",
                    "published_local",
                    "updated_local",
                )
            },
        ),
    )
    # The story's pictures: uploaded, picked from the library, edited, reordered
    # and removed on the story form itself.
    inlines = (StoryImageInline,)
    change_form_template = "desk/story_change_form.html"
    # A story has one page per edition; the workflow panel links a preview of each.
    view_on_site = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return Story.objects.editable_by(signed_in_user(request)).select_related(
            "origin_edition", "primary_section"
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        user = signed_in_user(request)

        class BoundStoryForm(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=user, **kw)

        return BoundStoryForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_edit(signed_in_user(request), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # The version the form was opened on travels with it (see StoryForm).
        (name, options), *rest = fieldsets
        fields = (*options["fields"], "base_version")
        return [(name, {**options, "fields": fields}), *rest]

    # --- times, in the origin edition's zone with the offset ---------------------
    @admin.display(description="Published", ordering="published_at")
    def published(self, obj: Story) -> str:
        return _local(obj.published_at, obj)

    @admin.display(description="Modified", ordering="modified_at")
    def modified(self, obj: Story) -> str:
        return _local(obj.modified_at, obj)

    @admin.display(description="Published at")
    def published_local(self, obj: Story) -> str:
        return _local(obj.published_at, obj)

    @admin.display(description="Updated at")
    def updated_local(self, obj: Story) -> str:
        return _local(obj.updated_at, obj)

    @admin.display(description="Scheduled for")
    def scheduled_local(self, obj: Story) -> str:
        return _local(obj.scheduled_for, obj) if obj.status == Status.SCHEDULED else "-"

    @admin.display(description="Workflow")
    def workflow_links(self, obj: Story) -> str:
        if not obj.pk:
            return "Save the draft first."
        links = [
            format_html(
                '<a href="{}">Preview on {}</a>',
                reverse("admin:stories_story_preview", args=[obj.pk, e.slug]),
                e.name,
            )
            for e in obj.editions.all()
        ]
        links.append(
            format_html(
                '<a href="{}">Revision history</a>',
                reverse("admin:stories_story_history_detail", args=[obj.pk]),
            )
        )
        return format_html(" · ".join(["{}"] * len(links)), *links)

    # --- saving through actions -------------------------------------------------
    def save_model(
        self, request: HttpRequest, obj: Story, form: Any, change: bool
    ) -> None:
        changes = story_changes(form.cleaned_data)
        try:
            if change:
                actions.update_story(
                    obj,
                    by=signed_in_user(request),
                    base_version=form.opened_version,
                    **changes,
                )
            else:
                created = actions.create_story(by=signed_in_user(request), **changes)
                obj.pk = created.pk
                obj.refresh_from_db()
        except (PermissionDenied, ValidationError) as exc:
            # Turn the refusal into a form error rather than a half-save.
            raise ValidationError(getattr(exc, "messages", [str(exc)])) from exc

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        # The actions above already set the many-to-many fields.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if object_id is not None and not (
            object_id.isdigit()
            and self.get_queryset(request).filter(pk=int(object_id)).exists()
        ):
            # Another edition's story answers 404, never 403 or a redirect.
            raise Http404("No such story.")
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        form = context["adminform"].form
        if getattr(form, "conflict", None) is not None:
            context["conflict"] = form.conflict
            context["conflict_diff"] = conflict_diff(form.conflict, form)
            context["conflict_by"] = form.conflict.events.select_related("by").first()
        if obj is not None and obj.pk:
            user = signed_in_user(request)
            zone = obj.origin_edition.time_zone
            context.update(
                zone=zone,
                others=presence.mark_open(obj.pk, user.pk, user.get_username()),
                presence_url=reverse("admin:stories_story_presence", args=[obj.pk]),
                autosave_url=reverse("admin:stories_story_autosave", args=[obj.pk])
                if obj.status == Status.DRAFT and can_edit(user, obj)
                else "",
                beat=presence.BEAT,
            )
            context.update(
                moves=[(m, Status(m).label) for m in moves_for(user, obj)],
                move_url=reverse("admin:stories_story_move", args=[obj.pk]),
                correct_url=reverse("admin:stories_story_correct", args=[obj.pk]),
                may_correct=obj.status == Status.PUBLISHED and can_publish(user, obj),
                schedule_zone=zone,
                schedule_offset=gmt_offset(
                    timezone.now().astimezone(ZoneInfo(zone)).utcoffset()
                ),
                events=obj.events.select_related("by")[:15],
                corrections=obj.corrections.all(),
                **desk_hooks.panel_context(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _local(moment: Any, story: Story) -> str:
    if moment is None:
        return "-"
    return format_local(moment, story.origin_edition.time_zone)
