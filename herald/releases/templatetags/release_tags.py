"""Template filters of the submitter's pages: times in the submitter's own zone."""

from datetime import datetime

from django import template

from herald.core.timefmt import format_local, iso_local

register = template.Library()


@register.filter
def in_zone(moment: datetime | None, zone: str) -> str:
    """`05 Apr 2025, 01:00 GMT+9` in `zone`."""
    return format_local(moment, zone or "UTC") if moment else ""


@register.filter
def iso_in_zone(moment: datetime | None, zone: str) -> str:
    return iso_local(moment, zone or "UTC") if moment else ""
