"""The submitter's forms (organisation profile, release, image slots) and the
moderator's decision form. Every field and upload has a size cap."""

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from herald.core.editor import BodyField
from herald.core.timefmt import local_to_utc, zone_choices
from herald.editions.models import Edition
from herald.releases.actions import MAX_IMAGES
from herald.releases.models import NewsRelease, RejectReason, Submitter
from herald.stories.models import Section

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class ProfileForm(forms.ModelForm):
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")
    time_zone = forms.ChoiceField(
        choices=zone_choices,
        help_text="Release times you ask for are read in this time zone.",
    )

    class Meta:
        model = Submitter
        fields = (
            "organisation",
            "website",
            "contact_person",
            "phone",
            "about",
            "time_zone",
        )
        labels = {"about": "About the organisation"}
        help_texts = {
            "about": "Boilerplate shown to moderators; at most 2,000 characters.",
        }
        widgets = {"about": forms.Textarea(attrs={"rows": 5})}


class EditionChoices(forms.ModelMultipleChoiceField):
    """Each edition named with the regions it covers, so submitters pick by place."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.regions})" if obj.regions else str(obj.name)


class ReleaseForm(forms.ModelForm):
    editions = EditionChoices(
        queryset=Edition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Editions",
        help_text="Where the release should appear, by edition and the regions it "
        "covers. Moderators may narrow this.",
    )
    when = forms.ChoiceField(
        choices=[("now", "As soon as it is approved"), ("later", "At a later time")],
        widget=forms.RadioSelect,
        initial="now",
        label="Release time",
    )
    release_local = forms.DateTimeField(
        required=False,
        label="Date and time",
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=LOCAL_FORMAT
        ),
        help_text="Nothing is published before this time: it works as an embargo.",
    )
    time_zone = forms.ChoiceField(choices=zone_choices, label="Time zone")
    nickname = forms.CharField(required=False, max_length=100)

    class Meta:
        model = NewsRelease
        fields = (
            "headline",
            "summary",
            "body",
            "category",
            "dateline_city",
            "dateline_country",
            "contact_name",
            "contact_email",
            "contact_phone",
        )
        labels = {
            "summary": "Summary",
            "dateline_city": "Dateline city",
            "dateline_country": "Dateline country",
            "contact_name": "Media contact name",
            "contact_email": "Media contact email",
            "contact_phone": "Media contact phone",
        }
        help_texts = {
            "headline": "Plain words, not capitals; at most 200 characters.",
            "summary": "One or two sentences; at most 400 characters.",
            "body": "Markdown: blank lines between paragraphs, **bold**, *italic*, "
            "[link](https://example.com), lists with - and ## headings.",
            "dateline_city": "Where the news happened, e.g. Osaka.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    # A draft may leave these empty; submitting needs them, so they are not marked
    # optional on the form.
    NEEDED_TO_SUBMIT = ("body", "dateline_city", "dateline_country", "contact_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["editions"].queryset = Edition.objects.active()  # type: ignore[attr-defined]
        for name in self.NEEDED_TO_SUBMIT:
            self.fields[name].widget.attrs["data-needed"] = "submit"
        if self.instance.pk:
            self.initial.setdefault("editions", list(self.instance.editions.all()))
            self.initial.setdefault("time_zone", self.instance.time_zone)
            if self.instance.release_at:
                zone = zoneinfo.ZoneInfo(self.instance.time_zone)
                self.initial.setdefault("when", "later")
                self.initial.setdefault(
                    "release_local",
                    self.instance.release_at.astimezone(zone).replace(tzinfo=None),
                )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("nickname"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["release_at"] = None
        if data.get("when") == "later":
            local, zone = data.get("release_local"), data.get("time_zone")
            if local is None:
                self.add_error("release_local", "Choose the date and time.")
            elif zone:
                try:
                    data["release_at"] = local_to_utc(local, zone)
                except ValidationError as exc:
                    self.add_error("release_local", exc)
        return data

    def release_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["release_at"] = data["release_at"]
        fields["time_zone"] = data["time_zone"]
        return fields


class ImageSlotForm(forms.Form):
    image = forms.FileField(
        required=False,
        label="Image file",
        help_text="JPEG, PNG or WebP. No SVG.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )
    caption = forms.CharField(required=False, max_length=400)
    credit = forms.CharField(
        required=False, max_length=160, help_text="Photographer or owner."
    )
    alt_text = forms.CharField(
        required=False,
        max_length=250,
        label="Alt text",
        help_text="What the image shows, for readers who cannot see it, "
        "e.g. “Eight rowers lift a boat onto the river bank”.",
    )
    rights = forms.BooleanField(
        required=False,
        label="I hold the rights to publish this image and allow Herald to publish it.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("image")
        if not upload:
            return data
        cap = settings.HERALD_RELEASE_IMAGE_MAX_BYTES
        if upload.size is not None and upload.size > cap:
            self.add_error(
                "image", f"The image is larger than {cap // (1024 * 1024)} MB."
            )
            return data
        head = upload.read(512)
        upload.seek(0)
        name = (upload.name or "").lower()
        if name.endswith((".svg", ".svgz")) or b"<svg" in head.lower():
            self.add_error(
                "image", "SVG images are not accepted. Send a JPEG, PNG or WebP."
            )
        if not data.get("caption", "").strip():
            self.add_error("caption", "Write a caption for the image.")
        if not data.get("credit", "").strip():
            self.add_error("credit", "Credit the photographer or owner.")
        if not data.get("alt_text", "").strip():
            self.add_error(
                "alt_text", "Describe the image for readers who cannot see it."
            )
        if not data.get("rights"):
            self.add_error("rights", "Confirm that you hold the rights.")
        return data


def image_slots(data: Any, files: Any, free: int) -> list[ImageSlotForm]:
    return [
        ImageSlotForm(data, files, prefix=f"image{n}")
        for n in range(1, min(free, MAX_IMAGES) + 1)
    ]


class DecisionForm(forms.Form):
    """The moderator's decision, with the release's text to edit before approving."""

    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve"),
            ("changes", "Request changes"),
            ("reject", "Reject"),
        ]
    )
    headline = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=400, required=False)
    body = BodyField(
        max_length=60_000,
        help_text="As it will be published. The submitter's own text stays as "
        "they wrote it.",
    )
    dateline_city = forms.CharField(max_length=80)
    dateline_country = forms.CharField(max_length=80)
    section = forms.ModelChoiceField(queryset=Section.objects.all())
    editions = forms.ModelMultipleChoiceField(
        queryset=Edition.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.ChoiceField(
        choices=[("", "—"), *RejectReason.choices], required=False
    )
    message = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent to the submitter. Required to request changes or reject.",
    )

    def __init__(self, *args: Any, editions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["editions"].queryset = editions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision in {"changes", "reject"} and not data.get("message", "").strip():
            self.add_error("message", "Write the message to the submitter.")
        if decision == "reject" and not data.get("reason"):
            self.add_error("reason", "Choose the reason.")
        return data
