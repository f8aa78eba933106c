"""The desk's story forms: the story itself (scoped to the user's editions), a
workflow move, a correction and an image upload."""

from typing import Any

from django import forms

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories.models import Story
from herald.stories.workflow import Status


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
        # A story the user may only look at (retracted, or another's in review) gets
        # a form without fields: the admin shows them read-only.
        scope = Edition.objects.filter(pk__in=user.edition_ids())
        for name in ("editions", "origin_edition"):
            if name in self.fields:
                self.fields[name].queryset = scope  # type: ignore[attr-defined]
        if "slug" in self.fields:
            self.fields["slug"].required = False
        if self.instance.pk and "editions" in self.fields:
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
