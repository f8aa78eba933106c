"""A newer wire version applied to its story: text, revision, event, checks."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from herald.ingest.models import Source
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import ItemFactory
from herald.stories import actions as story_actions
from herald.stories.models import Revision, Story, StoryEvent
from herald.stories.workflow import Status

pytestmark = pytest.mark.django_db


def _story(source: Source, make_item: ItemFactory, **fields: object) -> Story:
    ingest_item(Context.for_source(source), make_item(version=1, **fields))
    return Story.objects.get()


def test_a_new_version_sanitizes_the_body_and_numbers_the_revision(
    wire_source: Source, make_item: ItemFactory
) -> None:
    story = _story(wire_source, make_item)
    before = story.modified_at
    returned = story_actions.update_wire_story(
        story,
        note="Wire update: version 2",
        headline="Aftershock felt in Sendai",
        body='<p onclick="x()">Calm.</p><script>alert(1)</script>',
    )
    stored = Story.objects.get()
    assert stored.headline == "Aftershock felt in Sendai"
    assert stored.body == "<p>Calm.</p>"
    assert stored.modified_at > before
    assert stored.updated_at == stored.modified_at
    latest = Revision.objects.filter(story=stored).order_by("-number").first()
    assert latest is not None
    assert (latest.number, latest.note) == (2, "Wire update: version 2")
    assert (latest.headline, latest.body) == (stored.headline, "<p>Calm.</p>")
    event = StoryEvent.objects.filter(story=stored).order_by("-pk").first()
    assert event is not None
    assert (event.action, event.from_status, event.to_status) == (
        "edit",
        Status.PUBLISHED,
        Status.PUBLISHED,
    )
    assert event.note == "Wire update: version 2"
    for seen in (returned, story):  # the caller's instance is refreshed too
        assert (seen.headline, seen.body) == (stored.headline, stored.body)
        assert seen.modified_at == stored.modified_at


def test_an_unchanged_text_records_an_event_but_no_revision(
    wire_source: Source, make_item: ItemFactory
) -> None:
    story = _story(wire_source, make_item)
    revisions = Revision.objects.count()
    story_actions.update_wire_story(story, note="same", headline=story.headline)
    assert Revision.objects.count() == revisions
    assert StoryEvent.objects.filter(action="edit", note="same").count() == 1


def test_a_story_in_review_is_not_marked_updated_for_readers(
    wire_source: Source, make_item: ItemFactory
) -> None:
    wire_source.auto_publish = False
    wire_source.save()
    story = _story(wire_source, make_item)
    assert story.status == Status.IN_REVIEW
    story_actions.update_wire_story(story, note="v2", headline="Revised")
    stored = Story.objects.get()
    assert (stored.headline, stored.updated_at) == ("Revised", None)


def test_a_retracted_story_is_left_as_it_is(
    wire_source: Source, make_item: ItemFactory
) -> None:
    story = _story(wire_source, make_item)
    Story.objects.filter(pk=story.pk).update(status=Status.RETRACTED)
    events = StoryEvent.objects.count()
    returned = story_actions.update_wire_story(story, note="v2", headline="Revised")
    assert returned.status == Status.RETRACTED
    assert Story.objects.get().headline == story.headline != "Revised"
    assert StoryEvent.objects.count() == events


def test_invalid_values_are_refused_field_by_field_and_nothing_is_written(
    wire_source: Source, make_item: ItemFactory
) -> None:
    story = _story(wire_source, make_item)
    headline = story.headline
    with pytest.raises(ValidationError) as raised:
        story_actions.update_wire_story(
            story,
            note="v2",
            headline="x" * 201,
            embargo_until=datetime(2026, 1, 1, tzinfo=UTC),
            provenance="rumour",
        )
    assert set(raised.value.message_dict) == {"headline", "provenance"}
    stored = Story.objects.get()
    assert (stored.headline, stored.embargo_until) == (headline, None)
    assert not StoryEvent.objects.filter(note="v2").exists()


def test_a_story_that_is_gone_is_reported(
    wire_source: Source, make_item: ItemFactory
) -> None:
    story = _story(wire_source, make_item)
    Story.objects.filter(pk=story.pk).delete()
    with pytest.raises(Story.DoesNotExist):
        story_actions.update_wire_story(story, note="v2", headline="Revised")
