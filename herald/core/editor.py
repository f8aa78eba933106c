"""The desk's rich-text editor for story bodies and corrections.

The page works without JavaScript: the field is a plain text box, and blank lines
part paragraphs. With JavaScript, `desk/body_editor.js` turns the box into a
ProseMirror editor (django-prose-editor's bundle) offering exactly what the reader
pages allow: paragraphs, headings, lists, links, quotes, bold and italics. Pasted
text from a word processor or a web page goes through the editor's schema, which
keeps only those, and whatever arrives is sanitized on save by
`herald.core.sanitize.body_from_desk`, the one allowlist.
"""

from typing import Any

from django import forms

from herald.core.sanitize import body_from_desk


class BodyEditor(forms.Textarea):
    """A text box that the editor script upgrades in place."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"rows": 18, "data-herald-editor": "body", **(attrs or {})})

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            css={
                "all": (
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "desk/body_editor.css",
                )
            },
            js=(forms.Script("desk/body_editor.js", type="module"),),  # type: ignore[arg-type]
        )

    def use_required_attribute(self, initial: Any) -> bool:
        # The editor hides the text box; a hidden required box blocks submitting
        # with a message the user cannot see. The server says what is missing.
        return False


class BodyField(forms.CharField):
    """A body: rich HTML or plain text in, sanitized HTML out."""

    widget = BodyEditor

    def clean(self, value: Any) -> str:
        cleaned = body_from_desk(super().clean(value) or "")
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], "required")
        return cleaned
