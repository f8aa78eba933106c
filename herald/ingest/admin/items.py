"""The desk's wire items as they were delivered (read-only), and making a story
from one that has none: a draft, or published at once when it was held back."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from herald.accounts.access import signed_in_user
from herald.accounts.models import User
from herald.core.desk import RoleAdmin, role_of
from herald.editions.models import Edition
from herald.ingest import wire_to_story
from herald.ingest.admin.access import EDITORS
from herald.ingest.models import WireItem
from herald.ingest.routing import Route
from herald.stories.models import Section, Story


class MakeStoryForm(forms.Form):
    """Where the story goes, pre-filled from the routing suggestion, editions
    limited to the editor's; and the yes a withheld item needs to go live."""

    origin_edition = forms.ModelChoiceField(
        queryset=Edition.objects.none(), label="Origin edition"
    )
    editions = forms.ModelMultipleChoiceField(
        queryset=Edition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The origin edition is always one of them.",
    )
    primary_section = forms.ModelChoiceField(
        queryset=Section.objects.all(), label="Primary section"
    )
    confirm_withheld = forms.BooleanField(
        required=False,
        label="I know the source still withholds this item, and I publish it anyway.",
    )

    def __init__(
        self, *args: Any, user: User, suggestion: Route, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        scope = Edition.objects.filter(pk__in=user.edition_ids())
        self.fields["origin_edition"].queryset = scope  # type: ignore[attr-defined]
        self.fields["editions"].queryset = scope  # type: ignore[attr-defined]
        editions, section = default_placement(user, suggestion)
        self.initial.setdefault("origin_edition", editions[0] if editions else None)
        self.initial.setdefault("editions", editions)
        self.initial.setdefault("primary_section", section)
        self.suggested_sections = suggestion.section_ids
        # One edition and a section to put it in: nothing to ask, only buttons.
        self.settled = False
        self.where = ""
        if section is not None and not user.is_admin and len(user.edition_ids()) == 1:
            edition = scope.get(pk=editions[0])
            self.settled = True
            self.where = f"{edition.name}, {Section.objects.get(pk=section).name}"

    def placement(self) -> wire_to_story.Placement:
        data = self.cleaned_data
        origin = data["origin_edition"]
        sections = Section.objects.filter(pk__in=self.suggested_sections)
        return wire_to_story.Placement(
            origin_edition=origin,
            editions=tuple(dict.fromkeys([origin, *data["editions"]])),
            primary_section=data["primary_section"],
            sections=tuple(sections),
        )


def default_placement(user: User, suggestion: Route) -> tuple[list[int], int | None]:
    """The editions (in desk order) and primary section to offer `user`: routing's
    suggestion within their editions; an editor of one edition gets that one."""
    scope = user.edition_ids()
    editions = [pk for pk in suggestion.edition_ids if pk in scope]
    if not editions and not user.is_admin and len(scope) == 1:
        editions = list(scope)
    section = suggestion.section_ids[0] if suggestion.section_ids else None
    return editions, section


def make_story_context(
    request: HttpRequest, item: WireItem, *, form: MakeStoryForm | None = None
) -> dict[str, Any] | None:
    """What the "Make a story" form needs on an item's or a cluster's page; None
    when the user may not make one from `item` or it has a story already."""
    user = signed_in_user(request)
    if item.story_id is not None or wire_to_story.why_not(item):
        return None
    suggestion = wire_to_story.suggest(item)
    if not wire_to_story.may_make(user, suggestion):
        return None
    return {
        "item": item,
        "form": form or MakeStoryForm(user=user, suggestion=suggestion),
        "action": reverse("admin:ingest_wireitem_make_story", args=[item.pk]),
        "may_publish": not wire_to_story.why_not(item, publish=True),
        "withheld": wire_to_story.needs_confirmation(item),
        "suggested": bool(suggestion.edition_ids),
    }


def story_anchor(story: Story) -> SafeString:
    """A link to `story`'s desk page, with its headline and state."""
    return format_html(
        '<a href="{}">“{}” ({})</a>',
        reverse("admin:stories_story_change", args=[story.pk]),
        story.headline,
        story.get_status_display().lower(),
    )


@admin.register(WireItem)
class WireItemAdmin(RoleAdmin):
    """Wire items are records of what sources sent: read-only in the desk. An
    editor makes a story from one without (see herald.ingest.wire_to_story)."""

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
    actions = ("make_stories",)
    change_form_template = "desk/ingest/wireitem_change_form.html"

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "link":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_make_story_permission(self, request: HttpRequest) -> bool:
        return role_of(request) in EDITORS

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

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/make-story/",
                wrap(self.make_story_view),
                name="ingest_wireitem_make_story",
            ),
            *super().get_urls(),
        ]

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
            context["make"] = make_story_context(request, obj)
            context["why_not"] = wire_to_story.why_not(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def make_story_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET shows the form; POST makes the story (or, on a second click, points
        to the one made). Writers and moderators get 403; an editor gets 404 for
        an item routed only to other editions."""
        if not self.has_make_story_permission(request):
            raise PermissionDenied
        user = signed_in_user(request)
        item = get_object_or_404(WireItem.objects.select_related("source"), pk=pk)
        suggestion = wire_to_story.suggest(item)
        if not wire_to_story.may_make(user, suggestion):
            raise Http404("No such wire item.")
        if item.story_id is not None:
            return self._already(request, item)
        form = MakeStoryForm(
            request.POST if request.method == "POST" else None,
            user=user,
            suggestion=suggestion,
        )
        if request.method == "POST" and form.is_valid():
            publish = "_publish" in request.POST
            try:
                made = wire_to_story.make_story_from_item(
                    item,
                    by=user,
                    placement=form.placement(),
                    publish=publish,
                    confirm_withheld=form.cleaned_data["confirm_withheld"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                if not made.created:
                    return self._already(request, item)
                return self._made(request, made, publish=publish)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": item,
            "title": f"Make a story: {item.headline}",
            "make": make_story_context(request, item, form=form),
            "why_not": wire_to_story.why_not(item),
        }
        return TemplateResponse(request, "desk/ingest/make_story.html", context)

    def _already(self, request: HttpRequest, item: WireItem) -> HttpResponse:
        story = Story.objects.get(wire_items=item)
        self.message_user(
            request,
            format_html(
                "This wire item has a story already, and nothing new was made: {}.",
                story_anchor(story),
            ),
            messages.WARNING,
        )
        return HttpResponseRedirect(
            reverse("admin:ingest_wireitem_change", args=[item.pk])
        )

    def _made(
        self, request: HttpRequest, made: wire_to_story.Made, *, publish: bool
    ) -> HttpResponse:
        how = "published on its editions" if publish else "a draft"
        pictures = f" with {made.pictures} picture{'s' if made.pictures != 1 else ''}"
        self.message_user(
            request,
            f"The story is made from the wire item{pictures if made.pictures else ''}"
            f", {how}.",
        )
        for problem in made.problems:
            self.message_user(request, problem, messages.WARNING)
        return HttpResponseRedirect(
            reverse("admin:stories_story_change", args=[made.story.pk])
        )

    @admin.action(
        description="Make draft stories from the selected items",
        permissions=["make_story"],
    )
    def make_stories(self, request: HttpRequest, queryset: QuerySet[WireItem]) -> None:
        """A draft from each selected item whose placement routing gives (each in
        its own transaction); the others are named with a link to their form."""
        user = signed_in_user(request)
        made: list[Story] = []
        skipped: list[str] = []
        for item in queryset.select_related("source").order_by("received_at", "pk"):
            story, text = self._make_one(user, item)
            if story is not None:
                made.append(story)
            if text:
                skipped.append(text)
        if made:
            self.message_user(
                request,
                format_html(
                    "Made {} draft{}: {}.",
                    len(made),
                    "s" if len(made) != 1 else "",
                    format_html(
                        ", ".join(["{}"] * len(made)), *[story_anchor(s) for s in made]
                    ),
                ),
            )
        for text in skipped:
            self.message_user(request, text, messages.WARNING)

    def _make_one(self, user: User, item: WireItem) -> tuple[Story | None, str]:
        """The story made from `item` (None if none was), and what to tell about it."""
        suggestion = wire_to_story.suggest(item)
        if not wire_to_story.may_make(user, suggestion):
            return None, format_html(
                "“{}” is routed to editions you do not edit; left alone.",
                item.headline,
            )
        if item.story_id is not None:
            existing = Story.objects.get(wire_items=item)
            return None, format_html(
                "“{}” has a story already: {}.", item.headline, story_anchor(existing)
            )
        if reason := wire_to_story.why_not(item):
            return None, format_html("“{}”: {}", item.headline, reason)
        editions, section = default_placement(user, suggestion)
        if not editions or section is None:
            return None, format_html(
                '“{}” needs its editions and section chosen: <a href="{}">make its '
                "story here</a>.",
                item.headline,
                reverse("admin:ingest_wireitem_make_story", args=[item.pk]),
            )
        found = Edition.objects.in_bulk(editions)
        placement = wire_to_story.Placement(
            origin_edition=found[editions[0]],
            editions=tuple(found[pk] for pk in editions),
            primary_section=Section.objects.get(pk=section),
            sections=tuple(Section.objects.filter(pk__in=suggestion.section_ids)),
        )
        try:
            made = wire_to_story.make_story_from_item(
                item, by=user, placement=placement
            )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            return None, format_html("“{}”: {}", item.headline, text)
        if not made.created:
            return None, format_html(
                "“{}” has a story already: {}.", item.headline, story_anchor(made.story)
            )
        # The story was made; any problems are its pictures'.
        problems = " ".join(made.problems)
        return made.story, (
            format_html("“{}”: {}", item.headline, problems) if problems else ""
        )
