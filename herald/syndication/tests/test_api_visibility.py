"""The ninjs API: cursor pages, what is never served, editions and limited partners."""

import re
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from herald.accounts.models import User
from herald.editions.models import Edition
from herald.editions.tests.factories import make_edition
from herald.stories import actions
from herald.stories.models import LocalVersion
from herald.stories.tests.factories import StoryFactory
from herald.syndication.models import ApiPartner
from herald.syndication.tests.api_support import (
    ITEMS,
    get,
    ids,
    items_of,
    set_times,
)

pytestmark = pytest.mark.django_db


# --- pages --------------------------------------------------------------------
def _walk(client: Client, key: str, **params: Any) -> list[int]:
    seen: list[int] = []
    response = get(client, ITEMS, key, limit=3, **params)
    while True:
        seen += ids(response)
        next_url = response.json()["next"]
        if next_url is None:
            assert "Link" not in response
            return seen
        assert response["Link"] == f'<{next_url}>; rel="next"'
        response = client.get(next_url, headers={"Authorization": f"Bearer {key}"})


def test_cursor_pages_walk_every_item_exactly_once(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    same_time = timezone.now() - timedelta(hours=2)
    stories = [make_story() for _ in range(10)]
    for story in stories[:5]:  # ties on the time are broken by id
        set_times(story, published_at=same_time, modified_at=same_time)
    walked = _walk(client, key)
    assert sorted(walked) == sorted(s.pk for s in stories)
    assert len(walked) == len(set(walked))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    changes = _walk(client, key, updated_since=since)
    assert sorted(changes) == sorted(s.pk for s in stories)
    assert len(changes) == len(set(changes))


def test_tampered_cursor_is_refused_with_400(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    for _ in range(3):
        make_story()
    next_url = get(client, ITEMS, key, limit=1).json()["next"]
    cursor = re.search(r"cursor=([^&]+)", next_url)
    assert cursor is not None
    good = cursor.group(1)
    tampered = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
    for bad in (tampered, "not-a-cursor", "eyJtIjoibGF0ZXN0In0"):
        response = get(client, ITEMS, key, cursor=bad)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert "cursor" in response.json()["error"]
    # A latest-first cursor does not fit the changes feed.
    since = (timezone.now() - timedelta(days=1)).isoformat()
    from urllib.parse import unquote

    response = get(client, ITEMS, key, cursor=unquote(good), updated_since=since)
    assert response.status_code == 400


# --- what is never served -----------------------------------------------------
def test_embargoed_story_is_never_served(
    client: Client, key: str, make_story: StoryFactory
) -> None:
    story = make_story(embargo_until=timezone.now() + timedelta(hours=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert story.pk not in ids(get(client, ITEMS, key))
    assert story.pk not in ids(get(client, ITEMS, key, updated_since=since))
    assert get(client, f"{ITEMS}/{story.pk}", key).status_code == 404
    # Once the embargo lifts, it is served and shows in the changes feed.
    lifted = timezone.now() - timedelta(minutes=1)
    set_times(story, embargo_until=lifted, modified_at=lifted - timedelta(hours=3))
    assert story.pk in ids(get(client, ITEMS, key))
    item = get(client, f"{ITEMS}/{story.pk}", key).json()
    assert item["embargoed"] == lifted.astimezone(UTC).isoformat(
        timespec="seconds"
    ).replace("+00:00", "Z")
    since = (lifted - timedelta(seconds=30)).isoformat()
    assert ids(get(client, ITEMS, key, updated_since=since)) == [story.pk]


def test_story_retracted_under_embargo_is_never_served(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story(embargo_until=timezone.now() + timedelta(hours=2))
    actions.retract_story(story, by=admin_user, note="Pulled before release.")
    # Later the embargo's time passes: the story was retracted before it.
    now = timezone.now()
    set_times(
        story,
        embargo_until=now - timedelta(minutes=1),
        retracted_at=now - timedelta(minutes=2),
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert story.pk not in ids(get(client, ITEMS, key, updated_since=since))
    assert get(client, f"{ITEMS}/{story.pk}", key).status_code == 404


def test_drafts_and_scheduled_stories_answer_404(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    draft = make_story(publish=False)
    scheduled = make_story(publish=False)
    actions.schedule_story(
        scheduled, by=admin_user, at=timezone.now() + timedelta(hours=1)
    )
    for story in (draft, scheduled):
        response = get(client, f"{ITEMS}/{story.pk}", key)
        assert response.status_code == 404
        assert response.json()["error"]
    assert get(client, f"{ITEMS}/999999", key).status_code == 404
    assert ids(get(client, ITEMS, key)) == []


def test_retracted_story_answers_canceled_without_text(
    client: Client, key: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    actions.retract_story(story, by=admin_user, note="Wrong figures.")
    response = get(client, f"{ITEMS}/{story.pk}", key)
    assert response.status_code == 200
    item = response.json()
    assert item["pubstatus"] == "canceled"
    assert item["uri"] == f"urn:herald:story:{story.pk}"
    assert not {"bodies", "descriptions", "associations", "subjects"} & set(item)


# --- editions -----------------------------------------------------------------
def test_one_story_on_three_editions_is_listed_once_per_edition_with_one_uri(
    client: Client,
    key: str,
    make_story: StoryFactory,
    japan: Edition,
    india: Edition,
    admin_user: User,
) -> None:
    korea = make_edition("korea-herald", "Korea Herald", "Asia/Seoul")
    Edition.objects.filter(pk=india.pk).update(language="en-IN")
    story = make_story(editions=[japan, india, korea])
    LocalVersion.objects.create(story=story, edition=india, headline="India's view")
    uris = set()
    by_edition = {}
    for slug in ("japan-herald", "india-herald", "korea-herald"):
        (item,) = items_of(get(client, ITEMS, key, edition=slug))
        uris.add(item["uri"])
        by_edition[slug] = item
    assert uris == {f"urn:herald:story:{story.pk}"}
    assert ids(get(client, ITEMS, key)) == [story.pk]  # once without a filter too
    india_item = by_edition["india-herald"]
    assert india_item["language"] == "en-IN"
    assert india_item["headlines"][0]["value"] == "India's view"
    canonical = {a["role"]: a["value"] for a in india_item["altids"]}["canonical"]
    assert canonical.startswith("http://india-herald.localhost/news/")
    korea_links = {a["role"]: a["value"] for a in by_edition["korea-herald"]["altids"]}
    assert korea_links["canonical"].startswith("http://japan-herald.localhost/news/")
    assert korea_links["url"].startswith("http://korea-herald.localhost/news/")


def test_edition_host_defaults_the_edition_filter(
    key: str, make_story: StoryFactory, india: Edition
) -> None:
    make_story()
    india_story = make_story(editions=[india])
    on_india = Client(HTTP_HOST="india-herald.localhost")
    assert ids(get(on_india, ITEMS, key)) == [india_story.pk]
    assert ids(get(Client(), ITEMS, key, edition="india-herald")) == [india_story.pk]


def test_partner_limited_to_editions_gets_403_for_others(
    client: Client,
    partner: ApiPartner,
    key: str,
    make_story: StoryFactory,
    japan: Edition,
    india: Edition,
) -> None:
    partner.editions.set([india])
    japan_story = make_story()
    india_story = make_story(editions=[india])
    both = make_story(editions=[japan, india])
    response = get(client, ITEMS, key, edition="japan-herald")
    assert response.status_code == 403
    assert "Japan Herald" in response.json()["error"]
    assert sorted(ids(get(client, ITEMS, key))) == sorted([india_story.pk, both.pk])
    assert get(client, f"{ITEMS}/{japan_story.pk}", key).status_code == 404
    assert get(client, f"{ITEMS}/{india_story.pk}", key).status_code == 200
    on_japan = Client(HTTP_HOST="japan-herald.localhost")
    assert get(on_japan, ITEMS, key).status_code == 403
    # A story of another origin is shown as the partner's own edition shows it.
    item = get(client, f"{ITEMS}/{both.pk}", key).json()
    url = {a["role"]: a["value"] for a in item["altids"]}["url"]
    assert url.startswith("http://india-herald.localhost/")
