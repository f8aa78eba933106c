"""The desk's story forms: the story itself (scoped to the user's editions), a
workflow move and a correction."""

import difflib
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from herald.accounts.models import User
from herald.core.editor import BodyField
from herald.core.sanitize import body_from_desk, html_to_text
from herald.core.timefmt import gmt_offset, local_to_utc
from herald.editions.models import Edition
from herald.stories.models import Story
from herald.stories.workflow import Status


class StoryForm(forms.ModelForm):
    editions = forms.ModelMultipleChoiceField(
        queryset=Edition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The editions that show this story.",
    )
    body = BodyField(
        help_text="Paragraphs, headings, lists, links, quotes, bold and italics. "
        "Without the editor, leave a blank line between paragraphs."
    )
    embargo_until = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    # The story's version (its modified_at) when the form was opened: a save over
    # a newer version is refused (see clean), never silently lost.
    base_version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Story
        fields = (
            "headline",
            "slug",
            "standfirst",
            "body",
            "authors",
            "wire_byline",
            "agency_credit",
            "language",
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

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: Story | None = None
        self.opened_version: datetime | None = None
        # A story the user may only look at (retracted, or another's in review) gets
        # a form without fields: the admin shows them read-only.
        scope = Edition.objects.filter(pk__in=user.edition_ids())
        for name in ("editions", "origin_edition"):
            if name in self.fields:
                self.fields[name].queryset = scope  # type: ignore[attr-defined]
        if "slug" in self.fields:
            self.fields["slug"].required = False
        if self.instance.pk:
            if "editions" in self.fields:
                self.initial["editions"] = list(self.instance.editions.all())
            self.initial["base_version"] = self.instance.modified_at.isoformat()
        else:
            self._defaults(user, scope)
        if "embargo_until" in self.fields:
            self._embargo_in_zone()

    def _defaults(self, user: User, scope: Any) -> None:
        """A new story: the user's one edition as origin and target, and the
        primary section of the last story they wrote."""
        editions = list(scope[:2])
        if len(editions) == 1:
            self.initial.setdefault("origin_edition", editions[0].pk)
            self.initial.setdefault("editions", [editions[0].pk])
        last = (
            Story.objects.filter(created_by=user)
            .order_by("-created_at", "-id")
            .values_list("primary_section_id", flat=True)
            .first()
        )
        if last is not None:
            self.initial.setdefault("primary_section", last)

    def zone(self) -> str:
        """The zone the form's times are in: the origin edition's."""
        origin = (
            self.instance.origin_edition if self.instance.origin_edition_id else None
        )
        if origin is None and self.initial.get("origin_edition"):
            origin = Edition.objects.filter(pk=self.initial["origin_edition"]).first()
        return origin.time_zone if origin is not None else "UTC"

    def _embargo_in_zone(self) -> None:
        zone = self.zone()
        field = self.fields["embargo_until"]
        offset = gmt_offset(datetime.now(ZoneInfo(zone)).utcoffset())
        field.label = f"Embargo until ({zone}, {offset})"
        field.help_text = (
            "Wall-clock time in the origin edition's zone. Nothing public shows "
            "the story before it."
        )
        if self.instance.embargo_until:
            local = self.instance.embargo_until.astimezone(ZoneInfo(zone))
            self.initial["embargo_until"] = local.replace(tzinfo=None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        origin = data.get("origin_edition")
        zone = origin.time_zone if origin is not None else self.zone()
        if data.get("embargo_until"):
            try:
                data["embargo_until"] = local_to_utc(data["embargo_until"], zone)
            except ValidationError as exc:
                self.add_error("embargo_until", exc)
        base = data.pop("base_version", "")
        self._refuse_stale(base)
        self.opened_version = datetime.fromisoformat(base) if base else None
        return data

    def _refuse_stale(self, base: str) -> None:
        """Refuse a save over a version newer than the one the form was opened on."""
        if not self.instance.pk or "base_version" not in self.fields:
            return
        current = Story.objects.filter(pk=self.instance.pk).first()
        if current is None or current.modified_at.isoformat() == base:
            return
        self.conflict = current
        # Saving again, after reading the differences, saves over the new version.
        data = self.data.copy()  # type: ignore[attr-defined]
        data[self.add_prefix("base_version")] = current.modified_at.isoformat()
        self.data = data
        raise ValidationError(
            "Someone saved this story after you opened it. Your changes are not "
            "saved yet: compare them with the saved version below, then save "
            "again to keep yours.",
            code="stale",
        )


def story_changes(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for actions.create_story/update_story from a valid
    StoryForm's cleaned data (its editions and many-to-many fields included)."""
    data = dict(cleaned)
    if not data.get("slug"):
        data.pop("slug", None)
    return data


def conflict_diff(saved: Story, form: StoryForm) -> list[str]:
    """A unified diff from the saved version to the one in `form`'s data."""

    def lines(headline: str, standfirst: str, body: str) -> list[str]:
        paragraphs = re.split(r"</(?:p|h[2-4]|li|blockquote)>", body)
        return [headline, standfirst, *filter(None, map(html_to_text, paragraphs))]

    def value(name: str) -> str:
        return str(form.data.get(form.add_prefix(name), ""))

    return list(
        difflib.unified_diff(
            lines(saved.headline, saved.standfirst, saved.body),
            lines(
                value("headline"), value("standfirst"), body_from_desk(value("body"))
            ),
            "saved version",
            "your version",
            lineterm="",
            n=1,
        )
    )


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
