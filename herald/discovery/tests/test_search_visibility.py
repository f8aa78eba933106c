"""Search hides what readers may not see, and its index keeps up with every change."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from herald.accounts.models import User
from herald.discovery.models import SearchEntry
from herald.discovery.search import get_backend
from herald.discovery.tests.search_support import found_ids, index
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.stories import actions
from herald.stories.models import Story
from herald.stories.tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


# --- What readers may not see ---------------------------------------------------------


def test_embargoed_and_retracted_stories_are_never_found(
    make_story: StoryFactory, japan: Edition, admin_user: User
) -> None:
    visible = make_story(headline="Harvest festival begins")
    embargoed = make_story(
        headline="Harvest figures under embargo",
        embargo_until=timezone.now() + timedelta(hours=2),
    )
    retracted = make_story(headline="Harvest story retracted")
    index(visible, embargoed, retracted)
    actions.retract_story(retracted, by=admin_user, note="Wrong figures.")
    # Whatever the index holds, the reader's query checks the story row.
    index(retracted)
    assert found_ids("harvest", japan) == [visible.pk]
    get_backend().rebuild()
    assert found_ids("harvest", japan) == [visible.pk]
    assert not SearchEntry.objects.filter(story=retracted).exists()
    # The embargo lifts: the story is found with no change to the index.
    later = timezone.now() + timedelta(hours=3)
    assert set(found_ids("harvest", japan, now=later)) == {visible.pk, embargoed.pk}


def test_a_stale_entry_of_a_retracted_story_is_still_hidden(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Harvest story retracted")
    index(story)
    Story.objects.filter(pk=story.pk).update(status="retracted")  # no signal
    assert found_ids("harvest", japan) == []


def test_drafts_and_scheduled_stories_are_not_indexed(
    make_story: StoryFactory, admin_user: User
) -> None:
    draft = make_story(headline="Harvest draft", publish=False)
    scheduled = make_story(headline="Harvest scheduled", publish=False)
    actions.schedule_story(
        scheduled, by=admin_user, at=timezone.now() + timedelta(hours=1)
    )
    assert get_backend().index_story(draft) is False
    assert get_backend().index_story(scheduled) is False
    get_backend().rebuild()
    assert not SearchEntry.objects.exists()


def test_a_story_on_three_editions_is_found_once_on_each_and_not_elsewhere(
    make_story: StoryFactory, japan: Edition, india: Edition
) -> None:
    gulf = make_edition("gulf-herald", "Gulf Herald", "Asia/Dubai")
    canada = make_edition("canada-herald", "Canada Herald", "America/Toronto")
    story = make_story(headline="Trade summit opens", editions=[japan, india, gulf])
    index(story)
    for edition in (japan, india, gulf):
        assert found_ids("trade summit", edition) == [story.pk]
        page = Client(HTTP_HOST=f"{edition.slug}.localhost").get("/search/?q=trade")
        assert page.content.decode().count(f'href="{story.get_absolute_url()}"') == 1
    assert found_ids("trade summit", canada) == []


def test_unknown_host_answers_404(japan: Edition) -> None:
    assert Client(HTTP_HOST="nowhere.localhost").get("/search/?q=x").status_code == 404


def test_search_page_is_public_and_cacheable(client: Client, japan: Edition) -> None:
    response = client.get("/search/?q=harbour")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and not response.cookies
    assert (
        client.get(
            "/search/?q=harbour", HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, follow">' in body
    assert "<fieldset" in body and "<legend>Filter results</legend>" in body
    for name in ("search-q", "id_section", "id_place", "id_provenance", "id_from"):
        assert f'for="{name}"' in body and f'id="{name}"' in body


# --- Keeping the index up to date -----------------------------------------------------


def test_rebuild_command_indexes_existing_stories_and_is_idempotent(
    make_story: StoryFactory, japan: Edition, capsys: Any
) -> None:
    stories = [make_story(headline=f"Marathon route {i}") for i in range(3)]
    draft = make_story(headline="Marathon draft", publish=False)
    SearchEntry.objects.create(
        story=draft, headline="Marathon stale", public_at=timezone.now()
    )
    assert found_ids("marathon", japan) == []
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "3 stories indexed, 1 entries removed" in out
    assert set(found_ids("marathon", japan)) == {s.pk for s in stories}
    call_command("rebuild_search_index")
    assert "3 stories indexed, 0 entries removed" in capsys.readouterr().out
    assert sorted(found_ids("marathon", japan)) == sorted(s.pk for s in stories)
    assert SearchEntry.objects.count() == 3


def test_deleting_a_story_removes_its_entry(
    make_story: StoryFactory, japan: Edition
) -> None:
    story = make_story(headline="Marathon route")
    index(story)
    Story.objects.filter(pk=story.pk).delete()
    assert not SearchEntry.objects.exists()
    index(make_story(headline="Marathon again"))
    assert len(found_ids("marathon", japan)) == 1


@pytest.mark.django_db(transaction=True)
def test_publishing_correcting_and_retracting_update_the_index_through_the_queue(
    make_story: StoryFactory, japan: Edition, admin_user: User
) -> None:
    story = make_story(headline="Glacier survey published", publish=False)
    actions.publish_story(story, by=admin_user)
    assert found_ids("glacier", japan) == []  # not until the worker runs
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("glacier", japan) == [story.pk]
    actions.update_story(
        story, by=admin_user, body="<p>The survey found the ice sheet thinning.</p>"
    )
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("ice sheet", japan) == [story.pk]
    actions.add_correction(story, by=admin_user, text="The survey began in May.")
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("glacier", japan) == [story.pk]
    actions.retract_story(story, by=admin_user, note="The survey was not real.")
    call_command("worker", "--batch", verbosity=0)
    assert found_ids("glacier", japan) == []
    assert not SearchEntry.objects.filter(story=story).exists()
    call_command("worker", "--batch", verbosity=0)  # running again changes nothing
    assert not SearchEntry.objects.exists()
