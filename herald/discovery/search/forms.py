"""The search page's form: the words, the filters and the page, validated."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from herald.discovery.search.base import SearchQuery
from herald.discovery.search.query import MAX_QUERY_LENGTH
from herald.editions.models import Edition
from herald.stories.models import Place, Provenance, Section

EARLIEST = date(1800, 1, 1)
LATEST = date(2200, 12, 31)


class QueryField(forms.CharField):
    """Any text searches: NUL characters (which databases refuse) become spaces."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace("\x00", " ")


class SearchForm(forms.Form):
    """GET parameters q, section, place, provenance, from, to and page.

    The template draws the controls itself (search.html): 50 places through
    Django's widget templates would cost more than the search.
    """

    q = QueryField(label="Search for", required=False)
    section = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose a section from the list."},
    )
    place = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose a place from the list."},
    )
    provenance = forms.ChoiceField(
        label="Source",
        choices=[("", "All sources"), *Provenance.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a source from the list."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "The page number is not valid.",
            "min_value": "The page number is not valid.",
        },
    )

    def __init__(
        self, data: Any, *, sections: list[Section] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        if sections is None:
            sections = list(Section.objects.all())
        self.section_ids = {s.slug: s.pk for s in sections}
        self._choices("section", [(s.slug, s.name) for s in sections], "All sections")
        places = list(Place.objects.values_list("slug", "name", "country", "pk"))
        self.place_ids = {slug: pk for slug, _, _, pk in places}
        self._choices(
            "place",
            [(slug, f"{name}, {country}") for slug, name, country, _ in places],
            "All places",
        )
        # "from" is a Python keyword, so the date fields are added here.
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                error_messages={"invalid": "Enter a date such as 2025-04-30."},
            )

    def _choices(self, name: str, choices: list[tuple[str, str]], empty: str) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", empty), *choices]

    def clean_q(self) -> str:
        # Longer text is cut, not refused: a pasted paragraph still searches.
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("from", "to"):
            value = data.get(name)
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(
                    name, f"Choose a date from {EARLIEST.year} to {LATEST.year}."
                )
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise ValidationError("The start date is after the end date.")
        return data

    @property
    def has_filters(self) -> bool:
        return any(
            self.cleaned_data.get(name)
            for name in ("section", "place", "provenance", "from", "to")
        )

    def search_query(self, edition: Edition) -> SearchQuery:
        """The validated search, with dates as the edition's local days."""
        data = self.cleaned_data
        zone = ZoneInfo(edition.time_zone)

        def day_start(day: date | None) -> datetime | None:
            return datetime.combine(day, time.min, tzinfo=zone) if day else None

        end = data.get("to")
        return SearchQuery(
            text=data.get("q", ""),
            edition_id=edition.pk,
            section_id=self.section_ids.get(data.get("section", "")),
            place_id=self.place_ids.get(data.get("place", "")),
            provenance=data.get("provenance", ""),
            starts=day_start(data.get("from")),
            ends=day_start(end + timedelta(days=1)) if end else None,
            page=data.get("page") or 1,
        )
