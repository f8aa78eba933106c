"""Show stored UTC times in an edition's own time zone, with its real offset."""

from datetime import datetime, timedelta
from functools import lru_cache
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


# The zones most newsrooms pick, first in every zone menu.
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def zone_label(name: str, now: datetime | None = None) -> str:
    """`Tokyo (GMT+9)`, `Argentina / Buenos Aires (GMT-3)`: a zone as people say
    it, with its offset now."""
    moment = now or datetime.now(ZoneInfo("UTC"))
    offset = gmt_offset(moment.astimezone(ZoneInfo(name)).utcoffset())
    if name == "UTC":
        return "UTC (GMT)"
    place = name.split("/", 1)[1] if name.split("/", 1)[0] in REGIONS else name
    return f"{place.replace('_', ' ').replace('/', ' / ')} ({offset})"


Choices = list[tuple[str, list[tuple[str, str]]]]


def zone_choices() -> Choices:
    """Every IANA zone for a menu, grouped: the common ones first, then one group
    a region (cities in order), then the old aliases (US/Eastern, Etc/GMT+5) so
    that a stored one still validates. Labels carry this hour's offsets."""
    now = datetime.now(ZoneInfo("UTC")).replace(minute=0, second=0, microsecond=0)
    return _zone_choices(now)


@lru_cache(maxsize=2)
def _zone_choices(now: datetime) -> Choices:
    names = available_timezones()
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    other: list[tuple[str, str]] = []
    for name in sorted(names):
        region = name.split("/", 1)[0]
        (groups[region] if region in groups and "/" in name else other).append(
            (name, zone_label(name, now))
        )
    common = [(z, zone_label(z, now)) for z in COMMON_ZONES if z in names]
    return [
        ("Common", common),
        *((region, groups[region]) for region in REGIONS if groups[region]),
        ("Other names", other),
    ]
