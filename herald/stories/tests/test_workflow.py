"""The workflow map, the actions that move stories, and who may make each move."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.models import Story, StoryEvent
from herald.stories.tests.factories import StoryFactory
from herald.stories.workflow import ALLOWED_TRANSITIONS, Status, TransitionNotAllowed

pytestmark = pytest.mark.django_db

EXPECTED_MAP = {
    "draft": {"in_review", "scheduled", "published"},
    "in_review": {"draft", "scheduled", "published"},
    "scheduled": {"draft", "published"},
    "published": {"retracted"},
    "retracted": set(),
}


def test_the_map_is_exactly_the_documented_workflow() -> None:
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == EXPECTED_MAP
    assert set(ALLOWED_TRANSITIONS) == set(Status.values)


def _story_in(status: str, make_story: StoryFactory, by: User) -> Story:
    story = make_story(publish=False)
    if status == Status.IN_REVIEW:
        actions.submit_for_review(story, by=by)
    elif status == Status.SCHEDULED:
        actions.schedule_story(story, by=by, at=timezone.now() + timedelta(hours=1))
    elif status == Status.PUBLISHED:
        actions.publish_story(story, by=by)
    elif status == Status.RETRACTED:
        actions.publish_story(story, by=by)
        actions.retract_story(story, by=by, note="Wrong")
    return story


def _move(story: Story, to: str, by: User) -> None:
    if to == Status.IN_REVIEW:
        actions.submit_for_review(story, by=by)
    elif to == Status.DRAFT:
        actions.return_to_draft(story, by=by)
    elif to == Status.SCHEDULED:
        actions.schedule_story(story, by=by, at=timezone.now() + timedelta(hours=2))
    elif to == Status.PUBLISHED:
        actions.publish_story(story, by=by)
    elif to == Status.RETRACTED:
        actions.retract_story(story, by=by, note="Retracted in a test")


@pytest.mark.parametrize("source", Status.values)
@pytest.mark.parametrize("target", Status.values)
def test_every_pair_of_states_is_allowed_or_refused_as_the_map_says(
    source: str, target: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = _story_in(source, make_story, admin_user)
    events = StoryEvent.objects.filter(story=story).count()
    if target in EXPECTED_MAP[source]:
        _move(story, target, admin_user)
        story.refresh_from_db()
        assert story.status == target
        event = StoryEvent.objects.filter(story=story).first()
        assert event is not None
        assert (event.from_status, event.to_status, event.by) == (
            source,
            target,
            admin_user,
        )
    else:
        with pytest.raises(TransitionNotAllowed):
            _move(story, target, admin_user)
        story.refresh_from_db()
        assert story.status == source
        assert StoryEvent.objects.filter(story=story).count() == events


def test_contributor_writes_and_submits_but_cannot_publish(
    make_story: StoryFactory, japan_writer: User, japan: Edition
) -> None:
    story = make_story(by=japan_writer, publish=False)
    actions.submit_for_review(story, by=japan_writer)
    with pytest.raises(PermissionDenied):
        actions.publish_story(story, by=japan_writer)
    with pytest.raises(PermissionDenied):
        actions.schedule_story(
            story, by=japan_writer, at=timezone.now() + timedelta(hours=1)
        )
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    # Once in review, the writer can no longer change the text.
    with pytest.raises(PermissionDenied):
        actions.update_story(story, by=japan_writer, headline="Changed")


def test_editor_of_one_edition_cannot_publish_or_edit_anothers_story(
    make_story: StoryFactory, japan_editor: User, india_editor: User, india: Edition
) -> None:
    story = make_story(publish=False, editions=[india])
    with pytest.raises(PermissionDenied):
        actions.publish_story(story, by=japan_editor)
    with pytest.raises(PermissionDenied):
        actions.update_story(story, by=japan_editor, headline="Hijacked")
    assert not Story.objects.editable_by(japan_editor).filter(pk=story.pk).exists()
    actions.publish_story(story, by=india_editor)
    assert Story.objects.get(pk=story.pk).status == Status.PUBLISHED


def test_editor_cannot_put_a_story_on_an_edition_outside_their_scope(
    make_story: StoryFactory, japan_editor: User, japan: Edition, india: Edition
) -> None:
    story = make_story(publish=False, by=japan_editor)
    with pytest.raises(PermissionDenied):
        actions.update_story(story, by=japan_editor, editions=[japan, india])
    assert list(story.editions.all()) == [japan]
    with pytest.raises(PermissionDenied):
        make_story(by=japan_editor, publish=False, editions=[japan, india])


def test_a_story_shared_with_another_edition_needs_an_editor_of_both(
    make_story: StoryFactory, japan_editor: User, japan: Edition, india: Edition
) -> None:
    story = make_story(publish=False, editions=[japan, india])
    with pytest.raises(PermissionDenied):
        actions.publish_story(story, by=japan_editor)


def test_retraction_needs_a_reason(make_story: StoryFactory, admin_user: User) -> None:
    story = make_story()
    with pytest.raises(ValidationError):
        actions.retract_story(story, by=admin_user, note="  ")
    assert Story.objects.get(pk=story.pk).status == Status.PUBLISHED


def test_text_edits_record_revisions_and_set_update_time_once_published(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    assert story.revisions.count() == 1 and story.updated_at is None
    actions.update_story(story, by=admin_user, body="<p>New text</p>", note="Fix")
    story.refresh_from_db()
    assert story.revisions.count() == 2
    assert story.revisions.first().note == "Fix"  # type: ignore[union-attr]
    assert story.updated_at is not None


def test_corrections_only_on_published_stories(
    make_story: StoryFactory, admin_user: User
) -> None:
    draft = make_story(publish=False)
    with pytest.raises(TransitionNotAllowed):
        actions.add_correction(draft, by=admin_user, text="x")
    story = make_story()
    actions.add_correction(story, by=admin_user, text="The bridge is 2 km long, not 3.")
    story.refresh_from_db()
    assert story.corrections.get().text == "The bridge is 2 km long, not 3."
    assert story.updated_at is not None


def test_body_is_sanitized_on_every_save(
    make_story: StoryFactory, japan_writer: User
) -> None:
    story = make_story(
        by=japan_writer,
        publish=False,
        body='<p onclick="x()">Hi<script>alert(1)</script></p>',
    )
    assert story.body == "<p>Hi</p>"
    actions.update_story(story, by=japan_writer, body='<a href="javascript:x()">a</a>')
    assert (
        Story.objects.get(pk=story.pk).body
        == '<a rel="noopener noreferrer nofollow">a</a>'
    )


def test_scheduling_in_the_past_is_refused(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(publish=False)
    with pytest.raises(ValidationError):
        actions.schedule_story(
            story, by=admin_user, at=timezone.now() - timedelta(minutes=1)
        )
    assert Story.objects.get(pk=story.pk).status == Status.DRAFT
