"""Template filters for reader pages: local times with offsets, datelines, teasers."""

from datetime import datetime

from django import template

from herald.core.timefmt import format_local, iso_local
from herald.editions.models import Edition

register = template.Library()


@register.filter
def local_time(moment: datetime | None, edition: Edition | None) -> str:
    """`05 Apr 2025, 01:00 GMT+9` in the edition's time zone."""
    if moment is None:
        return ""
    return format_local(moment, edition.time_zone if edition else "UTC")


@register.filter
def local_iso(moment: datetime | None, edition: Edition | None) -> str:
    if moment is None:
        return ""
    return iso_local(moment, edition.time_zone if edition else "UTC")
