"""The desk's pictures: the library (PictureAdmin, with the focal point picker) and a
story's pictures on its own change form (StoryImageInline). Every change goes
through the actions; nothing here saves a row itself."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from herald.accounts.access import signed_in_user
from herald.core.desk import RoleAdmin, role_of
from herald.core.images import ASPECT_RANGE, crop_box, decode_upload
from herald.core.roles import STAFF_ROLES
from herald.stories import actions
from herald.stories.actions.images import ALT_TEXT_NEEDED, NEEDS_ALT_TEXT
from herald.stories.models import Picture, Story, StoryImage
from herald.stories.workflow import can_edit

UPLOAD_HELP = "JPEG, PNG, WebP or GIF; re-encoded, and kept in the picture library."
FOCAL_ATTRS = {"min": "0", "max": "1", "step": "0.01", "class": "focal-input"}
WORD_FIELDS = ("caption", "credit", "alt_text")
NEW_PICTURE_NEEDS = {
    "caption": "A new picture needs a caption.",
    "credit": "A new picture needs a credit.",
    "alt_text": "Describe the new picture for readers who cannot see it: every new "
    "picture needs alt text.",
}


def _checked_upload(upload: Any) -> Any:
    """Decode `upload` under the caps now, so that a bad file is a form error and
    nothing is stored; the action decodes it again from the start."""
    if upload:
        decode_upload(upload)
        upload.seek(0)
    return upload


def _thumbnail(url: str, alt: str, width: int = 120) -> str:
    return format_html(
        '<img class="desk-thumb" src="{}" alt="{}" width="{}">', url, alt, width
    )


# --- the library ----------------------------------------------------------------
class PictureForm(forms.ModelForm):
    """A library picture's words and focal point."""

    class Meta:
        model = Picture
        fields = ("caption", "credit", "alt_text", "focal_x", "focal_y")
        labels = {
            "focal_x": "Focal point, across",
            "focal_y": "Focal point, down",
            "alt_text": "Alt text",
        }
        help_texts = {
            "focal_x": "0 is the left edge, 1 the right.",
            "focal_y": "0 is the top edge, 1 the bottom.",
        }
        widgets = {
            "caption": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "alt_text": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "focal_x": forms.NumberInput(attrs=FOCAL_ATTRS),
            "focal_y": forms.NumberInput(attrs=FOCAL_ATTRS),
        }

    class Media:
        css = {"all": ("desk/pictures.css",)}
        js = ("desk/focal_point.js",)


class PictureUploadForm(forms.ModelForm):
    """A new library picture: the file and its words (the focal point comes after,
    on the picture's own page)."""

    upload = forms.FileField(label="Picture", help_text=UPLOAD_HELP)

    class Meta:
        model = Picture
        fields = ("caption", "credit", "alt_text")
        widgets = {
            "caption": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "alt_text": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def clean_upload(self) -> Any:
        return _checked_upload(self.cleaned_data.get("upload"))


@admin.register(Picture)
class PictureAdmin(RoleAdmin):
    change_roles = STAFF_ROLES
    form = PictureForm
    list_display = (
        "thumbnail",
        "caption",
        "credit",
        "dimensions",
        "use_count",
        "uploaded_by",
        "uploaded_at",
    )
    list_display_links = ("thumbnail", "caption")
    list_filter = ("uploaded_at",)
    search_fields = ("caption", "credit", "creator", "keywords")
    date_hierarchy = "uploaded_at"
    list_select_related = ("uploaded_by",)
    list_per_page = 50
    readonly_fields = (
        "focal_picker",
        "dimensions",
        "creator",
        "rights",
        "keywords",
        "uploaded_by",
        "uploaded_at",
    )
    fieldsets = (
        (None, {"fields": ("focal_picker", ("focal_x", "focal_y"))}),
        ("Words", {"fields": WORD_FIELDS}),
        (
            "About",
            {
                "fields": (
                    "dimensions",
                    "creator",
                    "rights",
                    "keywords",
                    "uploaded_by",
                    "uploaded_at",
                )
            },
        ),
    )
    change_form_template = "desk/pictures/change_form.html"
    add_fieldsets = ((None, {"fields": ("upload", *WORD_FIELDS)}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Picture]:
        return super().get_queryset(request).annotate(use_count=Count("uses"))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PictureUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or actions.can_change_picture(signed_in_user(request), obj)

    # --- columns and panels ---
    @admin.display(description="Picture")
    def thumbnail(self, obj: Picture) -> str:
        return _thumbnail(obj.preview.url, obj.alt_text)

    @admin.display(description="Size")
    def dimensions(self, obj: Picture) -> str:
        return f"{obj.width}×{obj.height}"

    @admin.display(description="Stories", ordering="use_count")
    def use_count(self, obj: Picture) -> int:
        return int(getattr(obj, "use_count", 0))

    @admin.display(description="Focal point")
    def focal_picker(self, obj: Picture) -> str:
        left, top, right, bottom = crop_box(obj.width, obj.height, focal=obj.focal)
        return render_to_string(
            "desk/pictures/focal_picker.html",
            {
                "picture": obj,
                "x": _percent(obj.focal_x),
                "y": _percent(obj.focal_y),
                "crop": {
                    "x": _percent(left / obj.width),
                    "y": _percent(top / obj.height),
                    "width": _percent((right - left) / obj.width),
                    "height": _percent((bottom - top) / obj.height),
                },
                "cropped": (left, top, right, bottom) != (0, 0, obj.width, obj.height),
                "aspect_min": f"{ASPECT_RANGE[0]:.4f}",
                "aspect_max": f"{ASPECT_RANGE[1]:.4f}",
            },
        )

    # --- saving through actions ---
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if object_id is not None and object_id.isdigit():
            extra_context = {
                **(extra_context or {}),
                **_uses(int(object_id), signed_in_user(request)),
            }
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(
        self, request: HttpRequest, obj: Picture, form: Any, change: bool
    ) -> None:
        user = signed_in_user(request)
        data = form.cleaned_data
        words = {name: data[name] for name in WORD_FIELDS}
        try:
            if change:
                actions.update_picture(
                    obj,
                    by=user,
                    focal_x=data["focal_x"],
                    focal_y=data["focal_y"],
                    **words,
                )
                obj.refresh_from_db()
            else:
                created = actions.create_picture(
                    by=user, upload=data["upload"], **words
                )
                obj.pk = created.pk
                obj.refresh_from_db()
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc

    def delete_model(self, request: HttpRequest, obj: Picture) -> None:
        actions.delete_picture(obj, by=signed_in_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for picture in queryset:
            actions.delete_picture(picture, by=signed_in_user(request))


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.2f}%"


def _uses(picture_id: int, user: Any) -> dict[str, Any]:
    """The stories using the picture that `user` may open, and how many others."""
    stories = Story.objects.filter(images__picture_id=picture_id).distinct()
    mine = list(
        Story.objects.editable_by(user)
        .filter(images__picture_id=picture_id)
        .distinct()
        .order_by("-pk")[:50]
    )
    return {"uses": mine, "other_uses": stories.count() - len(mine)}


# --- a story's pictures, on the story's change form ---------------------------------
class _Nothing(forms.Widget):
    """An empty cell where a saved row has no upload to offer (a hidden input would
    move the row's cells out from under their column headings)."""

    def render(
        self, name: str, value: Any, attrs: Any = None, renderer: Any = None
    ) -> SafeString:
        return SafeString("")


class StoryImageInlineForm(forms.ModelForm):
    """One picture of the story: an upload (a new library picture) or a library
    pick for a new row; the story's own words and place for every row."""

    upload = forms.FileField(required=False, label="New picture", help_text=UPLOAD_HELP)

    class Meta:
        model = StoryImage
        fields = ("picture", "caption", "credit", "alt_text", "position")
        labels = {"picture": "From the library", "alt_text": "Alt text"}
        help_texts = {
            "position": "Pictures show in this order; empty puts a new one last.",
            "caption": "For a library pick, empty takes the library's words.",
            "alt_text": "What it shows, for readers who cannot see it. "
            "Needed once the story is published or scheduled.",
        }
        widgets = {
            "caption": forms.Textarea(attrs={"rows": 3, "cols": 24}),
            "credit": forms.TextInput(attrs={"size": 14}),
            "alt_text": forms.Textarea(attrs={"rows": 3, "cols": 22}),
            "position": forms.NumberInput(attrs={"min": "0", "class": "vSmallField"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("caption", "credit", "position"):
            if name in self.fields:
                self.fields[name].required = False
        if not self.instance.pk:
            # Empty: after the story's other pictures (and an untouched new row
            # stays unchanged, so it is not saved).
            self.initial.pop("position", None)
            if "position" in self.fields:
                self.fields["position"].initial = None
        if self.instance.pk:
            # A row keeps its picture: to change it, remove the row and add another.
            for name in ("picture", "upload"):
                if name in self.fields:
                    self.fields[name].disabled = True
            if "upload" in self.fields:
                self.fields["upload"].widget = _Nothing()

    def clean_upload(self) -> Any:
        return _checked_upload(self.cleaned_data.get("upload"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk:
            for name in ("caption", "credit"):
                if name in self.fields and not (data.get(name) or "").strip():
                    self.add_error(name, "This field is required.")
            return data
        upload, picture = data.get("upload"), data.get("picture")
        if "upload" in self.errors:
            return data
        if upload and picture:
            self.add_error(
                None, "Upload a new picture or choose one from the library, not both."
            )
        elif not upload and not picture:
            self.add_error(None, "Upload a new picture or choose one from the library.")
        elif upload:
            # A new picture starts the library's copy: it needs all its words.
            for name in WORD_FIELDS:
                if not (data.get(name) or "").strip():
                    self.add_error(name, NEW_PICTURE_NEEDS[name])
        return data


class StoryImageFormSet(BaseInlineFormSet):
    """The story's pictures; saving calls the actions, never saves rows itself."""

    user: Any = None  # set by StoryImageInline.get_formset

    def clean(self) -> None:
        super().clean()
        story = self.instance
        if story.status not in NEEDS_ALT_TEXT:
            return
        for form in self.forms:
            if not self._kept(form) or not hasattr(form, "cleaned_data"):
                continue
            data = form.cleaned_data
            alt = (data.get("alt_text") or "").strip()
            picture = data.get("picture")
            if not alt and not (
                form.instance.pk is None and picture and picture.alt_text
            ):
                form.add_error("alt_text", ALT_TEXT_NEEDED)

    def _deleted(self, form: Any) -> bool:
        data = getattr(form, "cleaned_data", None) or {}
        return bool(self.can_delete and data.get(DELETION_FIELD_NAME))

    def _kept(self, form: Any) -> bool:
        if self._deleted(form):
            return False
        return bool(form.instance.pk) or form.has_changed()

    def save(self, commit: bool = True) -> list[Any]:
        story, by = self.instance, self.user
        self.new_objects: list[Any] = []
        self.changed_objects: list[Any] = []
        self.deleted_objects: list[Any] = []
        wanted: list[tuple[int, int, int]] = []  # (position, form index, image id)
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None) or {}
            if form.instance.pk is not None and self._deleted(form):
                actions.remove_story_image(form.instance, by=by)
                self.deleted_objects.append(form.instance)
                continue
            if not self._kept(form):
                continue
            position = data.get("position")
            caption, credit, alt_text = (
                (data.get(name) or "").strip() for name in WORD_FIELDS
            )
            if form.instance.pk is not None:
                image = form.instance
                changed = [n for n in WORD_FIELDS if n in form.changed_data]
                if changed:
                    image = actions.update_story_image(
                        image, by=by, caption=caption, credit=credit, alt_text=alt_text
                    )
                    self.changed_objects.append((image, changed))
            elif data.get("upload"):
                image = actions.attach_image(
                    story,
                    by=by,
                    upload=data["upload"],
                    caption=caption,
                    credit=credit,
                    alt_text=alt_text,
                )
                self.new_objects.append(image)
            else:
                # Empty words take the library's.
                image = actions.attach_picture(
                    story,
                    by=by,
                    picture=data["picture"],
                    caption=caption or None,
                    credit=credit or None,
                    alt_text=alt_text or None,
                )
                self.new_objects.append(image)
            wanted.append(
                (position if position is not None else 1 << 15, index, image.pk)
            )
        order = [pk for _, _, pk in sorted(wanted)]
        current = list(
            StoryImage.objects.filter(story=story).values_list("pk", flat=True)
        )
        # Rows the form did not show (added meanwhile) keep their turn at the end.
        order = [pk for pk in order if pk in current]
        order += [pk for pk in current if pk not in order]
        if order != current:
            actions.reorder_story_images(story, by=by, order=order)
        return [*self.new_objects, *(obj for obj, _ in self.changed_objects)]


class StoryImageInline(admin.TabularInline):
    """The story's pictures on its change form: thumbnail, words, place, remove,
    and a new row takes an upload or a library pick."""

    model = StoryImage
    form = StoryImageInlineForm
    formset = StoryImageFormSet
    template = "desk/pictures/inline.html"
    fields = (
        "thumbnail",
        "upload",
        "picture",
        "caption",
        "credit",
        "alt_text",
        "position",
    )
    readonly_fields = ("thumbnail",)
    autocomplete_fields = ("picture",)
    ordering = ("position", "id")
    extra = 1
    verbose_name = "picture"
    verbose_name_plural = "Pictures"

    class Media:
        css = {"all": ("desk/pictures.css",)}

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "picture" and field is not None:
            # A pick, not a place to add or edit pictures: the library does that.
            for link in ("add", "change", "delete", "view"):
                setattr(field.widget, f"can_{link}_related", False)
        return field

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        base = super().get_formset(request, obj, **kwargs)
        return type(
            "BoundStoryImageFormSet", (base,), {"user": signed_in_user(request)}
        )

    def _may_edit(self, request: HttpRequest, story: Any) -> bool:
        if role_of(request) not in STAFF_ROLES:
            return False
        return story is None or can_edit(signed_in_user(request), story)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request) in STAFF_ROLES

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    @admin.display(description="New picture")
    def upload(self, obj: StoryImage) -> str:
        """The upload column of a read-only row (a story the user may only read):
        empty, as a saved row has no upload."""
        return ""

    @admin.display(description="Picture")
    def thumbnail(self, obj: StoryImage) -> str:
        if not obj.pk:
            return ""
        link = (
            reverse("admin:stories_picture_change", args=[obj.picture_id])
            if obj.picture_id
            else ""
        )
        image = _thumbnail(obj.small.url, obj.alt_text or obj.caption, width=96)
        if not link:
            return image
        return format_html('<a href="{}" title="In the library">{}</a>', link, image)
