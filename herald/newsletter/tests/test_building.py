"""Building the daily issue: when it is due in each edition's own time zone (across
daylight-saving changes), what it holds, and that it is built exactly once."""

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from herald.editions.middleware import forget_hosts
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.newsletter import building
from herald.newsletter.building import (
    build_issue,
    build_time,
    due_issues,
    local_date_due,
)
from herald.newsletter.models import Issue, IssueStatus
from herald.stories.models import LocalVersion, Provenance, Section, Story
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def london(db: None) -> Edition:
    forget_hosts()
    return make_edition("london-herald", "London Herald", "Europe/London")


@pytest.fixture
def new_york(db: None) -> Edition:
    forget_hosts()
    return make_edition("new-york-herald", "New York Herald", "America/New_York")


@pytest.fixture(autouse=True)
def _forget_warnings() -> Iterator[None]:
    building._warned.clear()
    yield
    building._warned.clear()


def published(story: Story, at: datetime, **fields: Any) -> Story:
    Story.objects.filter(pk=story.pk).update(published_at=at, **fields)
    story.refresh_from_db()
    return story


# --- When an issue is due -----------------------------------------------------


def test_tokyo_issue_is_due_from_six_in_the_morning_japan_time(japan: Edition) -> None:
    # 06:00 JST on 5 April is 21:00 UTC on 4 April.
    assert build_time(japan, date(2025, 4, 5)) == utc(2025, 4, 4, 21)
    assert local_date_due(japan, utc(2025, 4, 4, 20, 59, 59)) is None
    assert local_date_due(japan, utc(2025, 4, 4, 21)) == date(2025, 4, 5)
    assert local_date_due(japan, utc(2025, 4, 5, 14, 59)) == date(2025, 4, 5)
    # Midnight in Tokyo: a new local day whose hour has not come yet.
    assert local_date_due(japan, utc(2025, 4, 5, 15)) is None


def test_london_hour_moves_in_utc_with_the_clocks_and_tokyo_does_not(
    japan: Edition, london: Edition
) -> None:
    # British Summer Time starts at 01:00 UTC on Sunday 30 March 2025.
    assert build_time(london, date(2025, 3, 29)) == utc(2025, 3, 29, 6)
    assert build_time(london, date(2025, 3, 30)) == utc(2025, 3, 30, 5)
    # ...and ends at 01:00 UTC on Sunday 26 October 2025.
    assert build_time(london, date(2025, 10, 25)) == utc(2025, 10, 25, 5)
    assert build_time(london, date(2025, 10, 26)) == utc(2025, 10, 26, 6)
    assert build_time(japan, date(2025, 3, 30)) == utc(2025, 3, 29, 21)
    assert build_time(japan, date(2025, 10, 26)) == utc(2025, 10, 25, 21)
    # The same instant is before London's hour and after Tokyo's.
    moment = utc(2025, 3, 30, 4, 59)
    assert local_date_due(london, moment) is None
    assert local_date_due(japan, moment) == date(2025, 3, 30)
    assert local_date_due(london, utc(2025, 3, 30, 5)) == date(2025, 3, 30)


def test_hour_skipped_by_spring_forward_is_due_at_the_change(
    new_york: Edition, london: Edition
) -> None:
    new_york.newsletter_hour = 2  # 02:00 does not exist on 9 March 2025
    assert build_time(new_york, date(2025, 3, 9)) == utc(2025, 3, 9, 7)  # 03:00 EDT
    assert local_date_due(new_york, utc(2025, 3, 9, 6, 59, 59)) is None
    assert local_date_due(new_york, utc(2025, 3, 9, 7)) == date(2025, 3, 9)
    london.newsletter_hour = 1  # 01:00 does not exist on 30 March 2025
    assert build_time(london, date(2025, 3, 30)) == utc(2025, 3, 30, 1)  # 02:00 BST


def test_hour_repeated_by_fall_back_is_due_at_its_first_occurrence(
    new_york: Edition, london: Edition
) -> None:
    new_york.newsletter_hour = 1  # 01:00 happens twice on 2 November 2025
    assert build_time(new_york, date(2025, 11, 2)) == utc(2025, 11, 2, 5)  # EDT
    assert local_date_due(new_york, utc(2025, 11, 2, 4, 59, 59)) is None
    assert local_date_due(new_york, utc(2025, 11, 2, 5)) == date(2025, 11, 2)
    assert local_date_due(new_york, utc(2025, 11, 2, 6, 30)) == date(2025, 11, 2)
    london.newsletter_hour = 1  # 01:00 happens twice on 26 October 2025
    assert build_time(london, date(2025, 10, 26)) == utc(2025, 10, 26, 0)  # BST


def _sweep(start: datetime, end: datetime) -> None:
    """Run the worker's schedule every 15 minutes from `start` to `end`."""
    moment = start
    while moment <= end:
        due_issues(moment)
        moment += timedelta(minutes=15)


def _built(edition: Edition) -> dict[date, datetime]:
    return dict(
        Issue.objects.filter(edition=edition).values_list("local_date", "built_at")
    )


def test_two_zones_across_fall_back_build_each_issue_once_at_its_hour(
    japan: Edition, new_york: Edition
) -> None:
    new_york.newsletter_hour = 1
    new_york.save()
    _sweep(utc(2025, 10, 31, 12), utc(2025, 11, 3, 12))
    # New York's 01:00: EDT (05:00 UTC), then on the change day the first 01:00
    # (EDT again, not the repeated EST one at 06:00 UTC), then EST (06:00 UTC).
    assert _built(new_york) == {
        date(2025, 11, 1): utc(2025, 11, 1, 5),
        date(2025, 11, 2): utc(2025, 11, 2, 5),
        date(2025, 11, 3): utc(2025, 11, 3, 6),
    }
    # Tokyo keeps 21:00 UTC the day before; the 31 October issue (15 hours late
    # when the sweep began) waits for a person.
    assert _built(japan) == {
        date(2025, 11, 1): utc(2025, 10, 31, 21),
        date(2025, 11, 2): utc(2025, 11, 1, 21),
        date(2025, 11, 3): utc(2025, 11, 2, 21),
    }


def test_two_zones_across_spring_forward_build_each_issue_once_at_its_hour(
    japan: Edition, london: Edition
) -> None:
    london.newsletter_hour = 1
    london.save()
    _sweep(utc(2025, 3, 28, 12), utc(2025, 3, 31, 12))
    assert _built(london) == {
        date(2025, 3, 29): utc(2025, 3, 29, 1),  # 01:00 GMT
        date(2025, 3, 30): utc(2025, 3, 30, 1),  # 01:00 skipped: 02:00 BST
        date(2025, 3, 31): utc(2025, 3, 31, 0),  # 01:00 BST
    }
    assert _built(japan) == {
        date(2025, 3, 29): utc(2025, 3, 28, 21),
        date(2025, 3, 30): utc(2025, 3, 29, 21),
        date(2025, 3, 31): utc(2025, 3, 30, 21),
    }


# --- Built once ---------------------------------------------------------------


def test_building_twice_gives_one_issue(
    japan: Edition, make_story: StoryFactory
) -> None:
    make_story()
    day = date.today()
    first = build_issue(japan, day)
    second = build_issue(japan, day)
    assert first.pk == second.pk
    assert Issue.objects.filter(edition=japan, local_date=day).count() == 1


def test_insert_that_loses_the_race_returns_the_other_processs_row(
    japan: Edition,
) -> None:
    # Another process inserted the row after this one looked and found none.
    theirs = Issue.objects.create(
        edition=japan, local_date=date(2025, 4, 5), subject="Theirs"
    )
    issue, created = building._create(
        japan, date(2025, 4, 5), subject="Mine", contents={}, status="built"
    )
    assert (issue.pk, created, issue.subject) == (theirs.pk, False, "Theirs")
    assert Issue.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_builds_make_one_row_and_all_return_it(
    japan: Edition, make_story: StoryFactory
) -> None:
    make_story()
    start = threading.Barrier(6)
    results: list[int] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            start.wait()
            results.append(build_issue(japan, date(2025, 4, 5), now=utc(2025, 4, 5)).pk)
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 6 and len(set(results)) == 1
    assert Issue.objects.count() == 1


# --- What an issue holds ------------------------------------------------------


def test_issue_holds_public_stories_of_the_last_day_with_releases_apart(
    japan: Edition, india: Edition, section: Section, make_story: StoryFactory
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)  # 2025-04-04 21:00 UTC
    business = Section.objects.create(name="Business", slug="business", position=1)
    recent = published(make_story(headline="Recent"), at - timedelta(hours=1))
    lead = published(
        make_story(headline="Featured lead", is_featured=True),
        at - timedelta(hours=20),
    )
    trade = published(
        make_story(headline="Trade", primary_section=business),
        at - timedelta(hours=3),
    )
    release = published(
        make_story(headline="A company opens", provenance=Provenance.RELEASE),
        at - timedelta(hours=2),
    )
    # Embargo lifted inside the day: new to readers, so it is in.
    lifted = published(
        make_story(headline="Lifted"),
        at - timedelta(hours=30),
        embargo_until=at - timedelta(hours=4),
    )
    # Left out: too old, on another edition, still under embargo, retracted,
    # a draft, and published after the build time.
    published(make_story(headline="Old"), at - timedelta(hours=25))
    published(make_story(headline="India only", editions=[india]), at)
    published(
        make_story(headline="Embargoed"),
        at - timedelta(hours=2),
        embargo_until=at + timedelta(hours=1),
    )
    published(
        make_story(headline="Retracted"),
        at - timedelta(hours=2),
        status=Status.RETRACTED,
    )
    make_story(headline="Draft", publish=False)
    published(make_story(headline="Later"), at + timedelta(minutes=1))

    issue = build_issue(japan, day, now=at + timedelta(hours=2))
    assert issue.status == IssueStatus.BUILT
    # Featured first, then newest first by publication.
    assert issue.contents["top"] == [lead.pk, recent.pk, trade.pk, lifted.pk]
    assert issue.contents["releases"] == [release.pk]
    assert issue.contents["sections"] == {}
    assert issue.subject == "Japan Herald daily: Saturday 5 April 2025 — Featured lead"


def test_stories_beyond_the_top_five_are_grouped_by_section(
    japan: Edition, section: Section, make_story: StoryFactory
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)
    business = Section.objects.create(name="Business", slug="business", position=1)
    world = [published(make_story(), at - timedelta(hours=n)).pk for n in range(1, 7)]
    trade = published(make_story(primary_section=business), at - timedelta(hours=10)).pk
    issue = build_issue(japan, day, now=at)
    assert issue.contents["top"] == world[:5]
    assert issue.contents["sections"] == {
        str(section.pk): world[5:],
        str(business.pk): [trade],
    }


def test_edition_with_nothing_new_skips_the_day(
    japan: Edition, make_story: StoryFactory
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)
    published(make_story(), at - timedelta(hours=30))
    assert due_issues(at) == []
    issue = Issue.objects.get(edition=japan, local_date=day)
    assert issue.status == IssueStatus.SKIPPED
    assert issue.contents == {"top": [], "sections": {}, "releases": []}


def test_subject_uses_the_editions_own_headline_on_one_line(
    japan: Edition, make_story: StoryFactory
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)
    published(make_story(headline="Wire\nheadline"), at - timedelta(hours=1))
    issue = build_issue(japan, day, now=at)
    assert issue.subject.endswith("— Wire headline")
    story = published(make_story(headline="Shared"), at + timedelta(hours=2))
    LocalVersion.objects.create(story=story, edition=japan, headline="Our own")
    assert (
        build_issue(japan, date(2025, 4, 6), now=at + timedelta(hours=23)).subject
        == "Japan Herald daily: Sunday 6 April 2025 — Our own"
    )


def test_issue_built_early_by_hand_holds_only_what_is_public_then(
    japan: Edition, make_story: StoryFactory
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)
    shown = published(make_story(), at - timedelta(hours=5))
    published(
        make_story(),
        at - timedelta(hours=5),
        embargo_until=at - timedelta(hours=1),
    )
    issue = build_issue(japan, day, now=at - timedelta(hours=2))
    assert issue.contents["top"] == [shown.pk]


# --- The schedule -------------------------------------------------------------


def test_due_issues_builds_and_returns_only_new_nonempty_issues(
    japan: Edition, india: Edition, make_story: StoryFactory
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)
    published(make_story(), at - timedelta(hours=1))
    built = due_issues(at)
    assert [(i.edition_id, i.local_date) for i in built] == [(japan.pk, day)]
    # India's hour (06:00 IST, 00:30 UTC) has not come; a second sweep builds
    # nothing new.
    assert not Issue.objects.filter(edition=india).exists()
    assert due_issues(at + timedelta(minutes=1)) == []


def test_inactive_edition_gets_no_issue(
    japan: Edition, make_story: StoryFactory
) -> None:
    Edition.objects.filter(pk=japan.pk).update(is_active=False)
    at = build_time(japan, date(2025, 4, 5))
    published(make_story(), at - timedelta(hours=1))
    assert due_issues(at) == []
    assert not Issue.objects.exists()


def test_far_past_due_issue_waits_for_a_person(
    japan: Edition, make_story: StoryFactory, caplog: pytest.LogCaptureFixture
) -> None:
    day = date(2025, 4, 5)
    at = build_time(japan, day)
    published(make_story(), at - timedelta(hours=1))
    with caplog.at_level(logging.WARNING, logger="herald.newsletter.building"):
        assert due_issues(at + timedelta(hours=3, seconds=1)) == []
        assert due_issues(at + timedelta(hours=3, minutes=1)) == []
    assert not Issue.objects.exists()
    warnings = [r for r in caplog.records if "far past due" in r.getMessage()]
    assert len(warnings) == 1  # once, not at every sweep
    assert warnings[0].local_date == "2025-04-05"  # type: ignore[attr-defined]
    # A person decides: `herald send_newsletters --edition --date` builds it.
    assert build_issue(japan, day).status == IssueStatus.BUILT


def test_issue_within_the_late_window_is_still_built(
    japan: Edition, make_story: StoryFactory
) -> None:
    at = build_time(japan, date(2025, 4, 5))
    published(make_story(), at - timedelta(hours=1))
    assert len(due_issues(at + timedelta(hours=2, minutes=59))) == 1


def test_late_hour_missed_across_midnight_is_built_the_next_day(
    london: Edition, make_story: StoryFactory
) -> None:
    london.newsletter_hour = 23
    london.save()
    day = date(2025, 1, 10)
    at = build_time(london, day)  # 23:00 GMT
    published(make_story(editions=[london]), at - timedelta(hours=1))
    # The worker was down at 23:00 and sweeps again at 00:30 the next day.
    built = due_issues(at + timedelta(minutes=90))
    assert [i.local_date for i in built] == [day]
