"""The desk for stories: lists with filters, workflow buttons, preview per edition,
revision history, images and corrections. Every change goes through actions.py."""

import difflib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from herald.accounts.models import Role, User
from herald.core.desk import RoleAdmin
from herald.core.sanitize import html_to_text
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Author, Place, Section, Story, Tag
from herald.stories.workflow import (
    Status,
    TransitionNotAllowed,
    can_edit,
    can_publish,
    moves_for,
)
from herald.web.views import render_story

STAFF = frozenset({Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN})


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
    change_roles = STAFF
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Author)
class AuthorAdmin(RoleAdmin):
    list_display = ("name", "slug", "user")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class StoryForm(forms.ModelForm):
    editions = forms.ModelMultipleChoiceField(
        queryset=Edition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The editions that show this story.",
    )

    class Meta:
        model = Story
        fields = (
            "headline",
            "slug",
            "standfirst",
            "body",
            "authors",
            "agency_credit",
            "dateline_city",
            "dateline_country",
            "dateline_place",
            "dateline_date",
            "provenance",
            "agency",
            "primary_section",
            "sections",
            "tags",
            "places",
            "origin_edition",
            "editions",
            "is_featured",
            "embargo_until",
        )
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = Edition.objects.filter(pk__in=user.edition_ids())
        self.fields["editions"].queryset = scope  # type: ignore[attr-defined]
        self.fields["origin_edition"].queryset = scope  # type: ignore[attr-defined]
        self.fields["slug"].required = False
        if self.instance.pk:
            self.initial["editions"] = list(self.instance.editions.all())


class MoveForm(forms.Form):
    move = forms.ChoiceField(choices=Status.choices)
    scheduled_for = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ImageForm(forms.Form):
    image = forms.FileField(help_text="JPEG, PNG, WebP or GIF; re-encoded on upload.")
    caption = forms.CharField(max_length=400)
    credit = forms.CharField(max_length=160)
    alt_text = forms.CharField(
        max_length=250, help_text="What the image shows, for readers who cannot see it."
    )


@admin.register(Story)
class StoryAdmin(RoleAdmin):
    change_roles = STAFF
    form = StoryForm
    list_display = (
        "headline",
        "status",
        "origin_edition",
        "primary_section",
        "provenance",
        "published_at",
        "modified_at",
    )
    list_filter = (
        "status",
        "provenance",
        "editions",
        "primary_section",
        "origin_edition",
    )
    search_fields = ("headline", "standfirst", "dateline_city", "agency")
    date_hierarchy = "published_at"
    list_select_related = ("origin_edition", "primary_section")
    autocomplete_fields = ("authors", "tags", "places", "dateline_place")
    readonly_fields = (
        "status",
        "published_at",
        "updated_at",
        "scheduled_for",
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
                    "agency_credit",
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
                    "scheduled_for",
                    "published_at",
                    "updated_at",
                )
            },
        ),
    )
    change_form_template = "desk/story_change_form.html"
    # A story has one page per edition; the workflow panel links a preview of each.
    view_on_site = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return Story.objects.editable_by(_user(request)).select_related(
            "origin_edition", "primary_section"
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        user = _user(request)

        class BoundStoryForm(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=user, **kw)

        return BoundStoryForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_edit(_user(request), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj)

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
        links.append(
            format_html(
                '<a href="{}">Images ({})</a>',
                reverse("admin:stories_story_images", args=[obj.pk]),
                obj.images.count(),
            )
        )
        return format_html(" · ".join(["{}"] * len(links)), *links)

    # --- saving through actions -------------------------------------------------
    def save_model(
        self, request: HttpRequest, obj: Story, form: Any, change: bool
    ) -> None:
        data = dict(form.cleaned_data)
        editions = data.pop("editions")
        many = {k: data.pop(k) for k in ("sections", "authors", "places", "tags")}
        if not data.get("slug"):
            data.pop("slug", None)
        try:
            if change:
                actions.update_story(
                    obj, by=_user(request), editions=editions, **data, **many
                )
            else:
                created = actions.create_story(
                    by=_user(request), editions=editions, **data, **many
                )
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
        if obj is not None and obj.pk:
            user = _user(request)
            zone = obj.origin_edition.time_zone
            context.update(
                moves=[(m, Status(m).label) for m in moves_for(user, obj)],
                move_url=reverse("admin:stories_story_move", args=[obj.pk]),
                correct_url=reverse("admin:stories_story_correct", args=[obj.pk]),
                may_correct=obj.status == Status.PUBLISHED and can_publish(user, obj),
                schedule_zone=zone,
                events=obj.events.select_related("by")[:15],
                related_lists=_related_lists(obj),
                corrections=obj.corrections.all(),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- extra views ----------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/move/", wrap(self.move_view), name="stories_story_move"),
            path(
                "<int:pk>/correct/",
                wrap(self.correct_view),
                name="stories_story_correct",
            ),
            path(
                "<int:pk>/preview/<slug:edition>/",
                wrap(self.preview_view),
                name="stories_story_preview",
            ),
            path(
                "<int:pk>/revisions/",
                wrap(self.revisions_view),
                name="stories_story_history_detail",
            ),
            path(
                "<int:pk>/images/", wrap(self.images_view), name="stories_story_images"
            ),
            *super().get_urls(),
        ]

    def _story(self, request: HttpRequest, pk: int) -> Story:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back(self, story: Story) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:stories_story_change", args=[story.pk])
        )

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        if request.method != "POST":
            return self._back(story)
        form = MoveForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request, "That move is not one the desk knows.", messages.ERROR
            )
            return self._back(story)
        move, note = form.cleaned_data["move"], form.cleaned_data["note"]
        user = _user(request)
        try:
            if move == Status.IN_REVIEW:
                actions.submit_for_review(story, by=user)
            elif move == Status.DRAFT:
                actions.return_to_draft(story, by=user, note=note)
            elif move == Status.PUBLISHED:
                actions.publish_story(story, by=user, note=note)
            elif move == Status.RETRACTED:
                actions.retract_story(story, by=user, note=note)
            elif move == Status.SCHEDULED:
                local = form.cleaned_data["scheduled_for"]
                if local is None:
                    raise ValidationError("Choose when the story goes live.")
                at = local_to_utc(local, story.origin_edition.time_zone)
                actions.schedule_story(story, by=user, at=at)
        except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
            text = (
                " ".join(getattr(exc, "messages", []))
                or str(exc)
                or "You may not do that."
            )
            self.message_user(request, text, messages.ERROR)
            return self._back(story)
        self.message_user(
            request, f"The story is now {story.get_status_display().lower()}."
        )
        return self._back(story)

    def correct_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        form = CorrectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.add_correction(
                    story, by=_user(request), text=form.cleaned_data["text"]
                )
            except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [])) or str(exc)
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(request, "The correction is on the story.")
        elif request.method == "POST":
            self.message_user(request, "Write the correction.", messages.ERROR)
        return self._back(story)

    def preview_view(self, request: HttpRequest, pk: int, edition: str) -> HttpResponse:
        story = self._story(request, pk)
        target = story.editions.filter(slug=edition).first()
        if target is None:
            raise Http404("The story is not on that edition.")
        item = Story.objects.for_page().get(pk=story.pk)
        response = render_story(request, item, target, preview=True)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        revisions = list(story.revisions.select_related("created_by"))
        rows = []
        for i, rev in enumerate(revisions):
            older = revisions[i + 1] if i + 1 < len(revisions) else None
            rows.append((rev, _diff(older, rev) if older else []))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "story": story,
            "rows": rows,
            "events": story.events.select_related("by"),
            "title": f"Revision history: {story.headline}",
        }
        return TemplateResponse(request, "desk/story_revisions.html", context)

    def images_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        story = self._story(request, pk)
        form = ImageForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.attach_image(
                    story,
                    by=_user(request),
                    upload=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                    credit=form.cleaned_data["credit"],
                    alt_text=form.cleaned_data["alt_text"],
                    position=story.images.count(),
                )
            except ValidationError as exc:
                form.add_error("image", exc)
            except PermissionDenied:
                form.add_error(None, "You may not edit this story.")
            else:
                self.message_user(request, "The image is attached.")
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "story": story,
            "images": story.images.all(),
            "form": form,
            "title": f"Images: {story.headline}",
        }
        return TemplateResponse(request, "desk/story_images.html", context)


def _related_lists(story: Story) -> list[tuple[str, list[Any]]]:
    """Each edition's stored More Information list, with why each story is there."""
    from herald.discovery.models import RelatedStory

    rows = RelatedStory.objects.filter(story=story).select_related("edition", "related")
    lists: dict[str, list[Any]] = {}
    for row in rows.order_by("edition__position", "position"):
        lists.setdefault(row.edition.name, []).append(row)
    return list(lists.items())


def _diff(older: Any, newer: Any) -> list[str]:
    def text(rev: Any) -> list[str]:
        return [
            rev.headline,
            rev.standfirst,
            *html_to_text(rev.body.replace("</p>", "</p>\n")).split(". "),
        ]

    return list(
        difflib.unified_diff(
            text(older),
            text(newer),
            f"r{older.number}",
            f"r{newer.number}",
            lineterm="",
            n=1,
        )
    )


def local_to_utc(local: datetime, zone: str) -> datetime:
    """Read a naive desk time as wall-clock time in `zone`."""
    tz = ZoneInfo(zone)
    # The form field may have attached the server's zone; the wall time is what counts.
    local = local.replace(tzinfo=None)
    aware = local.replace(tzinfo=tz)
    # A wall time that does not exist (a spring-forward gap) does not round-trip.
    if aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != local:
        raise ValidationError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone} (clock change)."
        )
    return aware.astimezone(ZoneInfo("UTC"))
