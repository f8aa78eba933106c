"""The sign-up and preferences forms of the daily email."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from herald.stories.models import Section

# Bots fill every field they find; people never see this one (newsletter.css moves
# it off screen, and it is hidden from assistive technology and the tab order).
HONEYPOT = "website"


class SingleLineEmailField(forms.EmailField):
    """An email address on one line, at most 254 characters (RFC 5321)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            raise ValidationError("Enter the address on one line.", code="line_break")
        return super().to_python(value)


class SectionsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Section.objects.all(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": "Choose sections from the list.",
                "invalid_pk_value": "Choose sections from the list.",
            },
            **kwargs,
        )


class SubscribeForm(forms.Form):
    email = SingleLineEmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address such as name@example.com.",
        },
    )
    sections = SectionsField(label="Sections")
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "subscribe-%s")
        super().__init__(*args, **kwargs)

    def caught_a_bot(self) -> bool:
        """True when the hidden field was filled in, which people never do."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())


class PreferencesForm(forms.Form):
    sections = SectionsField(label="Sections")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "preferences-%s")
        super().__init__(*args, **kwargs)
