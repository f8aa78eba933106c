"""A source's usage terms: the editions its copy may run on, a hold after the
agency's time, and an end to the rights, after which the story comes off every
page, list, feed and answer with the reason recorded."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from herald.accounts.models import User
from herald.core import schedules
from herald.editions.models import Edition
from herald.ingest.models import ItemState, Source, WireItem
from herald.ingest.storing import NOT_ALLOWED, Context, ingest_item
from herald.ingest.tests.factories import make_item, make_source
from herald.ingest.wire_to_story import Placement, make_story_from_item
from herald.stories.actions import withdraw_expired_stories
from herald.stories.models import Section, Story
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(japan: Edition, india: Edition, section: Section) -> Source:
    source = make_source("kyodo", agency="Kyodo", auto_publish=True)
    source.default_editions.set([japan, india])
    source.default_sections.set([section])
    return source


def ingest(source: Source, **fields: object) -> WireItem:
    item = make_item(**fields)  # type: ignore[arg-type]
    ingest_item(Context.for_source(source), item)
    return WireItem.objects.get(source=source, guid=item.guid)


def test_copy_runs_only_on_the_editions_its_terms_allow(
    source: Source, japan: Edition, india: Edition
) -> None:
    source.allowed_editions.set([japan])
    story = ingest(source).story
    assert story is not None
    assert list(story.editions.all()) == [japan]


def test_copy_routed_only_where_it_may_not_run_is_held_with_the_reason(
    source: Source, japan: Edition, india: Edition, section: Section
) -> None:
    source.default_editions.set([india])
    source.allowed_editions.set([japan])
    item = ingest(source)
    assert item.story is None
    assert (item.state, item.note) == (ItemState.UNROUTED, NOT_ALLOWED)


def test_the_desk_may_not_place_copy_where_its_terms_forbid(
    source: Source,
    japan: Edition,
    india: Edition,
    section: Section,
    admin_user: User,
) -> None:
    source.default_editions.set([])
    source.allowed_editions.set([japan])
    item = ingest(source)
    placement = Placement(
        origin_edition=india, editions=(india,), primary_section=section
    )
    with pytest.raises(ValidationError, match="usage terms do not allow India Herald"):
        make_story_from_item(item, by=admin_user, placement=placement)
    assert not Story.objects.exists()


def test_a_hold_after_the_agency_s_time_embargoes_unless_the_item_holds_longer(
    source: Source,
) -> None:
    sent = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    source.embargo_minutes = 90
    source.save()
    held = ingest(source, guid="a", first_created=sent).story
    assert held is not None
    assert held.embargo_until == sent + timedelta(minutes=90)
    later = sent + timedelta(hours=5)
    own = ingest(
        source,
        guid="b",
        headline="Rice prices rise for a third month",
        body_html="<p>Rice prices rose for a third month in a row as the harvest "
        "fell short, the farm ministry said, and importers expect more.</p>",
        first_created=sent,
        embargo_until=later,
    ).story
    assert own is not None and own.embargo_until == later


def test_copy_whose_rights_ended_comes_off_with_the_reason_recorded(
    source: Source, japan: Edition
) -> None:
    source.expiry_days = 2
    source.save()
    sent = timezone.now() - timedelta(days=3)
    story = ingest(source, first_created=sent, updated_at=sent).story
    assert story is not None and story.status == Status.PUBLISHED
    assert story.expires_at == sent + timedelta(days=2)
    page = Client(HTTP_HOST="japan-herald.localhost")
    assert page.get(story.get_absolute_url()).status_code == 200

    # The worker's sweep withdraws it; a second sweep finds nothing to do.
    assert schedules.run_all()["stories.withdraw_expired"] == 1
    assert withdraw_expired_stories() == 0
    story.refresh_from_db()
    assert story.status == Status.RETRACTED
    assert "Usage rights ended" in story.retraction_note
    assert "Kyodo's terms" in story.retraction_note
    assert page.get(story.get_absolute_url()).status_code == 410
    assert story.headline not in page.get("/").content.decode()


def test_copy_within_its_rights_stays(source: Source) -> None:
    source.expiry_days = 30
    source.save()
    story = ingest(source, first_created=timezone.now()).story
    assert withdraw_expired_stories() == 0
    assert story is not None
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
