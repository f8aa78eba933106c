"""Times show in each edition's zone with its real offset, half-hours included."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from herald.core.timefmt import format_local, iso_local, validate_time_zone


@pytest.mark.parametrize(
    ("utc", "zone", "shown"),
    [
        (
            datetime(2025, 4, 4, 16, 0, tzinfo=UTC),
            "Asia/Tokyo",
            "05 Apr 2025, 01:00 GMT+9",
        ),
        (
            datetime(2025, 4, 4, 16, 0, tzinfo=UTC),
            "Asia/Kolkata",
            "04 Apr 2025, 21:30 GMT+5:30",
        ),
        (
            datetime(2025, 4, 4, 16, 0, tzinfo=UTC),
            "Asia/Kathmandu",
            "04 Apr 2025, 21:45 GMT+5:45",
        ),
        (
            datetime(2025, 1, 10, 12, 0, tzinfo=UTC),
            "America/St_Johns",
            "10 Jan 2025, 08:30 GMT-3:30",
        ),
        (
            datetime(2025, 7, 10, 12, 0, tzinfo=UTC),
            "America/St_Johns",
            "10 Jul 2025, 09:30 GMT-2:30",
        ),
        (
            datetime(2025, 1, 10, 12, 0, tzinfo=UTC),
            "Europe/London",
            "10 Jan 2025, 12:00 GMT",
        ),
        (
            datetime(2025, 7, 10, 12, 0, tzinfo=UTC),
            "Europe/London",
            "10 Jul 2025, 13:00 GMT+1",
        ),
        (
            datetime(2025, 7, 10, 12, 0, tzinfo=UTC),
            "America/Toronto",
            "10 Jul 2025, 08:00 GMT-4",
        ),
        (
            datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
            "Asia/Dubai",
            "01 Jan 2026, 03:30 GMT+4",
        ),
    ],
)
def test_local_time_shows_the_zones_real_offset(
    utc: datetime, zone: str, shown: str
) -> None:
    assert format_local(utc, zone) == shown


def test_iso_local_carries_the_offset() -> None:
    moment = datetime(2025, 4, 4, 16, 0, tzinfo=UTC)
    assert iso_local(moment, "Asia/Kolkata") == "2025-04-04T21:30:00+05:30"


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_local(datetime(2025, 1, 1), "UTC")


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "utc+9"])
def test_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_time_zone(name)


def test_zone_menus_put_common_zones_first_and_group_the_rest_by_region() -> None:
    from zoneinfo import available_timezones

    from herald.core.timefmt import zone_choices

    groups = zone_choices()
    names = [name for name, _ in groups]
    assert names[0] == "Common" and names[-1] == "Other names"
    assert {"Asia", "Europe", "America", "Africa", "Pacific"} <= set(names)
    common = dict(groups[0][1])
    assert common["Asia/Tokyo"] == "Tokyo (GMT+9)"
    assert common["Asia/Kolkata"] == "Kolkata (GMT+5:30)"
    asia = dict(groups[names.index("Asia")][1])
    assert "Asia/Tokyo" in asia and all(z.startswith("Asia/") for z in asia)
    america = dict(groups[names.index("America")][1])
    assert america["America/Argentina/Buenos_Aires"].startswith(
        "Argentina / Buenos Aires (GMT-3"
    )
    # Every zone can still be chosen, old aliases included.
    offered = {zone for _, options in groups for zone, _ in options}
    assert offered == set(available_timezones())
