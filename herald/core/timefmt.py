"""Show stored UTC times in an edition's own time zone, with its real offset."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError


def validate_time_zone(name: str) -> None:
    """Refuse a name that is not an IANA time zone."""
    if name not in available_timezones():
        raise ValidationError(f"{name!r} is not a known IANA time zone.")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - tzdata broken
        raise ValidationError(f"{name!r} is not a known IANA time zone.") from exc


def gmt_offset(offset: timedelta | None) -> str:
    """`GMT+9`, `GMT+5:30`, `GMT-3:30`, or `GMT` for a zero offset."""
    if not offset:
        return "GMT"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{mins:02d}" if mins else "")


def format_local(moment: datetime, zone: str) -> str:
    """`05 Apr 2025, 01:00 GMT+9` for an aware UTC time shown in `zone`."""
    if moment.tzinfo is None:
        raise ValueError("format_local needs an aware datetime.")
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%d %b %Y, %H:%M} {gmt_offset(local.utcoffset())}"


def iso_local(moment: datetime, zone: str) -> str:
    """ISO 8601 with the zone's offset, for <time datetime> and structured data."""
    return moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def local_to_utc(local: datetime, zone: str) -> datetime:
    """Read a naive desk time as wall-clock time in `zone`."""
    tz = ZoneInfo(zone)
    # The form field may have attached the server's zone; the wall time is what counts.
    local = local.replace(tzinfo=None)
    aware = local.replace(tzinfo=tz)
    # A wall time that does not exist (a spring-forward gap) does not round-trip.
    if aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != local:
        raise ValidationError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone} (clock change)."
        )
    return aware.astimezone(ZoneInfo("UTC"))
