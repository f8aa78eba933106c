"""`{{ moment|in_zone:zone }}`: a stored UTC time as `07 Dec 2026, 22:10 GMT+9`.

Without a zone, the active one (the desk activates the user's zone)."""

from datetime import datetime

from django import template
from django.utils import timezone

from herald.core.timefmt import format_local

register = template.Library()


@register.filter
def in_zone(moment: datetime | None, zone: str = "") -> str:
    if moment is None:
        return ""
    return format_local(moment, zone or timezone.get_current_timezone_name())
